"""Exercises: one question model (model.py), one answer reader (answers.py), the engine-backed
checkers and builders (checkers.py) and the random generator (generator.py). Learn's lessons,
Practice and the live classroom all pose these, so an answer gets the same verdict everywhere.
"""
from app.exercises.answers import NO_SET, AnswerFormatError, normalise_answer, parse_number
from app.exercises.model import Exercise, Feedback, Reveal, format_number, set_text

__all__ = ["NO_SET", "AnswerFormatError", "Exercise", "Feedback", "Reveal", "format_number",
           "normalise_answer", "parse_number", "set_text"]
