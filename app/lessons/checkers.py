"""The lesson author's toolbox: the exercise builders and checkers a lesson's checker.py imports.

They live in app.exercises (shared with Practice and the classroom); this module keeps the name
lesson files use, so a lesson written for one version keeps working.
"""
from app.exercises.checkers import *  # noqa: F403 - the re-export is the point
from app.exercises.checkers import __all__ as _builders
from app.exercises.model import Exercise, Feedback, Reveal

__all__ = [*_builders, "Exercise", "Feedback", "Reveal"]
