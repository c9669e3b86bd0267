"""Data page: the cached profile of a table (computed once per table and set of types)."""
import streamlit as st

from app.charts.profile import column_chart
from app.data import Dataset, profile
from app.ui.charts import spec_of

MAX_CHARTS = 30


@st.cache_resource(max_entries=8, show_spinner=False)
def summaries(fingerprint: str, types: tuple, _df):
    """Profile and one small chart per column (the first MAX_CHARTS), shared across sessions."""
    ds = Dataset(df=_df, name="", fingerprint=fingerprint, types=dict(types))
    prof = profile(ds)
    charts = [(c.name, column_chart(_df[c.name], c.type)) for c in prof.column_profiles[:MAX_CHARTS]]
    charts = [(name, None if chart is None else spec_of(chart)) for name, chart in charts]
    return prof, charts
