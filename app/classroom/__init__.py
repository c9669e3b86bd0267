"""The live classroom: questions posed on a graph (questions.py), who may join and how often
(access.py) and the tally of the class's answers (summary.py). Pure logic: the database side is
app.store.classes, the screens app/ui/views/classroom, the chart app.charts.classroom."""
from app.classroom.access import (
    CODE_ALPHABET,
    NAME_MAX,
    clean_display_name,
    clean_title,
    format_code,
    hash_key,
    new_join_code,
    new_teacher_key,
    normalise_code,
    normalise_join_code,
    normalise_teacher_key,
    random_code,
    submission_key,
    token_hash,
    verify_key,
)
from app.classroom.questions import (
    KINDS,
    NO_SET,
    SIGNS,
    Checked,
    Question,
    check_answer,
    make_question,
    model_value,
)
from app.classroom.summary import AnswerCount, Summary, summarise

__all__ = [
    "CODE_ALPHABET", "NAME_MAX", "clean_display_name", "clean_title", "format_code", "hash_key",
    "new_join_code", "new_teacher_key", "normalise_code", "normalise_join_code",
    "normalise_teacher_key", "random_code", "submission_key", "token_hash", "verify_key",
    "KINDS", "NO_SET", "SIGNS", "Checked", "Question", "check_answer", "make_question",
    "model_value", "AnswerCount", "Summary", "summarise",
]
