"""Feedback: the form's rules, and storage on SQLite and PostgreSQL (both in CI)."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from cpt_public.feedback.form import MAX_COMMENT, RATE_MAX, FormError, RateLimiter, build, new_submission_id
from cpt_public.feedback.store import FeedbackStore, StoreError
from tests.conftest import admin_sql


def submission(comment="It matches what I saw.", **kw):
    values = dict(station="systems_used", reflects="yes", comment=comment, connection="resident", language="en")
    values.update(kw)
    return build(new_submission_id(), **values)


# ----------------------------------------------------------------------------- form rules


def test_comment_is_redacted_before_it_is_stored():
    s = submission("My name is Ana Ruiz, call 919-555-0134")
    assert s.comment == "My name is [name], call [phone]" and s.redactions == 2


@pytest.mark.parametrize(
    "values,key",
    [
        (dict(reflects=None, comment="  "), "form_empty"),
        (dict(reflects="maybe"), "form_invalid"),
        (dict(connection="mayor"), "form_invalid"),
        (dict(comment="x" * (MAX_COMMENT + 1)), "form_too_long"),
        (dict(station="nope", stations={"systems_used"}), "form_invalid"),
    ],
)
def test_bad_form_values_are_refused(values, key):
    with pytest.raises(FormError, match=key):
        submission(**values)


def test_rate_limiter():
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    for _ in range(RATE_MAX):
        assert limiter.check() is None
        limiter.record()
        now[0] += 5
    assert limiter.check() == "form_rate_limited"
    now[0] += 601
    assert limiter.check() is None


# ----------------------------------------------------------------------------- storage, both databases


def test_store_round_trip_and_migrations(db_url):
    store = FeedbackStore(db_url)
    s = submission("It matches, mostly.")
    row = store.add(s)
    frame = store.frame()
    assert len(frame) == 1 and frame["id"].iat[0] == row and frame["comment"].iat[0] == "It matches, mostly."
    with store.engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "0004"


def test_a_retried_submission_is_stored_once(db_url):
    store = FeedbackStore(db_url)
    s = submission()
    assert store.add(s) == store.add(s)
    assert store.count() == 1


def test_fifty_concurrent_submissions_lose_nothing(db_url):
    store = FeedbackStore(db_url)
    subs = [submission(f"comment {i}") for i in range(50)]
    with ThreadPoolExecutor(max_workers=50) as pool:
        ids = list(pool.map(store.add, subs))
    assert len(set(ids)) == 50 and store.count() == 50
    assert set(store.frame()["comment"]) == {f"comment {i}" for i in range(50)}


def test_concurrent_writers_from_separate_stores(db_url):
    """Several app processes (here: separate engines) writing at once."""
    stores = [FeedbackStore(db_url) for _ in range(5)]
    stores[0].count()  # migrate once first, as the first visitor would
    subs = [submission(f"c{i}") for i in range(50)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda i: stores[i % 5].add(subs[i]), range(50)))
    assert stores[0].count() == 50


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_database_that_is_down_raises_a_clear_error():
    store = FeedbackStore(f"postgresql+psycopg://nobody:x@127.0.0.1:{_closed_port()}/none")
    with pytest.raises(StoreError, match="not available"):
        store.add(submission())


def test_a_read_only_sqlite_database_raises_a_clear_error(tmp_path):
    path = tmp_path / "feedback.sqlite"
    FeedbackStore(f"sqlite:///{path}").count()  # create it
    store = FeedbackStore(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(StoreError, match="not available"):
        store.add(submission())
    assert not (Path.cwd() / "file:").exists()  # the URI was not taken for a folder to create


def test_a_read_only_postgresql_database_raises_a_clear_error(pg_url):
    FeedbackStore(pg_url).count()  # schema in place
    admin_sql(pg_url, "ALTER DATABASE cpt_test SET default_transaction_read_only = on")
    with pytest.raises(StoreError, match="not available"):
        FeedbackStore(pg_url).add(submission())
    admin_sql(pg_url, "ALTER DATABASE cpt_test RESET default_transaction_read_only")
    assert FeedbackStore(pg_url).add(submission()) > 0  # the retry succeeds once it is writable again


def test_a_save_after_the_database_dropped_its_connections_succeeds(pg_url):
    """A PostgreSQL restart or failover drops pooled connections; the next save is not an error."""
    store = FeedbackStore(pg_url)
    store.add(submission())  # the pool now holds an open connection
    admin_sql(
        pg_url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    assert store.add(submission()) > 0
    assert store.count() == 2
    admin_sql(
        pg_url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    assert len(store.frame()) == 2  # reads too


def test_submit_reports_each_outcome(tmp_path):
    from cpt_public.feedback.service import submit

    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite'}")
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    values = dict(station=None, reflects="yes", comment="ok", connection=None, language="es")
    ok = submit(store, limiter, new_submission_id(), **values)
    assert ok.ok and ok.message_key == "fb_thanks" and not ok.redacted
    for _ in range(RATE_MAX - 1):
        assert submit(store, limiter, new_submission_id(), **values).ok
    assert submit(store, limiter, new_submission_id(), **values).message_key == "form_rate_limited"
    now[0] += 601
    assert (
        submit(store, limiter, new_submission_id(), **{**values, "reflects": None, "comment": ""}).message_key
        == "form_empty"
    )
    assert store.count() == RATE_MAX


def test_the_same_words_sent_again_at_once_are_stored_once(tmp_path):
    """A double click arrives with a new submission id; the repeat guard catches it."""
    from cpt_public.feedback.form import REPEAT_WINDOW_S, RepeatGuard
    from cpt_public.feedback.service import submit

    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite'}")
    now = [0.0]
    guard, limiter = RepeatGuard(clock=lambda: now[0]), RateLimiter(clock=lambda: now[0])
    values = {"station": "systems_used", "reflects": "no", "comment": "Twice?", "connection": None, "language": "en"}
    first = submit(store, limiter, new_submission_id(), guard, **values)
    again = submit(store, limiter, new_submission_id(), guard, **values)
    assert first.ok and again == first and store.count() == 1
    assert submit(store, limiter, new_submission_id(), guard, **{**values, "comment": "Something else"}).ok
    assert store.count() == 2
    now[0] += REPEAT_WINDOW_S + 1
    assert submit(store, limiter, new_submission_id(), guard, **{**values, "comment": "Something else"}).ok
    assert store.count() == 3  # the same words later are a new comment


def test_what_we_heard_suppresses_small_counts_like_published_tables():
    """A snapshot's counts pass the release's own audit, zeros included: no hidden answer count
    (3 No, 0 Not sure) can be worked out from what is shown."""
    import numpy as np
    import pandas as pd

    from cpt_public.feedback.snapshots import CELLS, station_counts
    from cpt_public.release.protect.audit import audit_hidden

    rows = [("s1", "yes")] * 30 + [("s1", "partly")] * 14 + [("s1", "no")] * 3 + [("s2", "yes")] * 4
    frame = pd.DataFrame({"station": [r[0] for r in rows], "reflects": [r[1] for r in rows]})
    s1, s2 = station_counts(frame, threshold=11, protection_range=11)
    hidden = np.array([s1["counts"][c] is None for c in CELLS])
    assert hidden[2] and hidden[3] and s1["enough"]  # 3 and the zero beside it are hidden
    inc = np.vstack([np.eye(4, dtype=bool), np.ones((1, 4), dtype=bool)])
    values = np.array([30, 14, 3, 0, 47])
    results = audit_hidden(inc[~hidden], values[~hidden], inc[hidden], 11, 11)
    assert all(r.ok for r in results)
    assert not s2["enough"] and all(v is None for v in s2["counts"].values())  # only 4 answers: nothing shown


def old_database(url: str, revision: str, *rows: tuple[str, dict]) -> None:
    """A database migrated only to ``revision``, with ``rows`` (SQL, parameters) written to it."""
    from alembic import command
    from alembic.config import Config

    from cpt_public.feedback.store import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with FeedbackStore(url).engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        for sql, params in rows:
            conn.execute(text(sql), params)


def test_old_theme_tags_become_codes_in_the_codebook(tmp_path):
    """Staff's free-text tags (migration 0002) are carried into the codebook, applied to whole
    comments, when the database is upgraded: nothing staff did is lost."""
    url = f"sqlite:///{tmp_path / 'tags.sqlite'}"
    insert = (
        "INSERT INTO feedback (submission_id, source, comment, redactions, language, themes) "
        "VALUES (:s, 'visitor', 'words', 0, 'en', :t)"
    )
    tags = ["housing, waiting lists", "Housing", ""]
    old_database(url, "0003", *((insert, {"s": f"s{i}", "t": t}) for i, t in enumerate(tags)))
    upgraded = FeedbackStore(url)
    codes = upgraded.codes()
    assert sorted(codes["name_en"]) == ["housing", "waiting lists"]
    codings = upgraded.codings()
    assert len(codings) == 3 and set(codings["coder"]) == {"tags"} and codings["start"].isna().all()


def test_an_old_database_is_upgraded(tmp_path):
    """A database made by the first migration gets the new column and keeps its rows."""
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    insert = (
        "INSERT INTO feedback (submission_id, source, comment, redactions, language) "
        "VALUES ('x', 'visitor', 'kept', 0, 'en')"
    )
    old_database(url, "0001", (insert, {}))
    assert FeedbackStore(url).frame()["comment"].tolist() == ["kept"]
