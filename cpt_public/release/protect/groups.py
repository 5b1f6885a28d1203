"""Lines of a table, group disclosure, and what the zero policy lets an attacker assume.

A *line* is the cells of one dimension's categories with every other dimension held fixed (a row
or a column of a two-way table; any Total included among the fixed ones), together with its
margin — the cell with that dimension at Total — when the table publishes one. Only dimensions
whose categories partition the units have lines: their categories add up to the margin.

Group disclosure (the ONS rule; tau-Argus calls it "zero unsafe"): when a group smaller than the
threshold has every member in one category of a line and none in the others, publishing the
others' zeros tells everyone something about each member of the group ("everyone booked five or
more times used homeless services"), however well the group's own count is hidden. Such a group
is always hidden, so the rule reads the pattern: zeros beside a single other category of a hidden
group are hidden too, and protected like small cells.

Zeros are otherwise published, so an attacker may assume that a hidden cell holds at least 1 —
unless the policy could have hidden a zero there: a cell on a line whose margin is hidden or not
published. Both the publish step and the audit compute these floors from the same published
facts, so the audit's attacker knows exactly what the policy reveals.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..terms import TOTAL


@dataclasses.dataclass(frozen=True)
class Line:
    margin: int | None  # the margin's cell, when the table publishes one
    members: np.ndarray  # the line's cells, one per category


def lines(cells: pd.DataFrame, partition: dict[str, bool], offset: int = 0) -> list[Line]:
    """Every line of a table (``cells``: one row per cell, a column per dimension, in the table's
    cell order); ``offset`` shifts cell numbers into a stack of tables."""
    out: list[Line] = []
    for d in cells.columns:
        if not partition.get(d, False):
            continue
        others = [o for o in cells.columns if o != d]
        groups = cells.groupby(others, sort=False).indices if others else {(): np.arange(len(cells))}
        at_total = (cells[d] == TOTAL).to_numpy()
        for idx in groups.values():
            idx = np.asarray(idx)
            members = idx[~at_total[idx]]
            margin = idx[at_total[idx]]
            if len(members) >= 2:
                out.append(Line(int(margin[0]) + offset if len(margin) else None, members + offset))
    return out


def disclosing_zeros(
    all_lines: list[Line], values: np.ndarray, hidden: np.ndarray, incidence: np.ndarray
) -> np.ndarray:
    """Published zeros that tell everyone an attribute of a whole group that may be small: on a
    line where every category but one is a published zero and the group — the margin, or the one
    remaining cell when the table has no margin — is hidden. (A published group is either 0 or at
    least the threshold.) A zero that other published zeros already imply (every atom of it lies
    in one of them; ``incidence``: rows over the atoms) is left alone: they say it already. Judged from the pattern
    alone, so the audit applies the same rule."""
    values = np.asarray(values)
    hidden = np.asarray(hidden, dtype=bool)
    unsafe = np.zeros(len(values), dtype=bool)
    for line in all_lines:
        zero = ~hidden[line.members] & (values[line.members] == 0)
        if zero.sum() != len(line.members) - 1:
            continue
        group = line.members[~zero][0] if line.margin is None else line.margin
        if hidden[group]:
            unsafe[line.members[zero]] = True
    if unsafe.any():
        # atoms every unit of which the other published zeros already rule out
        for i in np.flatnonzero(unsafe):
            others = ~hidden & (values == 0)
            others[i] = False
            empty = incidence[others].any(axis=0)
            if not (incidence[i] & ~empty).any():
                unsafe[i] = False
    return unsafe


def maybe_zero(all_lines: list[Line], hidden: np.ndarray) -> np.ndarray:
    """Cells the group rule could have hidden as zeros, judged from the hidden pattern alone: a
    cell on a line whose margin is hidden or not published."""
    hidden = np.asarray(hidden, dtype=bool)
    out = np.zeros(len(hidden), dtype=bool)
    for line in all_lines:
        if line.margin is None or hidden[line.margin]:
            out[line.members] = True
    return out


def floors(all_lines: list[Line] | None, hidden: np.ndarray, zeros_hidden: bool = False) -> np.ndarray:
    """The least value an attacker may assume for each cell when hidden: 0 where a hidden zero is
    possible (every cell when the policy hides zeros; ``maybe_zero`` when it publishes them), else 1."""
    if zeros_hidden:
        return np.zeros(len(hidden), dtype=np.int64)
    if all_lines is None:
        return np.ones(len(hidden), dtype=np.int64)
    return (~maybe_zero(all_lines, hidden)).astype(np.int64)
