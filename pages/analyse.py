"""Analyse: d-separation with paths, adjustment, identification, node roles, implications on data."""
import streamlit as st

from app import analysis as an
from app.analysis import explain as ex
from app.markup import md, md_names
from app.ui import state
from app.ui.errors import guard
from app.ui.graph_view import show_graph
from app.ui.views.adjustment_options import adjustment_options
from app.ui.views.analyse import cached
from app.ui.views.analyse_colouring import show_path_colouring
from app.ui.views.analyse_derived import show_derived
from app.ui.views.analyse_equivalence import show_equivalence
from app.ui.widgets import need_data, need_graph


def tested(memo: str, g, df, alpha: float, types):
    """Implication tests with a progress bar, remembered per graph + data + α."""
    report = state.page_state(memo)
    if report is None:
        bar = st.progress(0.0, text="Testing the graph's implications on the data…")
        report = an.test_implications(g, df, alpha, types=types, progress=lambda i, m:
                                      bar.progress(i / m, text=f"Test {i} of {m}"))
        bar.empty()
        state.set_page_state(memo, report)
    return report


st.title("Analyse the graph")
st.caption("What the graph alone says about your question — before any data: which variables "
           "are independent, what to adjust for, and whether the effect can be computed at all.")
if not need_graph():
    st.stop()
g = state.graph()
key, sk = g.content_hash(), g.structure_hash()
x0, y0 = ex.default_query(g)
measured = [n for n in g.nodes if n not in g.latents]
c1, c2 = st.columns(2)
xs = c1.multiselect("Exposure X (the cause)", measured, default=x0, key=f"an_x:{sk}")
ys = c2.multiselect("Outcome Y", [n for n in measured if n not in xs],
                    default=[n for n in y0 if n not in xs], key=f"an_y:{sk}")
if not xs or not ys:
    st.info("Choose an exposure and an outcome (or give nodes these roles on the Graph page).",
            icon=":material/touch_app:")
    st.stop()
q = (tuple(sorted(xs)), tuple(sorted(ys)))
t_sep, t_adj, t_id, t_roles, t_imp, t_eq, t_der = st.tabs(
    ["d-separation", "Adjustment", "Identification", "Roles", "Testable implications",
     "Equivalence class", "Blanket, moral & ancestral graphs"])

with t_sep, guard():
    zs = st.multiselect("Condition on Z", [n for n in g.nodes if n not in xs + ys],
                        default=[n for n in g.adjusted if n not in xs + ys], key=f"an_z:{sk}")
    sep = cached("sep", key, g, q[0], q[1], tuple(sorted(zs)))
    st.markdown(ex.dsep_sentence(xs, ys, zs, sep))
    paths = cached("paths", key, g, q[0], q[1], tuple(sorted(zs)))
    n_open = sum(p.open for p in paths)
    st.caption(f"{len(paths)} path(s) between them, {n_open} open. A path is blocked by a "
               "non-collider you condition on, or by a collider (→ C ←) when neither C nor any "
               "of its descendants is conditioned on. ↔ means an unmeasured common cause.")
    if paths.note:
        st.warning(md(paths.note), icon=":material/content_cut:")
    colour = st.toggle("Colour every causal and biasing path (as DAGitty does)",
                       key="an_colour")
    if colour:
        show_path_colouring(g, q[0], q[1], tuple(sorted(zs)), key)
    if paths:
        if not colour:
            first = next((i for i, p in enumerate(paths) if p.open and not p.causal), 0)
            pick = st.selectbox("Highlight a path on the graph", range(len(paths)), index=first,
                                format_func=lambda i: f"{paths[i].text}  ({paths[i].status})",
                                key=f"an_path:{key}:{q}:{zs}")
            chosen = paths[pick]
            show_graph(g, edge_styles=ex.path_styles(chosen), highlight_nodes=chosen.nodes,
                       node_styles={b.node: "blocking" for b in chosen.blockers},
                       node_legend={"blocking": "blocks the path (grey ring)",
                                    "highlight": "on the chosen path (orange ring)"},
                       key="an_g_path")
        st.dataframe(ex.paths_table(paths), hide_index=True, width="stretch")

with t_adj, guard():
    sets = cached("min", key, g, q[0], q[1])
    st.markdown("**Minimal sufficient adjustment sets** — adjust for all variables of any one "
                "set to remove confounding (latent variables are never used):")
    if sets:
        st.markdown("\n".join(f"- {{{md_names(sorted(s))}}}" if s else
                              "- ∅ — no adjustment needed" for s in sets))
    else:
        st.warning("No set of measured variables removes the confounding.", icon=":material/block:")
    adjustment_options(g, xs, ys, key=sk)
    fds = cached("fd", key, g, q[0], q[1])
    if fds:
        st.markdown("**Front-door sets** (mediators that carry the whole effect and whose links "
                    "are unconfounded): " + "; ".join("{" + md_names(sorted(s)) + "}" for s in fds))
    if len(xs) == 1 and len(ys) == 1:
        ivs = cached("iv", key, g, xs[0], ys[0])
        st.markdown("**Instruments** (move X, reach Y only through X): "
                    + md_names(ivs))
    st.markdown("**Check your own set**")
    mine = st.multiselect("Adjust for", [n for n in g.nodes if n not in xs + ys],
                          default=[n for n in g.adjusted if n not in xs + ys], key=f"an_mine:{sk}")
    check = cached("check", key, g, q[0], q[1], tuple(sorted(mine)))
    # nothing chosen yet is a starting point, not a mistake: amber, not the red of an error
    (st.success if check.valid else st.error if mine else st.warning)(md(check.message))
    if check.open_paths:
        show_graph(g, edge_styles=ex.path_styles(check.open_paths[0]),
                   highlight_nodes=check.open_paths[0].nodes, key="an_g_check", height=350)

with t_id, guard():
    est = cached("id", key, g, q[0], q[1])
    if est.identifiable:
        how = {"backdoor": "back-door adjustment", "frontdoor": "front-door adjustment",
               "id": "the ID algorithm"}[est.kind]
        st.success(f"The effect is identifiable, by {how}.")
        st.latex(est.full_latex)
    else:
        st.error("The effect is **not identifiable** from observational data with this graph.")
        st.latex(est.full_latex + r" = \; ?")
        show_graph(g, highlight_nodes=sorted(est.hedge[0]), key="an_g_hedge", height=350)
    st.markdown(md(est.reason))
    for note in est.notes:
        st.caption(f":material/info: {md(note)}")
    st.caption("P(y | do(x)) is the distribution Y would have if X were *set* to x for everyone; "
               "the right-hand side uses only ordinary (observed) probabilities.")

with t_roles, guard():
    roles = cached("roles", key, g, q[0], q[1])
    present = [r for r in an.ROLE_LABELS if any(r in rs for rs in roles.values())]
    role = st.selectbox("Show on the graph", present, format_func=an.ROLE_LABELS.get,
                        index=present.index("confounder") if "confounder" in present else 0,
                        key=f"an_role:{sk}")
    marked = [n for n, rs in roles.items() if role in rs]
    show_graph(g, highlight_nodes=marked,
               node_styles={n: "dimmed" for n in g.nodes if n not in marked}, key="an_g_roles")
    st.caption(an.ROLE_LABELS[role].capitalize() + ".")
    st.dataframe(ex.roles_table(roles), hide_index=True, width="stretch")

with t_imp, guard():
    st.caption("The graph claims some pairs are independent (given other variables). Each claim "
               "is tested on the data: a small p-value means the data contradict it.")
    if need_data("Load a dataset whose columns are the graph's nodes to test the graph."):
        alpha = st.select_slider("Significance level α", [0.01, 0.05, 0.1], value=0.05,
                                 key="an_alpha")
        memo = f"an_tests:{key}:{state.dataset_ref().fingerprint}:{alpha}"
        report = tested(memo, g, state.data(), alpha, dict(state.workspace().var_types))
        (st.success if report.consistent else st.error)(md(report.verdict))
        if len(report):
            show_graph(g, edge_styles=ex.violated_styles(report), key="an_g_imp")
            st.dataframe(ex.implications_table(report), hide_index=True, width="stretch",
                         column_config={"p-value": st.column_config.NumberColumn(format="%.3g"),
                                        "Holm p": st.column_config.NumberColumn(format="%.3g")})
            st.caption(f"p-value: how surprising the data would be if the claim were true. Holm "
                       f"p: the same, corrected for running {len(report)} tests at once. Tests: "
                       "G-test for categories, Fisher's z (partial correlation) for numbers, a "
                       "regression F-test for a mix. Red dashed links: rejected claims.")
        for note in report.notes:
            st.caption(f":material/info: {md(note)}")
        if report.skipped:
            with st.expander(f"{len(report.skipped)} implication(s) not tested"):
                st.write({i.text: why for i, why in report.skipped})

with t_eq, guard():
    show_equivalence(g, key)

with t_der, guard():
    show_derived(g, xs, ys, sk)
