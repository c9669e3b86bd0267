"""Causal Canvas entry point: page config, navigation over pages/, and the shared sidebar."""
from pathlib import Path

import streamlit as st

from app.ui import shell, state

st.set_page_config(page_title="Causal Canvas", page_icon="🕸️", layout="wide")

HERE = Path(__file__).parent
# (file, title, icon) in the order a person works; a page is listed once its file exists.
PAGES = [
    ("pages/home.py", "Home", "🏠"),
    ("pages/data.py", "Data", "📂"),
    ("pages/graph.py", "Graph", "🕸️"),
    ("pages/discover.py", "Discover", "🔎"),
    ("pages/analyse.py", "Analyse", "🧭"),
    ("pages/intervene.py", "Intervene", "🎛️"),
    ("pages/counterfactual.py", "Counterfactual", "🔀"),
    ("pages/estimate.py", "Estimate", "📏"),
    ("pages/timeseries.py", "Time series", "⏱️"),
    ("pages/learn.py", "Learn", "🎓"),
    ("pages/report.py", "Report", "📝"),
    ("pages/classroom.py", "Classroom", "🏫"),
    ("pages/about.py", "About", "ℹ️"),
]

nav = st.navigation([
    st.Page(path, title=title, icon=icon, default=(i == 0))
    for i, (path, title, icon) in enumerate(PAGES) if (HERE / path).exists()
])
shell.start_session()
shell.apply_share_link()
shell.sidebar()
shell.presenter_css()
state.show_flash()
nav.run()
