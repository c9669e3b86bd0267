"""The Explain page's body: why did the outcome change (between two datasets) and why is this
row unusual (root causes), each as ranked bars beside the graph; a click on a bar, or the
selectbox beside the chart, lights that node up on the graph."""
from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from app import settings
from app.attribution import (
    MEASURES,
    anomaly_attribution,
    distribution_change,
    outlier_scores,
    split_by_rows,
    split_by_value,
    upstream,
)
from app.attribution.mechanisms import is_linear_data
from app.charts.attribution import attribution_chart, picked_node
from app.graph import KIND_NAMES, CausalGraph
from app.markup import md
from app.ui import state
from app.ui.charts import show_chart
from app.ui.errors import guard
from app.ui.graph_view import show_graph
from app.ui.widgets import cancellable_job

CANCEL = "ex_cancel"
MAX_SPLIT_VALUES = 50        # a column with more distinct values is not offered for a split
TOP_ROWS = 5                 # most unusual rows listed
HOW = {"value": "two values of a column", "rows": "two row windows",
       "file": "the loaded data with a second file"}
ROW_HOW = {"most": "the most unusual", "pick": "pick one"}
DOWHY_SAMPLES = 2000         # draws per coalition in the DoWhy cross-check (its default)


def explainable(graph: CausalGraph) -> bool:
    """True for a DAG without hidden common causes; otherwise an empty state saying why."""
    if graph.is_dag and not graph.bidirected:
        return True
    what = (f"a {KIND_NAMES[graph.kind]}" if not graph.is_dag
            else "a graph with hidden common causes (↔)")
    st.info(f"This page splits a change over the mechanism of each node, so it needs one "
            f"causal DAG; the current graph is {md(what)}. Orient every edge (and remove ↔ "
            "edges) on the Graph page first.", icon=":material/account_tree:")
    st.page_link("pages/graph.py", label="Open the Graph page", icon=":material/hub:")
    return False


def _outcomes(graph: CausalGraph, df: pd.DataFrame) -> list[str]:
    """Nodes with data and at least one parent, the graph's outcome role first."""
    cols = set(df.columns)
    have = [v for v in graph.topological_order() if v in cols and graph.parents(v)]
    marked = [v for v in have if v in graph.outcomes]
    return marked + [v for v in reversed(have) if v not in marked]


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def _key(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _linked(graph: CausalGraph, parts, total: float, title: str, key: str,
            sentence) -> None:
    """Ranked bars (clickable) with a sentence per node, beside the graph with the picked node
    lit up; the selectbox above the graph drives both when a click cannot."""
    nodes = [p.node for p in parts]
    pick_key, last_key = f"ex_pick:{key}", f"ex_last:{key}"
    if st.session_state.get(pick_key) not in nodes:
        st.session_state[pick_key] = nodes[0]
    left, right = st.columns([3, 2], gap="large")
    with left:
        ev = show_chart(attribution_chart, parts, total, title,
                        current=st.session_state[pick_key], on_select="rerun",
                        key=f"ex_chart:{key}")
        clicked = picked_node(ev.selection if ev else None)
        if clicked in nodes and clicked != st.session_state.get(last_key):
            st.session_state[last_key] = clicked
            st.session_state[pick_key] = clicked
            st.rerun()     # redraw the bars and the graph with the clicked node
        for p in parts:
            st.markdown(sentence(p))
    with right:
        st.selectbox("Node lit up on the graph (or click its bar)", nodes, key=pick_key)
        chosen = st.session_state[pick_key]
        show_graph(graph, highlight_nodes=[chosen], height=340, key=f"ex_graph:{key}")
        st.caption("The lit node is the one picked in the chart; the graph's legend shows what "
                   "each colour means.")


# ---- why did the distribution change --------------------------------------------------------
def _second_file() -> pd.DataFrame | None:
    from app.data import load_data

    up = st.file_uploader("The 'after' data (same columns; the loaded data is 'before')",
                          type=["csv", "tsv", "txt", "parquet"], key="ex_upload")
    if up is None:
        return None
    cache = state.page_state("ex_uploaded", {})
    fid = getattr(up, "file_id", up.name)
    if fid not in cache:
        with guard():
            cache.clear()
            cache[fid] = load_data(up, name=up.name).df
    return cache.get(fid)


def _two_datasets(df: pd.DataFrame, causes: set[str]
                  ) -> tuple[pd.DataFrame, pd.DataFrame, str] | None:
    """The 'before' and 'after' tables as the person forms them, and a label of the choice.
    A column among `causes` (the outcome and its ancestors) is not offered for a split: it
    would be constant in each part, so its mechanism and its effects could not be fitted."""
    cols = [c for c in df.columns
            if c not in causes and 2 <= df[c].nunique() <= MAX_SPLIT_VALUES]
    how = st.radio("Compare", list(HOW), horizontal=True, key="ex_how",
                   format_func=HOW.get, index=0 if cols else 1)
    if how == "value":
        if not cols:
            st.info(f"No column outside the outcome's causes has between 2 and "
                    f"{MAX_SPLIT_VALUES:d} distinct values to split by (a period, a site). "
                    "Compare row windows, or upload a second file.", icon=":material/info:")
            return None
        c1, c2, c3 = st.columns(3)
        col = c1.selectbox("Column", cols, key="ex_col")
        values = list(pd.unique(df[col].dropna()))        # in order of first appearance
        before = c2.selectbox("'Before' value", values, key=f"ex_v0:{col}", format_func=str)
        after = c3.selectbox("'After' value", values, index=min(1, len(values) - 1),
                             key=f"ex_v1:{col}", format_func=str)
        with guard():
            old, new = split_by_value(df, col, before, after)
            return old, new, f"{col}={before!r}|{after!r}"
        return None
    if how == "rows":
        n = len(df)
        if n < 4:
            st.info("The table has too few rows to split.", icon=":material/info:")
            return None
        at = st.slider("'After' starts at row", 1, n - 1, n // 2, key="ex_at",
                       help="Rows above it are 'before', rows from it on are 'after' (two time "
                            "windows when the rows are in time order).")
        st.caption(f"Before: rows 0 to {at - 1:,} ({at:,} rows). After: rows {at:,} to "
                   f"{n - 1:,} ({n - at:,} rows). Rows are numbered as in the table, from 0.")
        with guard():
            old, new = split_by_rows(df, int(at))
            return old, new, f"rows|{at}"
        return None
    new = _second_file()
    if new is None:
        st.caption("Upload the 'after' table; the rows loaded on the Data page are 'before'.")
        return None
    return df, new, f"file|{len(new)}|{pd.util.hash_pandas_object(new).sum()}"


def _change_tab(graph: CausalGraph, df: pd.DataFrame, outcome: str, fp: str) -> None:
    st.caption("Each node's mechanism (how it responds to its parents) is fitted on the 'before' "
               "and on the 'after' rows. Swapping old mechanisms for new ones, in every order, "
               "splits the change of the outcome between the nodes (Shapley values; Budhathoki "
               "et al. 2021). The parts add up to the total change.")
    pair = _two_datasets(df, set(upstream(graph, outcome)))
    c1, c2 = st.columns(2)
    if pd.api.types.is_numeric_dtype(df[outcome]):
        measure = c1.radio("Measure the change by", list(MEASURES), horizontal=True,
                           key="ex_measure", format_func=MEASURES.get)
    else:
        measure = "kl"
        c1.caption(f"{md(outcome)} holds categories, which have no mean: the change is measured "
                   "by the KL divergence of its new distribution from the old.")
    kind = c2.radio("Mechanisms", ["auto", "linear", "discrete"], horizontal=True, key="ex_kind",
                    help="auto: linear with Gaussian noise for numbers, probability tables "
                         "for categories.")
    if pair is None:
        return
    old, new, label = pair
    n_up = len(upstream(graph, outcome))
    exact = n_up <= settings.ATTRIBUTION_EXACT_NODES
    key = _key("change", fp, graph.content_hash(), outcome, label, measure, kind)
    runs = state.page_state("ex_change_runs", {})
    if not exact:
        st.caption(f"{n_up:d} nodes are upstream of {md(outcome)}: the Shapley values are "
                   f"estimated from {settings.ATTRIBUTION_PERMUTATIONS:,} random orders (seed 0), "
                   "each with its standard error.")
    go = exact or st.button("Explain the change", type="primary", key="ex_run")
    if go and key not in runs:
        with guard(), cancellable_job(CANCEL, "ex_cancel_btn", "Fitting the mechanisms…") as (
                bar, cancelled):
            while len(runs) >= 5:
                runs.pop(next(iter(runs)))
            runs[key] = distribution_change(
                graph, outcome, old, new, measure=measure, kind=kind,
                progress=lambda d, t: bar.progress(d / t, text=f"Coalition {d:,} of {t:,}"),
                cancel=cancelled)
    res = runs.get(key)
    if res is None:
        return
    st.markdown(res.summary())
    unit = "change in the mean of" if res.measure == "mean" else "KL divergence (nats) of"
    _linked(graph, res.parts, res.total, f"part of the {unit} {outcome}", key, res.sentence)
    st.caption(md(f"{_first_up(res.method)}; {res.n_before:,} rows before, "
                  f"{res.n_after:,} after. " + " ".join(res.notes)))
    if res.kind == "linear" and res.measure == "mean":
        _dowhy_check(graph, outcome, old, new, res, key)


def _dowhy_check(graph: CausalGraph, outcome: str, old: pd.DataFrame, new: pd.DataFrame, res,
                 key: str) -> None:
    """The same split by DoWhy GCM's distribution_change (sampled), on request, beside ours."""
    # not in an expander: a rerun (the button) folded it and hid the answer it had just drawn
    st.markdown("**Cross-check with DoWhy GCM**")
    st.caption(f"DoWhy fits the same linear mechanisms and estimates each mixed model's "
               f"mean from {DOWHY_SAMPLES:,} random draws, so its numbers differ from ours by "
               "sampling error. It runs in one piece: it cannot be stopped half-way"
               + (" and, with this many nodes, takes minutes." if len(res.parts) > 12 else "."))
    checks = state.page_state("ex_dowhy", {})
    if st.button("Run DoWhy GCM", key=f"ex_dowhy_btn:{key}") and key not in checks:
        from app.attribution.reference import dowhy_distribution_change

        with guard(), st.spinner("DoWhy GCM is sampling the mixed models…"):
            while len(checks) >= 5:
                checks.pop(next(iter(checks)))
            checks[key] = dowhy_distribution_change(graph, outcome, old, new,
                                                    num_samples=DOWHY_SAMPLES, seed=0)
    ref = checks.get(key)
    if ref is None:
        return
    ours = {p.node: p.value for p in res.parts}
    label = "ours (exact)" if all(p.std_error == 0 for p in res.parts) else "ours (sampled)"
    st.dataframe(pd.DataFrame({"node": list(ours), label: list(ours.values()),
                               "DoWhy GCM (sampled)": [ref.values.get(v) for v in ours]}),
                 hide_index=True)
    sd = max(float(old[outcome].std()), float(new[outcome].std()))
    err = (3 ** 0.5) * sd / DOWHY_SAMPLES ** 0.5
    gap = max(abs(ref.values.get(v, 0.0) - x) for v, x in ours.items())
    st.caption(f"Largest difference {gap:.3g}; DoWhy's sampling error on each value is "
               f"about {err:.3g} (√3 × the outcome's standard deviation / √{DOWHY_SAMPLES:,}), "
               f"so differences up to about {3 * err:.3g} are expected.")


# ---- why is this row unusual ----------------------------------------------------------------
def _anomaly_tab(graph: CausalGraph, df: pd.DataFrame, outcome: str, fp: str) -> None:
    st.caption("A row's outcome is surprising when values at least that far from the mean are "
               "rare (outlier score = −log of that probability, in nats). Each upstream node's "
               "own noise for the row, its value minus what its parents predict, is a "
               "candidate root cause; Shapley values split the score between them (Budhathoki "
               "et al. 2022). A node whose noise is ordinary can take surprise away: held at "
               "its ordinary value, it leaves less room for the outcome to land that far out by "
               "chance. Linear models only.")
    if not is_linear_data(graph, outcome, df):
        st.info(f"The causes of {md(outcome)} are categories (or not all measured), so the "
                "model is made of probability tables. A table says how likely each value is, "
                "not which part of a row's value is its own noise, so a row's outcome cannot be "
                "traced back to root causes here. Use the first tab, or numeric data.",
                icon=":material/info:")
        return
    scores = None
    with guard():
        scores = outlier_scores(graph, outcome, df)
    if scores is None:
        return
    top = scores.sort_values(ascending=False).head(TOP_ROWS)
    st.dataframe(pd.DataFrame({"row": [str(i) for i in top.index],
                               outcome: df.loc[top.index, outcome].to_numpy(),
                               "outlier score (nats)": top.round(3).to_numpy()}),
                 hide_index=True)
    options = list(scores.index)
    c1, c2 = st.columns([1, 2])
    which = c1.radio("Row", list(ROW_HOW), key="ex_row_how",
                     format_func=ROW_HOW.get)
    row = top.index[0]
    if which == "pick":
        row = c2.selectbox("Row (its label in the table)", options, key=f"ex_row:{fp}",
                           format_func=str)
    n_up = len(upstream(graph, outcome))
    key = _key("anomaly", fp, graph.content_hash(), outcome, row)
    runs = state.page_state("ex_anomaly_runs", {})
    go = n_up <= settings.ATTRIBUTION_EXACT_NODES or st.button(
        "Find the root causes", type="primary", key="ex_run_row")
    if go and key not in runs:
        with guard(), cancellable_job(CANCEL, "ex_cancel_row", "Fitting the model…") as (
                bar, cancelled):
            while len(runs) >= 5:
                runs.pop(next(iter(runs)))
            runs[key] = anomaly_attribution(
                graph, outcome, df, row,
                progress=lambda d, t: bar.progress(d / t, text=f"Coalition {d:,} of {t:,}"),
                cancel=cancelled)
    res = runs.get(key)
    if res is None:
        return
    st.markdown(res.summary())
    if res.score <= 1e-9:
        st.info("This row's outcome is at the model's mean: there is nothing to explain.",
                icon=":material/info:")
        return
    _linked(graph, res.parts, res.score, f"part of the outlier score of {outcome} (nats)", key,
            res.sentence)
    st.caption(md(f"{_first_up(res.method)}. " + " ".join(res.notes)))


def show_explain(graph: CausalGraph, df: pd.DataFrame) -> None:
    """Outcome picker, then the two questions in tabs."""
    outcomes = _outcomes(graph, df)
    if not outcomes:
        st.info("No node of the graph has both data and a parent: there is no outcome whose "
                "change could be split over its causes.", icon=":material/info:")
        return
    outcome = st.selectbox("Outcome", outcomes, key="ex_outcome")
    ref = state.dataset_ref()
    fp = ref.fingerprint if ref else "none"
    changed, unusual = st.tabs(["Why did it change?", "Why is this row unusual?"])
    with changed:
        _change_tab(graph, df, outcome, fp)
    with unusual:
        _anomaly_tab(graph, df, outcome, fp)
