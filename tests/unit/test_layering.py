"""Design rules: app/ outside app/ui/ never imports Streamlit; `import app` stays light."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_streamlit():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")
                 if "ui" not in p.relative_to(ROOT / "app").parts[:1]
                 and "streamlit" in _imports(p)]
    assert not offenders, f"Streamlit imported outside app/ui: {offenders}"


def test_import_app_does_not_load_heavy_libraries():
    code = ("import sys, app; heavy = [m for m in ('dowhy', 'pgmpy', 'causallearn', 'streamlit', "
            "'sklearn', 'torch') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "", f"`import app` loaded: {out}"


def test_no_pickle_eval_exec_on_user_input():
    bad = []
    for p in [*(ROOT / "app").rglob("*.py"), *(ROOT / "pages").rglob("*.py")]:
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id in ("eval", "exec"):
                bad.append(f"{p.name}:{node.lineno} {node.func.id}")
        if "pickle" in _imports(p):
            bad.append(f"{p.name} imports pickle")
    assert not bad, bad
