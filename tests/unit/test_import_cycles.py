"""The import graph of app/ and components/ has no cycles and no reach-ups (docs/architecture.md).

Every `import` and `from … import` counts, at module level and inside functions: a lazy import
that dodges a cycle at load time is still a cycle in the design (the two modules cannot be
understood, tested or moved apart). Only imports under `if TYPE_CHECKING:` are left out, since
they never run.

Layer rules checked here:
- no module in app/ outside app/ui/ imports app.ui or Streamlit (the core is plain Python);
- nothing in components/ imports app.ui (a component gets what it needs from its caller).
  Components are Streamlit components, so Streamlit itself is allowed there.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "components")

# Edges (importer -> imported) left out of the cycle check on purpose, each with its reason.
# Every entry is debt (issue 21): remove it with the import, and the test below insists.
ALLOWED_CYCLE_EDGES: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def repo_modules() -> dict[str, Path]:
    """Every Python module of app/ and components/ by dotted name (packages by their name)."""
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST):
    """Import statements anywhere in the module, except under `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imported_names(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Dotted names this module imports, relative imports made absolute. `from a import b`
    gives a.b when that is a module (a submodule), else a (a name defined in a)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
            continue
        if node.level:
            base = package.split(".")
            base = base[:len(base) - (node.level - 1)]
            target = ".".join([*base, node.module] if node.module else base)
        else:
            target = node.module or ""
        for alias in node.names:
            sub = f"{target}.{alias.name}"
            names.add(sub if sub in modules else target)
    return names


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The repo module `name` refers to: itself, or its nearest enclosing module."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> nx.DiGraph:
    """Module -> module edges inside this repo. Importing a submodule adds no edge to its parent
    package: `from app.ui import state` is an edge to app.ui.state, not to app.ui."""
    modules = repo_modules()
    g = nx.DiGraph()
    g.add_nodes_from(modules)
    for module, path in modules.items():
        for name in imported_names(module, path, modules):
            target = _resolve(name, modules)
            if target and target != module:
                g.add_edge(module, target)
    return g


def _is_ui(name: str) -> bool:
    return name == "app.ui" or name.startswith("app.ui.")


def _is_streamlit(name: str) -> bool:
    return name == "streamlit" or name.startswith("streamlit.")


def cycles(g: nx.DiGraph, limit: int = 10) -> list[list[str]]:
    """Up to `limit` simple cycles per strongly connected group, each as a chain a → b → … → a."""
    found = []
    for group in nx.strongly_connected_components(g):
        if len(group) < 2:
            continue
        sub = g.subgraph(group)
        for i, cycle in enumerate(sorted(nx.simple_cycles(sub), key=lambda c: (len(c), c))):
            if i == limit:
                break
            start = cycle.index(min(cycle))
            cycle = cycle[start:] + cycle[:start]
            found.append([*cycle, cycle[0]])
    return sorted(found)


def test_no_import_cycles():
    g = import_graph()
    g.remove_edges_from(ALLOWED_CYCLE_EDGES)
    chains = [" → ".join(c) for c in cycles(g)]
    assert not chains, "import cycles (move the shared piece to a module both import):\n" + \
        "\n".join(chains)


def test_allowed_cycle_edges_still_exist():
    """An allow-list entry whose import is gone must be removed, not kept as a blank cheque."""
    g = import_graph()
    stale = [edge for edge in ALLOWED_CYCLE_EDGES if not g.has_edge(*edge)]
    assert not stale, f"remove these allow-list entries, the imports are gone: {stale}"


def test_core_and_components_never_import_the_ui():
    bad = []
    modules = repo_modules()
    for module, path in modules.items():
        names = imported_names(module, path, modules)
        if module.startswith("components"):
            bad += [f"{module} imports {n}" for n in sorted(names) if _is_ui(n)]
        elif not _is_ui(module):
            bad += [f"{module} imports {n}" for n in sorted(names)
                    if _is_ui(n) or _is_streamlit(n)]
    assert not bad, "reach-ups into the UI layer:\n" + "\n".join(bad)


# ---- the checker itself must be able to fail -----------------------------------------------


def test_checker_sees_lazy_and_relative_imports(tmp_path, monkeypatch):
    """A cycle closed by an import inside a function, and one through a relative import, are
    both found; imports under TYPE_CHECKING are not; reach-ups into the UI are named."""
    pkg = tmp_path / "app"
    (pkg / "ui").mkdir(parents=True)
    (tmp_path / "components").mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "ui" / "__init__.py").write_text("")
    (pkg / "ui" / "a.py").write_text("from app.ui import b\n")
    (pkg / "ui" / "b.py").write_text("def f():\n    from app.ui import a\n")
    (pkg / "c.py").write_text("from . import d\n")
    (pkg / "d.py").write_text("from .c import x\n")
    (pkg / "e.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                              "    from app import f\n")
    (pkg / "f.py").write_text("import app.e\nimport streamlit\n")
    (tmp_path / "components" / "x.py").write_text("from app.ui import a\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    chains = cycles(import_graph())
    assert ["app.ui.a", "app.ui.b", "app.ui.a"] in chains
    assert ["app.c", "app.d", "app.c"] in chains
    assert not any("app.e" in c for c in chains)
    with pytest.raises(AssertionError) as failed:
        test_core_and_components_never_import_the_ui()
    assert "app.f imports streamlit" in str(failed.value)
    assert "components.x imports app.ui.a" in str(failed.value)
