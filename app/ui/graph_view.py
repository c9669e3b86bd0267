"""Draw a graph on a page: the one legend, role colours, names kept as data (see app.drawing)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st

from app.drawing import network_data
from app.graph import CausalGraph
from components.dag_editor.view import graph_view, view_payload


@st.cache_data(max_entries=64, show_spinner=False)
def _payload(canonical: str, _g: CausalGraph, styles_key: str, _kw: dict, height: int,
             legend: bool, high_contrast: bool) -> dict:
    data = network_data(_g, high_contrast=high_contrast, **_kw)
    return view_payload(data, height=height, legend=legend, presenter=high_contrast)


def show_graph(graph: CausalGraph, *, highlight_nodes: Iterable[str] | None = None,
               edge_styles: Mapping[tuple[str, str], str] | None = None,
               node_styles: Mapping[str, str] | None = None,
               edge_labels: Mapping[tuple[str, str], str] | None = None,
               edge_widths: Mapping[tuple[str, str], float] | None = None,
               height: int = 450, key: str | None = None, legend: bool = True,
               node_legend: Mapping[str, str] | None = None) -> None:
    """Draw `graph` read-only with optional highlighted nodes and styled edges/pairs;
    `node_legend` says in the legend what a node style means here (app.drawing.network_data)."""
    kw = {"highlight_nodes": sorted(highlight_nodes or ()), "node_legend": dict(node_legend or {}),
          "edge_styles": dict(edge_styles or {}), "node_styles": dict(node_styles or {}),
          "edge_labels": dict(edge_labels or {}), "edge_widths": dict(edge_widths or {})}
    styles_key = repr(sorted((k, sorted(v.items()) if isinstance(v, dict) else v)
                             for k, v in kw.items()))
    high_contrast = bool(st.session_state.get("cc_presenter", False))
    payload = _payload(graph.canonical_json(), graph, styles_key, kw, height, legend, high_contrast)
    graph_view(payload, key=key)
