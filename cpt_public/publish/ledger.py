"""The release ledger: what was ever published from these records, kept beside the release.

``published_data.ledger/`` (beside ``published_data/``) is private — it is never served, and it
holds exact counts — and it only grows:

- ``index.jsonl``: one line per publish (version, time, spec hash, epsilon spent) and one per
  retirement (a release that was never made public, taken out of the joint audit);
- ``<version>/release/``: a copy of the release exactly as published (manifest and tables), so
  the joint audit knows what an attacker knows;
- ``<version>/exact/``: for each population with suppressed tables, the exact number of units
  per combination of all its attributes (only the combinations that occur); for each noisy
  table, its exact interior counts before noise. These let the next publish model the change
  between releases as tightly as the truth allows, and reuse noise when nothing changed;
- ``secret``: random bytes that make the random choices of a publish (which units a
  contribution bound drops) the same for the same records.

A publish writes its entry before the release is swapped in and indexes it after; an entry
that is present but not indexed (the process stopped in between) is treated as published.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import shutil
from pathlib import Path

import pandas as pd

from ..errors import CptError
from ..release.catalog import Release, load_release

INDEX = "index.jsonl"


def ledger_for(out: Path) -> Path:
    out = Path(out).resolve()
    return out.parent / f"{out.name}.ledger"


@dataclasses.dataclass
class Entry:
    version: str
    created: str
    folder: Path
    epsilon_spent: float
    indexed: bool
    _release: Release | None = dataclasses.field(default=None, repr=False, compare=False)

    def release(self) -> Release:
        """The release as published (read and verified once per entry)."""
        if self._release is None:
            self._release = load_release(self.folder / "release")
        return self._release

    def exact_units(self, population: str) -> tuple[dict[str, list[str]], pd.DataFrame] | None:
        """The stored exact counts of a population: categories per attribute, and one row per
        combination that occurs (attribute codes and ``n``)."""
        path = self.folder / "exact" / f"units_{population}.parquet"
        if not path.exists():
            return None
        meta = json.loads((self.folder / "exact" / "populations.json").read_text(encoding="utf-8"))[population]
        return meta["attributes"], pd.read_parquet(path)

    def population_key(self, population: str) -> str | None:
        path = self.folder / "exact" / "populations.json"
        if not path.exists():
            return None
        meta = json.loads(path.read_text(encoding="utf-8")).get(population)
        return None if meta is None else meta["key"]

    def exact_interior(self, table: str) -> dict | None:
        path = self.folder / "exact" / "noisy.json"
        if not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8")).get(table)


@dataclasses.dataclass
class Pending:
    """What a publish will add to the ledger once its release is in place."""

    units: dict[str, tuple[str, dict[str, list[str]], pd.DataFrame]] = dataclasses.field(default_factory=dict)
    noisy: dict[str, dict] = dataclasses.field(default_factory=dict)


class Ledger:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._seen: dict[tuple[str, bool], Entry] = {}

    # ------------------------------------------------------------------ reading

    def _lines(self) -> list[dict]:
        path = self.root / INDEX
        if not path.exists():
            return []
        out = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    raise CptError(
                        f"the release ledger {path} is damaged at line {n}: restore it from a backup"
                    ) from None
        return out

    def entries(self, include_retired: bool = False) -> list[Entry]:
        """Every release published from these records, oldest first (retired ones only if asked)."""
        lines = self._lines()
        retired = {x["retire"] for x in lines if "retire" in x}
        out: dict[str, Entry] = {}
        for x in lines:
            if "version" in x and (include_retired or x["version"] not in retired):
                out[x["version"]] = Entry(
                    x["version"], x["created"], self.root / x["version"], x["epsilon_spent"], True
                )
        if self.root.is_dir():  # written but never indexed: treat as published
            for folder in sorted(self.root.iterdir(), key=lambda f: f.stat().st_mtime):
                if (folder / "entry.json").exists() and folder.name not in out and folder.name not in retired:
                    meta = json.loads((folder / "entry.json").read_text(encoding="utf-8"))
                    out[folder.name] = Entry(folder.name, meta["created"], folder, meta["epsilon_spent"], False)
        # The index's order is the order of publishing (two publishes can share a second); entries
        # never indexed come after, by their time. Entries seen before are kept, with their release.
        return [self._seen.setdefault((e.version, e.indexed), e) for e in out.values()]

    def retired(self) -> dict[str, str]:
        return {x["retire"]: x.get("reason", "") for x in self._lines() if "retire" in x}

    def lifetime_spent(self) -> float:
        return round(sum(e.epsilon_spent for e in self.entries()), 12)

    def secret(self) -> bytes:
        path = self.root / "secret"
        if not path.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            self.root.chmod(0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(32))
        return path.read_bytes()

    def derived(self, purpose: str) -> int:
        """A 62-bit number fixed for these records' ledger and ``purpose``."""
        digest = hmac.new(self.secret(), purpose.encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "little") % (2**62 - 1) + 1

    # ------------------------------------------------------------------ writing

    def write_entry(
        self, version: str, created: str, stage: Path, spec_text: str, spent: float, pending: Pending
    ) -> Path | None:
        """Copy the staged release and its exact counts into the ledger (not yet indexed); None
        when the ledger already holds this version (the same tables, published the same day)."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)
        folder = self.root / version
        if any(e.version == version for e in self.entries(include_retired=True)):
            return None
        if folder.exists():  # a leftover of a publish that failed before indexing
            shutil.rmtree(folder)
        shutil.copytree(stage, folder / "release")
        exact = folder / "exact"
        exact.mkdir()
        meta = {}
        for pid, (key, cats, frame) in pending.units.items():
            frame.to_parquet(exact / f"units_{pid}.parquet", index=False)
            meta[pid] = {"key": key, "attributes": cats}
        (exact / "populations.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        (exact / "noisy.json").write_text(json.dumps(pending.noisy), encoding="utf-8")
        (folder / "spec.toml").write_text(spec_text, encoding="utf-8")
        entry = {
            "version": version,
            "created": created,
            "spec_sha256": hashlib.sha256(spec_text.encode()).hexdigest(),
            "epsilon_spent": spent,
        }
        (folder / "entry.json").write_text(json.dumps(entry), encoding="utf-8")
        return folder

    def index(self, folder: Path) -> None:
        entry = json.loads((folder / "entry.json").read_text(encoding="utf-8"))
        self._append(entry)

    def discard(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)

    def retire(self, version: str, reason: str) -> None:
        known = {e.version for e in self.entries(include_retired=True)}
        if version not in known:
            raise CptError(f"the ledger has no release {version!r} (see `python -m cpt_public ledger list`)")
        if not reason.strip():
            raise CptError("say why the release is retired (--reason): the ledger keeps the reason")
        self._append({"retire": version, "reason": reason.strip(), "at": _now()})

    def _append(self, record: dict) -> None:
        with open(self.root / INDEX, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
            f.flush()
            os.fsync(f.fileno())


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
