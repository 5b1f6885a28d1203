"""Terms every part of a release shares: the margin category, dimension roles, and band labels."""

from __future__ import annotations

import re

from ..errors import SpecError

TOTAL = "Total"
ROLES = ("time", "system", "category", "band", "group", "window", "outcome", "flag")

_RANGE = re.compile(r"^(?:Months )?(\d+)\s*[-–]\s*(\d+)$")
_PLUS = re.compile(r"^(\d+)\+$")
_UNDER = re.compile(r"^Under (\d+)$")
_EXACT = re.compile(r"^(\d+)$")


def parse_band(label: str) -> tuple[int, float]:
    """A band label as a half-open integer interval [low, high)."""
    if m := _RANGE.match(label):
        return int(m[1]), int(m[2]) + 1
    if m := _PLUS.match(label):
        return int(m[1]), float("inf")
    if m := _UNDER.match(label):
        return 0, int(m[1])
    if m := _EXACT.match(label):
        return int(m[1]), int(m[1]) + 1
    raise SpecError(f"band label {label!r} is not of the form 'A-B', 'A+', 'Under A' or 'A'")


def check_bands(name: str, labels: list[str], start: int, open_ended: bool = True) -> list[tuple[int, float]]:
    """Bands must be contiguous from ``start`` and, if ``open_ended``, end with 'A+'."""
    try:
        bands = [parse_band(b) for b in labels]
    except SpecError as exc:
        raise ValueError(f"{name}: {exc}") from None
    expect = start
    for label, (lo, hi) in zip(labels, bands):
        if lo != expect or hi <= lo:
            raise ValueError(f"{name}: {label!r} should start at {expect} (bands must be contiguous)")
        expect = hi
    if open_ended and expect != float("inf"):
        raise ValueError(f"{name}: the last band must be open-ended, like '65+'")
    return bands
