"""Site content: the CPT's words (``content/``), in every language, checked at start-up.

Another team reuses the app by running ``python -m cpt_public init`` on its release and editing
the content it writes. Everything any page, the briefing PDF or the printables will need is
checked when the app starts: a translation, a table the release lacks, a chart that cannot show
its table, a category or dimension without a name, a {fact} a takeaway cites that its chart
does not compute, a headline naming an unknown finding. All problems are reported at once, each
saying whether content or the release is at fault and what to change.

A text that still holds ``TODO`` is a placeholder: the app runs, with a "draft content" banner,
until none remain (``Content.placeholders``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import string
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ..errors import CptError
from ..tomlfile import problems, read_toml
from .i18n import LANGUAGES, Translator

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"


def content_dir() -> Path:
    """The content folder: CPT_CONTENT_DIR if set (another team's words), else the shipped demo."""
    return Path(os.environ.get("CPT_CONTENT_DIR", CONTENT_DIR))


class ContentError(CptError):
    pass


class Text(BaseModel):
    """One text in every language."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str
    es: str

    @field_validator("en", "es")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("is blank")
        return v

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Goal(_M):
    text: Text


class Team(_M):
    name: Text
    short_name: Text
    tagline: Text
    demo_note: Text | None = None
    mission: Text
    vision: Text
    differs: Text
    take_part: Text
    contact: Text
    goals: list[Goal]


class Member(_M):
    name: Text
    role: Text


class Subgroup(_M):
    name: Text
    chair: Text
    about: Text


class Agreements(_M):
    summary: Text


class Figure(_M):
    """A headline number: one fact of one finding, with its label."""

    finding: str
    fact: str
    label: Text


class BriefingPlan(_M):
    bottom_line: Text | None = None  # the one or two sentences a decisionmaker should leave with
    cards: list[Figure] = []  # headline numbers across the top
    charts: list[str] = []  # finding ids whose charts the briefing shows


class Site(_M):
    demonstration: bool = False  # the shipped demonstration's words, not yet a team's own
    team: Team
    members: list[Member]
    subgroups: list[Subgroup] = []
    agreements: Agreements
    headlines: list[Figure] = []  # Home's "at a glance"
    briefing: BriefingPlan = BriefingPlan()


Selection = dict[str, str | list[str]]


class FactSpec(_M):
    """A fact a takeaway may cite: the count of some cells of the finding's (first) table, or
    their share of other cells. Dimensions not named are at their Total; ``@first``/``@last``
    pick a category by position (the latest month)."""

    cells: Selection = {}
    value: Literal["count", "share"] = "count"
    of: Selection | None = None  # for a share: the denominator (default: everyone in the table)


class Finding(_M):
    id: str
    table: str
    also: list[str] = []  # other tables the visitor may switch to (same chart; facts stay the first's)
    chart: str | None = None  # default: the one the table's dimension roles call for
    title: Text
    question: Text
    takeaway: Text
    takeaway_when_hidden: Text | None = None  # when a fact it cites is too small to show
    takeaway_when_none: Text | None = None  # when a fact it cites is zero or about no one
    facts: dict[str, FactSpec] = {}


class Findings(_M):
    finding: list[Finding]


class Station(_M):
    finding: str
    quote: Text | None = None
    prompts: list[Text]
    glossary: list[str] = []


class Term(_M):
    term: Text
    definition: Text


class Walk(_M):
    id: str
    title: Text
    audience: Text
    date: dt.date
    start: str
    place: Text
    minutes_per_station: int
    stations: list[str]


class Walks(_M):
    walk: list[Walk]
    station: list[Station]
    glossary: dict[str, Term]


INTERFACE = Path(__file__).resolve().parent / "interface.toml"


class _Interface(_M):
    ui: dict[str, Text]


class UI(_M):
    ui: dict[str, Text] = {}  # overrides of the product's own words (interface.toml)
    categories: dict[str, Text]
    populations: dict[str, Text]
    dimensions: dict[str, Text] = {}
    tables: dict[str, Text] = {}  # each release table's title, in every language


@dataclasses.dataclass(frozen=True)
class Content:
    site: Site
    findings: list[Finding]
    ui: UI
    walks: Walks
    placeholders: tuple[str, ...] = ()  # where a TODO remains: "file: key.path"

    def finding(self, fid: str) -> Finding:
        return next(f for f in self.findings if f.id == fid)

    def walk(self, wid: str) -> Walk:
        return next(w for w in self.walks.walk if w.id == wid)

    def station(self, finding: str) -> Station:
        return next(s for s in self.walks.station if s.finding == finding)

    def translator(self, lang: str) -> Translator:
        return Translator(
            {k: v.model_dump() for k, v in self.ui.ui.items()},
            {k: v.model_dump() for k, v in self.ui.categories.items()},
            lang,
            {k: v.model_dump() for k, v in self.ui.populations.items()},
            {k: v.model_dump() for k, v in self.ui.dimensions.items()},
            {k: v.model_dump() for k, v in self.ui.tables.items()},
        )

    def draft(self, release=None) -> list[str]:
        """What is not yet the team's own: placeholders, or the demonstration's words beside a
        release that is not the demonstration's."""
        out = list(self.placeholders)
        if self.site.demonstration and release is not None and not release.synthetic:
            out.insert(0, "site.toml: demonstration = true (this is the shipped demonstration's content)")
        return out


def _missing_translation(error: dict) -> str | None:
    lang = str(error["loc"][-1])
    return f"no {LANGUAGES[lang]} text" if error["type"] == "missing" and lang in LANGUAGES else None


PLACEHOLDER = "TODO"


def _todos(data, where: str) -> list[str]:
    if isinstance(data, str):
        return [where] if PLACEHOLDER in data else []
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _todos(v, f"{where}.{k}" if where else str(k))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _todos(v, f"{where}[{i}]")]
    return []


def _load(path: Path, model, todos: list[str] | None = None):
    data = read_toml(path, ContentError, f"content file {path.name}")
    if todos is not None:
        todos.extend(f"{path.name}: {p}" for p in _todos(data, ""))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = problems(exc, _missing_translation)
        raise ContentError(f"content file {path.name}:\n  " + "\n  ".join(lines)) from None


def load_ui(folder: Path, todos: list[str] | None = None) -> UI:
    """The content's ui.toml, its [ui] table laid over the product's own words."""
    ui = _load(folder / "ui.toml", UI, todos)
    return ui.model_copy(update={"ui": {**_interface(), **ui.ui}})


@functools.cache
def _interface() -> dict[str, Text]:
    return _load(INTERFACE, _Interface).ui


def load_content(folder: Path | str | None = None, release=None) -> Content:
    folder = Path(folder) if folder else content_dir()
    todos: list[str] = []
    content = Content(
        _load(folder / "site.toml", Site, todos),
        _load(folder / "findings.toml", Findings, todos).finding,
        load_ui(folder, todos),
        _load(folder / "walks.toml", Walks, todos),
        tuple(todos),
    )
    found = _check_findings(content) + _check_walks(content)
    if release is not None and not found:
        found = release_problems(content, release)
    if found:
        raise ContentError(
            f"{len(found)} problem(s) between the content in {folder} and the release:\n  - " + "\n  - ".join(found)
        )
    return content


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _check_findings(content: Content) -> list[str]:
    out = []
    ids = [f.id for f in content.findings]
    for fid in sorted({i for i in ids if ids.count(i) > 1}):
        out.append(f"content: findings.toml: finding id {fid!r} is used twice; give each finding its own id")
    figures = [("site.toml: headlines", f) for f in content.site.headlines]
    figures += [("site.toml: briefing.cards", f) for f in content.site.briefing.cards]
    for where, fig in figures:
        if fig.finding not in ids:
            out.append(f"content: {where} names finding {fig.finding!r}, which findings.toml does not have")
    for fid in content.site.briefing.charts:
        if fid not in ids:
            out.append(f"content: site.toml: briefing.charts names finding {fid!r}, which findings.toml does not have")
    return out


def _check_walks(content: Content) -> list[str]:
    out = []
    findings = {f.id for f in content.findings}
    stations = {s.finding for s in content.walks.station}
    for s in content.walks.station:
        if s.finding not in findings:
            out.append(f"content: walks.toml: station {s.finding!r} shows no finding of findings.toml")
        if not 1 <= len(s.prompts) <= 4:
            out.append(f"content: walks.toml: station {s.finding!r} needs 1 to 4 prompts (2-3 work best)")
        for term in s.glossary:
            if term not in content.walks.glossary:
                out.append(
                    f"content: walks.toml: station {s.finding!r} uses glossary term {term!r}, which is not defined"
                )
    ids = [w.id for w in content.walks.walk]
    if len(set(ids)) != len(ids):
        out.append("content: walks.toml: walk ids must be unique")
    for w in content.walks.walk:
        missing = [s for s in w.stations if s not in stations]
        if missing:
            out.append(f"content: walks.toml: walk {w.id!r} lists stations with no [[station]] entry: {missing}")
        if not w.stations or len(set(w.stations)) != len(w.stations):
            out.append(f"content: walks.toml: walk {w.id!r} needs stations, each once")
    return out


TAKEAWAYS = ("takeaway", "takeaway_when_hidden", "takeaway_when_none")


def release_problems(content: Content, release) -> list[str]:
    """Everything the pages, the briefing and the printables will need from this release."""
    from ..release.terms import TOTAL
    from .charts import Filters, LayoutError, Names, build, finding_tables, shown_categories, shown_dimensions
    from .facts import SelectionError, resolve

    out: list[str] = []
    known = {f.id: set() for f in content.findings}
    tr = content.translator("en")
    translators = [content.translator(lang) for lang in LANGUAGES]
    for f in content.findings:
        where = f"content: findings.toml: finding {f.id!r}"
        missing = [t for t in finding_tables(f) if t not in release.tables]
        if missing:
            out.append(
                f"{where} names table {missing[0]!r}, which this release does not have (it has: "
                f"{', '.join(release.tables)}); change the finding, or publish a release with that table"
            )
            continue
        try:
            view = build(release, f, tr)
            for t in f.also:
                build(release, f, tr, filters=Filters(table=t))
        except LayoutError as exc:
            out.append(f"{where}: table {f.table!r} cannot be drawn as asked: {exc}")
            continue
        except KeyError as exc:  # a name the chart needs is missing: reported below, per name
            view, missing_name = None, exc.args[0] if exc.args else "?"
        for name, spec in f.facts.items():
            try:
                resolve(release[f.table], spec.cells)
                if spec.of is not None:
                    resolve(release[f.table], spec.of)
            except SelectionError as exc:
                out.append(f"{where}: fact {name!r}: {exc}")
        names = set(f.facts) | (set(view.facts.keys()) if view is not None else set())
        known[f.id] = names if view is not None else set()
        for key in TAKEAWAYS if view is not None else ():
            text = getattr(f, key)
            for lang in LANGUAGES if text is not None else ():
                unknown = _placeholders(text[lang]) - names
                if unknown:
                    out.append(
                        f"{where}: {key} ({lang}) cites {sorted(unknown)}, which its chart does not compute "
                        f"(it has: {', '.join(sorted(names))}); declare them under [finding.facts] or cite others"
                    )
        unnamed: dict[tuple[str, str], list[str]] = {}
        unlabelled: dict[tuple[str, str, str], list[str]] = {}
        for tr_lang in translators:
            labels = Names(release, tr_lang)
            for table, d in shown_dimensions(release, f):
                try:
                    labels.dim(d)
                except KeyError:
                    unnamed.setdefault((d.name, table.name), []).append(LANGUAGES[tr_lang.lang])
            for table, d, c in shown_categories(release, f):
                if c != TOTAL and not labels.known(d, c):
                    unlabelled.setdefault((c, table.name, d.name), []).append(LANGUAGES[tr_lang.lang])
        if view is None and not unnamed and not unlabelled:
            out.append(f"{where}: its chart needs a name for {missing_name!r}; add it to ui.toml")
        for (d, t), langs in unnamed.items():
            out.append(
                f"content: ui.toml: dimension {d!r} (table {t!r}) has no name in {', '.join(langs)}; "
                "add it under [dimensions]"
            )
        for (c, t, d), langs in unlabelled.items():
            out.append(
                f"content: ui.toml: category {c!r} (table {t!r}, dimension {d!r}) has no label in "
                f"{', '.join(langs)}; add it under [categories]"
            )
    figures = [("headlines", fig) for fig in content.site.headlines]
    figures += [("briefing.cards", fig) for fig in content.site.briefing.cards]
    for where, fig in figures:
        if fig.finding in known and known[fig.finding] and fig.fact not in known[fig.finding]:
            out.append(
                f"content: site.toml: {where}: finding {fig.finding!r} has no fact {fig.fact!r} "
                f"(it has: {', '.join(sorted(known[fig.finding]))})"
            )
    for t in release.tables.values():
        if t.resource.universe_id not in content.ui.populations:
            out.append(
                f"content: ui.toml: population {t.resource.universe_id!r} (table {t.name!r}) has no name; "
                "add it under [populations] in every language"
            )
        if t.name not in content.ui.tables:
            out.append(
                f"content: ui.toml: table {t.name!r} has no title; add it under [tables] in every language "
                "(pages, sources and downloads name it in the visitor's language)"
            )
    return list(dict.fromkeys(out))
