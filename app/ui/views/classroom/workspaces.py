"""My workspaces: save, reopen, rename, delete, download and upload whole workspaces."""
import streamlit as st

from app import classroom as cr
from app import store
from app.errors import CausalCanvasError
from app.ui import state
from app.ui.errors import guard
from app.ui.views.classroom.common import LIB_COOKIE, esc, remember_cookie
from app.workspace_file import EXTENSION, MIME, file_name, write_workspace_file


def library_key() -> str:
    key = st.session_state.get("cr_library") or st.context.cookies.get(LIB_COOKIE)
    try:
        key = cr.format_code(cr.normalise_code(key, 16, "library key")) if key else None
    except CausalCanvasError:
        key = None
    if not key:
        key = store.new_library_key()
        st.session_state["cr_library_new"] = True    # empty by construction: never listed
    st.session_state["cr_library"] = key
    return key


def open_file(raw: bytes) -> None:
    """Make a workspace file the current workspace (undo goes back to what was open)."""
    notes = state.open_workspace_file(raw)
    state.flash("Opened the workspace. " + esc(notes))


def current_file(name: str) -> bytes:
    """The current workspace as a .ccw file, rebuilt only when the workspace or name changed."""
    ws = state.workspace()
    memo = st.session_state.get("cr_file_memo")
    if memo and memo[0] is ws and memo[1] == name:
        return memo[2]
    pages = dict(st.session_state.get("cc_pages", {}))
    raw = write_workspace_file(ws, state.data(), name=name, page_state=pages)
    st.session_state["cr_file_memo"] = (ws, name, raw)
    return raw


def workspaces_view() -> None:
    key = library_key()
    ws = state.workspace()
    st.caption(f"Current workspace: {esc(ws.summary())}")
    c1, c2 = st.columns([3, 1])
    default = ws.dataset.name if ws.dataset else "My workspace"
    name = c1.text_input("Save the current workspace as", value=default, key="cr_ws_name")
    replace_it = c2.checkbox("Replace if it exists", key="cr_ws_replace")
    if c2.button("Save", type="primary", key="cr_ws_save"):
        with guard():
            saved = store.save_workspace(key, name, current_file(name), overwrite=replace_it)
            st.session_state["cr_remember"] = True
            st.session_state.pop("cr_library_new", None)
            st.success(f"Saved '{esc(saved.name)}'.")
    with guard():
        # listing a key that opens nothing counts against the library-key guess limit
        saved = [] if st.session_state.get("cr_library_new") else store.list_workspaces(key)
        if not saved:
            st.info("Nothing saved yet. Save the current workspace above, or upload a "
                    f"{EXTENSION} file below.", icon=":material/save:")
        else:
            ids = [w.id for w in saved]
            pick = st.selectbox("Saved workspaces", ids, key="cr_ws_pick",
                                format_func=lambda i: str(next(w for w in saved if w.id == i)))
            chosen = next(w for w in saved if w.id == pick)
            c1, c2, c3, c4 = st.columns(4)
            if c1.button("Open", type="primary", key="cr_ws_open"):
                with guard():
                    open_file(store.open_workspace(key, chosen.id))
                    st.rerun()
            c2.download_button("Download", data=store.open_workspace(key, chosen.id),
                               file_name=file_name(chosen.name), mime=MIME, key="cr_ws_dl")
            with c3.popover("Rename"):
                new_name = st.text_input("New name", value=chosen.name, key="cr_ws_newname")
                if st.button("Rename", key="cr_ws_rename"):
                    with guard():
                        store.rename_workspace(key, chosen.id, new_name)
                        st.rerun()
            with c4.popover("Delete"):
                st.write(f"Delete '{esc(chosen.name)}' for good?")
                if st.button("Delete", type="primary", key="cr_ws_delete"):
                    with guard():
                        store.delete_workspace(key, chosen.id)
                        st.rerun()
    st.divider()
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Download the current workspace**")
        st.caption("One file with the graph, layout, variable types, settings and (for an "
                   "upload) the data. Open it again with the uploader.")
        with guard():
            st.download_button(f"Download {EXTENSION} file", data=current_file(name or "Workspace"),
                               file_name=file_name(name or "workspace"), mime=MIME,
                               key="cr_ws_dl_current")
    with c2:
        up = st.file_uploader("Open a workspace file", type=["ccw", "zip", "json"],
                              key="cr_ws_upload")
        if up is not None and st.button("Open this file", key="cr_ws_open_file"):
            with guard():
                open_file(up.getvalue())
                st.rerun()
    with st.expander("Your library key"):
        st.markdown(f"Your saved workspaces are private to the key **`{key}`**. This browser "
                    "remembers it; write it down to reach them from another browser.")
        other = st.text_input("Use another library key", key="cr_ws_other")
        if st.button("Switch library", key="cr_ws_switch") and other:
            with guard():
                store.list_workspaces(other)
                st.session_state["cr_library"] = cr.format_code(
                    cr.normalise_code(other, 16, "library key"))
                st.session_state.pop("cr_library_new", None)
                st.session_state["cr_remember"] = True
                st.rerun()
    if st.session_state.get("cr_remember") and st.session_state.get("cr_cookie") != key:
        remember_cookie(LIB_COOKIE, key)
        st.session_state["cr_cookie"] = key
