"""Helpers for crafting releases in tests (honest ones, tampered ones, leaking ones)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cpt_public import manifest as mf
from cpt_public.model import universe_model
from cpt_public.publish import Built, write_release
from cpt_public.spec import load_spec
from cpt_public.universes import UNIVERSES, attr_categories, dimension_categories, spec_categories


def rewrite_table(release: Path, name: str, frame: pd.DataFrame, fix_hash: bool = True) -> None:
    """Replace a table's file; with ``fix_hash`` also update the manifest so only content checks can object."""
    path = release / "tables" / f"{name}.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    if fix_hash:
        data = path.read_bytes()
        man = json.loads((release / mf.MANIFEST).read_text())
        for r in man["resources"]:
            if r["name"] == name:
                r["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
                r["bytes"] = len(data)
        (release / mf.MANIFEST).write_text(json.dumps(man, indent=2))


def people_model(tables: dict[str, list[str]]):
    spec = load_spec()
    u = UNIVERSES["people"]
    dims = [d for ds in tables.values() for d in ds]
    attr_cats = attr_categories(u, dims, spec_categories(spec))
    cats = {n: (ds, {d: dimension_categories(u, d, attr_cats, True) for d in ds}) for n, ds in tables.items()}
    return spec, universe_model(u, attr_cats, cats)


def craft_release(out: Path, model, spec, atoms: np.ndarray, hidden: dict[str, np.ndarray]) -> Path:
    """Write a release of the model's tables from exact atom counts, hiding the given cells,
    *without* the publish step's audit: the way an unsafe tool would."""
    from cpt_public.spec import TableSpec, Protection

    built = []
    for name, tm in model.tables.items():
        values = tm.incidence.astype(np.int64) @ atoms
        h = hidden.get(name, np.zeros(len(values), dtype=bool))
        frame = tm.cells.astype(str).copy()
        frame["count"] = pd.array(np.where(h, 0, values), dtype="Int64")
        frame.loc[h, "count"] = pd.NA
        frame["suppressed"] = h
        ts = TableSpec(name=name, title=name, description=name, universe="people", dimensions=tm.dims,
                       protection=Protection(method="suppression"))
        control = mf.DisclosureControl(method="suppression", threshold=spec.release.threshold,
                                       protectionRange=spec.protection_range)
        built.append(Built(ts, frame, control, "people"))
    write_release(built, spec, 0.0, out, log=lambda _: None, verify=False)
    return out
