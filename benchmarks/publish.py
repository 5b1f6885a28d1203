"""Publishing at scale: synth, publish, and a bare DuckDB GROUP BY of the same exact counts, side by side.

    python benchmarks/publish.py [--sizes 1000000 10000000] [--repeat 2] [--json benchmarks/results/publish.json]

Each step runs in a fresh process (so peak memory is its own). The bare GROUP BY reads the same
CSV files once and computes the same exact counts with hand-written DuckDB SQL
(benchmarks/bare_groupby.py): the ratio publish / bare is what publishing's validation,
protection, audit and writing cost on top of the engine's floor. Two ratios: of the work (each
step after its imports) and of the whole process (publish imports diffprivlib, scikit-learn and
scipy: a fixed ~3 s). Each release is then audited again from its files (the `audit` command).
Target: publish <= 1.5x the bare GROUP BY at 1M and 10M people, peak memory under 3 GB at 10M.
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
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=2, help="runs of publish and bare per size (best is kept)")
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
                    "publish_total_s": p["total_s"],
                    "publish_mb": p["peak_mb"],
                    "bare_s": b["seconds"],
                    "bare_total_s": b["total_s"],
                    "bare_mb": b["peak_mb"],
                    "ratio": round(p["seconds"] / b["seconds"], 2),
                    "ratio_total": round(p["total_s"] / b["total_s"], 2),
                    "audit_s": aud["seconds"],
                    "cells": aud["cells"],
                    "hidden": aud["hidden"],
                }
            )
    print(
        f"{'people':>10} {'synth s':>8} {'publish s':>10} {'(total)':>8} {'publish MB':>11} {'bare s':>7} "
        f"{'(total)':>8} {'bare MB':>8} {'ratio':>6} {'(total)':>8} {'audit s':>8} {'cells':>6} {'hidden':>7}"
    )
    for r in rows:
        print(
            f"{r['people']:>10,} {r['synth_s']:>8.1f} {r['publish_s']:>10.1f} {r['publish_total_s']:>8.1f} "
            f"{r['publish_mb']:>11.0f} {r['bare_s']:>7.1f} {r['bare_total_s']:>8.1f} {r['bare_mb']:>8.0f} "
            f"{r['ratio']:>5.2f}x {r['ratio_total']:>7.2f}x {r['audit_s']:>8.1f} {r['cells']:>6} {r['hidden']:>7}"
        )
    save_results(args.json, rows=rows)


if __name__ == "__main__":
    main()
