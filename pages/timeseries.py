"""Time series: find lagged causes (PCMCI / PCMCI+ / Granger), see them per lag, adopt the graph."""
import streamlit as st

from app.charts.timeseries import lag_heatmap, series_chart
from app.markup import md, md_names
from app.timeseries import ROW_ORDER, discover_timeseries, list_series_samples, load_series_sample
from app.timeseries.data import MISSING_CHOICES, time_column_candidates
from app.timeseries.pcmci import TEST_TITLES
from app.timeseries.result import METHOD_TITLES
from app.ui import state
from app.ui.charts import show_chart
from app.ui.errors import guard
from app.ui.graph_view import show_graph

st.title("Time-series discovery")
st.caption("Which series drive which others, and with what delay? Each arrow X (t-2) → Y (t) "
           "means: X two steps ago still helps predict Y now, even after everything else "
           "known about the past is taken into account.")

# ---- the series --------------------------------------------------------------------------
samples = {s["name"]: s for s in list_series_samples()}
source = st.radio("Series", ["A bundled series", "The loaded table", "Upload a file"],
                  horizontal=True, key="ts_source")
df, suggested, data_key = None, {}, None
if source == "A bundled series":
    name = st.selectbox("Bundled series", list(samples), key="ts_sample",
                        format_func=lambda n: samples[n]["title"])
    with guard():
        sample = load_series_sample(name)
        df, data_key = sample.data, f"sample:{name}"
        suggested = {"time": sample.time_column, **sample.settings}
        st.caption(sample.summary)
        with st.expander("About this series (story, source, what to try)"):
            st.markdown(sample.readme.split("---", 2)[-1])
elif source == "The loaded table":
    df, ref = state.data(), state.dataset_ref()
    if df is None or ref is None:
        st.info("No table is loaded. Pick a bundled series, upload a file, or load one on the "
                "Data page.", icon=":material/table_view:")
    else:
        data_key = f"table:{ref.fingerprint}"
        st.caption(f"{md(ref.name)}: {len(df):,} rows × {df.shape[1]} columns")
else:
    uploaded = st.file_uploader("A table with one row per time step", key="ts_upload",
                                type=["csv", "tsv", "txt", "parquet"])
    if uploaded is not None:
        with guard():
            from app.data import load_data
            ds = load_data(uploaded, name=uploaded.name,
                           max_bytes=int(st.get_option("server.maxUploadSize")) * 1024 * 1024)
            df, data_key = ds.df, f"upload:{ds.fingerprint}"
if df is None:
    st.stop()

# ---- settings ----------------------------------------------------------------------------
k = data_key.replace(":", "_")
columns = [str(c) for c in df.columns]
times = [ROW_ORDER, *columns]
guess = suggested.get("time") or next(iter(time_column_candidates(df)), ROW_ORDER)
c1, c2, c3, c4 = st.columns([2, 3, 1, 1])
time_col = c1.selectbox("Time column", times, index=times.index(guess) if guess in times else 0,
                        key=f"ts_time_{k}", help="The dates or step numbers. Choose “(row order)” "
                        "if the rows are already consecutive, evenly spaced steps.")
numeric = [c for c in columns if c != time_col and df[c].dtype.kind in "biuf"]
variables = c2.multiselect("Variables", numeric, default=numeric[:8], key=f"ts_vars_{k}")
max_lag = c3.number_input("Max lag", 1, 20, int(suggested.get("max_lag", 3)),
                          key=f"ts_lag_{k}", help="How many steps back a cause may act.")
alpha = c4.select_slider("α", [0.001, 0.01, 0.05, 0.1], value=0.05, key=f"ts_alpha_{k}",
                         help="Significance level: lower = fewer, surer links.")
methods = list(METHOD_TITLES)
m1, m2 = st.columns(2)
method = m1.radio("Method", methods, format_func=METHOD_TITLES.get, horizontal=True,
                  index=methods.index(suggested.get("method", "pcmci")), key=f"ts_method_{k}",
                  help="PCMCI: lagged links, robust to autocorrelation. PCMCI+: also same-time "
                       "links. Granger: a plain regression of each series on all past values "
                       "(the classic baseline).")
test = "parcorr"
if method != "granger":
    test = m2.selectbox("Independence test", list(TEST_TITLES), format_func=TEST_TITLES.get,
                        key=f"ts_test_{k}", help="Nonlinear tests are slow: small data only.")
with st.expander("More options: bootstrap confidence, missing values, trends, window"):
    o1, o2, o3 = st.columns(3)
    n_boot = o1.number_input("Bootstrap resamples", 0, 500, 0, step=10, key=f"ts_boot_{k}",
                             help="Re-run on block-resampled series; each link's frequency is "
                                  "its confidence. 50–100 is a good start (takes a while).")
    block = o1.number_input("Block length (0 = automatic)", 0, 500, 0, key=f"ts_block_{k}")
    missing = o2.selectbox("Missing values", MISSING_CHOICES, key=f"ts_missing_{k}")
    sort = o2.checkbox("Sort rows by time", value=False, key=f"ts_sort_{k}")
    difference = o3.checkbox("Use step-to-step changes (removes trends)", key=f"ts_diff_{k}")
    fdr = o3.checkbox("Correct for many tests (false discovery rate)", key=f"ts_fdr_{k}")
    unit_options = ["(none)", *[c for c in columns if c != time_col]]
    unit = o2.selectbox("Unit column (panel data)", unit_options, key=f"ts_unit_{k}",
                        help="If the table holds one series per person, firm or country, the "
                             "column naming the unit: each unit is its own series, links are "
                             "pooled across units.")
    unit = None if unit == "(none)" else unit
    variables = [v for v in variables if v != unit]
    last = o3.number_input("Use only the last N rows (0 = all)", 0, len(df), 0, step=50,
                           key=f"ts_last_{k}")

settings = (data_key, time_col, tuple(variables), max_lag, method, test, alpha, n_boot, block,
            missing, sort, difference, fdr, last, unit)
if st.button("Find links", type="primary", key="ts_run"):
    cancel_slot = st.empty()
    cancel_slot.button("Cancel", key="ts_cancel", help="Stops the run; the last result is kept.")
    bar = st.progress(0.0, "Starting…")
    with guard():
        res = discover_timeseries(
            df.tail(last) if last else df, time_col, variables, int(max_lag), method, test,
            alpha, bootstrap=int(n_boot), block_length=int(block) or None,
            progress=lambda f, msg: bar.progress(min(max(f, 0.0), 1.0), md(msg)),
            missing=missing, sort=sort, difference=difference, fdr=fdr, unit_column=unit)
        state.set_page_state("ts_result", (settings, res))
    bar.empty()
    cancel_slot.empty()
elif st.session_state.get("ts_cancel"):
    st.info("Stopped at your request; the previous result (if any) is kept.", icon=":material/stop_circle:")

stored = state.page_state("ts_result")
if stored is None:
    st.info("Choose the settings and press **Find links**. The defaults suit the bundled series.",
            icon=":material/touch_app:")
    if variables and time_col:
        show_chart(series_chart, df, time_col, variables[:6])
    st.stop()

# ---- results -------------------------------------------------------------------------------
used, res = stored
if used != settings:
    st.warning("The result below is from earlier settings; press **Find links** to update it.")
st.success(f"{METHOD_TITLES[res.method]} found **{len(res.links)} links** among "
           f"{len(res.variables)} variables over {res.n_steps} time steps "
           f"({res.elapsed_seconds:.1f} s).")
for note in res.notes:
    st.info(md(note), icon=":material/info:")
min_freq = 0.0
if res.frequencies is not None:
    min_freq = st.slider("Keep links found in at least this share of resamples", 0.0, 1.0, 0.5,
                         0.05, key="ts_min_freq", help="Frequency across block-bootstrap "
                         "resamples: near 100 % = stable, below 50 % = fragile.")
summary = res.summary(min_freq)
with st.expander("How to read this"):
    st.markdown(
        "- **A link X (t-τ) → Y (t)** says: knowing X τ steps ago improves the prediction of Y "
        "now, beyond what Y's own past and the other series' past already tell. It is a causal "
        "claim only if no unmeasured series drives both, the step is fine enough to separate "
        "cause from effect, and the relationships stay the same over time (stationarity).\n"
        "- **Strength** is the partial correlation for the linear test (−1 … 1; the sign is "
        "the direction of the effect), otherwise the nonlinear test's dependence measure.\n"
        "- **p-value**: how surprising a link this strong would be if there were none. With "
        "many pairs × lags tested, some links with p just under α are chance: the false "
        "discovery rate option in *More options* corrects for that.\n"
        "- **Bootstrap frequency**: the share of block-resampled series in which the link came "
        "back. Real links come back almost always; a link that is absent still shows up in "
        "roughly 10–20 % of resamples, so read frequencies above ~50 % as stable.\n"
        "- **PCMCI** first picks likely causes for every variable, then tests each link given "
        "only those, which keeps its power when series are strongly autocorrelated and many; "
        "**Granger** regresses each series on the entire past of all series. **PCMCI+** also "
        "tests same-time links and orients them when the data allow; it is the strictest of "
        "the three (fewest chance links in our benchmark).")
t1, t2, t3, t4 = st.tabs(["Time-lagged graph", "Summary graph", "Lag × link heat map", "Table"])
with t1:
    repeat = st.checkbox("Repeat each link across all time slices", key="ts_repeat")
    lg = res.lagged_graph(min_freq, repeat=repeat)
    show_graph(lg.graph, edge_labels=lg.edge_labels, edge_styles=lg.edge_styles,
               edge_widths=lg.edge_widths, height=max(300, 95 * len(res.variables)),
               key="ts_lagged", legend=bool(lg.edge_styles))
    st.caption(f"Columns are time slices, the present (t) on the right. Labels give the "
               f"{res.strength_name} (sign = direction of the effect); thicker = stronger.")
with t2:
    styles = {p: "undirected" for p in summary.unoriented}
    styles.update({p: "dashed" for p in summary.feedback})
    show_graph(summary.graph, edge_styles=styles, height=420, key="ts_summary")
    st.caption("Each arrow: a cause at some lag. Self-dependence is not drawn. "
               + ("Dashed arrows are feedback left out of the causal diagram (a DAG has no "
                  "loops): the weaker direction of each loop. " if summary.feedback else "")
               + ("Plain lines are same-time links of unknown direction." if summary.unoriented
                  else ""))
    if summary.autodependent:
        st.caption("Depend on their own past: " + md_names(summary.autodependent) + ".")
    if st.button("Adopt summary graph", key="ts_adopt",
                 help="Replace the workspace graph with this one (undo brings yours back)."):
        with guard():
            state.set_graph(summary.graph, "adopt time-series summary graph")
            state.flash("Adopted the summary graph; undo restores the previous one.")
            st.rerun()
with t3:
    value = "strength"
    if res.frequencies is not None:
        value = st.radio("Colour by", ["strength", "frequency"], horizontal=True, key="ts_hm")
    show_chart(lag_heatmap, res, value, width="content")
    st.caption("Every cause → effect pair tested, at every lag. Outlined cells with a dot are "
               "the links found; hover a cell for its p-value.")
with t4:
    table = res.table(min_freq)
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "strength": st.column_config.NumberColumn(format="%+.3f"),
        "p_value": st.column_config.NumberColumn("p-value", format="%.4f"),
        "frequency": st.column_config.ProgressColumn("bootstrap frequency", min_value=0.0,
                                                     max_value=1.0, format="percent")})
    st.caption("p-value: how surprising this link's strength would be if there were no link. "
               "Frequency: share of block-bootstrap resamples in which the link was found again.")
    st.download_button("Download links (CSV)", table.to_csv(index=False), "timeseries_links.csv",
                       mime="text/csv", key="ts_download")
