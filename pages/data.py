"""Data: pick a sample or upload a table, look at it, set variable types, try discretising."""
import streamlit as st

from app.charts.profile import bar_chart, level_counts, missingness_chart
from app.data import (
    VARIABLE_TYPES,
    Dataset,
    allowed_types,
    discretise,
    infer_types,
    load_data,
    safe_csv,
    with_types,
)
from app.markup import md
from app.samples import list_samples, load_sample
from app.ui import state
from app.ui.charts import show_chart, show_spec
from app.ui.errors import guard
from app.ui.views.data import MAX_CHARTS, summaries
from app.ui.widgets import graph_data_notice
from app.workspace import DatasetRef

PREVIEW_ROWS = 200


def load_upload(uploaded) -> Dataset:
    """Read an uploaded file into the workspace as a new undo step; the graph is kept."""
    cap = int(st.get_option("server.maxUploadSize")) * 1024 * 1024
    ds = load_data(uploaded, name=uploaded.name, max_bytes=cap)
    ref = DatasetRef(kind="upload", name=ds.name, fingerprint=ds.fingerprint,
                     rows=ds.rows, columns=ds.columns)
    state.set_data(ds.df, ref, dict(ds.types), label=f"upload {ds.name}")
    state.set_page_state(f"data_notes:{ds.fingerprint}", ds.notes)
    return ds


st.title("Data")
st.caption("Choose a bundled sample (it comes with its causal graph) or upload your own table. "
           "Uploading keeps the graph you already have.")

pick, upload = st.columns(2, gap="large")
with pick:
    infos = {s.name: s for s in list_samples()}
    ref = state.dataset_ref()
    names = list(infos)
    current = ref.name if ref and ref.kind == "sample" and ref.name in infos else names[0]
    name = st.selectbox("Sample", names, index=names.index(current), key="data_sample",
                        format_func=lambda n: infos[n].title)
    st.caption(infos[name].summary)
    if st.button("Load sample", key="data_load_sample", type="primary"):
        with guard():
            state.load_sample(name)
            state.flash(f"Loaded “{infos[name].title}” and its graph.")
            st.rerun()
    with st.expander("About this sample"):
        with guard():
            st.markdown(load_sample(name).readme)
with upload:
    uploaded = st.file_uploader("Upload a table", type=["csv", "tsv", "txt", "parquet"],
                                key="data_upload",
                                help="CSV, TSV or semicolon text with a header row, or Parquet. "
                                     "Encoding and separator are detected.")
    if uploaded is not None and state.page_state("data_last_upload") != uploaded.file_id:
        state.set_page_state("data_last_upload", uploaded.file_id)
        with guard():
            load_upload(uploaded)
            state.flash(f"Loaded “{md(uploaded.name)}”.")
            st.rerun()

df, ref = state.data(), state.dataset_ref()
graph_data_notice("data")
if df is None or ref is None:
    st.info("No table loaded yet: load a sample or upload a file above.", icon=":material/table_view:")
    st.stop()

st.divider()
kind = "sample" if ref.kind == "sample" else "uploaded file"
st.subheader(f"{md(ref.name)} · {len(df):,} rows × {df.shape[1]} columns")
for note in state.page_state(f"data_notes:{ref.fingerprint}", ()):
    st.info(md(note), icon=":material/info:")
ws = state.workspace()
types = {c: ws.var_types.get(c) for c in map(str, df.columns)}
if not all(types.values()):
    types = {**infer_types(df), **{k: v for k, v in types.items() if v}}
prof, charts = summaries(ref.fingerprint, tuple(sorted(types.items())), df)

st.dataframe(df.head(PREVIEW_ROWS), width="stretch", height=260)
st.caption(f"The first {min(PREVIEW_ROWS, len(df)):,} of {len(df):,} rows ({kind}).")
st.download_button("Download as CSV", lambda: safe_csv(df), on_click="ignore",
                   file_name=f"{ref.name.rsplit('.', 1)[0]}.csv", mime="text/csv",
                   key="data_download",
                   help="Cells that a spreadsheet would run as formulas are made safe.")

st.subheader("Profile")
st.caption("One row per variable: its type (how Causal Canvas will treat it), how many values "
           "are missing, how many different values it takes, and a short summary.")
st.dataframe(prof.to_frame(), width="stretch", hide_index=True)
if prof.missing_cells:
    show_chart(missingness_chart, prof, width="content")
else:
    st.success("No missing values.", icon=":material/check_circle:")

grid = st.columns(3)
for i, (col_name, chart) in enumerate(charts):
    with grid[i % 3]:
        if chart is None:
            st.caption(f"**{md(col_name)}** ({types[col_name]}): no chart for this type.")
        else:
            show_spec(chart, width="stretch")
if df.shape[1] > MAX_CHARTS:
    st.caption(f"Charts for the first {MAX_CHARTS} of {df.shape[1]} columns; the profile table "
               "covers them all.")

st.subheader("Variable types")
st.caption("Types decide which methods apply (e.g. continuous variables get linear models, "
           "categorical ones probability tables). Change a guess that is wrong.")
c1, c2, c3 = st.columns([2, 2, 1])
column = c1.selectbox("Variable", list(types), key="data_type_column")
new_type = c2.selectbox("Type", VARIABLE_TYPES, index=VARIABLE_TYPES.index(types[column]),
                        key=f"data_type_value_{column}")
c2.caption("Types that fit: " + ", ".join(allowed_types(df[column])))
if c3.button("Apply", key="data_type_apply"):
    with guard():
        checked = with_types(Dataset(df=df, name=ref.name, fingerprint=ref.fingerprint,
                                     types=types), {column: new_type})
        state.push(ws.with_var_types(checked.types), f"type of {column}: {new_type}")
        st.rerun()

numeric = [c for c, t in types.items() if t in ("continuous", "ordinal")
           and df[c].dtype.kind in "iuf"]
st.subheader("Discretise a numeric variable")
if not numeric:
    st.caption("There is no continuous variable to cut into ranges.")
else:
    st.caption("Methods for probability tables need categories: cut a number into ranges. "
               "Quantile bins hold about the same number of rows; equal-width bins cover equal "
               "ranges. This is a preview; the table is not changed.")
    d1, d2, d3 = st.columns(3)
    target = d1.selectbox("Variable to discretise", numeric, key="data_disc_column")
    method = d2.radio("Method", ["quantile", "equal_width"], horizontal=True, key="data_disc_method",
                      format_func=lambda m: m.replace("_", " "))
    bins = d3.slider("Bins", 2, 10, 3, key="data_disc_bins")
    with guard():
        binned, edges = discretise(df, target, method=method, bins=bins)
        st.markdown("Bin edges: " + ", ".join(f"`{e:.4g}`" for e in edges)
                    + (f" (only {len(edges) - 1} bins: repeated values merged some)"
                       if len(edges) - 1 < bins else ""))
        left, right = st.columns([1, 2])
        left.dataframe(level_counts(binned, top=bins)[["level", "count"]], hide_index=True)
        with right:
            show_chart(bar_chart, binned, title=f"{target} in {len(edges) - 1} bins")
