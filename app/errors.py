"""One exception hierarchy for Causal Canvas; every error carries a message a student understands."""
from __future__ import annotations


class CausalCanvasError(Exception):
    """Base of every error the app reports to the user (never shown as a traceback)."""

    title = "Something went wrong"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def user_message(self) -> str:
        """The text shown in the UI: the message, then the hint if there is one."""
        return f"{self.message}\n\n{self.hint}" if self.hint else self.message


class GraphError(CausalCanvasError):
    """An edit or query that does not fit the graph (unknown node, self-loop, bad name...)."""

    title = "Graph problem"


class CycleError(GraphError):
    """An edit that would close a directed cycle; `cycle` lists the nodes in order."""

    title = "That would create a cycle"

    def __init__(self, cycle: list[str], message: str | None = None) -> None:
        self.cycle = list(cycle)
        path = " → ".join([*self.cycle, self.cycle[0]]) if self.cycle else ""
        super().__init__(
            message or f"This would create a directed cycle: {path}.",
            hint="A causal DAG cannot have a cycle: a variable cannot (even indirectly) cause itself.",
        )


class ParseError(CausalCanvasError):
    """Text that could not be read as a graph; line and column are 1-based."""

    title = "Could not read the graph text"

    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 *, hint: str | None = None) -> None:
        self.line = line
        self.column = column
        where = f"Line {line}, column {column}: " if line is not None and column is not None else ""
        super().__init__(where + message, hint=hint)


class DataError(CausalCanvasError):
    """A table that cannot be loaded or used as asked (encoding, size, columns, types)."""

    title = "Problem with the data"


class ShareLinkError(CausalCanvasError):
    """A share link that is damaged, tampered with or from an unknown version."""

    title = "This share link cannot be opened"


class ModelError(CausalCanvasError):
    """A model that cannot be fitted or queried (missing data, bad CPT, unknown state...)."""

    title = "Model problem"


class QueryError(CausalCanvasError):
    """A question the current graph/model cannot answer as asked."""

    title = "Cannot answer this question"


class EstimationError(CausalCanvasError):
    """An effect estimate that cannot be computed (no adjustment set, bad treatment...)."""

    title = "Estimation problem"


class DiscoveryError(CausalCanvasError):
    """A discovery run that cannot start or finish on this data."""

    title = "Discovery problem"


class Cancelled(CausalCanvasError):
    """A long computation stopped because the user pressed Cancel."""

    title = "Cancelled"

    def __init__(self, message: str = "Stopped at your request; nothing was changed.") -> None:
        super().__init__(message)


class StoreError(CausalCanvasError):
    """Saved workspaces or class data that cannot be read or written (database, limits, names)."""

    title = "Saving problem"


class WorkspaceFileError(CausalCanvasError):
    """A saved-workspace file that cannot be opened (damaged, too large, unknown version)."""

    title = "This workspace file cannot be opened"


class ClassroomError(CausalCanvasError):
    """A class action that cannot be done as asked (wrong code or key, closed question...)."""

    title = "Classroom"


class LessonError(CausalCanvasError):
    """A lesson whose content files cannot be read or run (front matter, checker, exercise)."""

    title = "This lesson cannot be opened"
