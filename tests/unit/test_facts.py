"""Facts: what a release supports saying about a figure — the number, a range that holds the
truth, or nothing — and takeaways that fall back instead of printing "suppressed people"."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pandas as pd
import pytest

from benchmarks.bare_groupby import exact_tables, read
from cpt_public.release.bounds import Bounds
from cpt_public.release.catalog import load_release
from cpt_public.release.terms import TOTAL
from cpt_public.site import facts as F
from cpt_public.site.content import load_content
from cpt_public.site.facts import Fact
from cpt_public.site.text import takeaway


@pytest.fixture(scope="module")
def county(county_release):
    return load_release(county_release)


@pytest.fixture(scope="module")
def truth(county_input):
    return exact_tables(read(county_input))


@pytest.fixture(scope="module")
def tr():
    return load_content().translator("en")


def interior_hidden(table):
    fr = table.frame
    inner = ~(fr[table.resource.dimensions] == TOTAL).any(axis=1)
    return [int(i) for i in np.flatnonzero((inner & fr["suppressed"]).to_numpy())]


def true_count(truth, table, pos):
    row = table.frame.iloc[pos]
    key = tuple(row[d] for d in table.resource.dimensions)
    series = truth[table.name]
    return int(series.get(key if len(key) > 1 else key[0], 0))


def test_ranges_for_hidden_cells_hold_the_truth(county, truth):
    """Every hidden cell, and every pair of hidden cells of a table, is given a range that holds
    its true count, no narrower than the audit allows for a single hidden cell."""
    bounds = Bounds(county)
    prange = county.package.privacy.protectionRange
    checked = 0
    for name, table in county.tables.items():
        if table.control.method != "suppression" or name not in truth:
            continue
        hidden = interior_hidden(table)
        for pos in hidden:
            a = F.amount(table, [pos], bounds)
            value = true_count(truth, table, pos)
            assert a.lo <= value <= a.hi, (name, pos, a, value)
            if a.lo < county.package.privacy.threshold:  # could hold a small count: the audit's promise
                assert a.hi - a.lo >= prange - 1 or a.hi == math.inf, (name, pos, a)
            checked += 1
        for p, q in itertools.islice(itertools.combinations(hidden, 2), 20):
            a = F.amount(table, [p, q], bounds)
            assert a.lo <= true_count(truth, table, p) + true_count(truth, table, q) <= a.hi
    assert checked >= 5, "the small county should hide cells"


def test_a_sum_the_published_cells_determine_is_stated_exactly(county):
    """A row's cells add up to its shown Total, hidden ones included: that sum is no secret, and is
    said as the number, not as a range."""
    bounds = Bounds(county)
    table = county["frequent_jail_use"]
    fr = table.frame
    rows = 0
    for band in [b for b in table.categories("bookings_12m") if b != TOTAL]:
        cells = fr[(fr["bookings_12m"] == band) & (fr["homeless_12m"] != TOTAL)]
        total = fr[(fr["bookings_12m"] == band) & (fr["homeless_12m"] == TOTAL)]["count"].iat[0]
        if cells["suppressed"].any() and not pd.isna(total):
            a = F.amount(table, list(cells.index), bounds)
            assert a.exact and a.value == total, (band, a, total)
            rows += 1
    assert rows, "the small county should hide a cell in some row of this table"


def test_count_facts_say_no_one_for_a_zero_and_a_range_for_a_hidden_cell(tr):
    assert F.count_fact(F.Amount(0, 0, 0), tr, 11) == Fact("no one", "zero")
    assert F.count_fact(F.Amount(1234, 1234, 1234), tr, 11) == Fact("1,234", "ok")
    assert F.count_fact(F.Amount(None, 0, 22), tr, 11) == Fact("fewer than 23", "range")
    assert F.count_fact(F.Amount(None, 40, 60), tr, 11) == Fact("between 40 and 60", "range")
    assert F.count_fact(F.Amount(None, 10, 10), tr, 11) == Fact("10", "ok")  # derivable: said exactly
    assert F.count_fact(F.Amount(None, 0, 400), tr, 11).state == "hidden"  # too wide to be worth saying
    assert F.count_fact(F.Amount(None, 0, math.inf), tr, 11) == Fact("too few people to show", "hidden")


def test_dp_values_are_numbers_ranges_or_hidden_by_their_margin(tr):
    assert F.count_fact(F.Amount(1000, 990, 1010, 10), tr, 11) == Fact("1,000", "ok")
    assert F.count_fact(F.Amount(100, 40, 160, 60), tr, 11) == Fact("between 40 and 160", "range")
    assert F.count_fact(F.Amount(5, 0, 30, 25), tr, 11) == Fact("fewer than 31", "range")
    assert F.count_fact(F.Amount(0, 0, 1614, 1614), tr, 11).state == "hidden"  # "fewer than 1,615": no


def test_shares(tr):
    assert F.share_fact(F.Amount(3, 3, 3), F.Amount(0, 0, 0), tr) == Fact("no one", "none")  # 0/0 is not "suppressed"
    assert F.share_fact(F.Amount(25, 25, 25), F.Amount(100, 100, 100), tr) == Fact("25%", "ok")
    assert F.share_fact(F.Amount(None, 20, 30), F.Amount(100, 100, 100), tr) == Fact("between 20% and 30%", "range")
    assert F.share_fact(F.Amount(None, 0, 60), F.Amount(100, 100, 100), tr).state == "hidden"


@dataclasses.dataclass
class Finding:
    takeaway: dict
    takeaway_when_hidden: dict | None = None
    takeaway_when_none: dict | None = None


def test_takeaways_fall_back_instead_of_printing_a_hidden_or_zero_fact(tr):
    f = Finding(
        {"en": "{n} people were booked 3+ times; {share} of them also used shelters."},
        {"en": "{n} people were booked 3+ times."},
        {"en": "No one was booked 3+ times."},
    )
    ok = {"n": Fact("40"), "share": Fact("25%")}
    assert takeaway(f, ok, tr) == ("40 people were booked 3+ times; 25% of them also used shelters.", "ok")
    assert takeaway(f, {**ok, "share": Fact("too few people to show", "hidden")}, tr) == (
        "40 people were booked 3+ times.",
        "hidden",
    )
    assert takeaway(f, {"n": Fact("no one", "zero"), "share": Fact("no one", "none")}, tr) == (
        "No one was booked 3+ times.",
        "none",
    )
    # a fallback that cites a hidden fact itself gives way to the plain sentence
    hidden = Fact("too few people to show", "hidden")
    assert takeaway(f, {"n": hidden, "share": hidden}, tr) == (tr("takeaway_hidden"), "hidden")
    # without declared fallbacks: plain sentences that state no number
    bare = Finding(f.takeaway)
    assert takeaway(bare, {**ok, "n": Fact("no one", "zero")}, tr) == (tr("takeaway_none"), "none")
    ranged = takeaway(bare, {**ok, "n": Fact("fewer than 23", "range")}, tr)
    assert ranged == ("fewer than 23 people were booked 3+ times; 25% of them also used shelters.", "range")
