"""The student's view: join a class with its code and answer the open question."""
import streamlit as st

from app import classroom as cr
from app import store
from app.charts.classroom import summary_chart
from app.classroom import access
from app.errors import CausalCanvasError
from app.ui import state
from app.ui.charts import chart_spec, show_spec
from app.ui.errors import guard
from app.ui.graph_view import show_graph
from app.ui.views.classroom.common import (
    SEAT_COOKIE,
    browser_id,
    cookie,
    esc,
    remember_cookie,
    when,
)


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
    return st.text_input("Your answer (a number, e.g. 0.42, 42% or 3/4)", key=f"cr_num_{qid}")


@st.fragment(run_every=3)
def watch_for_changes(token: str, seen) -> None:
    """Polls the database; when the teacher opens, closes or reveals, the page redraws."""
    try:
        now = store.poll(token)
    except CausalCanvasError:
        return
    if now != seen:
        st.rerun(scope="app")


def _forget_seat() -> None:
    """Leave the seat in this session; the next run also deletes the cookie."""
    st.session_state.pop("cr_seat", None)
    st.session_state["cr_seat_forgotten"] = True
    st.session_state["cr_seat_cookie"] = False


def student_view() -> None:
    # The seat token lives in session state and a first-party cookie, never in the URL (a URL
    # ends up in history, screenshots and the projector).
    if "seat" in st.query_params:
        st.query_params.pop("seat")
    if st.session_state.get("cr_seat_forgotten") and \
            st.session_state.get("cr_seat_cookie") is False:
        remember_cookie(SEAT_COOKIE, "", max_age=0)
        st.session_state.pop("cr_seat_cookie")
    token = st.session_state.get("cr_seat")
    if not token and not st.session_state.get("cr_seat_forgotten"):
        token = cookie(SEAT_COOKIE, access.SEAT_TOKEN_LENGTH)
    seat = None
    if token:
        try:
            seat = store.resume_seat(token)
            st.session_state["cr_seat"] = token
        except CausalCanvasError:
            _forget_seat()
    if seat is None:
        bid = browser_id()
        with st.form("cr_join"):
            st.markdown("**Join a class**")
            code = st.text_input("Class code", value=st.query_params.get("join", ""),
                                 placeholder="ABCD-EFGH")
            name = st.text_input("Your display name", max_chars=cr.NAME_MAX,
                                 help="Letters, digits, spaces and - ' . _ ; your classmates "
                                      "never see it, your teacher does.")
            if st.form_submit_button("Join", type="primary"):
                with guard():
                    seat = store.join_class(code, name, session_id=bid,
                                            ip=getattr(st.context, "ip_address", None))
                    st.session_state["cr_seat"] = seat.token
                    st.session_state.pop("cr_seat_forgotten", None)
                    st.session_state.pop("cr_seat_cookie", None)
                    st.rerun()
        return
    if not st.session_state.get("cr_seat_cookie"):
        remember_cookie(SEAT_COOKIE, seat.token, max_age=12 * 3600)
        st.session_state["cr_seat_cookie"] = True
    c1, c2 = st.columns([4, 1])
    c1.markdown(f"You are **{esc(seat.name)}** in *{esc(seat.title)}* "
                f"({cr.format_code(seat.code)}).")
    if c2.button("Leave", key="cr_leave", help="Forget this class in this browser."):
        _forget_seat()
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
        with st.form(f"cr_answer_{view.id}"):
            raw = answer_widget(q, view.id)
            sent = st.form_submit_button("Change my answer" if mine else "Send my answer",
                                         type="primary")
        if sent:
            with guard():
                # keyed by the stored answer it replaces (not a counter in this session, which
                # a reconnect to another replica or a reload starts again at 0)
                key = cr.submission_key(seat.token, view.id, mine.answer_id if mine else 0,
                                        repr(raw))
                receipt = store.submit_answer(seat.token, view.id, raw, key)
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
            spec = chart_spec(summary_chart, view.summary)
            show_spec(spec, width="stretch", height=int(spec.get("height", 120)) + 60)
    with st.expander("My answers"):
        st.dataframe([{"question": a.number, "answer": a.label, "status": a.status,
                       "right": a.correct} for a in store.my_answers(seat.token)],
                     hide_index=True)
