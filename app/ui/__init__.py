"""The only Streamlit-aware part of app/: session state, caching, error display, shared widgets."""


def _route_through_navigation() -> None:
    """Make a fresh server use streamlit_app.py's st.navigation, never the legacy pages/ mode.

    Streamlit 1.67 starts in legacy mode when a `pages/` folder exists and only leaves it once
    the entry point has called st.navigation. A first visitor arriving on a deep link (/graph)
    would run the page alone, without the app shell. The first page to import app.ui switches
    the flag and reruns, so the entry point (and our navigation) runs instead.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.runtime.scriptrunner import get_script_run_ctx
    except ImportError:  # pragma: no cover - other Streamlit layouts
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if get_script_run_ctx() is not None:
            import streamlit as st

            st.rerun()


_route_through_navigation()
