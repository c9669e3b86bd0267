"""Home: what Causal Canvas is, how to start, and the bundled samples."""
from pathlib import Path

import streamlit as st

from app.markup import md
from app.samples import list_samples
from app.ui import state
from app.ui.errors import guard

ROOT = Path(__file__).resolve().parent.parent

st.title("Causal Canvas")
st.markdown(
    "Draw a causal graph, check it against data, and ask causal questions — **what happens if "
    "we intervene?**, **what would have happened otherwise?**, **how big is the effect?** — "
    "with every assumption in view."
)

ws = state.workspace()
st.info(f"**Now open:** {md(ws.summary())}", icon=":material/push_pin:")

st.subheader("Start in three steps")
c1, c2, c3 = st.columns(3)
with c1:
    st.markdown("**1. Data**  \nPick a sample below or upload a CSV.")
    st.page_link("pages/data.py", label="Open the Data page", icon=":material/table_view:")
with c2:
    st.markdown("**2. Graph**  \nDraw or type your causal assumptions (DAGitty syntax).")
    st.page_link("pages/graph.py", label="Open the Graph page", icon=":material/hub:")
with c3:
    st.markdown("**3. Ask**  \nAnalyse paths, intervene, estimate effects.")
    for path, label, icon in [("pages/analyse.py", "Analyse", ":material/alt_route:"),
                              ("pages/intervene.py", "Intervene", ":material/tune:"),
                              ("pages/estimate.py", "Estimate", ":material/straighten:")]:
        if (ROOT / path).exists():  # pages appear as their features land
            st.page_link(path, label=label, icon=icon)

st.subheader("Sample datasets")
st.caption("Each comes with a graph (the true one where it is known) and a short story.")
samples = list_samples()
cols = st.columns(3)
for i, s in enumerate(samples):
    with cols[i % 3].container(border=True):
        st.markdown(f"**{s.title}**")
        st.caption(s.summary)
        truth = "true graph known" if s.truth_known else "assumed graph"
        st.caption(f"{s.rows:,} rows · {s.columns} columns · {truth}")
        if st.button("Load", key=f"home_load_{s.name}",
                     type="primary" if ws.dataset and ws.dataset.name == s.name else "secondary"):
            with guard():
                state.load_sample(s.name)
                state.flash(f"Loaded the sample “{s.title}” with its graph.")
                st.rerun()
