"""The current database schema as SQLAlchemy Core tables (what the code reads and writes).

The migrations in ``app/store/migrations/`` build this schema step by step; a unit test checks
that a database migrated from empty has exactly these tables and columns. Times are Unix
seconds (float) so SQLite and PostgreSQL store and sort them the same way.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(100), nullable=False),
    Column("applied_at", Float, nullable=False),
)

# Saved workspaces: named files in a private library (owner = SHA-256 of the library key).
workspaces = Table(
    "workspaces", metadata,
    Column("id", Integer, primary_key=True),
    Column("owner", String(64), nullable=False),
    Column("name", String(120), nullable=False),
    Column("name_key", String(120), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("owner", "name_key", name="uq_workspaces_owner_name"),
)

# One autosave slot per browser session (session = SHA-256 of the session key).
autosaves = Table(
    "autosaves", metadata,
    Column("session", String(64), primary_key=True),
    Column("content", LargeBinary, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("updated_at", Float, nullable=False),
)

classes = Table(
    "classes", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(8), nullable=False, unique=True),
    Column("title", String(120), nullable=False),
    Column("key_salt", String(32), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("ended", Boolean, nullable=False, default=False),
)

questions = Table(
    "questions", metadata,
    Column("id", Integer, primary_key=True),
    Column("class_id", Integer, ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("prompt", String(1000), nullable=False),
    Column("body", Text, nullable=False),          # JSON: graph, parameters, solution
    Column("status", String(10), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("class_id", "number", name="uq_questions_class_number"),
    CheckConstraint("status IN ('draft', 'open', 'closed', 'revealed')",
                    name="ck_questions_status"),
)

students = Table(
    "students", metadata,
    Column("id", Integer, primary_key=True),
    Column("class_id", Integer, ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("display_name", String(40), nullable=False),
    Column("name_key", String(40), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("joined_at", Float, nullable=False),
    UniqueConstraint("class_id", "name_key", name="uq_students_class_name"),
)

# Every submission is kept (append-only); a student's latest one per question is what counts.
# A retried submission carries the same key, and the unique constraint makes it a no-op.
answers = Table(
    "answers", metadata,
    Column("id", Integer, primary_key=True),
    Column("question_id", Integer, ForeignKey("questions.id", ondelete="CASCADE"),
           nullable=False),
    Column("student_id", Integer, ForeignKey("students.id", ondelete="CASCADE"), nullable=False),
    Column("submission_key", String(64), nullable=False),
    Column("answer", Text, nullable=False),        # JSON of the normalised answer
    Column("label", String(300), nullable=False),  # how it shows in the distribution
    Column("correct", Boolean, nullable=False),
    Column("submitted_at", Float, nullable=False),
    UniqueConstraint("student_id", "submission_key", name="uq_answers_submission"),
    Index("ix_answers_question_student", "question_id", "student_id"),
)

# Token buckets for join attempts, shared by every app replica.
rate_limits = Table(
    "rate_limits", metadata,
    Column("bucket", String(128), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)
