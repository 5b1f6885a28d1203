"""Audit time against the number of cells, on tables made to need it.

    python benchmarks/audit_scale.py [--sides 4 8 16 24 32] [--json benchmarks/results/audit_scale.json]

A release's audit cost depends on its cells and on how many are hidden, not on how many people
it counts, so this series grows the table instead: a k x k two-way table with row, column and
grand totals ((k+1)^2 cells), a fixed share of small interior counts, protected by the release's
own suppression engine; then the hidden pattern is audited from scratch (LP for every hidden
cell, MILP where the LP bound is fractional), as `python -m cpt_public audit` would.
The baseline is the two LPs per hidden cell (lowest and highest value) over the same sparse
constraints with nothing else (scipy's HiGHS) — the least any interval audit must do; the audit
adds the MILP where an LP bound is fractional, and its bookkeeping.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._machine import save_results  # noqa: E402
from cpt_public.release.protect.audit import audit_hidden  # noqa: E402
from cpt_public.release.protect.suppression import suppress  # noqa: E402
from tests.unit.test_audit import two_way  # noqa: E402  (the audit tests' table builder)

THRESHOLD = RANGE = 11


def table(k: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    inc, n_totals = two_way(k, k)
    x = rng.integers(15, 400, size=k * k)
    small = rng.random(k * k) < 0.12
    x[small] = rng.integers(1, THRESHOLD, size=small.sum())
    return inc, inc.astype(np.int64) @ x, n_totals


def bare_lp(a_pub: np.ndarray, b_pub: np.ndarray, hidden: np.ndarray) -> None:
    a = sparse.csr_matrix(a_pub.astype(float))  # as sparse as the audit's own, so only the extra work differs
    for row in hidden:
        for sign in (1, -1):
            linprog(sign * row.astype(float), A_eq=a, b_eq=b_pub, bounds=(0, None), method="highs")


def run(k: int, seed: int = 1) -> dict:
    inc, values, n_totals = table(k, seed)
    t0 = time.perf_counter()
    result = suppress(inc, values, n_totals, THRESHOLD, RANGE)
    t_suppress = time.perf_counter() - t0
    hidden = result.hidden
    t0 = time.perf_counter()
    report = audit_hidden(inc[~hidden], values[~hidden], inc[hidden], THRESHOLD, RANGE)
    t_audit = time.perf_counter() - t0
    assert all(r.ok for r in report), "the suppression engine's pattern must pass its own audit"
    t0 = time.perf_counter()
    bare_lp(inc[~hidden], values[~hidden], inc[hidden])
    t_bare = time.perf_counter() - t0
    return {
        "side": k,
        "cells": len(values),
        "hidden": int(hidden.sum()),
        "primary": int(result.primary.sum()),
        "suppress_s": round(t_suppress, 3),
        "audit_s": round(t_audit, 3),
        "bare_lp_s": round(t_bare, 3),
        "audit_over_bare": round(t_audit / t_bare, 2) if t_bare else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sides", type=int, nargs="+", default=[4, 8, 16, 24, 32])
    parser.add_argument("--json", type=Path, default=Path(__file__).resolve().parent / "results" / "audit_scale.json")
    args = parser.parse_args()
    rows = [run(k) for k in args.sides]
    print(f"{'cells':>6} {'hidden':>7} {'suppress s':>11} {'audit s':>8} {'bare LPs s':>11} {'audit/bare':>11}")
    for r in rows:
        print(
            f"{r['cells']:>6} {r['hidden']:>7} {r['suppress_s']:>11.2f} {r['audit_s']:>8.2f} {r['bare_lp_s']:>11.2f} "
            f"{r['audit_over_bare']:>10.2f}x"
        )
    save_results(args.json, rows=rows)


if __name__ == "__main__":
    main()
