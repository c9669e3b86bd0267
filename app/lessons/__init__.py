"""Guided lessons (content files: Markdown + a Python checker) and session progress. The
exercises they pose, their checkers and the random generator live in app.exercises (shared with
Practice and the classroom); lesson files import the builders as app.lessons.checkers.
No Streamlit here: pages/learn.py draws them.
"""
from app.exercises.model import Exercise, Feedback, Reveal
from app.lessons.loader import (
    Exhibit,
    Lesson,
    LessonContext,
    LessonInfo,
    LessonRun,
    build_lesson,
    list_lessons,
    load_lesson,
)
from app.lessons.progress import Progress

__all__ = ["Exercise", "Exhibit", "Feedback", "Lesson", "LessonContext", "LessonInfo",
           "LessonRun", "Progress", "Reveal", "build_lesson", "list_lessons", "load_lesson"]
