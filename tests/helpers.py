"""Helpers for crafting releases in tests (honest ones, tampered ones, leaking ones)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cpt_public.publish.run import Built, write_release
from cpt_public.release import manifest as mf
from cpt_public.release.model import universe_model
from cpt_public.release.spec import Protection, TableSpec, load_spec
from cpt_public.release.vocabulary import table_vocab


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
    """The demo spec and the atoms model of people tables with the given dimensions."""
    spec = load_spec()
    vocabs = {n: table_vocab(spec, _people_table(n, ds)) for n, ds in tables.items()}
    attr_cats = {a: c for tv in vocabs.values() for a, c in tv.attributes.items()}
    model = universe_model(attr_cats, {n: (tv.dims, tv.categories()) for n, tv in vocabs.items()})
    model.vocabs = vocabs
    return spec, model


def _people_table(name: str, dims: list[str]) -> TableSpec:
    return TableSpec(
        name=name,
        title=name,
        description=name,
        kind="people",
        dimensions=dims,
        protection=Protection(method="suppression"),
    )


def craft_release(out: Path, model, spec, atoms: np.ndarray, hidden: dict[str, np.ndarray]) -> Path:
    """Write a release of the model's tables from exact atom counts, hiding the given cells,
    *without* the publish step's audit: the way an unsafe tool would."""
    built = []
    for name, tm in model.tables.items():
        values = tm.incidence.astype(np.int64) @ atoms
        h = hidden.get(name, np.zeros(len(values), dtype=bool))
        frame = tm.cells.astype(str).copy()
        frame["count"] = pd.array(np.where(h, 0, values), dtype="Int64")
        frame.loc[h, "count"] = pd.NA
        frame["suppressed"] = h
        control = mf.DisclosureControl(
            method="suppression", threshold=spec.release.threshold, protectionRange=spec.protection_range
        )
        built.append(Built(model.vocabs[name], frame, control))
    write_release(built, spec, out, log=lambda _: None, verify=False)
    return out
