"""Discover: which experiment to run next. Ranks single-variable interventions on the learned
CPDAG and shows on the graph the undecided edges the chosen one would orient."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app.charts.experiments import ranking_chart
from app.discovery.experiments import (
    ClassShrink,
    ExperimentPlan,
    PairPlan,
    class_shrink,
    plan_experiments,
    plan_pairs,
)
from app.discovery.result import DiscoveryResult
from app.discovery.view import Drawing
from app.errors import DiscoveryError
from app.markup import md
from app.ui.charts import show_chart
from app.ui.graph_view import show_graph

TOP = 15


@st.cache_data(max_entries=16, show_spinner="Ranking the experiments…")
def _plan(key: str, _result: DiscoveryResult) -> ExperimentPlan:
    return plan_experiments(_result)


@st.cache_data(max_entries=16, show_spinner="Ranking pairs of experiments…")
def _pairs(key: str, _result: DiscoveryResult, _singles: ExperimentPlan) -> PairPlan:
    return plan_pairs(_result, _singles)


@st.cache_data(max_entries=8, show_spinner="Learning with the experimental rows…")
def _shrink(key: str, _df: pd.DataFrame, regime: str, observational: str,
            variables: tuple[str, ...]) -> ClassShrink:
    return class_shrink(_df, regime, observational, list(variables))


def show_experiments(result: DiscoveryResult, drawing: Drawing, key: str,
                     df: pd.DataFrame, variables: list[str]) -> None:
    """The ranked candidate interventions, a sentence on the chosen one, and its edges drawn;
    then, with a regime column, how much experimental rows shrink the class."""
    st.subheader("Which experiment next?")
    _ranking(result, drawing, key)
    _with_experiments(df, variables, key)


def _with_experiments(df: pd.DataFrame, variables: list[str], key: str) -> None:
    with st.expander("Already ran experiments? Learn from them too"):
        st.caption("Give the column that says which variable was set by experiment in each row "
                   "and the value that marks untouched (observational) rows. The class learned "
                   "from observational rows (PC) is compared with the one CD-NOD learns from all "
                   "rows with that column as context.")
        cols = [str(c) for c in df.columns]
        regime = st.selectbox("Regime column", [None, *cols], key=f"disc_exp_regime:{key}",
                              format_func=lambda c: "— none —" if c is None else c)
        if regime is None:
            return
        values = sorted(df[regime].astype(str).unique())
        if len(values) > 50:
            st.caption("That column has more than 50 values; a regime column has a few.")
            return
        observational = st.selectbox("Value of the observational rows", values,
                                     key=f"disc_exp_obs:{key}:{regime}")
        try:
            shrink = _shrink(f"{key}|{regime}|{observational}", df, regime, observational,
                             tuple(v for v in variables if v != regime))
        except DiscoveryError as e:
            st.warning(md(str(e)), icon=":material/warning:")
            return
        c1, c2 = st.columns(2)
        c1.metric("Undecided edges, observational rows", md(shrink.undecided_before))
        c2.metric("Undecided edges, with the experiments", md(shrink.undecided_after))
        st.info(md(shrink.sentence()), icon=":material/science:")


def _ranking(result: DiscoveryResult, drawing: Drawing, key: str) -> None:
    if result.graph_type == "PAG" or result.circle_edges:
        st.caption("The experiment ranking is for CPDAGs (PC, GES) only: this graph is a PAG, "
                   "where latent common causes change what an experiment can orient.")
        return
    if not result.undirected:
        st.caption("Every learned edge already has a direction: no experiment is needed to "
                   "orient the graph.")
        return
    try:
        plan = _plan(key + repr(sorted(result.edges)), result)
    except DiscoveryError as e:
        st.warning(md(str(e)), icon=":material/warning:")
        return
    n = len(plan.undecided)
    members = f"{plan.members:,} graphs" if plan.members is not None else "more graphs than can be counted here"
    st.caption(f"{md(n)} edges are undecided; the data cannot tell apart {md(members)}. "
               "Intervening on a variable (setting it yourself) reveals the direction of every "
               "edge at it, and Meek's rules then orient more. Ranked by the number of edges "
               "oriented whatever the true graph is, then on average over the graphs of the "
               "class (Hauser & Bühlmann 2014).")
    for note in plan.notes:
        st.caption(f":material/info: {md(note)}")
    if not plan.scores:
        return
    targets = [s.target for s in plan.scores]
    choice = st.selectbox("Intervene on", targets, key=f"disc_exp_target:{key}",
                          help="Best first. Pick one to see the edges it would orient.")
    score = plan.scores[targets.index(choice)]
    st.info(md(plan.sentence(score)), icon=":material/science:")
    left, right = st.columns([2, 3])
    with left:
        rows = [{"target": s.target, "worst": s.worst, "expected": s.expected, "best": s.best}
                for s in plan.scores[:TOP]]
        show_chart(ranking_chart, rows, n, key=f"disc_exp_chart:{key}")
        if len(plan.scores) > TOP:
            st.caption(f"The {md(TOP)} best of {len(plan.scores)} candidates.")
    with right:
        styles = dict(drawing.edge_styles)
        labels = dict(drawing.edge_labels)
        for drawn, learned in drawing.drawn_as.items():
            if learned.pair in score.always:
                styles[drawn] = "will_orient"
                labels[drawn] = "always"
            elif learned.pair in score.sometimes:
                styles[drawn] = "may_orient"
                chance = score.edge_chance.get(learned.pair)
                labels[drawn] = f"{chance:.0%}" if chance is not None else "sometimes"
        show_graph(drawing.graph, edge_styles=styles, edge_labels=labels,
                   node_styles={score.target: "intervened"}, key=f"disc_exp_graph:{key}",
                   height=380)
        st.caption("Thick orange: oriented whatever the true graph is; dashed orange: oriented "
                   "for some graphs of the class (label: their share). The box is the variable "
                   "you would intervene on.")
    table = pd.DataFrame([{"intervene on": s.target, "at least": s.worst,
                           "on average": s.expected, "at most": s.best} for s in plan.scores])
    with st.expander("All candidates"):
        st.dataframe(table, hide_index=True, width="stretch",
                     column_config={"on average": st.column_config.NumberColumn(format="%.2f")})
    _pair_ranking(result, plan, key)


def _pair_ranking(result: DiscoveryResult, plan: ExperimentPlan, key: str) -> None:
    """Two experiments (one on each of two variables), ranked the same way, beside the best one."""
    if len(plan.scores) < 2:
        return
    with st.expander("Two experiments instead of one?"):
        if not st.toggle("Rank pairs of experiments", key=f"disc_exp_pairs:{key}",
                         help="Each pair is two experiments: one setting the first variable, "
                         "one setting the second. It can take a few seconds on large graphs."):
            st.caption("Turn on to rank pairs: how many undecided edges two experiments orient "
                       "together, at least and on average.")
            return
        pairs = _pairs(key + repr(sorted(result.edges)), result, plan)
        for note in pairs.notes:
            st.caption(f":material/info: {md(note)}")
        if pairs.best is None:
            st.caption("No pair could be ranked within the limits.")
            return
        single = plan.best
        st.info(md(pairs.sentence()) + " " + md(
            f"The best single experiment ({single.target}) orients at least {single.worst}."),
            icon=":material/science:")
        rows = [{"experiments on": f"{a} and {b}", "at least": s.worst, "on average": s.expected,
                 "at most": s.best} for s in pairs.scores[:TOP] for a, b in [s.targets]]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                     column_config={"on average": st.column_config.NumberColumn(format="%.2f")})
        st.caption("Undecided edges oriented by the two experiments together, whichever graph "
                   "of the class is true (at least), on average over its graphs taken as "
                   "equally likely, and at most. Best pair first.")
