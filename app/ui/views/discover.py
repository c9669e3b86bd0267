"""Discover page: discovery runs and sample truths, cached by content (reruns are instant)."""
import json

import pandas as pd
import streamlit as st

from app.discovery import GraphDiff, Knowledge, discover


@st.cache_data(max_entries=32, show_spinner="Learning the graph…")
def quick(fingerprint: str, params: str, _df: pd.DataFrame):
    """A run without bootstrap, cached by data content (`fingerprint`) and settings."""
    return discover(_df, **run_kwargs(params))


def run_kwargs(params: str) -> dict:
    """discover()'s keyword arguments from the page's JSON settings string."""
    p = json.loads(params)
    p["knowledge"] = Knowledge.from_json(p["knowledge"])
    return p


def shd_sentence(diff: GraphDiff, reference: str) -> str:
    """The SHD number in words: how many node pairs differ from `reference`, and how."""
    if diff.shd == 0:
        return f"The learned graph matches {reference} on every pair of variables."
    kinds = [(len(diff.missing), "missing"), (len(diff.extra), "extra"),
             (len(diff.reversed), "reversed"), (len(diff.misoriented), "marked differently")]
    said = ", ".join(f"{n} {k}" for n, k in kinds if n)
    return (f"{diff.shd} pair(s) of variables are joined differently from {reference} "
            f"({said}); 0 would mean the same graph.")


@st.cache_data(max_entries=16, show_spinner=False)
def truth_of(sample: str):
    """The true graph of a bundled sample, or None when its graph is only a hypothesis."""
    from app.samples import load_sample

    s = load_sample(sample)
    return s.graph if s.truth_known else None
