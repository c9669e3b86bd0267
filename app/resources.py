"""Where the app's own files live, in a git checkout or in an installed wheel.

A checkout keeps streamlit_app.py, pages/, sample_data/ and .streamlit/config.toml at its root
(what `make run` uses); the wheel carries the same layout under app/_resources/ (see setup.py).
Everything that reads those files asks here, so nothing depends on the current directory.
"""
from __future__ import annotations

import sys
from pathlib import Path

from app import settings

PACKAGE_DIR = Path(__file__).resolve().parent
INSTALLED_ROOT = PACKAGE_DIR / "_resources"


def checkout_root() -> Path | None:
    """The git checkout this code runs from, or None when it runs from an installed wheel."""
    root = PACKAGE_DIR.parent
    if (root / "streamlit_app.py").is_file() and (root / "sample_data").is_dir():
        return root
    return None


def site_root() -> Path:
    """The folder holding streamlit_app.py, pages/, sample_data/ and .streamlit/."""
    return checkout_root() or INSTALLED_ROOT


def sample_dir() -> Path:
    return site_root() / "sample_data"


def streamlit_script() -> Path:
    return site_root() / "streamlit_app.py"


def streamlit_config() -> Path:
    return site_root() / ".streamlit" / "config.toml"


def user_data_dir() -> Path:
    """Where an installed app keeps its database when no data folder is given: the platform's
    per-user data folder (a checkout uses its own .data/ instead)."""
    if sys.platform == "win32":
        base = Path(settings.env(settings.ENV_LOCALAPPDATA) or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(settings.env(settings.ENV_XDG_DATA_HOME) or Path.home() / ".local" / "share")
    return base / "causal-canvas"
