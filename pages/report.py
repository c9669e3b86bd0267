"""Report: one-click automatic causal analysis of the loaded data — discovery, your graph,
checks, estimates, refutations, sensitivity — written up as a self-contained HTML report."""
import hashlib
import json

import streamlit as st

from app.data import Dataset, infer_types, with_types
from app.estimation.pipeline import default_roles
from app.estimation.prepare import treatment_levels
from app.markup import md
from app.report import make_report, render_html, render_markdown
from app.report.rules import knowledge_from_text
from app.ui import state
from app.ui.errors import guard
from app.ui.widgets import cancellable_job, need_data

CANCEL = "report_cancel"
KEPT = 4            # reports remembered per session (HTML is ~100 KB each)
LATENT = {"decide from my graph": None, "yes, suspected": True, "no": False}

st.title("Automatic analysis report")
st.caption("One click runs the whole analysis — profile, discovery with bootstrap confidence, "
           "your graph and knowledge, the graph's testable implications, identification, several "
           "estimators, refutations and sensitivity — and writes it up as one HTML file that "
           "works offline. Every choice follows a stated rule, shown in the report.")
if not need_data("The report analyses a dataset: load a sample or upload a table."):
    st.stop()
df, ref, ws = state.data(), state.dataset_ref(), state.workspace()
g, fp = ws.graph, ref.fingerprint
cols = [str(c) for c in df.columns]

t0, y0 = default_roles(g)
c1, c2 = st.columns(2)
treatment = c1.selectbox("Treatment (the cause you would change)", cols, key=f"rep_t:{fp}",
                         index=cols.index(t0) if t0 in cols else 0)
outs = [c for c in cols if c != treatment]
outcome = c2.selectbox("Outcome", outs, key=f"rep_y:{fp}:{treatment}",
                       index=outs.index(y0) if y0 in outs else len(outs) - 1)
levels, treated, control = treatment_levels(df[treatment]), None, None
if levels and len(levels[0]) > 2:      # a categorical treatment: which two groups to compare
    names, dt, dc = levels
    v1, v2 = st.columns(2)
    treated = v1.selectbox("Treated value", names, index=names.index(dt), key=f"rep_tv:{treatment}")
    rest = [n for n in names if n != treated]
    control = v2.selectbox("Compared with", rest, index=rest.index(dc) if dc in rest else 0,
                           key=f"rep_cv:{treatment}:{treated}")
graph_fits = treatment in g.nodes and outcome in g.nodes
use_graph = st.checkbox(
    "Use my drawn graph (merged with what discovery finds)", value=graph_fits,
    key=f"rep_use_graph:{fp}:{g.content_hash()}", disabled=not graph_fits,
    help="Your graph is the starting assumption; discovery checks it, adds only strongly "
         "supported edges and lists every disagreement. Without it, the learned graph is used."
    if graph_fits else "Your graph needs nodes named like the treatment and outcome columns.")
c3, c4, c5 = st.columns(3)
n_boot = c3.slider("Bootstrap resamples (discovery)", 0, 200, 50, step=5, key="rep_boot",
                   help="Each resample redraws the rows and reruns discovery: an edge found in "
                        "90% of them is stable. Fewer is faster.")
latent = c4.selectbox("Unmeasured common causes?", list(LATENT), key="rep_latent",
                      help="Suspected: discovery uses FCI, which allows hidden common causes.")
domain = c5.selectbox("Domain / time column", [None, *[c for c in cols if c not in
                                                        (treatment, outcome)]],
                      format_func=lambda c: "— none —" if c is None else c, key=f"rep_domain:{fp}",
                      help="Which site, group or period each row is from (CD-NOD).")
mediators = st.multiselect(
    "Mediators (optional)", [c for c in cols if c not in (treatment, outcome)],
    key=f"rep_mediators:{fp}:{treatment}:{outcome}",
    help="Variables through which the treatment may act. The report then splits the effect into "
         "a direct part and the part through them (natural direct and indirect effects), after "
         "checking on the graph that the split is identified.")
with st.expander("More settings"):
    m1, m2, m3 = st.columns(3)
    seed = m1.number_input("Seed (every random step)", 0, 2**31 - 1, 0, key="rep_seed")
    alpha = m2.select_slider("Significance level α", [0.01, 0.05, 0.1], 0.05, key="rep_alpha")
    sims = m3.selectbox("Refutation re-estimates", [None, 20, 50, 100, 0], key="rep_sims",
                        format_func=lambda v: "engine default (100)" if v is None
                        else "skip refutations" if v == 0 else str(v))
    add_learned = st.checkbox("Add learned edges found in ≥ 90% of resamples to my graph",
                              value=True, key="rep_add")
    outcome_last = st.checkbox(f"'{md(outcome)}' is measured last (causes none of the others)",
                               value=True, key="rep_last")
    knowledge_text = st.text_area(
        "Background knowledge", key=f"rep_knowledge:{fp}", height=90,
        placeholder="age -> educ\nre78 -/-> treat\ntier: age, black, hisp",
        help="One per line: 'A -> B' required, 'A -/-> B' forbidden, 'tier: A, B' time tiers "
             "(earliest first).")

params = {"treatment": treatment, "outcome": outcome, "bootstrap": n_boot, "seed": int(seed),
          "alpha": alpha, "latent": LATENT[latent], "domain_column": domain,
          "refutation_simulations": sims, "add_learned": add_learned,
          "outcome_last": outcome_last, "use_graph": use_graph, "treatment_value": treated,
          "control_value": control, "mediators": tuple(mediators)}
graph_key = g.content_hash() if use_graph else ""
key = hashlib.sha256(json.dumps([fp, graph_key, params, knowledge_text, dict(ws.var_types)],
                                sort_keys=True, default=str).encode()).hexdigest()[:16]
runs = state.page_state("report_runs", {})

b1, b2 = st.columns([2, 5])
if b1.button("Run the analysis", type="primary", key="rep_run", icon=":material/play_arrow:"):
    with guard(), cancellable_job(CANCEL, "rep_cancel_btn", "Starting…") as (bar, cancelled):
        # named by the workspace's fingerprint, so the report matches the command line's
        dataset = with_types(Dataset(df=df, name=ref.name, fingerprint=fp,
                                     types=infer_types(df)), dict(ws.var_types))
        result = make_report(
            dataset, treatment, outcome, graph=g if use_graph else None,
            knowledge=knowledge_from_text(knowledge_text), **{k: v for k, v in params.items()
                              if k not in ("treatment", "outcome")},
            progress=lambda f, text: bar.progress(f, text=md(text)),
            cancel=cancelled)
        while len(runs) >= KEPT:
            runs.pop(next(iter(runs)))
        runs[key] = {"html": render_html(result), "md": render_markdown(result),
                     "verdict": result.verdict, "headline": result.headline,
                     "label": f"{treatment} → {outcome}"}
        state.set_page_state("report_last", key)
if st.session_state.pop(CANCEL, False):
    st.info("Stopped at your request; the previous report is kept.", icon=":material/cancel:")

shown = runs.get(key)
if shown is None and runs.get(state.page_state("report_last")):
    shown = runs[state.page_state("report_last")]
    b2.caption(f"Showing the last report ({md(shown['label'])}); the settings have changed since. "
               "Press Run for a new one.")
if shown is None:
    b2.caption("Takes about 10–60 s (mostly the discovery bootstrap). The report appears here "
               "and can be downloaded as HTML or Markdown.")
    st.stop()

st.info(md(shown["verdict"]), icon=":material/fact_check:")
if shown["headline"]:
    st.markdown(md(shown["headline"]))
name = f"report-{ref.name.rsplit('.', 1)[0]}-{shown['label'].replace(' → ', '-to-')}"
d1, d2, _ = st.columns([1, 1, 3])
d1.download_button("Download HTML", shown["html"], file_name=f"{name}.html", mime="text/html",
                   key="rep_dl_html", icon=":material/download:", width="stretch")
d2.download_button("Download Markdown", shown["md"], file_name=f"{name}.md",
                   mime="text/markdown", key="rep_dl_md", icon=":material/download:",
                   width="stretch")
st.iframe(shown["html"], height=900)
