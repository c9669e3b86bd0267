"""Discover page: discovery runs and sample truths, cached by content (reruns are instant)."""
import json

import pandas as pd
import streamlit as st

from app.discovery import Knowledge, discover


@st.cache_data(max_entries=32, show_spinner="Learning the graph…")
def quick(fingerprint: str, params: str, _df: pd.DataFrame):
    """A run without bootstrap, cached by data content (`fingerprint`) and settings."""
    return discover(_df, **run_kwargs(params))


def run_kwargs(params: str) -> dict:
    """discover()'s keyword arguments from the page's JSON settings string."""
    p = json.loads(params)
    p["knowledge"] = Knowledge.from_json(p["knowledge"])
    return p


@st.cache_data(max_entries=16, show_spinner=False)
def truth_of(sample: str):
    """The true graph of a bundled sample, or None when its graph is only a hypothesis."""
    from app.samples import load_sample

    s = load_sample(sample)
    return s.graph if s.truth_known else None
