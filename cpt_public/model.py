"""Tables as sums of atoms.

For one universe and the tables over it, the *atoms* are the full cross product of the attribute
categories those tables use; a cell is the set of atoms its dimension categories select
(``incidence``: a boolean row over atoms). Exact counts are ``incidence @ atom_counts``; the audit
treats atom counts as unknown non-negative integers constrained by every published cell.
Data-free: the same model is rebuilt from a spec (to publish) or from a manifest (to audit).
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd

from .spec import TOTAL
from .universes import Universe, Units


@dataclasses.dataclass
class TableModel:
    name: str
    dims: list[str]
    categories: dict[str, list[str]]
    cells: pd.DataFrame  # one row per cell: the dimension categories, in row-major order
    incidence: np.ndarray  # bool, (n_cells, n_atoms)

    @property
    def interior(self) -> np.ndarray:
        """Cells with no Total in any dimension."""
        return ~(self.cells == TOTAL).any(axis=1).to_numpy()

    @property
    def n_totals(self) -> np.ndarray:
        return (self.cells == TOTAL).sum(axis=1).to_numpy()


@dataclasses.dataclass
class UniverseModel:
    universe: Universe
    attr_cats: dict[str, tuple[str, ...]]
    atoms: pd.DataFrame
    tables: dict[str, TableModel]

    @property
    def n_atoms(self) -> int:
        return len(self.atoms)

    def atom_index(self, units: Units) -> np.ndarray:
        """Each unit's atom, by mixed-radix arithmetic on its attribute codes (first attribute slowest)."""
        idx = np.zeros(len(units.person), dtype=np.int64)
        for attr, cats in self.attr_cats.items():
            idx = idx * len(cats) + units.codes[attr]
        return idx

    def atom_counts(self, units: Units, keep: np.ndarray | None = None, cap: int | None = None) -> np.ndarray:
        idx = self.atom_index(units)
        weight = units.weight
        if cap is not None and weight is not None:
            weight = np.minimum(weight, cap)
        if keep is not None:
            idx = idx[keep]
            weight = None if weight is None else weight[keep]
        return np.bincount(idx, weights=weight, minlength=self.n_atoms).round().astype(np.int64)


def table_model(name: str, universe: Universe, dims: list[str], categories: dict[str, list[str]], atoms: pd.DataFrame) -> TableModel:
    cells = pd.MultiIndex.from_product([categories[d] for d in dims], names=dims).to_frame(index=False)
    inc = np.ones((1, len(atoms)), dtype=bool)
    for d in dims:
        masks = np.stack([universe.dims[d].cell_mask(atoms, c) for c in categories[d]])
        inc = (inc[:, None, :] & masks[None, :, :]).reshape(-1, len(atoms))
    return TableModel(name, list(dims), categories, cells, inc)


def universe_model(universe: Universe, attr_cats: dict[str, tuple[str, ...]], tables: dict[str, tuple[list[str], dict[str, list[str]]]]) -> UniverseModel:
    """``tables``: name -> (dims, categories per dim, Total included where published)."""
    atoms = pd.DataFrame(list(itertools.product(*attr_cats.values())), columns=list(attr_cats), dtype=object)
    if not attr_cats:
        atoms = pd.DataFrame(index=[0])
    models = {n: table_model(n, universe, dims, cats, atoms) for n, (dims, cats) in tables.items()}
    return UniverseModel(universe, dict(attr_cats), atoms, models)
