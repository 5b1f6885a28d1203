"""Clipping each person's units to the contribution bound, in the publish step's SQL."""

from __future__ import annotations

import duckdb

from cpt_public.publish.units import clipped, per_person


def kept(salt: int, k: int = 10) -> list[tuple[int, int]]:
    con = duckdb.connect()
    con.execute("CREATE TABLE people_ids AS SELECT range::INTEGER AS person, hash(range * 7) AS key FROM range(3)")
    units = [(0, m) for m in range(50)] + [(1, m) for m in range(3)] + [(2, m) for m in range(10)]
    con.execute("CREATE TABLE u (person INTEGER, month USMALLINT, w BIGINT)")
    con.executemany("INSERT INTO u VALUES (?, ?, 1)", units)
    per = per_person(con, "u")
    return con.execute(f"SELECT person, month FROM {clipped('u', per, ['month'], k, salt)} ORDER BY ALL").fetchall()


def test_each_person_keeps_at_most_the_bound_and_no_one_under_it_loses_a_unit():
    rows = kept(salt=1)
    per = {p: sum(1 for q, _ in rows if q == p) for p in (0, 1, 2)}
    assert per == {0: 10, 1: 3, 2: 10}


def test_which_units_are_kept_follows_the_salt_and_only_the_salt():
    assert kept(salt=1) == kept(salt=1)
    assert kept(salt=1) != kept(salt=2)


def test_the_ledger_keeps_what_the_tables_count_contacts_by_their_weight():
    """A suppressed table of contacts counts weights; the ledger's exact counts, from which the
    next refresh is audited, must add up to the same (they once counted units)."""
    from cpt_public.publish.joint import sparse_units

    con = duckdb.connect()
    con.execute("CREATE TABLE u (person INTEGER, w BIGINT, system USMALLINT)")
    con.executemany("INSERT INTO u VALUES (?, ?, ?)", [(0, 5, 0), (1, 2, 0), (1, 7, 1)])
    frame = sparse_units(con, "u", ["system"])
    assert frame.to_dict("records") == [{"system": 0, "n": 7}, {"system": 1, "n": 7}]
