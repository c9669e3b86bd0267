"""The student's view: join a class with its code and answer the open question."""
import secrets

import streamlit as st

from app import classroom as cr
from app import store
from app.errors import CausalCanvasError
from app.ui import state
from app.ui.charts import chart_spec, show_spec
from app.ui.classroom.common import esc, when
from app.ui.errors import guard
from app.ui.graph_view import show_graph


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
            spec = chart_spec(cr.summary_chart, view.summary)
            show_spec(spec, width="stretch", height=int(spec.get("height", 120)) + 60)
    with st.expander("My answers"):
        st.dataframe([{"question": a.number, "answer": a.label, "status": a.status,
                       "right": a.correct} for a in store.my_answers(seat.token)],
                     hide_index=True)
