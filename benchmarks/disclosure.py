"""How close does an attacker holding everything get? The narrowest hidden small cell after a refresh.

    python benchmarks/disclosure.py [--sizes 500 3000] [--seeds 3] [--change 3] [--publish-without-relations] [--all-suppression]

For each size and seed: synthetic records of the demo spec; an earlier export without ``change``
people (or without the last month: ``--change month``), published first; then the full records,
published as a refresh with the ledger. The product's joint attacker — both releases, how counts
can change between them, the relations between populations (people booked in the last year are
people who used the jail), and "hidden >= 1" wherever zeros are published — then bounds, by
integer programming, every hidden cell of every suppressed population of the refresh and every
cell it must protect: the earlier release's hidden cells and the arrivals and departures in every
cell. Reported: the narrowest range of a hidden cell that could hold a small count (the
protection range is 11: anything narrower is a leak), how many are narrower (must be 0), the
least number of arrivals or departures the attacker is sure of in a cell (a few, within a narrow
range, would pin a newcomer), and refusals (a refresh the audit could not protect). With
``--publish-without-relations``, the control: the publish step ignores the relations (as before
they were modelled) while the attacker still uses them.
Not a test: read the figures.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks._machine import save_results  # noqa: E402
from cpt_public.errors import ProtectionError  # noqa: E402
from cpt_public.publish import joint, synth  # noqa: E402
from cpt_public.publish.ledger import Ledger, ledger_for  # noqa: E402
from cpt_public.publish.run import publish  # noqa: E402
from cpt_public.release.protect.suppression import CHANGE, MAYBE_ZERO, joint_intervals  # noqa: E402
from cpt_public.release.spec import DEMO_SPEC, load_spec  # noqa: E402


def earlier(records: Path, out: Path, change: str, seed: int) -> Path:
    """The records as an earlier export saw them."""
    import pandas as pd

    out.mkdir(parents=True)
    frames = {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in records.glob("*.csv")}
    spec = load_spec()  # the demo's files and columns, whatever the tables
    if change == "month":
        cut = pd.Timestamp(spec.release.period.end).replace(day=1)
        dated = {s.file: s.date for s in spec.system}
        dated |= {
            spec.program.enrolled.file: spec.program.enrolled.date,
            spec.program.comparison.file: spec.program.comparison.date,
        }
        for name, col in dated.items():
            frames[name] = frames[name][pd.to_datetime(frames[name][col]) < cut]
    else:
        gone = set(frames[spec.people.file][spec.people.id].sample(int(change), random_state=seed))
        who = {spec.people.file: spec.people.id} | {s.file: s.person for s in spec.system}
        who |= {c.file: c.person for c in (spec.program.enrolled, spec.program.comparison)}
        frames = {n: f[~f[who[n]].isin(gone)] if n in who else f for n, f in frames.items()}
    for name, f in frames.items():
        f.to_csv(out / f"{name}.csv", index=False)
    return out


def measure(out: Path, T: int, P: int) -> dict:
    seen, problems = joint.seen_in_ledger(Ledger(ledger_for(out)))
    assert not problems, problems
    widths, changes, pinned, targets, leaks = [], [], 0, 0, []
    for s in seen:
        for g, iv, mode in joint_intervals(s.incidence, s.values, s.hidden, s.structural, s.lines, s.context):
            targets += 1
            if mode == CHANGE:
                if iv.lo >= 1:
                    changes.append(iv.lo)
                pinned += bool(iv.pins_some(T, P))
            elif iv.could_be_small(T, mode == MAYBE_ZERO):
                widths.append(iv.width)
                if not iv.protects(T, P, mode == MAYBE_ZERO):
                    what = s.labels[g] if g < len(s.incidence) else s.context.labels[g - len(s.incidence)]
                    leaks.append(f"{what}: [{iv.lo:g}, {iv.hi:g}]")
    return {
        "targets": targets,
        "hidden_small": len(widths),
        "narrowest": float(min(widths)) if widths else None,
        # a cell of a related population is a target of each population related to it: once
        "narrower_than_range": len(set(leaks)),
        "least_sure_change": float(min(changes)) if changes else None,
        "changes_pinned": pinned,
        "leaks": sorted(set(leaks)),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 3000])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--change", default="3", help="people left out of the earlier export, or 'month'")
    ap.add_argument(
        "--publish-without-relations",
        action="store_true",
        help="the control: publish as before relations were modelled (the attacker still knows them)",
    )
    ap.add_argument(
        "--all-suppression",
        action="store_true",
        help="every table of the demo spec over people suppressed (contacts stay noisy)",
    )
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    if args.json is None:
        name = "disclosure" + ("_all_suppression" if args.all_suppression else "")
        name += "_without_relations" if args.publish_without_relations else ""
        args.json = HERE / "results" / f"{name}.json"
    if args.publish_without_relations:
        from cpt_public.publish import run
        from cpt_public.release import verify

        modelled = run.world
        run.world = lambda model, relation, own, known: modelled(model, None, own, known)
        verify._audit_related = lambda *a: None  # nor does the publish step's final audit
    spec_path = DEMO_SPEC
    if args.all_suppression:
        head, *tables = DEMO_SPEC.read_text(encoding="utf-8").split("[[table]]")
        suppressed = 'protection = { method = "suppression" }'
        tables = [  # contacts are always noisy (the spec check says why)
            t if 'kind = "service_use"' in t else re.sub(r"protection = \{[^}]*\}", suppressed, t) for t in tables
        ]
        text = "[[table]]".join([head, *tables])
        spec_path = Path(tempfile.mkdtemp()) / "all_suppression.toml"
        spec_path.write_text(text, encoding="utf-8")
    spec = load_spec(spec_path)
    T, P = spec.release.threshold, spec.protection_range
    rows = []
    print(
        f"{'people':>7} {'seed':>4} {'refresh':>8} {'s':>6} {'targets':>8} {'small':>6} {'narrowest':>9} {'< range':>8} {'pinned':>7}"
    )
    for size in args.sizes:
        for seed in range(args.seeds):
            with tempfile.TemporaryDirectory() as tmp:
                tmp = Path(tmp)
                records = tmp / "in"
                synth.write(synth.synthesize(size, seed=200 + seed, spec=spec), records)
                out = tmp / "published_data"
                before = earlier(records, tmp / "before", args.change, seed)
                publish(before, out, spec_path, seed=1, log=lambda _: None)
                start = time.perf_counter()
                row = {"size": size, "seed": seed, "change": args.change}
                try:
                    publish(records, out, spec_path, seed=1, log=lambda _: None)
                    row["refresh"] = "published"
                except ProtectionError as exc:
                    row["refresh"] = "refused"
                    row["reason"] = str(exc)
                row["seconds"] = round(time.perf_counter() - start, 1)
                if row["refresh"] == "published":
                    row |= measure(out, T, P)
                rows.append(row)
                print(
                    f"{size:>7} {seed:>4} {row['refresh']:>8} {row['seconds']:>6} {row.get('targets', '-'):>8} "
                    f"{row.get('hidden_small', '-'):>6} {row.get('narrowest', '-')!s:>9} "
                    f"{row.get('narrower_than_range', '-'):>8} {row.get('changes_pinned', '-'):>7}"
                )
    published = [r for r in rows if r["refresh"] == "published"]
    summary = {
        "refreshes": len(rows),
        "refused": len(rows) - len(published),
        "narrowest": min((r["narrowest"] for r in published if r["narrowest"] is not None), default=None),
        "narrower_than_range": int(np.sum([r["narrower_than_range"] for r in published])),
        "changes_pinned": int(np.sum([r["changes_pinned"] for r in published])),
    }
    print(summary)
    save_results(args.json, runs=rows, summary=summary, seeds=args.seeds, threshold=T, protection_range=P)


if __name__ == "__main__":
    main()
