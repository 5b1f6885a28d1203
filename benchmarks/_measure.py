"""Run one step in this process and print its wall time and peak memory as JSON (last line).

python benchmarks/_measure.py synth OUT PEOPLE SEED
python benchmarks/_measure.py publish INPUT OUT
python benchmarks/_measure.py bare INPUT
python benchmarks/_measure.py audit RELEASE
"""

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(step: str, *args: str) -> None:
    started = time.perf_counter()
    extra: dict = {}
    if step == "synth":
        from cpt_public.publish import synth

        out, people, seed = args
        synth.write(synth.synthesize(int(people), int(seed)), out)
    elif step == "publish":
        from cpt_public.publish.run import publish

        publish(args[0], args[1], seed=1, log=lambda _: None)
    elif step == "bare":
        from benchmarks.bare_groupby import exact_tables, program_outcomes, read

        data = read(args[0])
        exact_tables(data)
        program_outcomes(data)
    elif step == "audit":  # re-audit a published release from its files, as `python -m cpt_public audit` does
        from cpt_public.release.verify import audit_release

        report = audit_release(args[0])
        if not report.ok:
            raise SystemExit(report.text())
        extra = {"cells": sum(t.cells for t in report.tables), "hidden": sum(t.hidden for t in report.tables)}
    else:
        raise SystemExit(f"unknown step {step}")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(json.dumps({"step": step, "seconds": round(seconds, 3), "peak_mb": round(peak_mb, 1), **extra}))


if __name__ == "__main__":
    main(*sys.argv[1:])
