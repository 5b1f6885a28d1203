"""Feedback storage: a SQLite file by default, PostgreSQL when DATABASE_URL is set.

- SQLite runs in WAL mode with a busy timeout, so concurrent sessions write safely.
- The schema is created and upgraded by Alembic on first use (``migrate``).
- ``add`` is idempotent on ``submission_id``: a retry after an unclear failure stores once.
- Every database failure becomes a ``StoreError`` with a plain message; callers keep the
  visitor's text and offer a retry.
- A SQLite file deleted or replaced under the running app is noticed before every write and
  refused (``StoreError``): SQLite would otherwise keep writing to the deleted file, and the
  visitor would be thanked for words that are already gone.
- Moderation, coding, events, snapshots, limits and the audit log: methods below; the rules that
  use them live in moderation.py, coding.py, snapshots.py and limits.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, and_, create_engine, delete, event, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from ..errors import CptError
from .form import Submission
from .schema import AuditEntry, Code, Coded, Coding, Event, Feedback, RateEvent, SignInFailure, Snapshot

DEFAULT_SQLITE = Path(__file__).resolve().parents[2] / "data" / "feedback.sqlite"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


RETENTION_ENV = "CPT_RETENTION_DAYS"


def retention_days() -> int | None:
    """The retention setting: comments older than this many days are deleted (None: kept).
    The app applies it once a day; ``python -m cpt_public feedback purge`` applies it on demand."""
    value = os.environ.get(RETENTION_ENV, "").strip()
    if not value:
        return None
    try:
        days = int(value)
    except ValueError:
        raise CptError(f"{RETENTION_ENV} must be a whole number of days, not {value!r}") from None
    if days < 1:
        raise CptError(f"{RETENTION_ENV} must be at least 1 day")
    return days


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
            cur.execute("PRAGMA foreign_keys=ON")
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
    the loser finds it made and tries once more. SQLite runs migrations with foreign keys off:
    a batch migration copies a table and drops the old one, and with foreign keys on, that drop
    would cascade to every row that refers to it (SQLite's own advice for table rebuilds)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    sqlite_db = engine.dialect.name == "sqlite"
    with _MIGRATING:
        for attempt in (1, 2):
            try:
                with engine.connect() as conn:
                    if sqlite_db:
                        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, or ignored
                        conn.commit()  # ends SQLAlchemy's autobegun (empty) transaction
                    try:
                        with conn.begin():
                            cfg.attributes["connection"] = conn
                            command.upgrade(cfg, "head")
                    finally:
                        if sqlite_db:
                            conn.rollback()
                            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                            conn.commit()
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


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None (PostgreSQL, memory, a URI)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1]
    return None if not path or path == ":memory:" or path.startswith("file:") else Path(path)


class VanishedError(StoreError):
    """The SQLite file was deleted or replaced while the app was running."""


class FeedbackStore:
    def __init__(self, url: str | None = None):
        self.url = url or database_url()
        self.engine = make_engine(self.url)
        self._ready = False
        self._path = sqlite_path(self.url)
        self._identity: tuple[int, int] | None = None  # (device, inode) of the SQLite file once opened

    def _ensure(self) -> None:
        if not self._ready:
            migrate(self.engine)
            self._ready = True
            if self._path is not None:
                st = self._path.stat()
                self._identity = (st.st_dev, st.st_ino)
        self._check_file()

    def _check_file(self) -> None:
        """Refuse to go on if the SQLite file this process opened is gone or another file now has
        its name (deleted, moved, restored from a backup): writes would be lost or misplaced."""
        if self._identity is None:
            return
        try:
            st = self._path.stat()
        except FileNotFoundError:
            raise VanishedError(
                f"the feedback database {self._path} was deleted while the app was running; restart the app"
            ) from None
        if (st.st_dev, st.st_ino) != self._identity:
            raise VanishedError(
                f"the feedback database {self._path} was replaced while the app was running; restart the app"
            )

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
                    quote_ok=s.quote_ok,
                    answer_key=s.answer_key,
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

    # --- sign-in failures ----------------------------------------------------------------------

    @_once_more_if_dropped
    def record_failure(self, user: str, at: float, client: str | None = None) -> None:
        """A failed staff sign-in (user names are cut to the column's length)."""
        with self._available(), self.engine.begin() as conn:
            conn.execute(insert(SignInFailure).values(user_name=user[:64], at=at, client=client))

    @_once_more_if_dropped
    def failures_since(self, user: str | None, since: float, client: str | None = None) -> int:
        """Failed sign-ins since ``since``: for a user name, from a client, or both."""
        conditions = [SignInFailure.at >= since]
        if user is not None:
            conditions.append(SignInFailure.user_name == user[:64])
        if client is not None:
            conditions.append(SignInFailure.client == client)
        with self._available(), self.engine.connect() as conn:
            return conn.execute(select(func.count()).where(*conditions)).scalar_one()

    @_once_more_if_dropped
    def clear_failures(self, user: str) -> None:
        with self._available(), self.engine.begin() as conn:
            conn.execute(delete(SignInFailure).where(SignInFailure.user_name == user[:64]))

    # --- limits across sessions ----------------------------------------------------------------

    @_once_more_if_dropped
    def take_rate(self, client: str, now: float, windows: Iterable[tuple[float, int, int]]) -> str | None:
        """Record a submission from ``client`` unless a limit is reached. ``windows``: (seconds,
        most per client, most overall). Returns None when recorded, else "client" or "global".
        Counted and recorded in one transaction (SQLite: BEGIN IMMEDIATE holds the write lock;
        PostgreSQL: a transaction-scoped advisory lock), so simultaneous submissions cannot all
        slip under a limit."""
        windows = list(windows)
        longest = max(w for w, _, _ in windows)
        with self._available(), self.engine.connect() as conn:
            if self.engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.begin()
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4711)")
            try:
                for seconds, per_client, overall in windows:
                    since = now - seconds
                    mine = conn.execute(
                        select(func.count()).where(RateEvent.client == client, RateEvent.at >= since)
                    ).scalar_one()
                    if mine >= per_client:
                        conn.rollback()
                        return "client"
                    everyone = conn.execute(select(func.count()).where(RateEvent.at >= since)).scalar_one()
                    if everyone >= overall:
                        conn.rollback()
                        return "global"
                conn.execute(delete(RateEvent).where(RateEvent.at < now - longest))
                conn.execute(insert(RateEvent).values(client=client, at=now))
                conn.commit()
                return None
            except BaseException:
                conn.rollback()
                raise

    # --- reading ---------------------------------------------------------------------------------

    @_once_more_if_dropped
    def count(self, include_deleted: bool = False) -> int:
        with self._available(), Session(self.engine) as session:
            q = select(func.count(Feedback.id))
            if not include_deleted:
                q = q.where(Feedback.status != "deleted")
            return session.scalar(q) or 0

    @_once_more_if_dropped
    def frame(self, include_deleted: bool = False) -> pd.DataFrame:
        """All feedback, newest first (deleted comments left out unless asked for)."""
        with self._available(), self.engine.connect() as conn:
            q = select(Feedback).order_by(Feedback.created_at.desc(), Feedback.id.desc())
            if not include_deleted:
                q = q.where(Feedback.status != "deleted")
            # Not pd.read_sql: it wraps database errors in its own, hiding a dropped connection.
            result = conn.execute(q)
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        frame["created_at"] = pd.to_datetime(frame["created_at"])
        return frame

    @_once_more_if_dropped
    def page(
        self,
        *,
        station: str | None = None,
        event: str | None = None,
        source: str | None = None,
        status: str | None = None,
        search: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[pd.DataFrame, int]:
        """One page of feedback for staff review (newest first) and how many rows match in all.
        Deleted comments never appear. Filtering and paging happen in the database, so tens of
        thousands of rows cost no more than fifty."""
        conditions = [Feedback.status != "deleted"]
        for column, value in ((Feedback.station, station), (Feedback.event, event), (Feedback.source, source)):
            if value is not None:
                conditions.append(column == value)
        if status is not None:
            conditions.append(Feedback.status == status)
        if search:
            pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conditions.append(Feedback.comment.ilike(pattern, escape="\\"))
        where = and_(*conditions)
        with self._available(), self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(Feedback).where(where)).scalar_one()
            result = conn.execute(
                select(Feedback)
                .where(where)
                .order_by(Feedback.created_at.desc(), Feedback.id.desc())
                .offset(max(0, offset))
                .limit(max(1, limit))
            )
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        frame["created_at"] = pd.to_datetime(frame["created_at"])
        return frame, int(total)

    @_once_more_if_dropped
    def get(self, row_id: int) -> dict | None:
        with self._available(), self.engine.connect() as conn:
            row = conn.execute(select(Feedback).where(Feedback.id == int(row_id))).mappings().first()
            return dict(row) if row else None

    # --- moderation ------------------------------------------------------------------------------

    @_once_more_if_dropped
    def moderate(
        self,
        row_id: int,
        actor: str,
        *,
        status: str | None = None,
        comment: str | None = None,
        redactions: int | None = None,
        quote_chosen: bool | None = None,
        detail: str = "",
        action: str = "moderate",
        codings: list[tuple[int, int | None, int | None]] | None = None,
    ) -> None:
        """Change one comment and write the audit entry in the same transaction. ``codings``:
        (coding id, new start, new end) for excerpts moved by an edit; an id with start None and
        end -1 is deleted (its excerpt was removed). Deleting blanks the text and drops its codes."""
        values: dict = {"updated_at": dt.datetime.now(dt.UTC)}
        if status is not None:
            values["status"] = status
        if comment is not None:
            values["comment"] = comment
        if redactions is not None:
            values["redactions"] = redactions
        if quote_chosen is not None:
            values["quote_chosen"] = quote_chosen
        if status == "deleted":
            values.update(comment="", quote_chosen=False, quote_ok=False)
        with self._available(), self.engine.begin() as conn:
            changed = conn.execute(
                update(Feedback).where(Feedback.id == int(row_id), Feedback.status != "deleted").values(**values)
            ).rowcount
            if not changed:
                raise StoreError("that comment no longer exists")
            if status == "deleted":
                conn.execute(delete(Coding).where(Coding.feedback_id == int(row_id)))
                conn.execute(delete(Coded).where(Coded.feedback_id == int(row_id)))
            for coding_id, start, end in codings or []:
                if end == -1:
                    conn.execute(delete(Coding).where(Coding.id == coding_id))
                else:
                    conn.execute(update(Coding).where(Coding.id == coding_id).values(start=start, end=end))
            conn.execute(
                insert(AuditEntry).values(actor=actor, action=action, target=f"feedback:{row_id}", detail=detail)
            )

    @_once_more_if_dropped
    def audit(self, actor: str, action: str, target: str = "", detail: str = "") -> None:
        with self._available(), self.engine.begin() as conn:
            conn.execute(insert(AuditEntry).values(actor=actor[:64], action=action, target=target[:64], detail=detail))

    @_once_more_if_dropped
    def audit_frame(self, limit: int = 200) -> pd.DataFrame:
        with self._available(), self.engine.connect() as conn:
            result = conn.execute(select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    # --- codebook and coding ---------------------------------------------------------------------

    @_once_more_if_dropped
    def codes(self, include_retired: bool = False) -> pd.DataFrame:
        with self._available(), self.engine.connect() as conn:
            q = select(Code).order_by(func.lower(Code.name_en))
            if not include_retired:
                q = q.where(Code.retired.is_(False))
            result = conn.execute(q)
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    @_once_more_if_dropped
    def save_code(self, actor: str, code_id: int | None, **fields) -> int:
        """Add a code (``code_id`` None) or change one; names are unique in English."""
        with self._available(), self.engine.begin() as conn:
            clash = conn.execute(
                select(Code.id).where(func.lower(Code.name_en) == fields["name_en"].lower(), Code.id != (code_id or -1))
            ).first()
            if clash:
                raise StoreError(f"a code named {fields['name_en']!r} already exists")
            if code_id is None:
                code_id = conn.execute(insert(Code).values(**fields).returning(Code.id)).scalar_one()
                action = "code added"
            else:
                conn.execute(update(Code).where(Code.id == code_id).values(**fields))
                action = "code changed"
            conn.execute(insert(AuditEntry).values(actor=actor, action=action, target=f"code:{code_id}"))
            return int(code_id)

    @_once_more_if_dropped
    def codings(self, feedback_ids: Iterable[int] | None = None) -> pd.DataFrame:
        """Codings (id, feedback_id, code_id, coder, start, end) of live comments."""
        with self._available(), self.engine.connect() as conn:
            q = (
                select(Coding.id, Coding.feedback_id, Coding.code_id, Coding.coder, Coding.start, Coding.end)
                .join(Feedback, Feedback.id == Coding.feedback_id)
                .where(Feedback.status != "deleted")
                .order_by(Coding.feedback_id, Coding.id)
            )
            if feedback_ids is not None:
                q = q.where(Coding.feedback_id.in_([int(i) for i in feedback_ids]))
            result = conn.execute(q)
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    @_once_more_if_dropped
    def coded(self) -> pd.DataFrame:
        """Which coder finished which comment."""
        with self._available(), self.engine.connect() as conn:
            result = conn.execute(select(Coded.feedback_id, Coded.coder, Coded.at))
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    @_once_more_if_dropped
    def code_comment(
        self,
        feedback_id: int,
        coder: str,
        code_ids: Iterable[int],
        excerpts: Iterable[tuple[int, int, int]] = (),
        done: bool = True,
    ) -> None:
        """Replace one coder's codes on one comment: ``code_ids`` for the whole comment,
        ``excerpts`` as (code id, start, end); ``done`` marks the comment coded by them."""
        with self._available(), self.engine.begin() as conn:
            alive = conn.execute(
                select(Feedback.id).where(Feedback.id == int(feedback_id), Feedback.status != "deleted")
            ).first()
            if not alive:
                raise StoreError("that comment no longer exists")
            conn.execute(delete(Coding).where(Coding.feedback_id == feedback_id, Coding.coder == coder))
            rows = [{"feedback_id": feedback_id, "code_id": int(c), "coder": coder} for c in dict.fromkeys(code_ids)]
            rows += [
                {"feedback_id": feedback_id, "code_id": int(c), "coder": coder, "start": int(a), "end": int(b)}
                for c, a, b in excerpts
            ]
            for row in rows:
                conn.execute(insert(Coding).values(**row))
            conn.execute(delete(Coded).where(Coded.feedback_id == feedback_id, Coded.coder == coder))
            if done:
                conn.execute(insert(Coded).values(feedback_id=feedback_id, coder=coder))
            conn.execute(
                insert(AuditEntry).values(
                    actor=coder, action="coded", target=f"feedback:{feedback_id}", detail=f"{len(rows)} codes"
                )
            )

    # --- events and snapshots --------------------------------------------------------------------

    @_once_more_if_dropped
    def events(self) -> pd.DataFrame:
        with self._available(), self.engine.connect() as conn:
            result = conn.execute(select(Event).order_by(Event.created_at.desc()))
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    @_once_more_if_dropped
    def add_event(self, actor: str, code: str, walk: str | None, label: str) -> None:
        with self._available(), self.engine.begin() as conn:
            if conn.execute(select(Event.code).where(Event.code == code)).first():
                raise StoreError(f"the event code {code!r} is taken")
            conn.execute(insert(Event).values(code=code, walk=walk, label=label))
            conn.execute(insert(AuditEntry).values(actor=actor, action="event added", target=f"event:{code}"))

    @_once_more_if_dropped
    def set_event_open(self, actor: str, code: str, is_open: bool) -> None:
        with self._available(), self.engine.begin() as conn:
            conn.execute(update(Event).where(Event.code == code).values(open=is_open))
            action = "event opened" if is_open else "event closed"
            conn.execute(insert(AuditEntry).values(actor=actor, action=action, target=f"event:{code}"))

    @_once_more_if_dropped
    def open_event(self, code: str) -> bool:
        with self._available(), self.engine.connect() as conn:
            return conn.execute(select(Event.code).where(Event.code == code, Event.open.is_(True))).first() is not None

    @_once_more_if_dropped
    def publish_snapshot(self, actor: str, scope: str, payload: str) -> int:
        with self._available(), self.engine.begin() as conn:
            snap = conn.execute(
                insert(Snapshot).values(created_by=actor, scope=scope, payload=payload).returning(Snapshot.id)
            ).scalar_one()
            conn.execute(insert(AuditEntry).values(actor=actor, action="snapshot published", target=f"snapshot:{snap}"))
            return int(snap)

    @_once_more_if_dropped
    def withdraw_snapshot(self, actor: str, snapshot_id: int) -> None:
        with self._available(), self.engine.begin() as conn:
            conn.execute(update(Snapshot).where(Snapshot.id == snapshot_id).values(withdrawn=True))
            conn.execute(
                insert(AuditEntry).values(actor=actor, action="snapshot withdrawn", target=f"snapshot:{snapshot_id}")
            )

    @_once_more_if_dropped
    def snapshots(self, scope: str | None = None, include_withdrawn: bool = False) -> pd.DataFrame:
        """Published snapshots, newest first."""
        with self._available(), self.engine.connect() as conn:
            q = select(Snapshot).order_by(Snapshot.created_at.desc(), Snapshot.id.desc())
            if scope is not None:
                q = q.where(Snapshot.scope == scope)
            if not include_withdrawn:
                q = q.where(Snapshot.withdrawn.is_(False))
            result = conn.execute(q)
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    # --- retention -------------------------------------------------------------------------------

    @_once_more_if_dropped
    def purge(self, actor: str, before: dt.datetime) -> int:
        """Delete every comment (and its codes) created before ``before``, and old limit and
        sign-in records; published snapshots keep their frozen counts and chosen quotes only if
        staff withdraw them (they are not touched here). Returns how many comments went."""
        with self._available(), self.engine.begin() as conn:
            old = select(Feedback.id).where(Feedback.created_at < before)
            conn.execute(delete(Coding).where(Coding.feedback_id.in_(old)))
            conn.execute(delete(Coded).where(Coded.feedback_id.in_(old)))
            gone = conn.execute(delete(Feedback).where(Feedback.created_at < before)).rowcount
            cutoff = before.timestamp()
            conn.execute(delete(SignInFailure).where(SignInFailure.at < cutoff))
            conn.execute(delete(RateEvent).where(RateEvent.at < cutoff))
            conn.execute(
                insert(AuditEntry).values(
                    actor=actor, action="purged", target="feedback", detail=f"{gone} comments before {before:%Y-%m-%d}"
                )
            )
        if gone and self.engine.dialect.name == "sqlite":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM")  # the deleted words leave the file, not just the index
        return int(gone)

    def backup(self, target: Path) -> None:
        """A consistent copy of a SQLite store while the app runs (SQLite's online backup API)."""
        import sqlite3

        if self._path is None:
            raise StoreError("backups here are for a SQLite store; back up PostgreSQL with pg_dump")
        self._ensure()
        source = sqlite3.connect(self._path)
        try:
            dest = sqlite3.connect(target)
            with dest:
                source.backup(dest)
            dest.close()
        finally:
            source.close()
