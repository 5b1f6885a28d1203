"""Concurrent visitors: 10, 25 and 50 at once, browsing and leaving feedback.

    python benchmarks/visitors.py [--visitors 10 25 50] [--think 1.0] [--database-url URL]
                                  [--json benchmarks/results/visitors.json]

Every level gets a fresh server. One warm-up visitor walks the journey first (caches filled, as
on a server that has been up a while) and stays connected; then N visitors start together
(a barrier) and each, as a phone at a data walk would:

  fetches the page and its script bundles, opens Home, opens Findings, changes the finding
  twice, opens a walk station, opens Share your view and sends a comment,

pausing ``think`` seconds (uniform 0.5x-1.5x) between steps — far less than a person reads, so
this is a stress, not an average. Each step's time is from sending the request to the server's
``script_finished`` (benchmarks/wsclient.py speaks Streamlit's own websocket protocol).

Reported per level: p50/p95/max step latency, errors (a refused or failed step, an exception on
the page, a comment not thanked), server memory per extra session (resident memory with all N
connected, minus before, over N), and every comment accounted for in the database.

Baseline, in the same run: the same N visitors on a one-line Streamlit page (benchmarks/bare_app.py),
with the same number of steps and pauses. Targets: p95 < 2 s, zero errors, < 15 MB per extra
session at 50 visitors.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._machine import save_results  # noqa: E402
from benchmarks.serve import BARE_APP, ROOT, rss_mb, streamlit_server  # noqa: E402
from benchmarks.wsclient import Visitor, VisitorError, fetch_site  # noqa: E402

SEND = "FormSubmitter:fb_form_general-Send"


@contextlib.contextmanager
def arrive(base: str, loads: list[float], keep: list | None) -> Iterator[Visitor]:
    """A visitor's first load of the site (timed into ``loads``), then their session: closed on
    leaving, unless kept open in ``keep`` to read the server's memory with everyone connected."""
    seconds, _, cookie = fetch_site(base)
    loads.append(seconds)
    v = Visitor(base, cookie=cookie)
    if keep is not None:
        keep.append(v)
        yield v
    else:
        with contextlib.closing(v):
            yield v


def journey(base: str, tag: str, pause, keep: list | None) -> tuple[list[float], list[float], list[str], bool]:
    """One visitor's steps. Returns (seconds of each page run, seconds of the first load of the page
    and its bundles, errors, whether the comment was thanked); the
    connection stays open in ``keep`` (closed by the caller once memory is read) if given."""
    times: list[float] = []
    loads: list[float] = []
    errors: list[str] = []
    thanked = False
    try:
        with arrive(base, loads, keep) as v:

            def step(run):
                times.append(run.seconds)
                errors.extend(run.exceptions)
                pause()
                return run

            step(v.open("", lang="en"))
            run = step(v.open("findings", lang="en"))
            for choice in random.sample(run.options["finding"][1:], 2):
                v.set("finding", choice)
                step(v.rerun())
            step(v.open("walk", lang="en", walk="residents-2026-03", station="2"))
            step(v.open("feedback", lang="en"))
            v.set("fb_reflects_general", "Partly")
            v.set("fb_comment_general", f"load test {tag}")
            run = v.click(SEND)
            times.append(run.seconds)
            errors.extend(run.exceptions)
            thanked = run.has("Thank you")
            if not thanked:
                errors.append(
                    f"comment not thanked: {[t for t in run.texts if 'sorry' in t.lower() or 'wait' in t.lower()]}"
                )
    except (VisitorError, OSError) as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    return times, loads, errors, thanked


def bare_journey(base: str, tag: str, pause, keep: list | None) -> tuple[list[float], list[float], list[str], bool]:
    """The same number of steps and pauses against the one-line page."""
    times: list[float] = []
    loads: list[float] = []
    errors: list[str] = []
    try:
        with arrive(base, loads, keep) as v:
            for _ in range(7):
                run = v.open("")
                times.append(run.seconds)
                errors.extend(run.exceptions)
                pause()
    except (VisitorError, OSError) as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    return times, loads, errors, True


def level(script: Path, n: int, think: float, walk, env: dict, tag: str) -> dict:
    with (
        tempfile.TemporaryDirectory() as tmp,
        streamlit_server(script, env=env, log=Path(tmp) / "server.log") as (base, proc),
    ):
        walk(base, f"{tag}-warmup", lambda: None, None)  # fill the caches; its session ends here
        connected: list[Visitor] = []  # every session stays connected until memory is read
        walk(base, f"{tag}-warm", lambda: None, connected)  # one connected session: the memory baseline
        time.sleep(2)
        before = rss_mb(proc.pid)
        results: list = [None] * n
        barrier = threading.Barrier(n)

        def visitor(i: int) -> None:
            rng = random.Random(i)
            barrier.wait()
            results[i] = walk(base, f"{tag}-{i}", lambda: time.sleep(think * rng.uniform(0.5, 1.5)), connected)

        threads = [threading.Thread(target=visitor, args=(i,)) for i in range(n)]
        started = time.perf_counter()
        cpu0 = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        wall = time.perf_counter() - started
        client_cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - cpu0
        time.sleep(2)
        after = rss_mb(proc.pid)
        for v in connected:
            v.close()
        log = (Path(tmp) / "server.log").read_text()
    done = [r for r in results if r is not None]
    steps = sorted(s for times, _, _, _ in done for s in times)
    loads = sorted(s for _, ls, _, _ in done for s in ls)
    errors = [e for _, _, errs, _ in done for e in errs] + ["visitor did not finish"] * (n - len(done))
    q, ql = pct(steps), pct(loads)
    tracebacks = log.count("Traceback (most recent call last)")
    if tracebacks:
        print(
            f"-- the server logged {tracebacks} traceback(s) for {script.name}; the last:\n"
            + log[log.rindex("Traceback") :][:3000],
            file=sys.stderr,
        )
    return {
        "visitors": n,
        "server_tracebacks": tracebacks,
        "steps": len(steps),
        "p50_s": round(q[49], 3),
        "p95_s": round(q[94], 3),
        "max_s": round(steps[-1], 3),
        "first_load_p50_s": round(ql[49], 3),
        "first_load_p95_s": round(ql[94], 3),
        "client_cpu_s": round(client_cpu, 1),
        "errors": len(errors),
        "error_samples": errors[:5],
        "thanked": sum(1 for *_, ok in done if ok),
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "mb_per_session": round((after - before) / n, 2),
        "wall_s": round(wall, 1),
    }


def pct(values: list[float]) -> list[float]:
    return statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99


def run_tag() -> str:
    """Eight random letters naming this run's comments. Letters only: a run of digits in a
    comment can look like a phone number or an ID to the redaction, and a redacted tag is not
    counted."""
    return uuid.uuid4().hex[:8].translate(str.maketrans("0123456789", "ghijklmnop"))


def count_comments(url: str, prefix: str) -> int:
    from sqlalchemy import func, select

    from cpt_public.feedback.schema import Feedback
    from cpt_public.feedback.store import FeedbackStore

    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists():
        raise SystemExit(f"the feedback database {url} does not exist: the server wrote somewhere else")
    store = FeedbackStore(url)
    store.count()  # schema in place
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).where(Feedback.comment.like(f"{prefix}%"))).scalar_one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, nargs="+", default=[10, 25, 50])
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a visitor's steps, seconds")
    parser.add_argument("--database-url", help="feedback database (default: a fresh SQLite file per run)")
    parser.add_argument("--json", type=Path, default=Path(__file__).resolve().parent / "results" / "visitors.json")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db = args.database_url or f"sqlite:///{Path(tmp) / 'feedback.sqlite'}"
        env = {"CPT_RELEASE_DIR": str(ROOT / "published_data"), "DATABASE_URL": db, "CPT_DEMO_STAFF": None}
        for n in args.visitors:
            tag = run_tag()
            app = level(ROOT / "app.py", n, args.think, journey, env, tag)
            stored = count_comments(db, f"load test {tag}-") - 2  # less the warm-up visitors' two
            app["stored"] = stored
            app["all_accounted"] = stored == app["thanked"] == n
            bare = level(BARE_APP, n, args.think, bare_journey, env, tag)
            rows.append(
                {
                    "visitors": n,
                    "app": app,
                    "bare": bare,
                    "p95_ratio": round(app["p95_s"] / bare["p95_s"], 2) if bare["p95_s"] else None,
                }
            )
            print_row(rows[-1])
    print()
    print(
        f"{'visitors':>8} {'p50 s':>6} {'p95 s':>6} {'max s':>6} {'errors':>6} {'MB/session':>10} {'stored':>7} "
        f"{'bare p95 s':>10} {'bare MB/s.':>10} {'p95 ratio':>9}"
    )
    for r in rows:
        a, b = r["app"], r["bare"]
        print(
            f"{r['visitors']:>8} {a['p50_s']:>6.2f} {a['p95_s']:>6.2f} {a['max_s']:>6.2f} {a['errors']:>6} "
            f"{a['mb_per_session']:>10.2f} {a['stored']:>4}/{r['visitors']:<2} {b['p95_s']:>10.3f} "
            f"{b['mb_per_session']:>10.2f} {r['p95_ratio']:>8.1f}x"
        )
    save_results(
        args.json, think_s=args.think, database="postgresql" if db.startswith("postgres") else "sqlite", rows=rows
    )


def print_row(r: dict) -> None:
    a = r["app"]
    print(
        f"{r['visitors']} visitors: p50 {a['p50_s']:.2f} s, p95 {a['p95_s']:.2f} s, errors {a['errors']}, "
        f"{a['mb_per_session']:.1f} MB/session, stored {a['stored']}/{r['visitors']}"
        + (f"; e.g. {a['error_samples'][0]}" if a["error_samples"] else ""),
        flush=True,
    )


if __name__ == "__main__":
    main()
