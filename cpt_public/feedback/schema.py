"""The feedback tables (SQLAlchemy). Changes go through Alembic migrations in migrations/."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, Index, Integer, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Chosen by the form before the first attempt: a retried submission is stored once.
    submission_id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False)  # visitor | facilitator
    station: Mapped[str | None] = mapped_column(String(64))  # a finding/station id; None: general feedback
    event: Mapped[str | None] = mapped_column(String(64))
    reflects: Mapped[str | None] = mapped_column(String(16))  # yes | partly | no | not_sure
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")  # already redacted
    redactions: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    connection: Mapped[str | None] = mapped_column(String(32))  # lived_experience | provider | resident | other
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    themes: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")  # staff's tags


class SignInFailure(Base):
    """A failed staff sign-in. Kept in the database so that every app process behind a proxy
    counts the same failures (a per-process count could be spread across processes)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_user_at", "user_name", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_name: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[float] = mapped_column(Float, nullable=False)  # seconds since the epoch (every process's clock)
