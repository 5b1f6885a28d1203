"""Tables as sums of atoms.

For one universe and the tables over it, the *atoms* are the cross product of the attribute
categories those tables use; a cell is the set of atoms its dimension categories select
(``incidence``: a boolean row over atoms). Exact counts are ``incidence @ atom_counts``; the audit
treats atom counts as unknown non-negative integers constrained by every published cell.

Decomposition. The full cross product can be large (age x gender x race x four system flags is
3,584 atoms) although no table crosses all of them. When the attribute sets of the tables form
a *star* — every two maximal sets meet in the same separator S — the model keeps one block of
atoms per maximal set, tied by *structural* constraints: every block has the same count for
each value of S. This is exact for real and for integer solutions: given block counts that agree
on S, a full table exists (for each value of S, give the units of that value their attributes
from each block independently), and every full table yields such block counts. Any other shape
falls back to the full cross product.

Data-free: the same model is rebuilt from a spec (to publish) or from a manifest (to audit).
Counting units into atoms happens in the publish step (DuckDB); here atoms are only described.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd

from .protect.groups import Line, lines
from .spec import TOTAL
from .vocabulary import Dimension


@dataclasses.dataclass
class Block:
    attrs: tuple[str, ...]
    atoms: pd.DataFrame
    offset: int
    sep_index: np.ndarray  # each atom's value of the separator, as an integer

    @property
    def size(self) -> int:
        return len(self.atoms)


@dataclasses.dataclass
class TableModel:
    name: str
    dims: list[str]
    categories: dict[str, list[str]]
    cells: pd.DataFrame  # one row per cell: the dimension categories, in row-major order
    incidence: np.ndarray  # bool, (n_cells, n_vars)
    keys: list[bytes]  # equal keys <=> the same set of units, whichever table or block

    @property
    def interior(self) -> np.ndarray:
        """Cells with no Total in any dimension."""
        return ~(self.cells == TOTAL).any(axis=1).to_numpy()

    @property
    def n_totals(self) -> np.ndarray:
        return (self.cells == TOTAL).sum(axis=1).to_numpy()

    @property
    def composition(self) -> np.ndarray:
        """Which interior cells each cell sums (bool, cells x interior cells): the unknowns of a
        table whose interior cells carry independent noise (DP), every cell their sum."""
        inner = self.incidence[self.interior].astype(np.int64)
        size = inner.sum(axis=1)
        return ((self.incidence.astype(np.int64) @ inner.T) == size) & (size > 0)

    def lines(self, dims: list[Dimension], offset: int = 0) -> list[Line]:
        """The table's lines (``protect.groups``), cell numbers shifted by ``offset``."""
        return lines(self.cells, {d.name: d.partition for d in dims}, offset)


@dataclasses.dataclass
class UniverseModel:
    attr_cats: dict[str, tuple[str, ...]]
    blocks: list[Block]
    separator: tuple[str, ...]
    tables: dict[str, TableModel]

    @property
    def n_vars(self) -> int:
        return sum(b.size for b in self.blocks)

    @property
    def structural(self) -> np.ndarray:
        """Rows of ``S x = 0``: each block agrees with the first on every separator value."""
        n_sep = int(np.prod([len(self.attr_cats[a]) for a in self.separator])) if self.separator else 1
        rows = []
        first = self.blocks[0]
        for b in self.blocks[1:]:
            for s in range(n_sep):
                row = np.zeros(self.n_vars, dtype=np.int8)
                row[first.offset + np.flatnonzero(first.sep_index == s)] = 1
                row[b.offset + np.flatnonzero(b.sep_index == s)] = -1
                rows.append(row)
        return np.array(rows, dtype=np.int8).reshape(len(rows), self.n_vars)


def _mixed_radix(codes: dict[str, np.ndarray], cats: dict[str, tuple[str, ...]], n: int) -> np.ndarray:
    idx = np.zeros(n, dtype=np.int64)
    for a in cats:
        idx = idx * len(cats[a]) + codes[a]
    return idx


def _product(attr_cats: dict[str, tuple[str, ...]], attrs: tuple[str, ...]) -> pd.DataFrame:
    if not attrs:
        return pd.DataFrame(index=[0])
    return pd.DataFrame(list(itertools.product(*(attr_cats[a] for a in attrs))), columns=list(attrs), dtype=object)


def _blocks(attr_cats, table_attrs: list[tuple[str, ...]]) -> tuple[list[tuple[str, ...]], tuple[str, ...]]:
    order = list(attr_cats)
    sets = {frozenset(s) for s in table_attrs}
    maximal = [s for s in sets if not any(s < o for o in sets)]
    maximal.sort(key=lambda s: [order.index(a) for a in sorted(s, key=order.index)])
    sep = frozenset.intersection(*maximal) if maximal else frozenset()
    star = all(a & b == sep for a, b in itertools.combinations(maximal, 2))
    if not star:
        maximal, sep = [frozenset(order)], frozenset(order)
    as_tuple = lambda s: tuple(a for a in order if a in s)  # noqa: E731
    return [as_tuple(s) for s in maximal], as_tuple(sep)


def universe_model(
    attr_cats: dict[str, tuple[str, ...]], tables: dict[str, tuple[list[Dimension], dict[str, list[str]]]]
) -> UniverseModel:
    """``attr_cats``: every attribute the tables use, with its categories; ``tables``: name ->
    (dimensions, categories per dimension name, Total included where published)."""
    attrs_of = {n: tuple(dict.fromkeys(a for d in dims for a in d.rule.attrs)) for n, (dims, _) in tables.items()}
    block_attrs, sep = _blocks(attr_cats, list(attrs_of.values()) or [()])
    blocks, offset = [], 0
    for attrs in block_attrs:
        atoms = _product(attr_cats, attrs)
        sep_idx = _mixed_radix(
            {a: pd.Categorical(atoms[a], categories=attr_cats[a]).codes for a in sep},
            {a: attr_cats[a] for a in sep},
            len(atoms),
        )
        blocks.append(Block(attrs, atoms, offset, sep_idx))
        offset += len(atoms)
    model = UniverseModel(dict(attr_cats), blocks, sep, {})
    for name, (dims, cats) in tables.items():
        block = next(b for b in blocks if set(attrs_of[name]) <= set(b.attrs))
        model.tables[name] = _table_model(name, dims, cats, block, offset)
    return model


def _table_model(name, dims: list[Dimension], categories, block: Block, n_vars: int) -> TableModel:
    names = [d.name for d in dims]
    cells = pd.MultiIndex.from_product([categories[d] for d in names], names=names).to_frame(index=False)
    local = np.ones((1, block.size), dtype=bool)
    for d in dims:
        masks = np.stack([d.cell_mask(block.atoms, c) for c in categories[d.name]])
        local = (local[:, None, :] & masks[None, :, :]).reshape(-1, block.size)
    inc = np.zeros((len(local), n_vars), dtype=bool)
    inc[:, block.offset : block.offset + block.size] = local
    return TableModel(name, names, categories, cells, inc, [_key(row, block) for row in local])


def _key(row: np.ndarray, block: Block) -> bytes:
    """A cell that depends only on the separator is the same set of units in every block."""
    n_sep = int(block.sep_index.max()) + 1
    hits = np.bincount(block.sep_index, weights=row, minlength=n_sep)
    sizes = np.bincount(block.sep_index, minlength=n_sep)
    if np.all((hits == 0) | (hits == sizes)):
        return b"S" + np.packbits(hits > 0).tobytes() + n_sep.to_bytes(4, "little")
    return b"B" + block.offset.to_bytes(8, "little") + np.packbits(row).tobytes()
