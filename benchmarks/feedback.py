"""Feedback writes under concurrency: the app's store vs raw INSERTs, on SQLite and PostgreSQL.

    python benchmarks/feedback.py [--writers 1 8 32] [--per-writer 50] [--postgres URL]

Each run starts from an empty table. "store" is FeedbackStore.add (an idempotent insert of a
submission already redacted and validated); "+limits" is what a visitor's save costs since the
limits across sessions: the limit check and record (one locked transaction) and the insert;
"raw" is one INSERT and commit per row with the database's own driver (sqlite3 / psycopg) into
the same table. The ratios say what the store's safety costs. Not a test: read the ratios, not
the seconds.
The PostgreSQL rows need --postgres or CPT_TEST_POSTGRES_URL (scripts/postgres-for-tests.sh).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from benchmarks._machine import save_results  # noqa: E402
from cpt_public.feedback.form import build, new_submission_id  # noqa: E402
from cpt_public.feedback.store import FeedbackStore  # noqa: E402

HERE = Path(__file__).resolve().parent
INSERT = (
    "INSERT INTO feedback (submission_id, source, station, reflects, comment, redactions, language) "
    "VALUES ({p}, 'visitor', 'systems_used', 'yes', {p}, 0, 'en')"
)


def fresh(url: str) -> FeedbackStore:
    store = FeedbackStore(url)
    store.count()  # migrate
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM feedback"))
    return store


def run(writers: int, per_writer: int, fn) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=writers) as pool:
        list(pool.map(fn, range(writers * per_writer)))
    return writers * per_writer / (time.perf_counter() - started)


def bench(kind: str, url: str, writers: int, per_writer: int) -> dict:
    store = fresh(url)
    subs = [
        build(
            new_submission_id(),
            station="systems_used",
            reflects="yes",
            language="en",
            connection=None,
            comment=f"It matched what I saw, comment {i}.",
        )
        for i in range(writers * per_writer)
    ]
    store_rate = run(writers, per_writer, lambda i: store.add(subs[i]))
    assert store.count() == len(subs), "a submission was lost"
    fresh(url)
    again = [dataclasses.replace(s, submission_id=new_submission_id()) for s in subs]
    no_limit = ((60, 10**9, 10**9),)  # counted and recorded, never reached

    def limited(i):
        assert store.take_rate(f"client-{i % writers}", time.time(), no_limit) is None
        store.add(again[i])

    limited_rate = run(writers, per_writer, limited)
    assert store.count() == len(subs), "a limited submission was lost"
    fresh(url)
    if kind == "sqlite":
        path = url.split("///", 1)[1]

        def raw(i):
            conn = sqlite3.connect(path, timeout=30)
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute(INSERT.format(p="?"), (new_submission_id(), f"raw {i}"))
            conn.commit()
            conn.close()
    else:
        import threading

        import psycopg

        local = threading.local()  # one connection per writer thread, like the store's pool

        def raw(i):
            if not hasattr(local, "conn"):
                local.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
            local.conn.execute(INSERT.format(p="%s"), (new_submission_id(), f"raw {i}"))

    raw_rate = run(writers, per_writer, raw)
    assert store.count() == len(subs), "a raw insert was lost"
    return {
        "database": kind,
        "writers": writers,
        "store_per_s": round(store_rate, 1),
        "limits_per_s": round(limited_rate, 1),
        "raw_per_s": round(raw_rate, 1),
        "raw_over_store": round(raw_rate / store_rate, 2),
        "raw_over_limits": round(raw_rate / limited_rate, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--per-writer", type=int, default=50)
    parser.add_argument("--postgres", default=os.environ.get("CPT_TEST_POSTGRES_URL"))
    parser.add_argument("--json", type=Path, default=HERE / "results" / "feedback.json")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{Path(tmp) / 'bench.sqlite'}")]
        if args.postgres:
            targets.append(("postgresql", args.postgres))
        else:
            print("(no PostgreSQL URL: SQLite only)")
        for kind, url in targets:
            for w in args.writers:
                rows.append(bench(kind, url, w, args.per_writer))
    print(
        f"{'database':<11} {'writers':>7} {'store/s':>9} {'+limits/s':>10} {'raw/s':>9} {'raw/store':>10} {'raw/+lim':>9}"
    )
    for r in rows:
        print(
            f"{r['database']:<11} {r['writers']:>7} {r['store_per_s']:>9.1f} {r['limits_per_s']:>10.1f} "
            f"{r['raw_per_s']:>9.1f} {r['raw_over_store']:>9.2f}x {r['raw_over_limits']:>8.2f}x"
        )
    save_results(args.json, rows=rows)


if __name__ == "__main__":
    main()
