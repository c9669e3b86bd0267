"""Widgets shared by several pages: empty states and the sample picker."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from app.errors import Cancelled
from app.markup import md
from app.ui import state
from app.ui.errors import guard

DEFAULT_SAMPLE = "kidney_stones"


def _empty_state(message: str, icon: str, key: str, page: str, page_label: str) -> None:
    """An empty state: what is missing, a one-click sample, and where to go instead."""
    st.info(message, icon=icon)
    c1, c2 = st.columns(2)
    if c1.button("Load the kidney-stones sample", key=key, type="primary"):
        with guard():
            state.load_sample(DEFAULT_SAMPLE)
            st.rerun()
    c2.page_link(page, label=page_label, icon=icon)


def need_data(message: str = "This page works on a dataset. Load one first.") -> bool:
    """True when a table is loaded; otherwise an empty state with a one-click sample."""
    if state.data() is not None:
        return True
    _empty_state(message, ":material/table_view:", "need_data_sample", "pages/data.py",
                 "Choose or upload data")
    return False


def need_graph(message: str = "This page works on a causal graph. Draw or load one first.",
               min_nodes: int = 2) -> bool:
    """True when the workspace graph has at least `min_nodes`; otherwise an empty state."""
    if len(state.graph().nodes) >= min_nodes:
        return True
    _empty_state(message, ":material/hub:", "need_graph_sample", "pages/graph.py", "Draw a graph")
    return False


def node_picker(label: str, graph, default=None, key: str | None = None, multi: bool = False,
                exclude=()):
    """A selectbox (or multiselect) over the graph's nodes with a sensible default."""
    options = [n for n in graph.nodes if n not in set(exclude)]
    if multi:
        default = [d for d in (default or []) if d in options]
        return st.multiselect(label, options, default=default, key=key)
    index = options.index(default) if default in options else 0 if options else None
    return st.selectbox(label, options, index=index, key=key)


GRAPH_FORMATS = {"dagitty": "DAGitty text", "json": "JSON", "dot": "Graphviz DOT", "gml": "GML",
                 "csv": "CSV edge list", "lavaan": "lavaan model syntax (R)",
                 "bnlearn": "bnlearn modelstring (R)", "tikz": "TikZ picture (LaTeX)",
                 "r": "R code (dagitty package)", "html": "Interactive HTML page (works offline)"}


def graph_downloads(graph, key: str = "graph_dl") -> None:
    """Pick a format, download the graph in it (every writable format plus standalone HTML)."""
    from app import io
    from app.drawing import network_data
    from app.graph_html import graph_page_html

    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    fmt = c1.selectbox("Download the graph as", list(GRAPH_FORMATS),
                       format_func=GRAPH_FORMATS.get, key=f"{key}_fmt")
    with guard(where=c2):
        if fmt == "html":
            content, name, mime = (graph_page_html(network_data(graph), height=700),
                                   "graph.html", "text/html")
        else:
            content, name, mime = (io.write_graph(graph, fmt), f"graph.{io.EXTENSIONS[fmt]}",
                                   io.MIME[fmt])
        c2.download_button("Download", content, file_name=name, mime=mime, key=f"{key}_btn",
                           icon=":material/download:", use_container_width=True)


@st.cache_resource(max_entries=16, show_spinner="Fitting the model…")
def fitted_model(graph_key: str, data_key: str, options_key: str, edits_key: str,
                 _graph, _df, _options, _edits, _types, _bif):
    """The fitted model, shared by the Intervene and Counterfactual pages (keyed by content)."""
    from app import models

    return models.build_model(_graph, _df, _options, _edits, _types, _bif)


def workspace_model(options, edits: dict, bif: str | None):
    """The current workspace's model for these options, table edits and published tables (BIF),
    from fitted_model's cache; the one place its content key is built."""
    g, df, ref, ws = state.graph(), state.data(), state.dataset_ref(), state.workspace()
    return fitted_model(g.content_hash(), ref.fingerprint if ref else "none", repr(options),
                        repr({v: t.to_json() for v, t in edits.items()}), g, df, options, edits,
                        dict(ws.var_types), bif)


@contextmanager
def cancellable_job(flag: str, button_key: str, start_text: str
                    ) -> Iterator[tuple[object, Callable[[], bool]]]:
    """A progress bar and a Cancel button for a long job: yields the bar and the job's cancel()
    check; a Cancelled job shows its message, and the bar, button and flag are cleared after."""
    bar = st.progress(0.0, text=start_text)
    stop_slot = st.empty()
    stop_slot.button("Cancel", key=button_key, on_click=lambda: st.session_state.update({flag: True}))
    try:
        yield bar, lambda: bool(st.session_state.get(flag))
    except Cancelled as stop:
        st.info(md(stop.message), icon=":material/cancel:")
    finally:
        st.session_state[flag] = False
        bar.empty()
        stop_slot.empty()


def value_input(label, model, v, default, key, exclude=None):
    """A selectbox of v's states (discrete; never `exclude`) or a number box (linear)."""
    from app.models import DiscreteModel

    if isinstance(model, DiscreteModel):
        states = list(model.states[v])
        if default not in states or default == exclude:
            default = next((s for s in states if s != exclude), states[0])
        return st.selectbox(label, states, index=states.index(default), key=key, format_func=str)
    return st.number_input(label, value=float(default), key=key, format="%.4g")


MAX_PALETTE = 60


def graph_data_notice(key: str, palette: bool = False) -> None:
    """Warn when the graph names variables the loaded data do not have; offer a fresh graph of
    the data's columns and (with `palette`) the columns not yet in the graph, one click each."""
    from app.editor import free_spot
    from app.workspace import graph_data_fit, graph_from_columns

    df = state.data()
    if df is None:
        return
    g = state.graph()
    fit = graph_data_fit(g, df.columns)
    if fit.missing or not g.nodes:
        shown = ", ".join(fit.missing[:8]) + (" …" if len(fit.missing) > 8 else "")
        if g.nodes:
            st.warning(f"{len(fit.missing)} of the graph's {len(g.nodes)} variables are not "
                       f"columns of this data ({md(shown)}). Analyses treat them as unmeasured.",
                       icon=":material/link_off:")
        else:
            st.info("The graph is empty. Start one from the data's columns, then draw the "
                    "arrows.", icon=":material/add_circle:")
        if st.button("Start a graph from these columns", key=f"{key}_from_columns",
                     icon=":material/restart_alt:",
                     help="Replaces the graph with one node per data column and no arrows. "
                          "Undo brings the current graph back."):
            with guard():
                state.set_graph(graph_from_columns(list(df.columns)[:MAX_PALETTE]),
                                "start a graph from the data's columns")
                st.rerun()
    if palette and fit.unused:
        def _place() -> None:
            name = st.session_state.get(f"{key}_palette")
            if name:
                with guard():
                    cur = state.graph()
                    state.set_graph(cur.add_node(name, pos=free_spot(cur)), f"add {name}")
            st.session_state[f"{key}_palette"] = None

        st.pills("Data columns not in the graph: click one to place it on the canvas",
                 list(fit.unused[:MAX_PALETTE]), format_func=md, key=f"{key}_palette",
                 on_change=_place)
