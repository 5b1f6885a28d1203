"""Synthetic linked records: deterministic, valid, and shaped like the real thing."""

from __future__ import annotations

import numpy as np

from cpt_public.publish import synth
from cpt_public.publish.inputs import load_inputs
from cpt_public.release.spec import load_spec

TABLES = load_spec().input_files()


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = synth.synthesize(500, 4), synth.synthesize(500, 4), synth.synthesize(500, 5)
    assert all(a[t].equals(b[t]) for t in TABLES)
    assert not all(a[t].equals(c[t]) for t in TABLES)


def test_output_passes_validation_and_looks_linked(tmp_path):
    synth.write(synth.synthesize(5000, 1), tmp_path)
    assert "SYNTHETIC" in (tmp_path / "README.txt").read_text()
    inputs = load_inputs(tmp_path, load_spec())  # kept: the connection closes with it
    con = inputs.con
    n = 5000
    used = np.zeros((n, 4), dtype=bool)
    for i, t in enumerate(("jail", "homeless", "ems", "ed")):
        used[con.execute(f"SELECT DISTINCT person FROM ev_{t}").fetchnumpy()["person"], i] = True
    n_sys = used.sum(axis=1)
    assert 0.2 < (n_sys >= 2).mean() < 0.6  # systems overlap, but most people use one
    assert (n_sys == 4).sum() > 0
    # heavy-tailed use: the top 10% of people booked account for far more than 10% of bookings
    per_person = con.execute("SELECT count(*) n FROM ev_jail GROUP BY person").fetchnumpy()["n"]
    top = np.sort(per_person)[::-1][: max(1, len(per_person) // 10)]
    assert top.sum() / per_person.sum() > 0.25
    first, last = con.execute("SELECT min(d), max(d) FROM ev_ed").fetchone()
    assert (last - first).days > 3 * 365  # 3-4 years of dates
    n_prog, n_comp = (con.execute(f"SELECT count(*) FROM cohort_{g}").fetchone()[0] for g in ("program", "comparison"))
    assert n_prog > 0 and n_comp == 2 * n_prog


def test_program_reduces_bookings_after_start():
    rec = synth.synthesize(40_000, 2)
    prog = rec["program_enrollment"].to_pandas()
    comp = rec["comparison_group"].to_pandas().rename(columns={"index_date": "start_date"})
    b = rec["jail_bookings"].to_pandas()

    def after_start_rate(group):
        m = b.merge(group, on="person_id")
        return (m["booking_date"] >= m["start_date"]).sum() / len(group)

    assert after_start_rate(prog) < 0.85 * after_start_rate(comp)
