"""Shared test setup: the repo root on sys.path, and quiet third-party warnings."""
import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
warnings.filterwarnings("ignore", category=FutureWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning)

# The store (autosave, classes, saved workspaces) writes under CAUSAL_CANVAS_DATA_DIR: never
# into the repository's .data/ during tests.
if "CAUSAL_CANVAS_DATA_DIR" not in os.environ:
    import tempfile

    os.environ["CAUSAL_CANVAS_DATA_DIR"] = tempfile.mkdtemp(prefix="cc-test-data-")
