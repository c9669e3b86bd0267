"""Causal Canvas entry point: page config, navigation over pages/, and the shared sidebar."""
from pathlib import Path

import streamlit as st

from app.ui import shell, state

HERE = Path(__file__).parent   # the checkout, or app/_resources in an installed wheel
# A local favicon: a ":material/…" page icon would make the browser fetch it from a font CDN.
st.set_page_config(page_title="Causal Canvas",
                   page_icon=str(Path(shell.__file__).parent / "assets" / "favicon.png"),
                   layout="wide")

# (file, title, icon) in the order a person works; a page is listed once its file exists.
PAGES = [
    ("pages/home.py", "Home", ":material/home:"),
    ("pages/data.py", "Data", ":material/table_view:"),
    ("pages/graph.py", "Graph", ":material/hub:"),
    ("pages/discover.py", "Discover", ":material/travel_explore:"),
    ("pages/analyse.py", "Analyse", ":material/alt_route:"),
    ("pages/intervene.py", "Intervene", ":material/tune:"),
    ("pages/counterfactual.py", "Counterfactual", ":material/call_split:"),
    ("pages/estimate.py", "Estimate", ":material/straighten:"),
    ("pages/explain.py", "Explain", ":material/manage_search:"),
    ("pages/timeseries.py", "Time series", ":material/timeline:"),
    ("pages/learn.py", "Learn", ":material/school:"),
    ("pages/report.py", "Report", ":material/description:"),
    ("pages/classroom.py", "Classroom", ":material/groups:"),
]

st.set_option("client.showSidebarNavigation", True)   # off in config.toml: see there
# expanded: a 13th page would fold the menu behind "View 3 more" (Streamlit folds past 12)
nav = st.navigation(shell.pages(HERE, PAGES), expanded=True)
shell.start_session()
shell.apply_share_link()
shell.sidebar()
shell.presenter_css()
state.show_flash()
nav.run()
