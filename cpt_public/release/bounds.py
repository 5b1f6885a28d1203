"""What a release supports saying about a sum of its cells, hidden ones included.

A figure the site states (a takeaway's fact, a headline number) is often a sum of cells, and
some of those cells may be hidden. Anyone can bound such a sum from the published cells, by the
same linear program the audit uses: this module states that range instead of hiding the whole
figure — "fewer than 23", "between 40 and 60" — or the exact number when the published cells
already determine it. It never says more than an attacker with every published cell could
work out (the audit proves that is too little to narrow any hidden cell below its protection
range), so stating it discloses nothing new.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .catalog import Release, Table
from .protect.audit import Attacker


class Bounds:
    """Lazily, per population: the attacker's knowledge of the release's suppression tables."""

    def __init__(self, release: Release):
        self._release = release
        self._systems: dict[str, tuple[Attacker, dict[str, np.ndarray]]] = {}

    def _system(self, table: Table) -> tuple[Attacker, dict[str, np.ndarray]]:
        from .verify import published_system

        uid = table.resource.universe_id
        if uid not in self._systems:
            tables = [
                t
                for t in self._release.tables.values()
                if t.resource.universe_id == uid and t.control.method == "suppression"
            ]
            system = published_system(tables)
            self._systems[uid] = (system.attacker(), {t.name: system.rows(i) for i, t in enumerate(tables)})
        return self._systems[uid]

    def interval(self, table: Table, rows: Sequence[int]) -> tuple[float, float]:
        """Lowest and highest value the published cells allow for the sum of ``rows`` (positions in
        the table's frame). Known cells give their sum; a hidden cell of a table protected only by
        noise (dp+suppression) is not modelled, so the range is unbounded above."""
        counts = table.frame["count"].to_numpy(dtype="float64", na_value=np.nan)[list(rows)]
        if not np.isnan(counts).any():
            total = float(counts.sum())
            return total, total
        if table.control.method != "suppression":
            return 0.0, math.inf
        attacker, incidence = self._system(table)
        target = incidence[table.name][list(rows)].sum(axis=0)
        iv = attacker.lp_bounds(target).interval
        # Whole people: an LP bound of 10.0000001 is 10.
        return float(math.ceil(iv.lo - 1e-6)), (iv.hi if iv.hi == math.inf else float(math.floor(iv.hi + 1e-6)))
