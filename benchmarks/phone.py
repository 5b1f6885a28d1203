"""A walk station on a budget phone over venue Wi-Fi: the light page, the Streamlit station and a
one-line Streamlit page, side by side in the same run.

    python benchmarks/phone.py [--repeat 3] [--json benchmarks/results/phone.json]

The throttled-phone profile (issue "Every audience, every screen"): 1.6 Mbps down, 750 kbps
up, 150 ms round trip, the CPU slowed 4x (Chrome DevTools' network and CPU emulation, as
Lighthouse's mobile profile does), a 390x844 screen, an empty cache (a first QR scan). Each load
is timed from navigation until the page can be used:

- the light station (``/s/<walk>/<n>``, served by serve.py): the load event — the page has no
  script, so once it has loaded its form works;
- the Streamlit station (``/walk?…``): the app connected and idle with the station's Send button
  on screen;
- the bare page (benchmarks/bare_app.py): connected and idle with its one line on screen.

Bytes are what crossed the network: every response's encoded length (headers and compressed
bodies, from the DevTools protocol) plus the websocket messages received. Loads are
interleaved (bare, Streamlit station, light station, …) so the machine's noise falls on all
three alike; medians are kept. Targets: the light station interactive in <= 3 s with < 100 KB.
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

CHROMIUM = "/usr/bin/chromium"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning'][data-test-connection-state='CONNECTED']"
PROFILE = {  # bytes per second for the DevTools protocol
    "download_bps": 1_600_000 // 8,
    "upload_bps": 750_000 // 8,
    "latency_ms": 150,
    "cpu_slowdown": 4,
}
PHONE = {"width": 390, "height": 844}
TARGET_S, TARGET_KB = 3.0, 100


def throttled_load(browser, url: str, ready: str | None) -> tuple[float, int, int]:
    """(seconds until usable, bytes transferred, requests) for one first visit on the profile."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": PROFILE["latency_ms"],
            "downloadThroughput": PROFILE["download_bps"],
            "uploadThroughput": PROFILE["upload_bps"],
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": PROFILE["cpu_slowdown"]})
    received = {"bytes": 0, "requests": 0}

    def finished(event) -> None:
        received["bytes"] += int(event.get("encodedDataLength", 0))
        received["requests"] += 1

    def frame(event) -> None:
        received["bytes"] += len(event.get("response", {}).get("payloadData", ""))

    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.webSocketFrameReceived", frame)
    try:
        started = time.perf_counter()
        page.goto(url, wait_until="load", timeout=120_000)
        if ready:
            page.wait_for_selector(IDLE, timeout=120_000)
            page.wait_for_selector(ready, timeout=120_000)
        seconds = time.perf_counter() - started
        page.wait_for_timeout(300)  # the last loadingFinished events arrive
        return seconds, received["bytes"], received["requests"]
    finally:
        context.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"the phone benchmark needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=Path(__file__).resolve().parent / "results" / "phone.json")
    parser.add_argument("--walk", default=None, help="walk id (default: the content's first walk)")
    parser.add_argument("--station", type=int, default=2)
    args = parser.parse_args()
    from cpt_public.site.content import load_content

    walk = args.walk or load_content().walks.walk[0].id
    pages = {
        "bare Streamlit page": (None, "[data-testid='stMarkdownContainer']"),
        "Streamlit station": (
            f"/walk?walk={walk}&station={args.station}&lang=en",
            "[data-testid='stFormSubmitButton']",
        ),
        "light station": (f"/s/{walk}/{args.station}?lang=en", None),
    }
    results: dict[str, list[tuple[float, int, int]]] = {name: [] for name in pages}
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "CPT_RELEASE_DIR": str(ROOT / "published_data"),
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'fb.sqlite'}",
            "CPT_DEMO_STAFF": None,
        }
        with streamlit_server(env=env) as (app, _), streamlit_server(BARE_APP) as (bare, _), sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync"],
            )
            for path, ready in pages.values():  # warm the servers' caches (a server that has been up)
                throttled_load(browser, bare if path is None else app + path, ready)
            for _ in range(args.repeat):
                for name, (path, ready) in pages.items():
                    results[name].append(throttled_load(browser, bare if path is None else app + path, ready))
            browser.close()
    bare_s = statistics.median(r[0] for r in results["bare Streamlit page"])
    rows = []
    print(f"profile: {PROFILE}, screen {PHONE['width']}x{PHONE['height']}, first visit, median of {args.repeat}")
    print(f"{'page':<22} {'usable s':>9} {'vs bare':>8} {'KB':>8} {'requests':>9}")
    for name, runs in results.items():
        seconds = statistics.median(r[0] for r in runs)
        kb = statistics.median(r[1] for r in runs) / 1024
        requests = int(statistics.median(r[2] for r in runs))
        rows.append(
            {
                "page": name,
                "usable_s": round(seconds, 2),
                "ratio": round(seconds / bare_s, 2),
                "kb": round(kb, 1),
                "requests": requests,
                "runs_s": [round(r[0], 2) for r in runs],
            }
        )
        print(f"{name:<22} {seconds:>9.2f} {seconds / bare_s:>7.2f}x {kb:>8.1f} {requests:>9}")
    light = rows[-1]
    met = light["usable_s"] <= TARGET_S and light["kb"] < TARGET_KB
    print(f"target (light station <= {TARGET_S} s and < {TARGET_KB} KB): {'met' if met else 'NOT met'}")
    save_results(args.json, profile=PROFILE, screen=PHONE, repeat=args.repeat, pages=rows, target_met=met)


if __name__ == "__main__":
    main()
