"""The teacher's view: post a question on the current graph and watch the answers arrive."""
import math
import time

import streamlit as st

from app import classroom as cr
from app import store
from app.charts.classroom import summary_chart
from app.ui import state
from app.ui.charts import chart_spec, show_spec
from app.ui.errors import guard
from app.ui.views.classroom.common import esc, when


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
        params["do"] = {dv: c2.text_input(f"Set {esc(dv)} to", key="cr_dval")}
        if kind == "counterfactual":
            seen = st.multiselect("What actually happened (observed variables)", measured,
                                  default=[dv, params["target"]], key="cr_fv")
            cols = st.columns(max(1, len(seen)))
            params["factual"] = {v: cols[i].text_input(f"{esc(v)} was", key=f"cr_f_{v}")
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
        # built once per distinct tally: the 2-s poll stays cheap even with a class of 40
        spec = chart_spec(summary_chart, res, show_correct=show)
        show_spec(spec, width="stretch", height=int(spec.get("height", 120)) + 60)
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


KEY_SHOWN_S = 30
MASKED_KEY = "••••-••••-••••-••••-••••"


def _show_key() -> None:
    st.session_state["cr_key_shown_at"] = time.monotonic()


@st.fragment(run_every=5)
def teacher_key_box() -> None:
    """The new class's teacher key: in full for KEY_SHOWN_S seconds after the class is created
    (or after "Show the key"), then masked, so it does not stay on the projected screen."""
    key = st.session_state.get("cr_new_key")
    if not key:
        return
    shown_at = st.session_state.setdefault("cr_key_shown_at", time.monotonic())
    left = KEY_SHOWN_S - (time.monotonic() - shown_at)
    if left > 0:
        st.warning(f"**Your teacher key: `{key}`** — write it down now: it is shown only once "
                   f"and hides itself in {int(math.ceil(left))} s. You need it to reopen this class "
                   "in another browser.", icon=":material/key:")
    else:
        st.info(f"Teacher key: `{MASKED_KEY}` (hidden; only this browser can show it again).",
                icon=":material/key:")
    c1, c2, _ = st.columns([1, 1, 2])
    if left <= 0:
        c2.button("Show the key", key="cr_key_show", on_click=_show_key,
                  help=f"Shows it for {KEY_SHOWN_S} s: check nobody is watching.")
    if c1.button("I have written it down", key="cr_key_done"):
        for k in ("cr_new_key", "cr_key_shown_at"):
            st.session_state.pop(k, None)
        st.rerun()


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
                    st.session_state.pop("cr_key_shown_at", None)
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
        teacher_key_box()
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
