"""Analyse page: graph analyses cached by graph content and question (reruns are instant)."""
import streamlit as st

from app import analysis as an


@st.cache_data(max_entries=64, show_spinner=False)
def cached(what: str, key: str, _g, *args):
    """The analysis `what` on graph `_g` (whose content key is `key`) with `args`."""
    fn = {"paths": an.open_paths, "sep": an.d_separated, "min": an.adjustment_sets,
          "fd": an.frontdoor_sets, "iv": an.instruments, "id": an.identify,
          "roles": an.node_roles, "check": an.check_adjustment_set}[what]
    return fn(_g, *args)
