"""Page speed: time until each page is interactive in Chromium, next to a one-line Streamlit page.

    python benchmarks/pages.py [--repeat 5] [--json benchmarks/results/pages.json]

Two servers run side by side: the app on the shipped release and benchmarks/bare_app.py. For
every page, ``repeat`` loads are timed, interleaved with loads of the bare page, each in a new
browser context (an empty cache: a first-time visitor). A load is timed from navigation to the
page being interactive: the script has finished, the websocket is connected and the page's title
is on screen. Pages with a chart are also timed until the chart is drawn (Vega has rendered it
and set its text alternative), which the bare page has no counterpart for; and each page is
opened a second time by the same visitor (scripts now in the browser's cache, as when a phone
moves between stations). Medians are kept.

Also timed: the server time of a rerun after a filter change (the websocket client of
benchmarks/wsclient.py changes the finding and the 'compare by' filter), next to a rerun of the
bare page. Target: every page <= 1.5x the bare page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._machine import save_results  # noqa: E402
from benchmarks.serve import BARE_APP, ROOT, streamlit_server  # noqa: E402
from benchmarks.wsclient import Visitor  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning'][data-test-connection-state='CONNECTED']"
PAGES = {
    "home": "/",
    "findings": "/findings",
    "briefing": "/briefing",
    "walk (station)": "/walk?station=2",
    "share your view": "/feedback",
    "about": "/about",
    "staff sign-in": "/staff",
}
CHART_PAGES = {"findings", "briefing", "walk (station)"}


def load(browser, url: str, ready: str, drawn: str | None = None) -> tuple[float, float, float]:
    """(seconds until interactive, seconds until its chart is drawn — the same if it has none,
    seconds until interactive when the same visitor opens the page again: scripts cached)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(IDLE, timeout=60_000)
        page.wait_for_selector(ready, timeout=60_000)
        interactive = time.perf_counter() - started
        if drawn:
            page.wait_for_selector(drawn, timeout=60_000)
        chart = time.perf_counter() - started
        again = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(IDLE, timeout=60_000)
        page.wait_for_selector(ready, timeout=60_000)
        return interactive, chart, time.perf_counter() - again
    finally:
        context.close()


def rerun_times(base: str, repeat: int) -> tuple[list[float], list[float]]:
    finding, compare = [], []
    with Visitor(base) as v:
        run = v.open("findings", lang="en")
        options = run.options["finding"]
        for i in range(repeat):
            v.set("finding", options[(i % (len(options) - 1)) + 1])
            finding.append(v.rerun().seconds)
        v.set("finding", "Who are the multi-system users?")
        v.rerun()
        for i in range(repeat):
            v.set("demographics_group", ["Gender" if i % 2 == 0 else "Age group"])
            compare.append(v.rerun().seconds)
    return finding, compare


def bare_reruns(base: str, repeat: int) -> list[float]:
    with Visitor(base) as v:
        v.open("")
        return [v.rerun().seconds for _ in range(repeat)]


def main() -> None:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(
            f"page speed needs Debian's Chromium at {CHROMIUM}: apt-get install chromium "
            "(.ci/run installs it too; nothing is downloaded)"
        )
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=Path(__file__).resolve().parent / "results" / "pages.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "CPT_RELEASE_DIR": str(ROOT / "published_data"),
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'fb.sqlite'}",
            "CPT_DEMO_STAFF": None,
        }
        with streamlit_server(env=env) as (app, _), streamlit_server(BARE_APP) as (bare, _), sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            for path in PAGES.values():  # warm both servers (caches filled, as on a server that has been up)
                load(browser, app + path, "h1")
            load(browser, bare, "[data-testid='stMarkdownContainer']")
            times: dict[str, list[float]] = {name: [] for name in PAGES}
            drawn: dict[str, list[float]] = {name: [] for name in PAGES}
            again: dict[str, list[float]] = {name: [] for name in PAGES}
            bare_times: list[float] = []
            bare_again: list[float] = []
            for _ in range(args.repeat):
                for name, path in PAGES.items():
                    t, _, a = load(browser, bare, "[data-testid='stMarkdownContainer']")
                    bare_times.append(t)
                    bare_again.append(a)
                    chart = "[data-testid='stVegaLiteChart'][aria-label]" if name in CHART_PAGES else None
                    t, d, a = load(browser, app + path, "h1", chart)
                    times[name].append(t)
                    drawn[name].append(d)
                    again[name].append(a)
            browser.close()
            finding, compare = rerun_times(app, args.repeat * 3)
            bare_rerun = bare_reruns(bare, args.repeat * 3)
    base, base_again = statistics.median(bare_times), statistics.median(bare_again)
    rows = [
        {
            "page": name,
            "median_s": round(statistics.median(t), 3),
            "ratio": round(statistics.median(t) / base, 2),
            "again_s": round(statistics.median(again[name]), 3),
            "again_ratio": round(statistics.median(again[name]) / base_again, 2),
            "chart_drawn_s": round(statistics.median(drawn[name]), 3) if name in CHART_PAGES else None,
            "chart_drawn_ratio": round(statistics.median(drawn[name]) / base, 2) if name in CHART_PAGES else None,
        }
        for name, t in times.items()
    ]
    reruns = {"change finding": statistics.median(finding), "change 'compare by'": statistics.median(compare)}
    bare_rr = statistics.median(bare_rerun)
    print(
        f"{'page':<18} {'first visit s':>13} {'vs bare':>8} {'again s':>8} {'vs bare':>8} {'chart drawn s':>13} {'vs bare':>8}"
    )
    print(f"{'(bare page)':<18} {base:>13.3f} {1:>7.2f}x {base_again:>8.3f} {1:>7.2f}x")
    for r in rows:
        extra = f" {r['chart_drawn_s']:>13.3f} {r['chart_drawn_ratio']:>7.2f}x" if r["chart_drawn_s"] else ""
        print(
            f"{r['page']:<18} {r['median_s']:>13.3f} {r['ratio']:>7.2f}x {r['again_s']:>8.3f} {r['again_ratio']:>7.2f}x{extra}"
        )
    print()
    print(f"{'rerun (server)':<22} {'median s':>9} {'vs bare rerun':>13}")
    print(f"{'(bare page rerun)':<22} {bare_rr:>9.3f} {1:>12.2f}x")
    for name, t in reruns.items():
        print(f"{name:<22} {t:>9.3f} {t / bare_rr:>12.1f}x")
    save_results(
        args.json,
        repeat=args.repeat,
        bare_s=round(base, 3),
        bare_again_s=round(base_again, 3),
        pages=rows,
        reruns={k: {"median_s": round(v, 4), "ratio": round(v / bare_rr, 1)} for k, v in reruns.items()},
        bare_rerun_s=round(bare_rr, 4),
    )


if __name__ == "__main__":
    main()
