"""Publishing at scale: synth, publish, and a bare GROUP BY of the same exact counts, side by side.

    python benchmarks/publish.py [--sizes 100000 1000000 5000000] [--repeat 1] [--json benchmarks/results/publish.json]

Each step runs in a fresh process (so peak memory is its own). The bare GROUP BY reads the same
CSV files and computes the same exact counts with plain pandas (benchmarks/bare_groupby.py): the
ratio publish / bare is what publishing's validation, protection, audit and writing cost on top.
Each release is then audited again from its files (the `audit` command): its time is listed
with the release's cells and hidden cells (benchmarks/audit_scale.py grows the cells instead).
Target: publish <= 3x the bare aggregation at 1M people, peak memory under 4 GB.
Not a test: machines here are noisy; read the ratio, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks._machine import save_results  # noqa: E402


def measure(*args: str) -> dict:
    out = subprocess.run([sys.executable, str(HERE / "_measure.py"), *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"step {args[0]} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def best(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 5_000_000])
    parser.add_argument("--repeat", type=int, default=1, help="runs of publish and bare per size (best is kept)")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "publish.json")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            inp, out = Path(tmp) / f"in{n}", Path(tmp) / f"out{n}"
            syn = measure("synth", str(inp), str(n), "1")
            pub, bare = [], []
            for _ in range(args.repeat):  # interleaved, so drift hits both alike
                bare.append(measure("bare", str(inp)))
                pub.append(measure("publish", str(inp), str(out)))
            p, b = best(pub), best(bare)
            aud = measure("audit", str(out))
            rows.append(
                {
                    "people": n,
                    "synth_s": syn["seconds"],
                    "synth_mb": syn["peak_mb"],
                    "publish_s": p["seconds"],
                    "publish_mb": p["peak_mb"],
                    "bare_s": b["seconds"],
                    "bare_mb": b["peak_mb"],
                    "ratio": round(p["seconds"] / b["seconds"], 2),
                    "audit_s": aud["seconds"],
                    "cells": aud["cells"],
                    "hidden": aud["hidden"],
                }
            )
    header = f"{'people':>10} {'synth s':>8} {'synth MB':>9} {'publish s':>10} {'publish MB':>11} {'bare s':>7} {'bare MB':>8} {'publish/bare':>13} {'audit s':>8} {'cells':>6} {'hidden':>7}"
    print(header)
    for r in rows:
        print(
            f"{r['people']:>10,} {r['synth_s']:>8.1f} {r['synth_mb']:>9.0f} {r['publish_s']:>10.1f} {r['publish_mb']:>11.0f} "
            f"{r['bare_s']:>7.1f} {r['bare_mb']:>8.0f} {r['ratio']:>12.2f}x "
            f"{r['audit_s']:>8.1f} {r['cells']:>6} {r['hidden']:>7}"
        )
    save_results(args.json, rows=rows)


if __name__ == "__main__":
    main()
