"""One rule for screens (issue 21): a page's body lives in its page file or in
app/ui/views/<page>*.py; app/ui/ itself holds only infrastructure; pages cache nothing
themselves (every st.cache_* sits in app/ui, where its key and lifetime are documented)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# app/ui/ top level: session state, autosave, the shell, error display, shared widgets,
# the chart store and the read-only graph view. Anything page-specific goes to views/.
INFRASTRUCTURE = {"__init__", "autosave", "charts", "errors", "graph_view", "shell", "state",
                  "widgets"}


def _cache_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("cache_"):
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    return found


def test_pages_call_no_streamlit_cache():
    calls = [c for page in sorted((ROOT / "pages").glob("*.py")) for c in _cache_calls(page)]
    assert not calls, "move these caches to app/ui/views/<page>.py:\n" + "\n".join(calls)


def test_app_ui_top_level_holds_only_infrastructure():
    modules = {p.stem for p in (ROOT / "app" / "ui").glob("*.py")}
    packages = {p.name for p in (ROOT / "app" / "ui").iterdir()
                if p.is_dir() and (p / "__init__.py").exists()}
    assert modules - INFRASTRUCTURE == set(), "page screens belong in app/ui/views/"
    assert packages == {"views"}, "page screens belong in app/ui/views/"


def test_the_rule_is_checked_on_real_files():
    """The scan sees a cache where one is (so the tests above can fail)."""
    assert _cache_calls(ROOT / "app" / "ui" / "views" / "discover.py")
    assert (ROOT / "pages" / "graph.py").exists()
