"""Guided lessons (content files: Markdown + a Python checker), exercise checkers, the random
exercise generator and session progress. No Streamlit here: pages/learn.py draws them.
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
