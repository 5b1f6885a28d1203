"""Feedback storage: a SQLite file by default, PostgreSQL when DATABASE_URL is set.

- SQLite runs in WAL mode with a busy timeout, so concurrent sessions write safely.
- The schema is created and upgraded by Alembic on first use (``migrate``).
- ``add`` is idempotent on ``submission_id``: a retry after an unclear failure stores once.
- Every database failure becomes a ``StoreError`` with a plain message; callers keep the
  visitor's text and offer a retry.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, delete, event, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from ..errors import CptError
from .form import Submission
from .schema import Feedback, SignInFailure

DEFAULT_SQLITE = Path(__file__).resolve().parents[2] / "data" / "feedback.sqlite"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class StoreError(CptError):
    """The feedback could not be saved or read; nothing the visitor typed is lost by the caller."""


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"


def make_engine(url: str) -> Engine:
    if url.startswith("postgres://"):  # the form many hosts hand out
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):  # a URI names an existing file
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    # No pool_pre_ping: it costs a round trip on every save (measured: half the store's time on
    # PostgreSQL). A connection the server dropped (a restart, a failover) is noticed on use
    # instead, and the operation is tried once more on a fresh one (_once_more_if_dropped).
    return create_engine(
        url, pool_size=5, max_overflow=10, connect_args={"connect_timeout": 5} if "psycopg" in url else {}
    )


_MIGRATING = threading.Lock()  # Alembic's command API uses process-global context: one at a time


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest revision. Two processes may race to create it on first use;
    the loser finds it made and tries once more."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with _MIGRATING:
        for attempt in (1, 2):
            try:
                with engine.begin() as conn:
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                return
            except SQLAlchemyError:
                if attempt == 2:
                    raise


def _once_more_if_dropped(operation):
    """Run a store operation once more when it met a connection the database had dropped (a
    restart, a failover): the pool has then thrown that connection away. Every operation here is
    safe to repeat: saves are idempotent, and a failed statement was rolled back."""

    @functools.wraps(operation)
    def wrapper(self, *args, **kwargs):
        try:
            return operation(self, *args, **kwargs)
        except StoreError as exc:
            cause = exc.__cause__
            if isinstance(cause, DBAPIError) and cause.connection_invalidated:
                return operation(self, *args, **kwargs)
            raise

    return wrapper


class FeedbackStore:
    def __init__(self, url: str | None = None):
        self.url = url or database_url()
        self.engine = make_engine(self.url)
        self._ready = False

    def _ensure(self) -> None:
        if not self._ready:
            migrate(self.engine)
            self._ready = True

    @contextlib.contextmanager
    def _available(self) -> Iterator[None]:
        """The schema in place, and any database failure a StoreError with a plain message."""
        try:
            self._ensure()
            yield
        except SQLAlchemyError as exc:
            raise StoreError(f"the feedback database is not available ({type(exc.__cause__ or exc).__name__})") from exc
        except OSError as exc:
            raise StoreError(f"the feedback database is not available ({exc.strerror or exc})") from exc

    @_once_more_if_dropped
    def add(self, s: Submission) -> int:
        """Store a submission (already redacted and validated). Returns its row id.
        One autocommit statement — INSERT … ON CONFLICT (submission_id) DO NOTHING RETURNING id —
        is atomic on its own and makes a retried submission a no-op."""
        with self._available():
            dialect_insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
            stmt = (
                dialect_insert(Feedback)
                .values(
                    submission_id=s.submission_id,
                    source=s.source,
                    station=s.station,
                    event=s.event,
                    reflects=s.reflects,
                    comment=s.comment,
                    redactions=s.redactions,
                    connection=s.connection,
                    language=s.language,
                )
                .on_conflict_do_nothing(index_elements=["submission_id"])
                .returning(Feedback.id)
            )
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                row_id = conn.execute(stmt).scalar()
                if row_id is None:  # stored by an earlier attempt
                    row_id = conn.execute(
                        select(Feedback.id).where(Feedback.submission_id == s.submission_id)
                    ).scalar_one()
                return row_id

    @_once_more_if_dropped
    def set_themes(self, themes: dict[int, str]) -> None:
        """Save staff's theme tags (row id -> comma-separated tags)."""
        with self._available(), self.engine.begin() as conn:
            for row_id, tags in themes.items():
                conn.execute(update(Feedback).where(Feedback.id == int(row_id)).values(themes=tags))

    @_once_more_if_dropped
    def record_failure(self, user: str, at: float) -> None:
        """A failed staff sign-in (user names are cut to the column's length)."""
        with self._available(), self.engine.begin() as conn:
            conn.execute(insert(SignInFailure).values(user_name=user[:64], at=at))

    @_once_more_if_dropped
    def failures_since(self, user: str, since: float) -> int:
        with self._available(), self.engine.connect() as conn:
            return conn.execute(
                select(func.count()).where(SignInFailure.user_name == user[:64], SignInFailure.at >= since)
            ).scalar_one()

    @_once_more_if_dropped
    def clear_failures(self, user: str) -> None:
        with self._available(), self.engine.begin() as conn:
            conn.execute(delete(SignInFailure).where(SignInFailure.user_name == user[:64]))

    @_once_more_if_dropped
    def count(self) -> int:
        with self._available(), Session(self.engine) as session:
            return session.scalar(select(func.count(Feedback.id))) or 0

    @_once_more_if_dropped
    def frame(self) -> pd.DataFrame:
        """All feedback, newest first (for staff review and reporting back)."""
        with self._available(), self.engine.connect() as conn:
            # Not pd.read_sql: it wraps database errors in its own, hiding a dropped connection.
            result = conn.execute(select(Feedback).order_by(Feedback.created_at.desc(), Feedback.id.desc()))
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        frame["created_at"] = pd.to_datetime(frame["created_at"])
        return frame
