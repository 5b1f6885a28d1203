"""Site content: the CPT's words (``content/``), in every language, checked at start-up.

Another team reuses the app by editing ``content/`` and publishing its own release. Anything
missing — a translation, a table the release lacks, a chart the app does not know, a category
without a label, a {fact} a takeaway cites that its chart does not compute — is a ContentError
naming the file and the entry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import string
from pathlib import Path

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


class Site(_M):
    team: Team
    members: list[Member]
    subgroups: list[Subgroup] = []
    agreements: Agreements


class Finding(_M):
    id: str
    table: str
    chart: str
    title: Text
    question: Text
    takeaway: Text


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


class UI(_M):
    ui: dict[str, Text]
    categories: dict[str, Text]
    populations: dict[str, Text]


@dataclasses.dataclass(frozen=True)
class Content:
    site: Site
    findings: list[Finding]
    ui: UI
    walks: Walks

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
        )


def _missing_translation(error: dict) -> str | None:
    lang = str(error["loc"][-1])
    return f"no {LANGUAGES[lang]} text" if error["type"] == "missing" and lang in LANGUAGES else None


def _load(path: Path, model):
    data = read_toml(path, ContentError, f"content file {path.name}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = problems(exc, _missing_translation)
        raise ContentError(f"content file {path.name}:\n  " + "\n  ".join(lines)) from None


def load_content(folder: Path | str | None = None, release=None) -> Content:
    folder = Path(folder) if folder else content_dir()
    content = Content(
        _load(folder / "site.toml", Site),
        _load(folder / "findings.toml", Findings).finding,
        _load(folder / "ui.toml", UI),
        _load(folder / "walks.toml", Walks),
    )
    _check_findings(content)
    _check_walks(content)
    if release is not None:
        check_against_release(content, release)
    return content


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _check_findings(content: Content) -> None:
    from .charts import KINDS

    ids = [f.id for f in content.findings]
    if len(set(ids)) != len(ids):
        raise ContentError("findings.toml: finding ids must be unique")
    for f in content.findings:
        kind = KINDS.get(f.chart)
        if kind is None:
            raise ContentError(
                f"findings.toml: finding {f.id!r} asks for chart {f.chart!r}; known charts: {', '.join(KINDS)}"
            )
        for lang in LANGUAGES:
            unknown = _placeholders(f.takeaway[lang]) - set(kind.facts)
            if unknown:
                raise ContentError(
                    f"findings.toml: finding {f.id!r} takeaway ({lang}) cites {sorted(unknown)}, "
                    f"which chart {f.chart!r} does not compute (it has: {', '.join(kind.facts)})"
                )


def _check_walks(content: Content) -> None:
    findings = {f.id for f in content.findings}
    stations = {s.finding for s in content.walks.station}
    for s in content.walks.station:
        if s.finding not in findings:
            raise ContentError(f"walks.toml: station {s.finding!r} shows no finding of findings.toml")
        if not 1 <= len(s.prompts) <= 4:
            raise ContentError(f"walks.toml: station {s.finding!r} needs 1 to 4 prompts (2-3 work best)")
        for term in s.glossary:
            if term not in content.walks.glossary:
                raise ContentError(
                    f"walks.toml: station {s.finding!r} uses glossary term {term!r}, which is not defined"
                )
    ids = [w.id for w in content.walks.walk]
    if len(set(ids)) != len(ids):
        raise ContentError("walks.toml: walk ids must be unique")
    for w in content.walks.walk:
        missing = [s for s in w.stations if s not in stations]
        if missing:
            raise ContentError(f"walks.toml: walk {w.id!r} lists stations with no [[station]] entry: {missing}")
        if not w.stations or len(set(w.stations)) != len(w.stations):
            raise ContentError(f"walks.toml: walk {w.id!r} needs stations, each once")


def check_against_release(content: Content, release) -> None:
    """Every finding's tables exist in the release; every category shown has a label in every language."""
    from .charts import KINDS

    cats = {k: v for k, v in content.ui.categories.items()}
    for f in content.findings:
        for table in KINDS[f.chart].tables(f.table):
            if table not in release.tables:
                raise ContentError(
                    f"findings.toml: finding {f.id!r} needs table {table!r}, which this release does not have "
                    f"(it has: {', '.join(release.tables)})"
                )
    for t in release.tables.values():
        if t.resource.universe_id not in content.ui.populations:
            raise ContentError(
                f"ui.toml: population {t.resource.universe_id!r} (table {t.name!r}) has no name; "
                f"add it under [populations] in every language"
            )
        for d in t.resource.dimensions:
            for c in t.categories(d):
                if not Translator.translatable(c, cats):
                    raise ContentError(
                        f"ui.toml: category {c!r} (table {t.name!r}, dimension {d!r}) has no label; "
                        f"add it under [categories] in every language"
                    )
