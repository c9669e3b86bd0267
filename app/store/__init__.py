"""Saved workspaces and classes in one database (SQLAlchemy Core): SQLite by default,
PostgreSQL when ``CAUSAL_CANVAS_DB_URL`` is set. See engine.py for configuration.

Autosave from the app shell::

    from app.store import autosave, restore_autosave
    autosave(session_key, workspace_file_bytes)   # False when nothing changed
    restore_autosave(session_key)                 # bytes of the last autosave, or None
"""
from __future__ import annotations

from app.store.classes import (
    ClassInfo,
    MyAnswer,
    NewClass,
    QuestionInfo,
    Receipt,
    Seat,
    StudentAnswer,
    StudentQuestion,
    class_info,
    create_class,
    current_question,
    end_class,
    join_class,
    list_questions,
    my_answers,
    poll,
    post_question,
    question_results,
    resume_seat,
    revealed_results,
    roster,
    set_question_status,
    student_answers,
    submit_answer,
)
from app.store.engine import Store, close_stores, data_dir, database_url, describe, get_store
from app.store.workspaces import (
    SavedWorkspace,
    autosave,
    clear_autosave,
    delete_workspace,
    list_workspaces,
    new_library_key,
    open_workspace,
    purge_autosaves,
    rename_workspace,
    restore_autosave,
    save_workspace,
)

__all__ = [
    "Store", "get_store", "close_stores", "database_url", "data_dir", "describe",
    "SavedWorkspace", "new_library_key", "save_workspace", "list_workspaces", "open_workspace",
    "rename_workspace", "delete_workspace", "autosave", "restore_autosave", "clear_autosave",
    "purge_autosaves",
    "NewClass", "ClassInfo", "QuestionInfo", "Seat", "Receipt", "MyAnswer", "StudentQuestion",
    "StudentAnswer", "create_class", "class_info", "end_class", "post_question",
    "set_question_status", "list_questions", "question_results", "student_answers", "roster",
    "join_class", "resume_seat", "poll", "current_question", "my_answers", "submit_answer",
    "revealed_results",
]
