"""Classroom: a teacher asks a question on the graph and sees the class answer live; students
join with a code. "My workspaces" saves, reopens, downloads and uploads whole workspaces."""
import secrets
import string
import time

import streamlit as st

from app import classroom as cr
from app import store
from app.errors import CausalCanvasError
from app.ui import state
from app.ui.errors import guard
from app.ui.graph_view import show_graph
from app.workspace_file import (
    EXTENSION,
    MIME,
    file_name,
    write_workspace_file,
)

LIB_COOKIE = "cc_library"


def esc(text) -> str:
    """User text (names, prompts, titles) shown as plain text inside markdown."""
    return "".join("\\" + c if c in string.punctuation else c for c in str(text))


def remember_cookie(name: str, value: str) -> None:
    """Keep `value` in a first-party cookie so a refresh or a server restart finds it again.
    Values are our own codes (Crockford letters, digits, dashes): nothing to escape."""
    assert all(c in cr.CODE_ALPHABET + "-" for c in value)
    st.html(f"<script>document.cookie = '{name}={value}; path=/; max-age=31536000; "
            "SameSite=Strict';</script>", unsafe_allow_javascript=True)


def when(ts: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(ts))


# ---- teacher ----------------------------------------------------------------------------------
def question_form(g) -> None:
    """Build a question on the current workspace graph and post it."""
    kinds = list(cr.KINDS)
    kind = st.selectbox("Kind of question", kinds, format_func=cr.KINDS.get, key="cr_kind")
    nodes = list(g.nodes)
    measured = [n for n in nodes if n not in g.latents]
    x0 = next(iter(sorted(g.exposures)), measured[0])
    y0 = next(iter(sorted(g.outcomes)), measured[-1])
    params: dict = {}
    c1, c2 = st.columns(2)
    if kind in ("adjustment_set", "effect_sign"):
        params["exposure"] = c1.selectbox("Exposure (cause)", measured,
                                          index=measured.index(x0), key="cr_x")
        params["outcome"] = c2.selectbox("Outcome (effect)", measured,
                                         index=measured.index(y0), key="cr_y")
        if kind == "effect_sign":
            params["sign"] = st.radio("The true sign", list(cr.SIGNS), format_func=cr.SIGNS.get,
                                      horizontal=True, key="cr_sign")
    elif kind == "independence":
        params["x"] = c1.selectbox("X", nodes, index=nodes.index(x0), key="cr_ix")
        params["y"] = c2.selectbox("Y", nodes, index=nodes.index(y0), key="cr_iy")
        params["given"] = st.multiselect("Given Z", [n for n in nodes if n not in
                                                     (params["x"], params["y"])], key="cr_iz")
    else:
        params["target"] = c1.selectbox("Outcome", measured, index=measured.index(y0),
                                        key="cr_t")
        params["target_value"] = c2.text_input(
            "Outcome value (for a probability; empty for an average)", key="cr_tv") or None
        dv = c1.selectbox("Intervene on", [n for n in measured if n != params["target"]],
                          key="cr_dv")
        params["do"] = {dv: c2.text_input(f"Set {dv} to", key="cr_dval")}
        if kind == "counterfactual":
            seen = st.multiselect("What actually happened (observed variables)", measured,
                                  default=[dv, params["target"]], key="cr_fv")
            cols = st.columns(max(1, len(seen)))
            params["factual"] = {v: cols[i].text_input(f"{v} was", key=f"cr_f_{v}")
                                 for i, v in enumerate(seen)}
        c1, c2, c3 = st.columns([2, 2, 1])
        if state.data() is not None and c3.button("Compute from the data", key="cr_compute",
                                                  help="Fit the model of the graph to the "
                                                       "current data and fill in the value."):
            with guard():
                from app.models import fit_model

                model = fit_model(g, state.data(), types=dict(state.workspace().var_types))
                st.session_state["cr_value"] = cr.model_value(kind, params, model)
        params["value"] = c1.number_input("Correct value", format="%.4f", key="cr_value")
        params["tolerance"] = c2.number_input("Tolerance (±)", min_value=0.0, value=0.01,
                                              format="%.4f", key="cr_tol")
    params["note"] = st.text_area("Note to students (optional)", key="cr_note", max_chars=500)
    c1, c2 = st.columns(2)
    post_open = c1.button("Post and open", type="primary", key="cr_post")
    post_draft = c2.button("Save as draft", key="cr_draft")
    if post_open or post_draft:
        with guard():
            q = cr.make_question(kind, g, params)
            info = store.post_question(*teacher_login(), q, open_now=post_open)
            st.session_state["cr_selected"] = info.id
            state.flash(f"Question {info.number} {'is open' if post_open else 'saved as draft'}.")
            st.rerun()


def teacher_login() -> tuple[str, str]:
    t = st.session_state["cr_teacher"]
    return t["code"], t["key"]


@st.fragment(run_every=3)
def live_roster() -> None:
    """The number of students who joined, refreshed while they arrive."""
    with guard():
        st.metric("Students joined", store.class_info(*teacher_login()).students)


@st.fragment(run_every=2)
def live_results(question_id: int, status: str) -> None:
    """Polls the database every 2 s: the distribution, the correct share, common mistakes."""
    with guard():
        res = store.question_results(*teacher_login(), question_id)
        students = store.class_info(*teacher_login()).students
        show = status == "revealed" or st.session_state.get("cr_show_right", False)
        c1, c2 = st.columns(2)
        c1.metric("Answers", f"{res.total} of {students}",
                  help="One answer per student: the latest counts.")
        c2.metric("Correct", f"{res.correct_share:.0%}" if res.total and show else "–",
                  help="Hidden until you reveal or tick 'Show which answers are right'.")
        if not res.total:
            st.info("No answers yet. They appear here as students send them.",
                    icon=":material/hourglass_empty:")
            return
        chart = cr.summary_chart(res, show_correct=show)
        st.altair_chart(chart, width="stretch", height=chart.height + 60)
        st.caption("Answers so far: " + "; ".join(f"{esc(a.label)} × {a.count}"
                                                  for a in res.distribution))
        if show and res.common_wrong:
            st.markdown("**Common wrong answers**")
            for a in res.common_wrong:
                st.markdown(f"- {esc(a.label)} × {a.count}: {esc(a.feedback)}")
        with st.expander("Who answered what (not for the projector)"):
            rows = store.student_answers(*teacher_login(), question_id)
            st.dataframe([{"student": r.name, "answer": r.label,
                           "right": r.correct if show else None, "sent": when(r.submitted_at),
                           "changes": r.submissions - 1} for r in rows], hide_index=True)


def teacher_view() -> None:
    new = st.session_state.get("cr_new_key")
    if "cr_teacher" not in st.session_state:
        c1, c2 = st.columns(2)
        with c1.form("cr_create"):
            st.markdown("**Start a new class**")
            title = st.text_input("Class title", value="Causal inference class")
            if st.form_submit_button("Create class", type="primary"):
                with guard():
                    c = store.create_class(title)
                    st.session_state["cr_teacher"] = {"code": c.code, "key": c.teacher_key}
                    st.session_state["cr_new_key"] = c.teacher_key
                    st.rerun()
        with c2.form("cr_reopen"):
            st.markdown("**Reopen a class**")
            code = st.text_input("Class code")
            key = st.text_input("Teacher key", type="password")
            if st.form_submit_button("Reopen"):
                with guard():
                    info = store.class_info(code, key)
                    st.session_state["cr_teacher"] = {"code": info.code, "key": key}
                    st.rerun()
        return
    info = None
    with guard():
        info = store.class_info(*teacher_login())
    if info is None:
        if st.button("Sign out of this class"):
            del st.session_state["cr_teacher"]
            st.rerun()
        return
    st.subheader(esc(info.title))
    c1, c2, c3 = st.columns([2, 1, 1])
    c1.metric("Join code", cr.format_code(info.code),
              help="Students open the Classroom page, choose 'Student' and type this code.")
    with c2:
        live_roster()
    c3.metric("Questions", info.questions)
    if new:
        st.warning(f"**Your teacher key: `{new}`** — write it down now: it is shown only once. "
                   "You need it to reopen this class in another browser.", icon=":material/key:")
        if st.button("I have written it down", key="cr_key_done"):
            del st.session_state["cr_new_key"]
            st.rerun()
    if info.ended:
        st.info("This class has ended: no more joins or answers. Results stay readable.")
    questions = store.list_questions(*teacher_login())
    g = state.graph()
    if not info.ended:
        with st.expander("Post a question on the current graph", expanded=not questions,
                         icon=":material/add:"):
            if len(g.nodes) < 2:
                st.info("Draw or load a graph first (Graph page): questions are asked on it.")
            else:
                st.caption(f"Graph: {len(g.nodes)} variables; students see it as it is now.")
                question_form(g)
    if not questions:
        return
    ids = [q.id for q in questions]
    default = st.session_state.get("cr_selected")
    chosen = st.selectbox("Question", ids, index=ids.index(default) if default in ids else 0,
                          format_func=lambda i: next(
                              f"{q.number}. [{q.status}] {q.prompt[:90]}" for q in questions
                              if q.id == i), key="cr_pick")
    q = next(q for q in questions if q.id == chosen)
    st.markdown(f"**Question {q.number}** · {cr.KINDS[q.question.kind]} · *{q.status}*")
    st.markdown(esc(q.prompt))
    c = st.columns(4)
    for col, (label, target) in zip(c, [("Open", "open"), ("Close", "closed"),
                                        ("Reveal solution", "revealed")]):
        if col.button(label, key=f"cr_set_{target}", disabled=q.status == target
                      or (target == "open" and info.ended),
                      type="primary" if target == "open" and q.status == "draft" else "secondary"):
            with guard():
                store.set_question_status(*teacher_login(), q.id, target)
                st.rerun()
    c[3].toggle("Show which answers are right", key="cr_show_right",
                disabled=q.status == "revealed")
    if q.status == "revealed" or st.session_state.get("cr_show_right"):
        st.success(esc(q.question.solution_text()), icon=":material/check_circle:")
    live_results(q.id, q.status)
    with st.expander("Class settings"):
        if not info.ended and st.button("End the class", key="cr_end",
                                        help="Stops joins and answers for good."):
            with guard():
                store.end_class(*teacher_login())
                st.rerun()
        if st.button("Sign out of this class", key="cr_signout"):
            del st.session_state["cr_teacher"]
            st.rerun()


# ---- student ----------------------------------------------------------------------------------
def answer_widget(q: cr.Question, qid: int):
    """The input for one kind of question; returns the raw answer."""
    if q.kind == "adjustment_set":
        none = st.checkbox("No valid adjustment set exists", key=f"cr_none_{qid}")
        chosen = st.multiselect("Adjust for", q.choices(), key=f"cr_set_{qid}",
                                disabled=none, placeholder="nothing (the empty set)")
        return cr.NO_SET if none else chosen
    if q.kind == "independence":
        return st.radio("Your answer", q.choices(), key=f"cr_ind_{qid}", horizontal=True)
    if q.kind == "effect_sign":
        return st.radio("Your answer", q.choices(), format_func=cr.SIGNS.get,
                        key=f"cr_sign_{qid}", horizontal=True)
    return st.text_input("Your answer (a number, e.g. 0.42)", key=f"cr_num_{qid}")


@st.fragment(run_every=3)
def watch_for_changes(token: str, seen) -> None:
    """Polls the database; when the teacher opens, closes or reveals, the page redraws."""
    try:
        now = store.poll(token)
    except CausalCanvasError:
        return
    if now != seen:
        st.rerun(scope="app")


def student_view() -> None:
    token = st.session_state.get("cr_seat") or st.query_params.get("seat")
    seat = None
    if token:
        try:
            seat = store.resume_seat(token)
            st.session_state["cr_seat"] = token
            st.query_params["seat"] = token   # a refresh of this tab keeps the seat
        except CausalCanvasError:
            st.session_state.pop("cr_seat", None)
            st.query_params.pop("seat", None)
    if seat is None:
        with st.form("cr_join"):
            st.markdown("**Join a class**")
            code = st.text_input("Class code", value=st.query_params.get("join", ""),
                                 placeholder="ABCD-EFGH")
            name = st.text_input("Your display name", max_chars=cr.NAME_MAX,
                                 help="Letters, digits, spaces and - ' . _ ; your classmates "
                                      "never see it, your teacher does.")
            if st.form_submit_button("Join", type="primary"):
                with guard():
                    sid = st.session_state.setdefault("cr_sid", secrets.token_hex(16))
                    seat = store.join_class(code, name, session_id=sid,
                                            ip=getattr(st.context, "ip_address", None))
                    st.session_state["cr_seat"] = seat.token
                    st.query_params["seat"] = seat.token
                    st.rerun()
        return
    c1, c2 = st.columns([4, 1])
    c1.markdown(f"You are **{esc(seat.name)}** in *{esc(seat.title)}* "
                f"({cr.format_code(seat.code)}).")
    if c2.button("Leave", key="cr_leave", help="Forget this class in this browser."):
        st.session_state.pop("cr_seat", None)
        st.query_params.pop("seat", None)
        st.rerun()
    view = store.current_question(seat.token)
    watch_for_changes(seat.token, None if view is None else store.poll(seat.token))
    if view is None:
        st.info("Waiting for your teacher to post a question… this page updates by itself.",
                icon=":material/hourglass_empty:")
        return
    q = view.question
    st.markdown(f"### Question {view.number}")
    st.markdown(esc(q.prompt))
    if q.params.get("note"):
        st.caption(esc(q.params["note"]))
    marks = {n: "highlight" for n in (q.params.get("exposure"), q.params.get("outcome"),
                                      q.params.get("x"), q.params.get("y")) if n}
    show_graph(q.graph, node_styles=marks, height=320, key=f"cr_graph_{view.id}")
    mine = view.my_answer
    if mine:
        st.markdown(f"Your answer: **{esc(mine.label)}** (sent {when(mine.submitted_at)})")
    if view.status == "open":
        attempt_key = f"cr_attempt_{view.id}"
        with st.form(f"cr_answer_{view.id}"):
            raw = answer_widget(q, view.id)
            sent = st.form_submit_button("Change my answer" if mine else "Send my answer",
                                         type="primary")
        if sent:
            with guard():
                attempt = st.session_state.get(attempt_key, 0)
                key = cr.submission_key(seat.token, view.id, attempt, repr(raw))
                receipt = store.submit_answer(seat.token, view.id, raw, key)
                st.session_state[attempt_key] = attempt + 1
                state.flash(f"Answer received: {esc(receipt.label)}.")
                st.rerun()
    elif view.status == "closed":
        st.info("Answers are closed. Wait for your teacher to reveal the solution.",
                icon=":material/lock:")
    else:
        st.success(esc(q.solution_text()), icon=":material/check_circle:")
        if mine:
            if mine.correct:
                st.markdown("Your answer was **right**.")
            else:
                st.markdown(f"Your answer was **not right**: {esc(mine.feedback)}")
        if view.summary and view.summary.total:
            st.markdown(f"**The class:** {view.summary.correct} of {view.summary.total} right")
            chart = cr.summary_chart(view.summary)
            st.altair_chart(chart, width="stretch", height=chart.height + 60)
    with st.expander("My answers"):
        st.dataframe([{"question": a.number, "answer": a.label, "status": a.status,
                       "right": a.correct} for a in store.my_answers(seat.token)],
                     hide_index=True)


# ---- my workspaces ------------------------------------------------------------------------------
def library_key() -> str:
    key = st.session_state.get("cr_library") or st.context.cookies.get(LIB_COOKIE)
    try:
        key = cr.format_code(cr.normalise_code(key, 16, "library key")) if key else None
    except CausalCanvasError:
        key = None
    if not key:
        key = store.new_library_key()
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
            st.success(f"Saved '{esc(saved.name)}'.")
    with guard():
        saved = store.list_workspaces(key)
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
                st.session_state["cr_remember"] = True
                st.rerun()
    if st.session_state.get("cr_remember") and st.session_state.get("cr_cookie") != key:
        remember_cookie(LIB_COOKIE, key)
        st.session_state["cr_cookie"] = key


# ---- page ---------------------------------------------------------------------------------------
st.title("Classroom")
st.caption("A teacher asks a question on a causal graph; everyone answers from their own "
           "browser and the class sees the answers arrive. Below: your saved workspaces.")
with guard():
    store.get_store()
    tab_class, tab_ws = st.tabs(["Class", "My workspaces"])
    with tab_class:
        mode = st.segmented_control("I am", ["Student", "Teacher"], default="Student",
                                    key="cr_mode") or "Student"
        if mode == "Teacher":
            teacher_view()
        else:
            student_view()
    with tab_ws:
        workspaces_view()
