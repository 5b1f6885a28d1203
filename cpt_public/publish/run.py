"""``publish``: the only code that touches record-level data.

read and validate the files the spec names (DuckDB) → build each population's units → exact
atom counts → protect (suppression with complementary suppression, and/or DP) → write tables and
manifest into a staging folder → re-load the staged release through the catalog and re-audit it
→ swap it into place. Any failure leaves the previous release untouched.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from diffprivlib import BudgetAccountant
from diffprivlib.utils import BudgetError

from .. import __version__
from ..errors import CptError, ProtectionError
from ..release import manifest as mf
from ..release.model import UniverseModel, universe_model
from ..release.protect import dp
from ..release.protect.suppression import suppress
from ..release.relations import Known, Relation, relation_for, world
from ..release.spec import DEMO_SPEC, Spec, TableSpec, load_spec
from ..release.vocabulary import PARAMETERS, Population, TableVocab, vocabulary
from . import joint
from . import units as U
from .inputs import MEMORY_LIMIT, Inputs, load_inputs
from .ledger import Ledger, Pending, ledger_for

ZERO_POLICY = (
    "True zeros are published as 0, except a zero that would reveal an attribute of a whole group smaller "
    "than the threshold (every member in one category of a row or column), which is hidden. Cells of 1 to "
    "threshold-1 are hidden, and further non-zero cells are hidden until no hidden cell can be narrowed below "
    "the protection range by anyone who knows every published cell and that a hidden cell off such a row or "
    "column holds at least 1. In 'dp+suppression' tables the same rules apply to the noisy counts, whose zeros "
    "are never hidden."
)
NEIGHBOURING = (
    "Add or remove one person, with all of their records: each noisy table's sensitivity is the most one "
    "person can change it, given its contribution bounds (maxUnitsPerPerson, maxValuePerUnit)."
)
Log = Callable[[str], None]


@dataclasses.dataclass
class Built:
    vocab: TableVocab
    frame: pd.DataFrame
    control: mf.DisclosureControl
    relation: Relation | None = None  # how its units are people of the people population

    @property
    def spec(self) -> TableSpec:
        return self.vocab.spec


def publish(
    input_dir: Path | str,
    out_dir: Path | str,
    spec_path: Path | str | None = None,
    seed: int | None = None,
    log: Log = print,
    memory_limit: str = MEMORY_LIMIT,
    ledger_dir: Path | str | None = None,
) -> mf.Package:
    """``ledger_dir``: the release ledger (default: beside ``out_dir``, see ``ledger``)."""
    spec = load_spec(spec_path)
    if seed is not None and not spec.release.synthetic:
        raise CptError("--seed makes the noise predictable: it is only allowed for synthetic releases and tests")
    ledger = Ledger(Path(ledger_dir) if ledger_dir else ledger_for(Path(out_dir)))
    _check_known(Path(out_dir), ledger, spec, log)
    _commit_budget(spec)
    _check_lifetime(spec, ledger, 0.0)  # before reading any record, when nothing is left to spend
    inputs = load_inputs(input_dir, spec, memory_limit)
    try:
        log(inputs.summary())
        built, pending = build_tables(inputs, spec, seed, log, ledger)
    finally:
        inputs.close()
    new = round(sum(b.control.epsilon or 0 for b in built if b.control.noiseFrom is None), 12)
    _check_lifetime(spec, ledger, new)
    spec_text = Path(spec_path or DEMO_SPEC).read_text(encoding="utf-8")
    return write_release(built, spec, Path(out_dir), log, ledger=ledger, pending=pending, spec_text=spec_text)


def _check_known(out: Path, ledger: Ledger, spec: Spec, log: Log) -> None:
    """The release being replaced must be in the ledger: a refresh is audited against every release
    already public, and one the ledger does not know cannot be. (A lost ledger would otherwise make
    every refresh look like a first release.)"""
    manifest = out / mf.MANIFEST
    if not manifest.exists():
        return
    try:
        version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        version = None
    if version and any(e.version == version for e in ledger.entries(include_retired=True)):
        return
    if spec.release.synthetic:
        log(
            f"note: the release in {out} ({version or 'unreadable'}) is not in the ledger {ledger.root}; "
            "this synthetic release is published without comparing it"
        )
        return
    raise ProtectionError(
        f"the release in {out} ({version or 'unreadable'}) is not in the release ledger {ledger.root}, so this "
        "publish cannot be audited against it. Restore the ledger from its backup (or pass --ledger with "
        "its folder); if that release never was public, move it away first"
    )


def _lifetime(spec: Spec) -> float:
    return spec.release.lifetime_epsilon or spec.release.epsilon_budget


def _check_lifetime(spec: Spec, ledger: Ledger, new: float) -> None:
    """Every release from these records adds its noise's privacy loss to one lifetime total."""
    spent, budget = ledger.lifetime_spent(), _lifetime(spec)
    if new > 0 and spent + new > budget + 1e-9:
        raise ProtectionError(
            f"this release would spend epsilon {new:g} on tables whose records changed, but earlier releases "
            f"from these records already spent {spent:g} of the lifetime budget {budget:g} "
            "(release.lifetime_epsilon): every refresh of a noisy table adds to what anyone can learn by "
            "comparing releases. Publish less often, lower the tables' epsilons, or — knowing what it "
            "means — raise release.lifetime_epsilon"
        )


def _commit_budget(spec: Spec) -> float:
    """One accountant for the release; every DP table's epsilon is committed before any noise is
    drawn. Returns the epsilon spent (0 for a release without DP, which needs no budget)."""
    budget = spec.release.epsilon_budget
    dp_tables = [t for t in spec.tables if t.protection.method.startswith("dp")]
    if not dp_tables:
        return 0.0
    if budget <= 0:
        raise ProtectionError(
            f"table {dp_tables[0].name!r} uses differential privacy, but release.epsilon_budget is 0: "
            "set the release's budget"
        )
    accountant = BudgetAccountant(epsilon=budget, delta=0.0)
    for t in dp_tables:
        try:
            accountant.spend(t.protection.epsilon, 0.0)
        except BudgetError:
            spent = accountant.total()[0]
            raise ProtectionError(
                f"table {t.name!r} needs epsilon {t.protection.epsilon:g}, but the release budget is {budget:g} "
                f"and {spent:g} is already committed: raise release.epsilon_budget or lower the tables' epsilons"
            ) from None
    return accountant.total()[0]


def build_tables(
    inputs: Inputs, spec: Spec, seed: int | None, log: Log, ledger: Ledger | None = None
) -> tuple[list[Built], Pending]:
    """Every table of the spec, protected; with a ``ledger``, audited jointly with every earlier
    release still public, noise reused for noisy tables whose records did not change."""
    rng = dp.make_rng(seed)
    salt = int(rng.integers(1, 2**62))
    if seed is None and ledger is not None:
        salt = ledger.derived("contribution-bound")  # the same records lose the same units every time
    noise_state = None if seed is None else np.random.RandomState(seed)
    T, P = spec.release.threshold, spec.protection_range
    vocab = vocabulary(spec)
    out: dict[str, Built] = {}
    pending = Pending()
    by_population: dict[str, list[TableVocab]] = {}
    # the people population first: other populations' units are its people (``relations``)
    for tv in sorted(vocab.values(), key=lambda tv: tv.population.kind != "people"):
        by_population.setdefault(tv.population.id, []).append(tv)
    inside = next((ts[0].population for ts in by_population.values() if ts[0].population.kind == "people"), None)
    known: list[Known] = []  # populations already suppressed, as an attacker sees them
    if spec.custom:
        U.create_file_views(inputs)
        inputs.con.execute("SET enable_external_access = false")  # a custom query sees the records, nothing else
    for pid, tables in by_population.items():
        pop = tables[0].population
        attr_cats = {a: c for tv in tables for a, c in tv.attributes.items()}
        model = universe_model(attr_cats, {tv.spec.name: (tv.dims, tv.categories()) for tv in tables})
        sup = [tv for tv in tables if tv.spec.protection.method == "suppression"]
        relation = None if inside is None else relation_for(spec, pop, tables[0].spec, inside)
        # A population with suppressed tables keeps, in the ledger, its units per combination of
        # every attribute it offers: what the next release's joint audit starts from.
        unit_attrs = list(pop.attrs) if sup else list(attr_cats)
        units = U.q(f"units_{pid}")
        sql = U.build_units(inputs, pop, unit_attrs, tables[0].spec)
        inputs.con.execute(f"CREATE OR REPLACE TEMP TABLE {units} AS {sql}")
        if sup:
            frames, mine = _suppress_population(
                inputs.con, units, model, pop, sup, T, P, log, ledger, pending, relation, known
            )
            known.append(mine)
            for tv, frame in frames:
                control = mf.DisclosureControl(
                    method="suppression", threshold=T, protectionRange=P, epsilon=None, mechanism=None, moeLevel=None
                )
                out[tv.spec.name] = Built(tv, frame, control, relation)
        noisy = [tv for tv in tables if tv.spec.protection.method.startswith("dp")]
        # units per person, counted once for the population (a population of people has one each)
        per = U.per_person(inputs.con, units) if noisy and not pop.one_per_person else None
        for tv in noisy:
            frame, control = _noise(
                inputs.con, units, per, model, pop, tv, salt, noise_state, T, P, log, ledger, pending
            )
            out[tv.spec.name] = Built(tv, frame, control, relation)
        inputs.con.execute(f"DROP TABLE {units}" + (f"; DROP TABLE {per}" if per else ""))
    return [out[t.name] for t in spec.tables], pending


def _suppress_population(
    con, units, model, pop, sup, T, P, log, ledger: Ledger | None, pending: Pending, relation, known: list[Known]
):
    """The suppressed tables of one population, audited with every earlier release still public
    (``ledger``) and every related population already published (``known``); returns the
    tables and the population as the next related one's audit sees it."""
    key = repr(pop.key)
    cats = {a: list(c) for a, c in pop.attrs.items()}
    counts = joint.sparse_units(con, units, list(pop.attrs))
    pending.units[pop.id] = (key, cats, counts)
    earlier = joint.earlier_releases(ledger, pop.id, key, pop.attrs) if ledger else []
    names, own = None, None
    if earlier:
        model, names = joint.joint_model(sup, earlier)
        own = joint.build(model, names, earlier, counts, cats)
        log(f"{pop.id}: audited together with {len(earlier)} earlier release(s) still public")
    context, notes = world(model, relation, own, known)
    for note in notes:
        log(f"{pop.id}: {note}")
    if relation is not None and any(k.pid == relation.inside for k in known):
        log(f"{pop.id}: audited together with the tables of {relation.inside!r}, whose people its units are")
    exact = joint.atoms(counts, cats, model) if earlier else U.atom_counts(con, units, model, pop.weighted)
    frames = list(_suppress(model, pop, sup, exact, T, P, log, names, context, refresh=own is not None))
    tms = [model.tables[n] for n in (names or [t.spec.name for t in sup])]
    offsets = np.cumsum([0] + [len(tm.cells) for tm in tms])
    mine = Known(
        pop.id,
        model,
        np.vstack([tm.incidence for tm in tms]),
        np.concatenate([f["count"].to_numpy(dtype="float64", na_value=np.nan) for _, f in frames]),
        [ln for t, tm, o in zip(sup, tms, offsets) for ln in tm.lines(t.dims, int(o))],
        [f"the hidden cell ({name})" for name in _cell_names(sup, tms)],
        relation,
        own,
    )
    return frames, mine


def _cell_names(tables: list[TableVocab], tms) -> list[str]:
    """Each cell of the stacked tables, as messages name it: ``table: dimension=category, …``."""
    return [
        f"{t.spec.name}: " + ", ".join(f"{d}={v}" for d, v in row.items())
        for t, tm in zip(tables, tms)
        for row in tm.cells.to_dict("records")
    ]


def _frame(tm, counts: np.ndarray, hidden: np.ndarray, moe: np.ndarray | None = None) -> pd.DataFrame:
    df = tm.cells.astype(str).copy()
    df["count"] = pd.array(np.where(hidden, 0, counts), dtype="Int64")
    df.loc[hidden, "count"] = pd.NA
    df["suppressed"] = hidden.astype(bool)
    if moe is not None:
        df["moe90"] = pd.array(moe, dtype="Int64")
    return df


def _suppress(
    model: UniverseModel,
    pop: Population,
    tables: list[TableVocab],
    exact: np.ndarray,
    T: int,
    P: int,
    log: Log,
    names: list[str] | None = None,
    context=None,
    refresh: bool = False,
):
    tms = [model.tables[n] for n in (names or [t.spec.name for t in tables])]
    inc = np.vstack([tm.incidence for tm in tms])
    values = inc.astype(np.int64) @ exact
    n_totals = np.concatenate([tm.n_totals for tm in tms])
    keys = [k for tm in tms for k in tm.keys]
    table_of = np.concatenate([[i] * len(tm.cells) for i, tm in enumerate(tms)])
    offsets = np.cumsum([0] + [len(tm.cells) for tm in tms])
    lines = [ln for t, tm, o in zip(tables, tms, offsets) for ln in tm.lines(t.dims, int(o))]
    labels = _cell_names(tables, tms)
    try:
        result = suppress(
            inc, values, n_totals, T, P, keys, model.structural, table_of, lines=lines, context=context, labels=labels
        )
    except ProtectionError as exc:
        advice = (
            " A refresh that adds or changes few people can reveal them to anyone comparing releases: publish "
            "when more records have changed, or publish fewer tables over this population."
            if refresh
            else ""
        )
        raise ProtectionError(f"population {pop.id!r}: {exc}.{advice}") from None
    zeros = int((result.primary & (values == 0)).sum())
    log(
        f"{pop.id}: {result.primary.sum() - zeros} small cells hidden"
        + (f" and {zeros} zeros that would reveal a small group's attribute" if zeros else "")
        + f", {(result.hidden & ~result.primary).sum()} more to protect them ({result.rounds} audit rounds)"
    )
    start = 0
    for t, tm in zip(tables, tms):
        n = len(tm.cells)
        yield t, _frame(tm, values[start : start + n], result.hidden[start : start + n])
        start += n


def _noise(
    con,
    units: str,
    per: str | None,
    model: UniverseModel,
    pop: Population,
    tv: TableVocab,
    salt: int,
    noise_state,
    T: int,
    P: int,
    log: Log,
    ledger: Ledger | None = None,
    pending: Pending | None = None,
):
    prot = tv.spec.protection
    tm = model.tables[tv.spec.name]
    # a population of people has one unit each: nothing to clip, nothing to count
    over = 0.0 if per is None else U.share_over(con, per, prot.max_units_per_person)
    source = U.clipped(units, per, list(model.attr_cats), prot.max_units_per_person, salt) if over else units
    cap = prot.max_value_per_unit if pop.weighted else None
    counts = U.atom_counts(con, source, model, pop.weighted, cap)
    sensitivity = prot.max_units_per_person * (prot.max_value_per_unit if pop.weighted else 1)
    inner = tm.incidence[tm.interior].astype(np.int64)
    exact = inner @ counts
    signature = {
        "population": repr(pop.key),
        "dimensions": {d: list(c) for d, c in tv.categories().items()},
        "protection": prot.model_dump(),
        "threshold": T,
        "protection_range": P,
    }
    if pending is not None:
        pending.noisy[tv.spec.name] = {"signature": signature, "exact": exact.tolist()}
    reused = _reusable(ledger, tv.spec.name, signature, exact)
    if reused is not None:
        table, version = reused
        log(
            f"{tv.spec.name}: its records did not change since release {version}: the same noisy counts, no epsilon spent"
        )
        return table.frame.copy(), table.control.model_copy(update={"noiseFrom": version})
    contains = tm.composition
    values, moe = dp.protect_counts(exact, contains, prot.epsilon, sensitivity, noise_state)
    hidden = np.zeros(len(values), dtype=bool)
    if prot.method == "dp+suppression":
        # The noisy table is published exactly as drawn, so small noisy cells need complementary
        # suppression and the same audit as any suppressed table, over its own unknowns: the noisy
        # interior cells. Its zeros are noise, not facts about a group, so they stay published.
        result = suppress(contains, values, tm.n_totals, T, P)
        hidden = result.hidden
        log(
            f"{tv.spec.name}: {result.primary.sum()} small noisy cells hidden, "
            f"{(hidden & ~result.primary).sum()} more to protect them"
        )
    log(
        f"{tv.spec.name}: epsilon {prot.epsilon:g}, sensitivity {sensitivity}; "
        f"{over:.1%} of people had more than {prot.max_units_per_person} unit(s) and were clipped"
    )
    control = mf.DisclosureControl(
        method=prot.method,
        threshold=T if "suppression" in prot.method else None,
        protectionRange=P if "suppression" in prot.method else None,
        epsilon=prot.epsilon,
        mechanism=dp.MECHANISM,
        moeLevel=dp.MOE_LEVEL,
        sensitivity=sensitivity,
        maxUnitsPerPerson=prot.max_units_per_person,
        maxValuePerUnit=prot.max_value_per_unit if cap else None,
        boundsBind=bool(over) or (cap is not None and _capped(con, units, cap)),
    )
    return _frame(tm, values, hidden, moe), control


def _capped(con, units: str, cap: int) -> bool:
    """Does any unit's value exceed the cap on a unit's value?"""
    return bool(con.execute(f"SELECT count(*) > 0 FROM {units} WHERE w > {int(cap)}").fetchone()[0])


def _reusable(ledger: Ledger | None, name: str, signature: dict, exact: np.ndarray):
    """The latest earlier release's noisy table and its noise's version, when this table is
    defined the same and its exact counts did not change: publishing the same noisy counts again
    tells nothing new and spends nothing (drawing new noise would let anyone average it away)."""
    if ledger is None:
        return None
    for entry in reversed(ledger.entries()):
        stored = entry.exact_interior(name)
        if stored is None:
            continue
        if stored["signature"] != json.loads(json.dumps(signature)) or stored["exact"] != exact.tolist():
            return None
        table = entry.release().tables.get(name)
        if table is None:
            return None
        return table, table.control.noiseFrom or entry.version
    return None


# ----------------------------------------------------------------------------- writing


def write_release(
    built: list[Built],
    spec: Spec,
    out: Path,
    log: Log = print,
    verify: bool = True,
    ledger: Ledger | None = None,
    pending: Pending | None = None,
    spec_text: str = "",
) -> mf.Package:
    """Write into a staging folder, audit it there, record it in the ledger, then swap it in.
    ``verify=False`` exists only so tests can craft releases that the audit and the loader must
    refuse."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    stage.chmod(0o755)  # a release is public: readable by the web server's user
    entry = None
    try:
        (stage / "tables").mkdir()
        resources = [_write_table(b, spec, stage) for b in built]
        new = round(sum(b.control.epsilon or 0 for b in built if b.control.noiseFrom is None), 12)
        lifetime = (ledger.lifetime_spent() if ledger else 0.0) + new
        package = _package(spec, resources, new, lifetime)
        (stage / mf.MANIFEST).write_text(package.to_json(), encoding="utf-8")
        from ..release.verify import audit_release  # verify the staged release exactly as `audit` would

        report = audit_release(stage) if verify else None
        if report is not None and not report.ok:
            raise ProtectionError("the staged release failed its audit:\n" + report.text())
        if ledger is not None:
            entry = ledger.write_entry(package.version, package.created, stage, spec_text, new, pending or Pending())
        _swap(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        if entry is not None:
            ledger.discard(entry)
        raise
    if entry is not None:
        ledger.index(entry)
    log(f"published {len(built)} tables to {out}" + (f" (audit passed: {report.summary()})" if report else ""))
    return package


def _write_table(b: Built, spec: Spec, stage: Path) -> mf.Resource:
    pop, dims = b.vocab.population, b.vocab.dims
    names = [d.name for d in dims]
    path = stage / "tables" / f"{b.spec.name}.parquet"
    schema = pa.schema(
        [pa.field(d, pa.string(), nullable=False) for d in names]
        + [pa.field("count", pa.int64()), pa.field("suppressed", pa.bool_(), nullable=False)]
        + ([pa.field("moe90", pa.int64(), nullable=False)] if "moe90" in b.frame else [])
    )
    pq.write_table(pa.Table.from_pandas(b.frame, schema=schema, preserve_index=False), path)
    data = path.read_bytes()
    fields = [
        mf.FieldSchema(
            name=d.name,
            type="string",
            description=d.description,
            constraints=mf.Constraints(enum=list(b.frame[d.name].unique()), required=True),
            **{"cpt:role": d.role, "cpt:rule": mf.Rule(**d.rule.to_dict())},
        )
        for d in dims
    ]
    noun = "people" if pop.measure == "people" else "contacts"
    fields.append(
        mf.FieldSchema(
            name="count",
            type="integer",
            constraints=mf.Constraints(minimum=0),
            description=f"Number of {noun}. Empty (null) when the cell is suppressed.",
        )
    )
    fields.append(
        mf.FieldSchema(
            name="suppressed",
            type="boolean",
            constraints=mf.Constraints(required=True),
            description="True when the count is hidden to protect privacy (shown as 'suppressed', never as 0).",
        )
    )
    if "moe90" in b.frame:
        fields.append(
            mf.FieldSchema(
                name="moe90",
                type="integer",
                constraints=mf.Constraints(minimum=0),
                description="90% margin of error of the noise added for differential privacy: "
                "the count before noise lies within ±moe90 with 90% probability.",
            )
        )
    costs = None
    if pop.measure == "contacts":
        costs = {s.label.en: mf.UnitCost(**s.cost.model_dump()) for s in spec.system if s.cost} or None
    params = {k: getattr(b.spec, k) for k in PARAMETERS if getattr(b.spec, k) is not None}
    return mf.Resource(
        name=b.spec.name,
        path=f"tables/{b.spec.name}.parquet",
        hash="sha256:" + hashlib.sha256(data).hexdigest(),
        bytes=len(data),
        title=b.spec.title,
        description=b.spec.description,
        schema=mf.TableSchema(fields=fields, primaryKey=names),
        **{
            "cpt:universe": pop.description,
            "cpt:universeId": pop.id,
            "cpt:unit": pop.unit,
            "cpt:measure": pop.measure,
            "cpt:kind": b.spec.kind,
            "cpt:parameters": params,
            "cpt:dimensions": names,
            "cpt:attributes": {a: list(c) for a, c in b.vocab.attributes.items()},
            "cpt:disclosureControl": b.control,
            "cpt:unitCosts": costs,
            "cpt:within": None if b.relation is None else b.relation.to_dict(),
        },
    )


def _package(spec: Spec, resources: list[mf.Resource], new: float, lifetime: float) -> mf.Package:
    r = spec.release
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    digest = hashlib.sha256("".join(res.hash for res in resources).encode()).hexdigest()[:8]
    return mf.Package(
        name="cpt-release",
        title=r.title,
        description=r.description,
        version=f"{created:%Y.%m.%d}-{digest}",
        created=created.isoformat().replace("+00:00", "Z"),
        licenses=[mf.License(name=r.license)],
        sources=[mf.Source(**s.model_dump()) for s in r.sources],
        resources=resources,
        **{
            "cpt:publisher": r.publisher,
            "cpt:codeVersion": __version__,
            "cpt:privacy": mf.Privacy(
                threshold=r.threshold,
                protectionRange=spec.protection_range,
                epsilonBudget=r.epsilon_budget,
                epsilonSpent=round(sum(res.disclosure_control.epsilon or 0 for res in resources), 12),
                epsilonNew=new,
                epsilonLifetimeSpent=round(lifetime, 12),
                epsilonLifetimeBudget=_lifetime(spec),
                neighbouring=NEIGHBOURING,
                dpPostProcessing=dp.POST_PROCESSING,
                zeroPolicy=ZERO_POLICY,
            ),
            "cpt:synthetic": r.synthetic,
            "cpt:period": mf.Period(start=r.period.start.isoformat(), end=r.period.end.isoformat()),
            "cpt:parameters": {"multi_system_min": r.multi_system_min},
            "cpt:systems": [
                mf.SystemInfo(id=s.id, label=mf.SystemLabel(**s.label.model_dump()), stays=bool(s.end_date))
                for s in spec.system
            ],
        },
    )


def _swap(stage: Path, out: Path) -> None:
    """Put the staged release in place. Both folders share a parent, so each rename is atomic;
    if the second rename fails, the previous release is moved back."""
    if not out.exists():
        os.replace(stage, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.previous-", dir=out.parent))
    old.rmdir()
    os.replace(out, old)
    try:
        os.replace(stage, out)
    except BaseException:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
