"""The feedback tables (SQLAlchemy). Changes go through Alembic migrations in migrations/."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

STATUSES = ("new", "reviewed", "hidden", "deleted")  # every comment starts new


class Base(DeclarativeBase):
    pass


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Chosen by the form before the first attempt: a retried submission is stored once.
    submission_id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False)  # visitor | facilitator
    station: Mapped[str | None] = mapped_column(String(64))  # a finding/station id; None: general feedback
    event: Mapped[str | None] = mapped_column(String(64))  # an event code from the walk's posters
    reflects: Mapped[str | None] = mapped_column(String(16))  # yes | partly | no | not_sure
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")  # already redacted
    redactions: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    connection: Mapped[str | None] = mapped_column(String(32))  # lived_experience | provider | resident | other
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="new", server_default="new")
    # The visitor ticked "you may quote my words, without my name"; staff then choose quotes.
    quote_ok: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="0")
    quote_chosen: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="0")
    # One answer per session per station: a later answer from the same session replaces the
    # earlier one in every count. A random key per session and station, linked to nothing else.
    answer_key: Mapped[str | None] = mapped_column(String(64), index=True)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Code(Base):
    """A theme in the codebook, named and defined in both languages."""

    __tablename__ = "codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_en: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    name_es: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    definition_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    definition_es: Mapped[str] = mapped_column(Text, nullable=False, default="")
    retired: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Coding(Base):
    """A code applied by one coder to a whole comment (no span) or to an excerpt of it."""

    __tablename__ = "codings"
    __table_args__ = (Index("ix_codings_feedback", "feedback_id"), Index("ix_codings_code", "code_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), nullable=False)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), nullable=False)
    coder: Mapped[str] = mapped_column(String(64), nullable=False)
    start: Mapped[int | None] = mapped_column(Integer)  # character offsets in the comment; None: whole comment
    end: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Coded(Base):
    """A coder has finished coding a comment (with or without codes): what agreement compares."""

    __tablename__ = "coded"

    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True)
    coder: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Event(Base):
    """An event on a walk's posters: answers carrying its code are counted for it."""

    __tablename__ = "events"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    walk: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    open: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Snapshot(Base):
    """'What we heard' as staff published it: counts frozen and protected at that moment."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    scope: Mapped[str] = mapped_column(String(32), nullable=False, default="")  # an event code; "": every answer
    payload: Mapped[str] = mapped_column(Text, nullable=False)  # JSON: see snapshots.py
    withdrawn: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="0")


class AuditEntry(Base):
    """Who did what and when: moderation, coding, snapshots, sign-ins, exports, purges. Never
    the text a moderator removed."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    target: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="")


class RateEvent(Base):
    """One submission, for the limits per client and overall that hold across sessions and
    processes. ``client``: a keyed hash of the client's address, never the address; rows older
    than the longest limit window are deleted as new ones arrive."""

    __tablename__ = "rate_events"
    __table_args__ = (Index("ix_rate_events_client_at", "client", "at"), Index("ix_rate_events_at", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[float] = mapped_column(Float, nullable=False)


class SignInFailure(Base):
    """A failed staff sign-in. Kept in the database so that every app process behind a proxy
    counts the same failures (a per-process count could be spread across processes)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_user_at", "user_name", "at"),
        Index("ix_sign_in_failures_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_name: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[float] = mapped_column(Float, nullable=False)  # seconds since the epoch (every process's clock)
    client: Mapped[str | None] = mapped_column(String(64))  # keyed hash of the client's address
