"""What an exercise is: a prompt, a kind of answer, a checker, hints and a "show me".

Lessons (Learn), the exercise generator (Practice) and the live classroom all pose `Exercise`
values: one shape to draw the widget, read the answer (app.exercises.answers), grade it and
reveal it on the graph, so the same answer gets the same verdict everywhere.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.exercises.answers import AnswerFormatError, normalise_answer
from app.graph import CausalGraph

KINDS = ("choice", "multi", "number")
RUNGS = ("association", "intervention", "counterfactual")


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: correct or not, what to say, and the engine's reasons."""

    correct: bool
    message: str
    reasons: tuple[str, ...] = ()
    understood: bool = True     # False: the input could not be read (not counted as an attempt)

    def __str__(self) -> str:
        head = ("✓ " if self.correct else "✗ ") + self.message
        return "\n".join([head, *(f"  - {r}" for r in self.reasons)])


@dataclass(frozen=True)
class Reveal:
    """The answer shown by "show me": words, plus how to mark it on the graph."""

    text: str
    highlight_nodes: tuple[str, ...] = ()
    node_styles: Mapping[str, str] = field(default_factory=dict)
    edge_styles: Mapping[tuple[str, str], str] = field(default_factory=dict)
    edge_labels: Mapping[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Exercise:
    """One question with its checker; `answer` is one correct answer (used by "show me" and tests).

    kind "choice": pick one of `options` (answer: the option text);
    kind "multi": pick any number of `options` (answer: a frozenset of option texts; an empty
    selection is a real answer, e.g. "adjust for nothing");
    kind "number": type a number (answer: a float; fractions, "83%" and "1,5" are understood).
    `aliases` maps typed words to an option ("yes" → the "independent" option); answers are read
    by app.exercises.answers.normalise_answer, so typed text and widget values both work.
    A `predict` exercise asks for a guess before the evidence is shown: any answer completes it.
    """

    id: str
    prompt: str
    kind: str
    check: Callable[[Any], Feedback]
    answer: Any
    options: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    reveal: Reveal | None = None
    graph: CausalGraph | None = None
    edge_labels: Mapping[tuple[str, str], str] = field(default_factory=dict)
    rung: str = ""
    topic: str = ""
    empty_label: str = ""     # multi: what an empty selection means, e.g. "adjust for nothing"
    predict: bool = False     # "predict, then see": any answer completes it; feedback says if it was right
    params: Mapping[str, Any] = field(default_factory=dict)   # the question's variables (x, y, given…)
    aliases: Mapping[Any, str] = field(default_factory=dict)  # typed word (or True/False) → option

    def grade(self, answer: Any) -> Feedback:
        """Read the raw widget value and check it; unreadable input gets a helpful message."""
        try:
            value = normalise_answer(self, answer)
        except AnswerFormatError as err:
            return Feedback(False, str(err), understood=False)
        return self.check(value)

    @property
    def fingerprint(self) -> str:
        """Identifies the question's content (graph, wording, options): equal means a repeat."""
        parts = [self.id, self.kind, self.prompt, "|".join(self.options),
                 self.graph.canonical_json() if self.graph is not None else "",
                 repr(sorted(self.edge_labels.items()))]
        return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]

    def answer_text(self) -> str:
        """The stored answer in words (for the reveal)."""
        if self.kind == "multi":
            items = sorted(self.answer)
            return ", ".join(items) if items else (self.empty_label or "nothing")
        if self.kind == "number":
            return format_number(self.answer)
        return str(self.answer)


def format_number(value: float, digits: int = 4) -> str:
    """A number as a student would write it: 3.5, 0.8325, -2 (no trailing zeros)."""
    value = float(value)
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def set_text(nodes: Iterable[str], empty: str = "∅ (nothing)") -> str:
    """{a, b} in sorted order, or the words for the empty set."""
    items = sorted(nodes)
    return "{" + ", ".join(items) + "}" if items else empty


__all__ = ["KINDS", "RUNGS", "Exercise", "Feedback", "Reveal", "format_number", "set_text"]
