"""Run one step in this process and print its wall time and peak memory as JSON (last line).

``seconds`` is the step's work, after its imports; ``total_s`` is the whole process, imports
included (publishing imports diffprivlib and, through it, scikit-learn and scipy: about 3 s that
do not grow with the data).

python benchmarks/_measure.py synth OUT PEOPLE SEED
python benchmarks/_measure.py publish INPUT OUT
python benchmarks/_measure.py bare INPUT
python benchmarks/_measure.py audit RELEASE
"""

import time

T0 = time.perf_counter()

import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(step: str, *args: str) -> None:
    extra: dict = {}
    if step == "synth":
        from cpt_public.publish import synth

        out, people, seed = args
        started = time.perf_counter()
        synth.write(synth.synthesize(int(people), int(seed)), out)
    elif step == "publish":
        from cpt_public.publish.run import publish

        started = time.perf_counter()
        publish(args[0], args[1], seed=1, log=lambda _: None)
    elif step == "bare":
        from benchmarks.bare_groupby import exact_tables, program_outcomes, read

        started = time.perf_counter()
        data = read(args[0])
        exact_tables(data)
        program_outcomes(data)
    elif step == "audit":  # re-audit a published release from its files, as `python -m cpt_public audit` does
        from cpt_public.release.verify import audit_release

        started = time.perf_counter()
        report = audit_release(args[0])
        if not report.ok:
            raise SystemExit(report.text())
        extra = {"cells": sum(t.cells for t in report.tables), "hidden": sum(t.hidden for t in report.tables)}
    else:
        raise SystemExit(f"unknown step {step}")
    end = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(
        json.dumps(
            {
                "step": step,
                "seconds": round(end - started, 3),
                "total_s": round(end - T0, 3),
                "peak_mb": round(peak_mb, 1),
                **extra,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
