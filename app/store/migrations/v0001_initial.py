"""Schema version 1: workspaces, autosaves, classes, questions, students, answers, rate limits.

Frozen: these table definitions are a copy of the schema as it was released, on purpose, so
later edits to app/store/schema.py never change what this step creates.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Connection,
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


def upgrade(conn: Connection, dialect: str) -> None:
    md = MetaData()
    Table("workspaces", md,
          Column("id", Integer, primary_key=True),
          Column("owner", String(64), nullable=False),
          Column("name", String(120), nullable=False),
          Column("name_key", String(120), nullable=False),
          Column("content", LargeBinary, nullable=False),
          Column("content_hash", String(64), nullable=False),
          Column("size", Integer, nullable=False),
          Column("created_at", Float, nullable=False),
          Column("updated_at", Float, nullable=False),
          UniqueConstraint("owner", "name_key", name="uq_workspaces_owner_name"))
    Table("autosaves", md,
          Column("session", String(64), primary_key=True),
          Column("content", LargeBinary, nullable=False),
          Column("content_hash", String(64), nullable=False),
          Column("size", Integer, nullable=False),
          Column("updated_at", Float, nullable=False))
    Table("classes", md,
          Column("id", Integer, primary_key=True),
          Column("code", String(8), nullable=False, unique=True),
          Column("title", String(120), nullable=False),
          Column("key_salt", String(32), nullable=False),
          Column("key_hash", String(64), nullable=False),
          Column("created_at", Float, nullable=False),
          Column("ended", Boolean, nullable=False, default=False))
    Table("questions", md,
          Column("id", Integer, primary_key=True),
          Column("class_id", Integer, ForeignKey("classes.id", ondelete="CASCADE"),
                 nullable=False),
          Column("number", Integer, nullable=False),
          Column("kind", String(32), nullable=False),
          Column("prompt", String(1000), nullable=False),
          Column("body", Text, nullable=False),
          Column("status", String(10), nullable=False),
          Column("created_at", Float, nullable=False),
          Column("updated_at", Float, nullable=False),
          UniqueConstraint("class_id", "number", name="uq_questions_class_number"),
          CheckConstraint("status IN ('draft', 'open', 'closed', 'revealed')",
                          name="ck_questions_status"))
    Table("students", md,
          Column("id", Integer, primary_key=True),
          Column("class_id", Integer, ForeignKey("classes.id", ondelete="CASCADE"),
                 nullable=False),
          Column("display_name", String(40), nullable=False),
          Column("name_key", String(40), nullable=False),
          Column("token_hash", String(64), nullable=False, unique=True),
          Column("joined_at", Float, nullable=False),
          UniqueConstraint("class_id", "name_key", name="uq_students_class_name"))
    Table("answers", md,
          Column("id", Integer, primary_key=True),
          Column("question_id", Integer, ForeignKey("questions.id", ondelete="CASCADE"),
                 nullable=False),
          Column("student_id", Integer, ForeignKey("students.id", ondelete="CASCADE"),
                 nullable=False),
          Column("submission_key", String(64), nullable=False),
          Column("answer", Text, nullable=False),
          Column("label", String(300), nullable=False),
          Column("correct", Boolean, nullable=False),
          Column("submitted_at", Float, nullable=False),
          UniqueConstraint("student_id", "submission_key", name="uq_answers_submission"),
          Index("ix_answers_question_student", "question_id", "student_id"))
    Table("rate_limits", md,
          Column("bucket", String(128), primary_key=True),
          Column("tokens", Float, nullable=False),
          Column("updated_at", Float, nullable=False))
    md.create_all(conn)
