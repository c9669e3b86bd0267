"""Analyse page, Adjustment tab: refine the listed sets (must include / must exclude, total or
direct effect) and show the canonical adjustment set with one sentence of plain language.

DAGitty's options (must-include nodes are treated as adjusted, must-exclude as unobserved; the
direct effect by the single-door criterion; the canonical set of van der Zander et al. 2014 /
Perković et al. 2018); computed by app.analysis.adjustment.
"""
from __future__ import annotations

import streamlit as st

from app import analysis as an
from app.graph import CausalGraph
from app.markup import md, md_names
from app.ui.errors import guard

EFFECTS = {"Total effect": "total", "Direct effect": "direct"}


@st.cache_data(max_entries=64, show_spinner=False)
def _sets(key: str, _g: CausalGraph, xs: tuple, ys: tuple, inc: tuple, exc: tuple,
          effect: str):
    """The minimal sets under the chosen options, keyed by graph content + the question."""
    return an.adjustment_sets(_g, xs, ys, must_include=inc, must_exclude=exc, effect=effect)


@st.cache_data(max_entries=64, show_spinner=False)
def _canonical(key: str, _g: CausalGraph, xs: tuple, ys: tuple):
    return an.canonical_adjustment_set(_g, xs, ys)


def adjustment_options(g: CausalGraph, xs, ys, *, key: str) -> None:
    """Options for the adjustment sets and the canonical set, under the minimal sets."""
    gk = g.content_hash()
    q = (tuple(sorted(xs)), tuple(sorted(ys)))
    st.markdown("**Refine the sets**")
    label = st.radio("Effect to estimate", ["Total effect", "Direct effect"], horizontal=True,
                     key=f"adjopt_effect:{key}",
                     help="Direct effect: the effect along the edge X → Y alone, in a linear "
                          "model (single-door criterion).")
    effect = EFFECTS[label]
    candidates = [n for n in g.nodes if n not in g.latents and n not in q[0] + q[1]]
    c1, c2 = st.columns(2)
    inc = c1.multiselect("Must include", candidates, key=f"adjopt_inc:{key}",
                         help="Every listed set contains all of these.")
    exc = c2.multiselect("Must exclude", [n for n in candidates if n not in inc],
                         key=f"adjopt_exc:{key}",
                         help="No listed set contains any of these (e.g. not measured well).")
    with guard():
        sets = _sets(gk, g, q[0], q[1], tuple(sorted(inc)), tuple(sorted(exc)), effect)
        if sets:
            st.markdown(f"Minimal sets for the {md(effect)} effect with these options:\n"
                        + "\n".join(f"- {{{md_names(sorted(s))}}}" if s else
                                    "- ∅ — no adjustment needed" for s in sets))
        else:
            st.warning(f"No set fits these options for the {md(effect)} effect.",
                       icon=":material/block:")
        if sets.note:
            st.caption(md(sets.note))
    with guard():
        canon = _canonical(gk, g, q[0], q[1])
        if canon.set:
            st.markdown(f"**Canonical adjustment set:** {{{md_names(sorted(canon.set))}}}")
        else:
            st.markdown("**Canonical adjustment set:** " + (
                "none" if canon.set is None else "∅ (no adjustment needed)"))
        st.caption(md(canon.message))
