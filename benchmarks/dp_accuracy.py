"""How honest are the noisy tables? Coverage of the published 90% ranges and bias, against the TRUE counts.

    python benchmarks/dp_accuracy.py [--sizes 3000 20000] [--seeds 4] [--json benchmarks/results/dp_accuracy.json]

For each size and seed: synthetic records, the true counts of every noisy table of the demo spec
(no noise, no contribution bound), and the published counts, post-processed both ways — today's
non-negative least squares ("nnls") and the older clip-each-cell-at-zero ("clip"), side by side
on the same noise. Reported per table: the share of cells whose range (count ± moe90) holds the
true count (stated rate: 90%), the same for cells the contribution bound did not touch, and the
mean error (published − true) of margins and of the sum of all interior cells (the grand
total). The gap between the two
coverages is the contribution bound's effect, which the manifest and the About page state.
Not a test: read the figures, not the seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks._machine import save_results  # noqa: E402
from benchmarks.bare_groupby import without_contribution_bounds  # noqa: E402
from cpt_public.publish import synth  # noqa: E402
from cpt_public.publish.inputs import load_inputs  # noqa: E402
from cpt_public.publish.run import build_tables  # noqa: E402
from cpt_public.release.protect import dp  # noqa: E402
from cpt_public.release.spec import TOTAL, load_spec  # noqa: E402


def tables(spec, records: Path, seed: int, post: str | None, unbounded: bool = False) -> dict:
    """Every noisy table's frame: published with ``post`` post-processing, or (``post=None``)
    exact, with no noise (and, ``unbounded``, no contribution bound)."""
    if unbounded:
        spec = without_contribution_bounds(spec)
    original_raw, original_protect = dp.raw_noisy, dp.protect_counts
    if post is None:
        dp.raw_noisy = lambda values, *a, **k: np.asarray(values, dtype=np.int64)  # no noise
    else:
        dp.protect_counts = lambda *a, **k: original_protect(*a, **{**k, "post": post})
    try:
        built, _ = build_tables(load_inputs(records, spec), spec, seed, log=lambda _: None)
    finally:
        dp.raw_noisy, dp.protect_counts = original_raw, original_protect
    return {b.spec.name: b for b in built if b.control.method == "dp"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 3000, 20000])
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--json", type=Path, default=HERE / "results" / "dp_accuracy.json")
    args = ap.parse_args()
    spec = load_spec()
    rows = []
    for size in args.sizes:
        for seed in range(args.seeds):
            with tempfile.TemporaryDirectory() as tmp:
                records = Path(tmp) / "in"
                synth.write(synth.synthesize(size, seed=100 + seed, spec=spec), records)
                truth = tables(spec, records, seed, None, unbounded=True)
                bounded = tables(spec, records, seed, None)
                for post in ("nnls", "clip"):
                    for name, b in tables(spec, records, seed, post).items():
                        true = truth[name].frame["count"].to_numpy(dtype=float)
                        clipped = bounded[name].frame["count"].to_numpy(dtype=float)
                        pub = b.frame["count"].to_numpy(dtype=float)
                        moe = b.frame["moe90"].to_numpy(dtype=float)
                        dims = [d.name for d in b.vocab.dims]
                        margin = (b.frame[dims] == TOTAL).any(axis=1).to_numpy()
                        inner = ~margin
                        covered = np.abs(pub - true) <= moe
                        untouched = clipped == true
                        rows.append(
                            {
                                "size": size,
                                "seed": seed,
                                "post": post,
                                "table": name,
                                "cells": int(len(pub)),
                                "coverage": float(covered.mean()),
                                "coverage_untouched": float(covered[untouched].mean()) if untouched.any() else None,
                                "share_touched": float((~untouched).mean()),
                                "margin_bias": float((pub - true)[margin].mean()) if margin.any() else None,
                                "total_true": float(true[inner].sum()),
                                "total_bias": float((pub - true)[inner].sum()),
                            }
                        )
    print(
        f"{'size':>6} {'post':<5} {'table':<18} {'coverage':>9} {'untouched':>10} {'touched':>8} {'margin bias':>12} {'total bias':>11}"
    )
    summary = []
    for size in args.sizes:
        for post in ("nnls", "clip"):
            for name in sorted({r["table"] for r in rows}):
                rs = [r for r in rows if r["size"] == size and r["post"] == post and r["table"] == name]
                unt = [r["coverage_untouched"] for r in rs if r["coverage_untouched"] is not None]
                line = {
                    "size": size,
                    "post": post,
                    "table": name,
                    "coverage": float(np.mean([r["coverage"] for r in rs])),
                    "coverage_min": float(np.min([r["coverage"] for r in rs])),
                    "coverage_untouched": float(np.mean(unt)) if unt else None,
                    "share_touched": float(np.mean([r["share_touched"] for r in rs])),
                    "margin_bias": None
                    if rs[0]["margin_bias"] is None
                    else float(np.mean([r["margin_bias"] for r in rs])),
                    "total_bias": float(np.mean([r["total_bias"] for r in rs])),
                    "total_true": float(np.mean([r["total_true"] for r in rs])),
                }
                summary.append(line)
                unt_text = "-" if line["coverage_untouched"] is None else f"{line['coverage_untouched']:.0%}"
                print(
                    f"{size:>6} {post:<5} {name:<18} {line['coverage']:>8.0%} {unt_text:>10} "
                    f"{line['share_touched']:>7.0%} {'-' if line['margin_bias'] is None else format(line['margin_bias'], '+.1f'):>12} "
                    f"{line['total_bias']:>+8.1f}/{line['total_true']:.0f}"
                )
    save_results(args.json, runs=rows, summary=summary, seeds=args.seeds)


if __name__ == "__main__":
    main()
