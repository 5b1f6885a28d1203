"""Facts: the numbers a finding's words cite, computed from the protected table, and what a
release supports saying about each.

A fact is a count or a share of some cells of one table. When every cell it needs is published
it is a number; when some are hidden it is the range the published cells allow (``bounds``),
said as "fewer than 23" or "between 40 and 60", or "too few people to show" when that range is
too wide to be worth saying; when the figure is a DP count with a wide margin, its range. A
fact also knows its *state*, so that a takeaway whose fact is hidden, zero or about no one
can fall back to wording declared for that case instead of printing "suppressed people" or
"0 people".
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..release.bounds import Bounds
from ..release.catalog import Table
from ..release.terms import TOTAL
from .i18n import Translator

CARE_RATIO = 0.25  # a margin of error above a quarter of the value: interpret with care
STATES = ("ok", "range", "zero", "none", "hidden")
FIRST, LAST = "@first", "@last"  # a category chosen by position: the first or last month, window …


@dataclasses.dataclass(frozen=True)
class Fact:
    text: str
    state: str = "ok"  # ok | range (a range, not a number) | zero | none (about no one) | hidden

    def __str__(self) -> str:
        return self.text


@dataclasses.dataclass(frozen=True)
class Amount:
    """A sum of cells: its value when known (``moe`` > 0 for a noisy DP value) and its range."""

    value: float | None
    lo: float
    hi: float
    moe: float = 0.0

    @property
    def exact(self) -> bool:
        return self.value is not None and self.moe == 0


def careful(count, moe) -> bool:
    if moe is None or pd.isna(moe) or count is None or pd.isna(count):
        return False
    return moe > CARE_RATIO * max(float(count), 1.0)


class SelectionError(ValueError):
    """A selection that names a dimension or category the table does not have."""


def resolve(table: Table, where: Mapping[str, str | Sequence[str]]) -> dict[str, list[str]]:
    """Every dimension of the table mapped to the categories chosen: those named in ``where``
    (``@first``/``@last`` pick by position), the Total for the rest. Raises SelectionError."""
    out: dict[str, list[str]] = {}
    unknown = [d for d in where if d not in table.resource.dimensions]
    if unknown:
        raise SelectionError(f"table {table.name!r} has no dimension {unknown[0]!r}")
    for dim in table.dimensions:
        cats = table.categories(dim.name)
        if dim.name in where:
            chosen = where[dim.name]
            chosen = [chosen] if isinstance(chosen, str) else list(chosen)
            inner = [c for c in cats if c != TOTAL]
            chosen = [inner[0] if c == FIRST else inner[-1] if c == LAST else c for c in chosen]
            missing = [c for c in chosen if c not in cats]
            if missing:
                raise SelectionError(f"dimension {dim.name!r} of table {table.name!r} has no category {missing[0]!r}")
            if len(chosen) > 1 and not dim.partition:
                raise SelectionError(
                    f"dimension {dim.name!r} of table {table.name!r}: its categories overlap (a person can be in "
                    "several), so they cannot be added up; choose one"
                )
            if len(chosen) > 1 and TOTAL in chosen:
                raise SelectionError(f"dimension {dim.name!r}: the Total cannot be added to its own parts")
            out[dim.name] = chosen
        elif TOTAL in cats:
            out[dim.name] = [TOTAL]
        else:
            raise SelectionError(
                f"dimension {dim.name!r} of table {table.name!r} has no Total: the selection must choose its category"
            )
    return out


def rows(table: Table, where: Mapping[str, str | Sequence[str]]) -> list[int]:
    chosen = resolve(table, where)
    mask = np.ones(len(table.frame), dtype=bool)
    for d, cats in chosen.items():
        mask &= table.frame[d].isin(cats).to_numpy()
    return list(np.flatnonzero(mask))


def amount(table: Table, positions: Sequence[int], bounds: Bounds) -> Amount:
    frame = table.frame
    counts = frame["count"].to_numpy(dtype="float64", na_value=np.nan)[list(positions)]
    if not np.isnan(counts).any():
        value = float(counts.sum())
        if "moe90" in frame:
            moe = float(np.sqrt(np.sum(frame["moe90"].to_numpy(dtype="float64")[list(positions)] ** 2)))
            return Amount(value, max(0.0, value - moe), value + moe, moe)
        return Amount(value, value, value)
    lo, hi = bounds.interval(table, positions)
    return Amount(lo if lo == hi else None, lo, hi)


def too_wide(lo: float, hi: float, threshold: int) -> bool:
    return hi == math.inf or (hi - lo) > max(2 * threshold, hi / 2)


def count_fact(a: Amount, tr: Translator, threshold: int, fmt=None) -> Fact:
    fmt = fmt or tr.num
    if a.value is not None and (a.exact or not careful(a.value, a.moe)):
        v = round(a.value)
        return Fact(tr("no_one") if v == 0 and fmt == tr.num else fmt(v), "zero" if v == 0 else "ok")
    return range_fact(a.lo, a.hi, tr, threshold, fmt, noisy=a.moe > 0)


def worth_saying(lo: float, hi: float, threshold: int) -> bool:
    """A DP value's 90% range is said when it is informative: within a factor of four ("between 62
    and 172"), or, reaching down to zero, small ("fewer than 45"); "fewer than 1,615" is not."""
    return hi <= 4 * lo if lo > 0 else hi <= 4 * threshold


def range_fact(lo: float, hi: float, tr: Translator, threshold: int, fmt=None, noisy: bool = False) -> Fact:
    """``noisy``: a DP value's 90% range (``worth_saying``); otherwise the range the published
    cells allow for hidden ones, said unless ``too_wide``."""
    fmt = fmt or tr.num
    if hi == math.inf or (noisy and not worth_saying(lo, hi, threshold)) or (not noisy and too_wide(lo, hi, threshold)):
        return Fact(tr("too_few"), "hidden")
    lo, hi = round(lo), round(hi)
    if lo <= 0:
        return Fact(tr("fewer_than", n=fmt(hi + 1)), "range")
    if lo == hi:
        return Fact(fmt(lo), "ok")
    return Fact(tr("between", lo=fmt(lo), hi=fmt(hi)), "range")


SHARE_WIDTH = 0.25  # a share known only to within 25 points is not worth saying


def share_fact(num: Amount, den: Amount, tr: Translator) -> Fact:
    if den.exact and den.value == 0:
        return Fact(tr("no_one"), "none")
    if num.exact and den.exact:
        return Fact(tr.pct(num.value / den.value), "ok")
    if num.value is not None and den.value is not None and not careful(num.value, num.moe):
        if not careful(den.value, den.moe) and den.value > 0:
            return Fact(tr.pct(min(1.0, num.value / den.value)), "ok")
    if den.hi == math.inf or den.lo <= 0 or num.hi == math.inf:
        return Fact(tr("too_few"), "hidden")
    lo, hi = num.lo / den.hi, min(1.0, num.hi / den.lo)
    if hi - lo > SHARE_WIDTH:
        return Fact(tr("too_few"), "hidden")
    if round(lo * 100) == round(hi * 100):
        return Fact(tr.pct(lo), "ok")
    return Fact(tr("between", lo=tr.pct(lo), hi=tr.pct(hi)), "range")


def label_fact(text: str | None, tr: Translator, hidden: bool = False) -> Fact:
    """A category named by a fact (the largest group, the latest month)."""
    if hidden:
        return Fact(tr("too_few"), "hidden")
    if text is None:
        return Fact(tr("no_one"), "none")
    return Fact(text)
