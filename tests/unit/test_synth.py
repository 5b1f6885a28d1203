"""Synthetic linked records: deterministic, valid, and shaped like the real thing."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cpt_public import synth
from cpt_public.records import TABLES, load_records


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = synth.synthesize(500, 4), synth.synthesize(500, 4), synth.synthesize(500, 5)
    assert all(a[t].equals(b[t]) for t in TABLES)
    assert not all(a[t].equals(c[t]) for t in TABLES)


def test_output_passes_validation_and_looks_linked(tmp_path):
    synth.write(synth.synthesize(5000, 1), tmp_path)
    assert "SYNTHETIC" in (tmp_path / "README.txt").read_text()
    rec = load_records(tmp_path, dt.date(2022, 1, 1), dt.date(2025, 12, 31))
    n = rec.n_people
    used = np.zeros((n, 4), dtype=bool)
    for i, t in enumerate(("jail_bookings", "homeless_enrollments", "ems_encounters", "ed_visits")):
        used[rec[t]["person"].to_numpy(), i] = True
    n_sys = used.sum(axis=1)
    assert 0.2 < (n_sys >= 2).mean() < 0.6  # systems overlap, but most people use one
    assert (n_sys == 4).sum() > 0
    # heavy-tailed use: the top 10% of people booked account for far more than 10% of bookings
    per_person = rec["jail_bookings"]["person"].value_counts().to_numpy()
    top = np.sort(per_person)[::-1][: max(1, len(per_person) // 10)]
    assert top.sum() / per_person.sum() > 0.25
    dates = pd.to_datetime(rec["ed_visits"]["visit_date"])
    assert (dates.max() - dates.min()).days > 3 * 365  # 3-4 years of dates
    assert len(rec["program_enrollment"]) > 0 and len(rec["comparison_group"]) == 2 * len(rec["program_enrollment"])


def test_program_reduces_bookings_after_start():
    rec = synth.synthesize(40_000, 2)
    prog = rec["program_enrollment"].to_pandas()
    comp = rec["comparison_group"].to_pandas().rename(columns={"index_date": "start_date"})
    b = rec["jail_bookings"].to_pandas()

    def after_start_rate(group):
        m = b.merge(group, on="person_id")
        return (m["booking_date"] >= m["start_date"]).sum() / len(group)

    assert after_start_rate(prog) < 0.85 * after_start_rate(comp)
