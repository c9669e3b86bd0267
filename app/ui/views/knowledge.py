"""Discover: background knowledge drawn on a canvas (required edges bold, forbidden edges crossed,
tiers as bands), listed in a table, or read from / written to a Tetrad knowledge file. It lives
in Workspace.settings["knowledge"], so it is saved, autosaved and undone with the workspace."""
from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from app.discovery.knowledge import Knowledge
from app.discovery.knowledge_file import read_tetrad_knowledge, write_tetrad_knowledge
from app.discovery.knowledge_view import (
    apply_knowledge_events,
    knowledge_drawing,
    knowledge_of,
    with_knowledge,
)
from app.errors import CausalCanvasError
from app.markup import md, md_names
from app.ui import state
from app.ui.errors import show_error
from components.dag_editor import knowledge_editor

CANVAS = "disc_knowledge_canvas"
KINDS = ["required", "forbidden"]


def _saved() -> Knowledge:
    try:
        return knowledge_of(state.workspace())
    except CausalCanvasError as err:
        show_error(err)
        return Knowledge()


def _push(k: Knowledge, label: str) -> None:
    with state.session_lock():
        ws = state.workspace()
        if knowledge_of(ws) != k:
            state.push(with_knowledge(ws, k), label)


def knowledge_section(variables: list[str], drawn_edges: list[tuple[str, str]]) -> Knowledge:
    """Show and edit the saved knowledge; return the part about the chosen `variables`."""
    saved = _saved()
    k = saved.restricted(variables)
    title = "Background knowledge: required / forbidden edges and tiers" + (
        f" ({k.summary()})" if not k.is_empty else "")
    with st.expander(md(title), expanded=not k.is_empty):
        st.caption("A forbidden edge never appears; a required edge always does. Tiers are a "
                   "time order: nothing in a later tier causes anything in an earlier one. Draw "
                   "on the canvas (choose *Draw: required* or *Draw: forbidden*, then drag from "
                   "one variable to another; click a variable to set its tier), or use the "
                   "table. It is saved with the workspace; Undo takes a step back.")
        hist = state.history()
        drawing = knowledge_drawing(saved, variables)
        knowledge_editor(
            drawing,
            on_events=lambda events: apply_knowledge_events(state.history(), events, variables),
            key=CANVAS, height=drawing.height(),
            history={"can_undo": hist.can_undo, "can_redo": hist.can_redo,
                     "undo_label": hist.undo_label(), "redo_label": hist.redo_label()},
            lock=state.session_lock())
        elsewhere = sorted(saved.nodes - set(variables))
        if elsewhere:
            st.caption("Also saved, about variables not chosen now (used when you choose them): "
                       + md_names(elsewhere))
        _table(saved, k, variables)
        _flags(saved, k)
        _files(saved, variables)
        c1, c2 = st.columns(2)
        if drawn_edges and c1.button(f"Make the {len(drawn_edges)} edges of the drawn graph "
                                     "required", key="disc_k_from_graph"):
            try:
                merged = saved
                for a, b in drawn_edges:
                    merged = merged.with_edge(a, b, "required")
                _push(merged, "require the drawn edges")
                st.rerun()
            except CausalCanvasError as err:
                show_error(err)
        if not saved.is_empty and c2.button("Clear all background knowledge",
                                            key="disc_k_clear"):
            _push(Knowledge(), "clear background knowledge")
            st.rerun()
    return k


def _table(saved: Knowledge, k: Knowledge, variables: list[str]) -> None:
    """The stated edges among the chosen variables as an editable table (the keyboard way)."""
    rows = [{"from": a, "to": b, "kind": kind} for kind, edges in
            (("required", k.required), ("forbidden", k.forbidden)) for a, b in sorted(edges)]
    version = hashlib.sha256(repr(rows).encode()).hexdigest()[:10]
    edited = st.data_editor(
        pd.DataFrame(rows or None, columns=["from", "to", "kind"], dtype=str),
        num_rows="dynamic", key=f"disc_knowledge:{version}", width="stretch",
        column_config={
            "from": st.column_config.SelectboxColumn("from", options=variables),
            "to": st.column_config.SelectboxColumn("to", options=variables),
            "kind": st.column_config.SelectboxColumn("kind", options=KINDS, default="forbidden")})
    try:
        table = Knowledge.from_rows(edited.fillna("").to_dict("records"))
        keep = set(variables)
        outside_r = {e for e in saved.required if not set(e) <= keep}
        outside_f = {e for e in saved.forbidden if not set(e) <= keep}
        new = Knowledge(table.required | outside_r, table.forbidden | outside_f, saved.tiers,
                        forbidden_within=saved.forbidden_within,
                        next_tier_only=saved.next_tier_only)
    except CausalCanvasError as err:
        show_error(err)
        return
    if new != saved:
        _push(new, "edit the knowledge table")
        st.rerun()


def _flags(saved: Knowledge, k: Knowledge) -> None:
    if not saved.tiers:
        return
    labels = [f"Tier {i + 1}" for i in range(len(saved.tiers))]
    picked = st.multiselect("Tiers with no edge between their own members (Tetrad's `*`)",
                            labels, default=[labels[i] for i in sorted(saved.forbidden_within)],
                            key=f"disc_k_within:{len(labels)}:{sorted(saved.forbidden_within)}")
    within = frozenset(labels.index(p) for p in picked)
    if within != saved.forbidden_within:
        try:
            new = Knowledge(saved.required, saved.forbidden, saved.tiers, forbidden_within=within,
                            next_tier_only=saved.next_tier_only)
        except CausalCanvasError as err:
            show_error(err)
            return
        _push(new, "change the tier rules")
        st.rerun()


def _files(saved: Knowledge, variables: list[str]) -> None:
    """Upload / download Tetrad's knowledge file."""
    c1, c2 = st.columns([3, 2])
    up = c1.file_uploader("Read a Tetrad knowledge file", type=["txt", "knowledge", "prior"],
                          key="disc_k_upload", help="Tetrad's `/knowledge` text: `addtemporal` "
                          "tiers (`2*` = no edges inside the tier), `forbiddirect` and "
                          "`requiredirect` lines. It replaces the knowledge shown here.")
    done = state.page_state("disc_k_upload_done", {"id": None})
    if up is not None and done["id"] != up.file_id:
        done["id"] = up.file_id
        try:
            text = up.getvalue().decode("utf-8-sig")
        except UnicodeDecodeError:
            st.error("This file is not UTF-8 text; save it as plain text and try again.")
            return
        try:
            k = read_tetrad_knowledge(text, variables=list(variables))
        except CausalCanvasError as err:
            show_error(err)
            return
        _push(k, f"read knowledge from {up.name}")
        state.flash(f"Read {md(k.summary())} from {md(up.name)}.")
        st.rerun()
    try:
        text = write_tetrad_knowledge(saved)
    except CausalCanvasError as err:
        show_error(err)
        return
    c2.download_button("Download as a Tetrad knowledge file", text, file_name="knowledge.txt",
                       mime="text/plain", key="disc_k_download", disabled=saved.is_empty,
                       help="Opens in Tetrad (File → Load knowledge) and back here.")

