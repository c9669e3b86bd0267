"""Learn: guided lessons whose exercises the engine checks, a practice generator, presenter
mode and share links that open the exact lesson (and generated exercise) for a class."""
import pandas as pd
import streamlit as st

from app.errors import CausalCanvasError
from app.lessons import Progress, list_lessons
from app.lessons.loader import teacher_guide
from app.markup import md
from app.ui import state
from app.ui.errors import show_error
from app.ui.views.learn import (
    PICK,
    PRACTICE,
    PRESENTER,
    apply_lesson_link,
    show_lesson,
    show_practice,
    toggle_presenter,
)

progress: Progress = state.page_state("learn_progress", Progress())


# ---- the page ---------------------------------------------------------------------------------
lessons = list_lessons()
infos = {i.slug: i for i in lessons}
options = [*infos, PRACTICE]
apply_lesson_link(options)
state.show_flash()
presenting = bool(st.session_state.get(PRESENTER))   # the shell styles it and offers "Leave"
if st.session_state.get(PICK) not in options:
    st.session_state[PICK] = options[0]


def label(slug: str) -> str:
    """The picker's label; it must not change between runs (progress is shown beside it)."""
    if slug == PRACTICE:
        return "Practice: exercise generator"
    info = infos[slug]
    return f"{info.number}. {info.title}" + (" (cannot be opened)" if info.error else "")


st.title("Learn")
top = st.columns([5, 2], vertical_alignment="bottom")   # room for "Presenter mode" at 1024 px
choice = top[0].selectbox("Lesson", options, format_func=label, key=PICK)
if not presenting:
    top[1].button("Presenter mode", key="learn_presenter", icon=":material/co_present:",
                  on_click=toggle_presenter, width="stretch",
                  help="Large type, no sidebar and high-contrast graphs, for a projector.")
progress_line = st.empty()   # filled at the end, once this run's answers are counted

if choice == PRACTICE:
    show_practice()
elif infos[choice].error:
    st.error(f"**This lesson cannot be opened.** {md(infos[choice].error)}", icon=":material/error:")
    st.caption("The other lessons work; a teacher can fix the files listed above.")
else:
    try:
        show_lesson(choice)
    except CausalCanvasError as err:
        show_error(err)
        st.caption("The other lessons still work: pick one above.")

progress_line.caption(progress.summary({s: (i.number, bool(i.error)) for s, i in infos.items()}))
if not presenting:
    st.divider()
    d1, d2 = st.columns(2)
    rows = progress.rows({s: i.title for s, i in infos.items()})
    d1.download_button("Download my progress (CSV)", pd.DataFrame(rows).to_csv(index=False),
                       file_name="causal_canvas_progress.csv", mime="text/csv",
                       disabled=not rows, key="learn_progress_dl", icon=":material/download:")
    d2.download_button("Teacher's guide (Markdown)", teacher_guide(),
                       help="Every lesson's summary and teacher notes in one file, to print or share.",
                       file_name="causal_canvas_teacher_guide.md", mime="text/markdown",
                       key="learn_guide_dl", icon=":material/menu_book:")
