"""The Learn page's parts: lesson links, exercises with hints and feedback, a lesson, the
practice generator. Progress, seeds and exercise memory live in this session's page state."""
import secrets

import pandas as pd
import streamlit as st

from app.errors import CausalCanvasError, ShareLinkError
from app.exercises.generator import LEVELS, RUNG_KINDS, generate
from app.graph import CausalGraph
from app.lessons import Exhibit, Progress, load_lesson
from app.markup import md, md_authored
from app.ui import state
from app.ui.charts import loads_or_links, show_spec, spec_of
from app.ui.errors import guard
from app.ui.graph_view import show_graph
from app.ui.shell import share_url
from app.workspace import decode_share, encode_share

PRACTICE, PRESENTER, PICK = "practice", "cc_presenter", "learn_lesson"
RUNGS = {"any": "All three rungs", **{r: r.capitalize() for r in RUNG_KINDS}}


def _progress() -> Progress:
    return state.page_state("learn_progress", Progress())


def _seeds() -> dict:
    return state.page_state("learn_seeds", {PRACTICE: secrets.randbelow(10**6)})


def _memory() -> dict:
    return state.page_state("learn_exercises", {})


def apply_lesson_link(known: list[str]) -> None:
    """?g=… with extra {lesson, seed, level, rung}: open that lesson once per link."""
    token = st.query_params.get("g")
    if not token or state.page_state("learn_link") == token:
        return
    state.set_page_state("learn_link", token)
    try:
        extra = decode_share(token).extra
    except ShareLinkError:
        return  # the shell already says the link is damaged
    if extra.get("lesson") and extra["lesson"] not in known:
        state.flash(f"The link opens the lesson '{md(extra['lesson'])}', which is not installed "
                    "here; showing the first lesson instead.", "warning")
    elif extra.get("lesson"):
        st.session_state[PICK] = extra["lesson"]
        if extra.get("seed", "").isdigit():
            _seeds()[extra["lesson"]] = int(extra["seed"])
        if extra.get("level", "").isdigit() and int(extra["level"]) in LEVELS:
            st.session_state[f"learn_level_{extra['lesson']}"] = int(extra["level"])
        if extra.get("rung") in RUNGS:
            st.session_state["learn_rung"] = extra["rung"]


def toggle_presenter() -> None:
    st.session_state[PRESENTER] = True


def new_seed(slug: str) -> None:
    _seeds()[slug] = _seeds().get(slug, 0) + 1


def next_practice() -> None:
    """A new practice exercise, skipping any this session has already answered."""
    level = st.session_state.get(f"learn_level_{PRACTICE}", 2)
    rung = st.session_state.get("learn_rung", "any")
    for _ in range(20):
        _seeds()[PRACTICE] += 1
        try:
            ex = generate(_seeds()[PRACTICE], level, None if rung == "any" else rung)
        except CausalCanvasError:
            return    # shown when the page draws this seed
        if not _progress().has_seen(ex.fingerprint):
            return


def show_parts(parts: list) -> None:
    for part in parts:
        if isinstance(part, Exhibit):
            c = part.content
            if isinstance(c, pd.DataFrame):
                st.dataframe(c, hide_index=isinstance(c.index, pd.RangeIndex))
            elif isinstance(c, str):
                st.markdown(md_authored(c))
            elif loads_or_links(spec := spec_of(c)):
                st.warning("This chart of the lesson would load data or pictures from the "
                           "network, or link out, so it is not shown: Causal Canvas makes no "
                           "request outside this server.", icon=":material/wifi_off:")
            else:
                show_spec(spec, width="stretch")
            if part.caption:
                st.caption(md_authored(part.caption))
        else:
            st.markdown(md_authored(part))


def exercise_widget(ex, slug: str, key: str, number: int, graph: CausalGraph | None,
                    labels: dict, practice: bool = False) -> bool:
    """Prompt, answer widget, Check / Hint / Show me; returns True once solved or revealed."""
    mem = _memory().setdefault(key, {"hints": 0, "revealed": False, "feedback": None,
                                  "solved": False, "scored": False})
    st.markdown(f"**Exercise {number}.** {md_authored(ex.prompt)}")
    if ex.graph is not None and graph is not None and ex.graph != graph:
        show_graph(ex.graph, edge_labels=ex.edge_labels, height=300, key=f"{key}_g")
    with st.form(f"{key}_form", border=False):
        if ex.kind == "choice":
            value = st.radio("Your answer", ex.options, index=None, key=f"{key}_in", format_func=md)
        elif ex.kind == "multi":
            value = st.multiselect("Your answer", ex.options, key=f"{key}_in",
                                   placeholder=f"Nothing selected means: {ex.empty_label}")
        else:
            value = st.text_input("Your answer", key=f"{key}_in",
                                  placeholder="a number, e.g. 0.83, 83% or 3/4")
        checked = st.form_submit_button("Check", type="primary", key=f"{key}_check")
    if checked:
        fb = mem["feedback"] = ex.grade(value)
        if fb.understood:
            mem["solved"] = mem["solved"] or fb.correct or ex.predict
            if not practice:
                _progress().attempt(slug, ex.id, fb.correct or ex.predict)
            elif not mem["scored"]:   # only the first answer to a question is scored
                mem["scored"] = True
                _progress().practice_answer(ex.rung or "other", fb.correct, ex.fingerprint)
    fb = mem["feedback"]
    if fb is not None:
        (st.success if fb.correct else st.info if ex.predict else st.error)(
            md(fb.message) + "".join(f"\n- {md(r)}" for r in fb.reasons))
    c1, c2 = st.columns(2)
    n_hints = len(ex.hints)
    if n_hints:
        c1.button(f"Hint ({min(mem['hints'] + 1, n_hints)} of {n_hints})", key=f"{key}_hint",
                  disabled=mem["hints"] >= n_hints, icon=":material/lightbulb:",
                  on_click=lambda: (mem.update(hints=mem["hints"] + 1),
                                    None if practice else _progress().hint(slug, ex.id)))
    c2.button("Show me", key=f"{key}_show", disabled=mem["revealed"], icon=":material/visibility:",
              on_click=lambda: (mem.update(revealed=True),
                                None if practice else _progress().reveal(slug, ex.id)))
    for h in ex.hints[:mem["hints"]]:
        st.caption(f":material/lightbulb: {md_authored(h)}")
    if mem["revealed"] and ex.reveal is not None:
        st.markdown(f"**Answer:** {md(ex.answer_text())}\n\n{md_authored(ex.reveal.text)}")
        shown = ex.graph or graph
        if shown is not None:
            show_graph(shown, highlight_nodes=ex.reveal.highlight_nodes,
                       node_styles=ex.reveal.node_styles, edge_styles=ex.reveal.edge_styles,
                       edge_labels={**labels, **ex.edge_labels, **ex.reveal.edge_labels},
                       height=320, key=f"{key}_reveal")
    return mem["solved"] or mem["revealed"]


def share_box(graph: CausalGraph, sample: str | None, extra: dict) -> None:
    with st.popover("Share", icon=":material/link:", width="stretch"):
        token = encode_share(graph, sample=sample, page="learn", extra=extra)
        st.caption("Opens this lesson — and this exact exercise — for anyone running Causal "
                   "Canvas. Put it on the projector or in the course chat.")
        st.code(share_url(token), language=None, wrap_lines=True)


def level_picker(slug: str, default: int) -> int:
    st.session_state.setdefault(f"learn_level_{slug}", default)
    return st.select_slider("Difficulty", options=list(LEVELS), key=f"learn_level_{slug}",
                            help="1: three variables (chain, fork or collider) … 5: eight "
                                 "variables in a dense graph.")


def show_lesson(slug: str) -> None:
    lesson = load_lesson(slug)
    st.header(f"{lesson.number}. {md(lesson.title)}")
    meta = [lesson.summary] + ([f"about {lesson.minutes} min"] if lesson.minutes else [])
    st.caption(md(" · ".join(meta)))
    if lesson.goals:
        st.markdown("**You will learn to** "
                    + md("; ".join(g[0].lower() + g[1:] for g in lesson.goals)) + ".")
    level = lesson.difficulty
    if lesson.generated:
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        with c1:
            level = level_picker(slug, lesson.difficulty)
        c2.button("New exercise", key="learn_new", on_click=new_seed, args=(slug,),
                  icon=":material/refresh:", width="stretch")
    with st.spinner("Preparing the lesson…"):
        run = lesson.build(_seeds().get(slug, 0), level)
    _progress().register(slug, [e.id for e in run.exercises])
    text, side = st.columns([3, 2], gap="large")
    with text:
        show_parts(run.parts(run.intro))
    with side:
        if run.graph is not None:
            show_graph(run.graph, edge_labels=run.edge_labels, height=340, key=f"learn_graph_{slug}")
            if st.button("Explore this graph", key="learn_open_ws",   # short: fits at 1024 px
                         icon=":material/open_in_new:", width="stretch",
                         help="Make this graph (and the lesson's data) your workspace, to "
                              "explore it on the other pages."):
                with guard():
                    if lesson.sample:
                        state.load_sample(lesson.sample)
                    state.set_graph(run.graph, f"open the graph of lesson {lesson.number}")
                    state.flash("The lesson's graph (and data) are now your workspace.")
                    st.rerun()
        share_box(run.graph or state.graph(), lesson.sample, {"lesson": slug, "seed": str(run.seed),
                                             "level": str(run.difficulty)})
    for i, ex in enumerate(run.exercises, 1):
        with st.container(border=True):
            if ex.id in run.sections:
                show_parts(run.parts(run.sections[ex.id]))
            done = exercise_widget(ex, slug, f"learn_{slug}_{run.seed}_{run.difficulty}_{ex.id}",
                                   i, run.graph, dict(run.edge_labels))
            if done and ex.id in run.after:
                show_parts(run.parts(run.after[ex.id]))
    solved = _progress().solved(slug, [e.id for e in run.exercises])
    st.progress(solved / len(run.exercises), text=f"{solved} of {len(run.exercises)} exercises solved")
    if not st.session_state.get(PRESENTER):
        with st.expander("Teacher notes", icon=":material/co_present:"):
            st.markdown(md_authored(lesson.teacher_notes or "_No teacher notes for this lesson yet._"))


def show_practice() -> None:
    st.header("Practice: the exercise generator")
    st.caption("Random causal models with made-up variable names, so only the rules help. "
               "Every answer is computed by the engine; a new exercise is never the same twice.")
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    with c1:
        level = level_picker(PRACTICE, 2)
    rung = c2.selectbox("Rung of the ladder", list(RUNGS), format_func=RUNGS.get, key="learn_rung")
    c3.button("New exercise", key="learn_new", on_click=next_practice,
              icon=":material/refresh:", width="stretch")
    with guard():
        ex = generate(_seeds()[PRACTICE], level, None if rung == "any" else rung)
        left, right = st.columns([3, 2], gap="large")
        with right:
            show_graph(ex.graph, edge_labels=ex.edge_labels, height=340, key="learn_practice_graph")
            share_box(ex.graph, None, {"lesson": PRACTICE, "seed": str(_seeds()[PRACTICE]),
                                       "level": str(level), "rung": rung})
        with left, st.container(border=True):
            st.caption(f"{(ex.rung or '').capitalize()} · exercise #{_seeds()[PRACTICE]} · "
                       f"difficulty {level}")
            exercise_widget(ex, PRACTICE, f"learn_practice_{_seeds()[PRACTICE]}_{level}_{rung}", 1,
                            ex.graph, dict(ex.edge_labels), practice=True)
    a, c = _progress().practice_answered, _progress().practice_correct
    m1, m2, m3 = st.columns(3)
    m1.metric("Answered", a)
    m2.metric("Right first time", f"{c}" + (f" ({c / a:.0%})" if a else ""))
    m3.metric("Streak", _progress().streak, help=f"Best streak this session: {_progress().best_streak}")
