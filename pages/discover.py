"""Discover: learn a causal graph from the data, with background knowledge, bootstrap confidence
and a diff against the drawn graph; adopt chosen edges into the workspace (undo-able)."""
import hashlib
import json

import pandas as pd
import streamlit as st

from app.discovery import (
    AUTO,
    METHOD_HELP,
    METHODS,
    TESTS,
    compare_graphs,
    default_variables,
    discover,
    plan_adoption,
)
from app.discovery.bootstrap import warm_up
from app.discovery.result import UNDECIDED
from app.discovery.view import drawing, edge_table
from app.markup import md
from app.ui import state
from app.ui.errors import guard
from app.ui.graph_view import show_graph
from app.ui.views.discover import quick, run_kwargs, shd_sentence, truth_of
from app.ui.views.experiments import show_experiments
from app.ui.views.knowledge import knowledge_section
from app.ui.widgets import cancellable_job, need_data

ADOPTED = "disc_adopted_message"

CANCEL = "disc_cancel"
MAX_ROWS = 20_000


st.title("Discover a graph from data")
st.caption("Let an algorithm propose the causal graph the data support. Data alone rarely fix "
           "every arrow: add what you know, check how stable each edge is, and compare with "
           "the graph you drew before adopting anything.")
if not need_data():
    st.stop()
df, ref, ws = state.data(), state.dataset_ref(), state.workspace()
warm_up()   # start the bootstrap workers in the background while the user reads
fp = ref.fingerprint
cols = [str(c) for c in df.columns]

c1, c2, c3 = st.columns([3, 2, 2])
variables = c1.multiselect("Variables", cols, default=default_variables(df), key=f"disc_vars:{fp}")
method = c2.selectbox("Algorithm", list(METHODS), format_func=METHODS.get, key="disc_method")
c2.caption(METHOD_HELP[method])
alpha = c3.select_slider("Significance level α", [0.001, 0.01, 0.05, 0.1], value=0.05,
                         key="disc_alpha", help="Constraint-based methods remove an edge when "
                         "the independence test's p-value is above α. A smaller α asks for "
                         "stronger evidence to keep an edge, so the graph is sparser.")
test = c3.selectbox("Independence test", list(TESTS), format_func=TESTS.get, key="disc_test")
score = c3.selectbox("Score (GES, hill climbing)", ["bic", "bdeu"], key="disc_score",
                     format_func={"bic": "BIC", "bdeu": "BDeu"}.get)
domain = None
if method in ("cdnod", "auto"):
    domain = c2.selectbox("Domain / time column (CD-NOD)", [None, *cols], key=f"disc_domain:{fp}",
                          format_func=lambda c: "— none —" if c is None else c,
                          help="Which site, group or period each row comes from. It is taken "
                          "out of the variables and used as CD-NOD's change indicator.")

drawn = [e for e in sorted(ws.graph.edges) if set(e) <= set(variables)]
knowledge = knowledge_section(variables, drawn)

n_boot = st.slider("Bootstrap resamples for edge confidence", 0, 200, 50, step=10,
                   key="disc_boot", help="Each resample redraws the rows with replacement and "
                   "reruns the algorithm; an edge found in 90% of them is stable.")
params = json.dumps({
    "variables": variables, "method": method, "alpha": alpha, "test": test, "score": score,
    "domain_column": domain, "max_rows": MAX_ROWS, "types": dict(ws.var_types),
    "knowledge": knowledge.to_json()},
    sort_keys=True, default=str)
runs = state.page_state("disc_runs", {})
key = hashlib.sha256(f"{fp}|{params}|{n_boot}".encode()).hexdigest()[:16]

b1, b2 = st.columns([1, 4])
if b1.button(f"Run with {n_boot} resamples" if n_boot else "Run", type="primary",
             key="disc_run", disabled=n_boot == 0):
    with guard(), cancellable_job(CANCEL, "disc_cancel_btn", "Starting the resamples…") as (
            bar, cancelled):
        while len(runs) >= 5:   # keep the last few bootstrap runs of this session
            runs.pop(next(iter(runs)))
        runs[key] = discover(df, bootstrap=n_boot, **run_kwargs(params),
                             progress=lambda d, t: bar.progress(d / t, text=f"Resample {d} of {t}"),
                             cancel=cancelled)
if st.session_state.pop(CANCEL, False):
    st.info("Stopped at your request; nothing was changed.", icon=":material/cancel:")

result = runs.get(key)
with guard():
    if result is None:
        result = quick(fp, params, df)
        b2.caption("Shown without bootstrap. Press the button for edge confidence.")
    st.markdown(f"**{md(result.summary())}**")
    st.info(md(result.reason), icon=":material/lightbulb:")
    if result.test_reason:
        st.caption(md(result.test_reason))
    if result.knowledge_summary != "none":
        st.caption(f"Background knowledge used: {md(result.knowledge_summary)}.")
    for note in result.notes:
        st.caption(f":material/info: {md(note)}")

    threshold = 0.0
    if result.confidence:
        threshold = st.slider("Hide edges found in fewer resamples than", 0.0, 1.0, 0.5, 0.05,
                              key="disc_threshold", format="%.2f")
    shown = result.above(threshold)
    truth = truth_of(ref.name) if ref.kind == "sample" else None
    slots = iter(st.columns(2))      # the metrics fill from the left (no empty first column)
    if truth is not None:
        t_diff = compare_graphs(truth, shown)
        m1 = next(slots)
        m1.metric("SHD vs the true graph", t_diff.shd, help="Structural Hamming distance "
                  f"(Tsamardinos et al. 2006; compared as {md(t_diff.compared_as)}): node pairs "
                  "whose edge differs. This sample was simulated from a known graph. "
                  + md(" ".join(t_diff.notes)))
        m1.caption(shd_sentence(t_diff, "the true graph"))
    ref_graph = ws.graph
    diff = None
    if len(set(ref_graph.nodes) & set(shown.nodes)) >= 2:
        diff = compare_graphs(ref_graph, shown)
        m2 = next(slots)
        m2.metric("SHD vs your drawn graph", diff.shd,
                  help=f"{len(diff.missing)} missing, {len(diff.extra)} extra, "
                  f"{len(diff.reversed)} reversed, {len(diff.misoriented)} other differences "
                  f"(compared as {md(diff.compared_as)}). " + md(" ".join(diff.notes)))
        m2.caption(shd_sentence(diff, "your drawn graph"))
    show_diff = diff is not None and st.toggle("Colour the differences to the drawn graph",
                                               value=True, key="disc_show_diff")
    d = drawing(shown, positions=ref_graph.positions, diff=diff if show_diff else None,
                reference=ref_graph)
    show_graph(d.graph, edge_styles=d.edge_styles, edge_labels=d.edge_labels,
               edge_widths=d.edge_widths, key="disc_graph")
    st.caption("→ learned direction · — adjacent, direction undecided · ↔ latent common cause "
               "· dashed o→: the tail end is undecided (PAG) · labels: share of resamples.")
    pct = st.column_config.NumberColumn(format="percent")
    st.dataframe(pd.DataFrame(edge_table(shown)), hide_index=True, width="stretch",
                 column_config={"present": pct, "this orientation": pct})

    show_experiments(shown, d, key, df, variables)

    st.subheader("Adopt edges into the workspace graph")
    texts = {e.text: e for e in shown.edges}
    chosen = st.multiselect("Edges to adopt", list(texts), key=f"disc_adopt:{key}",
                            default=list(texts))
    undecided = [texts[t] for t in chosen if texts[t].symbol in UNDECIDED]
    orientations = {}
    if undecided:
        st.caption("The data leave the direction of these edges undecided. Choose one for each, "
                   "let the app orient them without creating a new collider, or leave them out.")
        for e in undecided:
            a, b = e.pair
            choices = {"orient for me": AUTO, f"{a} → {b}": b, f"{b} → {a}": a, "leave out": ""}
            picked = st.radio(md(e.text), list(choices), format_func=md, horizontal=True,
                              key=f"disc_orient:{key}:{a}:{b}")
            orientations[e.pair] = choices[picked]
    if st.button("Adopt chosen edges", key="disc_adopt_btn", disabled=not chosen):
        plan = plan_adoption(shown, ws.graph, [texts[t] for t in chosen], orientations)
        if plan.changed:
            state.push(ws.with_graph(plan.graph), "adopt discovered edges")
        st.session_state[ADOPTED] = (
            "info" if plan.changed and not plan.skipped else "warning",
            plan.summary() + (" Undo restores the graph." if plan.changed else ""))
        st.rerun()
    st.button(f"Open in the editor as a {md(shown.graph_type)}", key="disc_open_typed",
              on_click=state.set_graph, args=(shown.to_graph(positions=ref_graph.positions),
                                              f"open the learned {shown.graph_type}"),
              help="Replace the workspace graph by the learned graph with its marks (— and o "
                   "stay undecided, nothing is oriented). Undo restores your graph.")
    if ADOPTED in st.session_state:
        kind, said = st.session_state[ADOPTED]
        getattr(st, kind)(md(said), icon=":material/info:")
