"""``python -m cpt_public init``: a new team's content, drafted from its release.

Everything the release knows is filled in — table titles and descriptions, populations, system
labels in both languages, every category, sources — and every finding gets a takeaway that cites
only facts its chart computes, with fallbacks for when a figure is hidden or about no one. What
only the team can say (its name in Spanish, mission, members, agreements, the walk's date and
place, translations) is a placeholder holding ``TODO``. The app runs on the draft at once and
shows a "draft content" banner until no placeholder remains; ``init`` prints the checklist.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

from ..errors import CptError
from ..release.catalog import Release
from ..release.terms import TOTAL
from .charts import layout, slug
from .content import CONTENT_DIR, PLACEHOLDER, load_content
from .i18n import Translator

FILES = ("site.toml", "findings.toml", "ui.toml", "walks.toml")


def todo(what: str) -> str:
    return f"{PLACEHOLDER}: {what}"


def text(en: str, es: str | None = None) -> dict[str, str]:
    """A text in both languages; a Spanish placeholder quoting the English when none is given."""
    return {"en": en, "es": es if es is not None else todo(f"traducir — {en}")}


def both(what: str) -> dict[str, str]:
    return {"en": todo(what), "es": todo(what)}


# ----------------------------------------------------------------------------- TOML out
# Written by hand rather than with tomli-w: that library writes every nested table as its own
# [section], while content files keep each text on one line as an inline { en = …, es = … },
# which is how people edit them. Every file written is read back with tomllib before it is kept.


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() and k.isascii() else json.dumps(k, ensure_ascii=False)


def _lines(data: dict) -> list[str]:
    return [f"{_key(k)} = {_value(v)}" for k, v in data.items()]


def _section(name: str, data: dict, array: bool = False) -> str:
    head = f"[[{name}]]" if array else f"[{name}]"
    return "\n".join([head, *_lines(data)]) + "\n"


# ----------------------------------------------------------------------------- drafts


MEASURE = {"people": ("people", "personas"), "contacts": ("contacts", "contactos")}
COUNTED_ES = {"people": "personas contadas", "contacts": "contactos contados"}


def _takeaways(
    release: Release, table, names: dict[str, dict[str, str]], dims: dict[str, dict[str, str]]
) -> dict[str, dict[str, str]]:
    """A takeaway citing only what the chart computes, and its two fallbacks, per chart."""
    lay = layout(table)

    def by(lang: str) -> str:  # the dimension the bars run along, named in a drafted sentence
        return _name(dims, lay.main.name, lang).replace("_", " ") if lay.main is not None else ""

    unit_en, unit_es = MEASURE[table.resource.measure]
    few_es = {"people": "muy pocas personas", "contacts": "muy pocos contactos"}[table.resource.measure]
    hidden = text(
        f"Too few {unit_en} are counted here to state this table's main figures without risking anyone's "
        "privacy; the chart shows what can be shown.",
        f"Aquí se cuentan {few_es} para dar las cifras principales de esta tabla sin poner en riesgo "
        "la privacidad de nadie; el gráfico muestra lo que se puede mostrar.",
    )
    none = text(
        "No one is counted in this table's main figures.",
        "Nadie se cuenta en las cifras principales de esta tabla.",
    )
    shape = lay.shape
    if shape == "bars" and lay.main.partition:
        main = text(
            f"Of {{total}} {unit_en} counted, the largest group by {by('en').lower()} is {{largest}}: "
            "{largest_count} ({largest_share}).",
            f"De {{total}} {COUNTED_ES[table.resource.measure]}, el grupo más grande según {by('es').lower()} es {{largest}}: "
            "{largest_count} ({largest_share}).",
        )
    elif shape == "bars":
        main = text(
            f"By {by('en').lower()}, the largest group is {{largest}}: {{largest_count}}.",
            f"Según {by('es').lower()}, el grupo más grande es {{largest}}: {{largest_count}}.",
        )
    elif shape == "composition":
        main = text(
            "{group_total} of the {everyone} people counted ({group_share}) are in the group “{group}”; "
            "within it, the largest is {largest} ({largest_share}).",
            "{group_total} de las {everyone} personas contadas ({group_share}) están en el grupo «{group}»; "
            "dentro de él, el más grande es {largest} ({largest_share}).",
        )
        none = text(
            "No one counted here is in the group “{group}”.", "Ninguna persona contada aquí está en el grupo «{group}»."
        )
    elif shape == "overlap":
        main = text(
            "Of {total} people, {multi} ({multi_share}) used two or more of these systems; the most common "
            "combination was {top_combo} ({top_count}).",
            "De {total} personas, {multi} ({multi_share}) usaron dos o más de estos sistemas; la combinación "
            "más común fue {top_combo} ({top_count}).",
        )
    elif shape == "flow":
        main = text(
            "Of {total} people counted, {any} ({any_share}) had at least one of these afterwards.",
            "De {total} personas contadas, {any} ({any_share}) tuvieron al menos uno de estos después.",
        )
    elif shape == "rates":
        groups = [c for c in table.categories(lay.series.name) if c != TOTAL] if lay.series is not None else [None]

        def rates(lang: str) -> list[str]:
            return [f"{{rate_{slug(g)}}} ({_name(names, g, lang)})" if g else "{rate_all}" for g in groups]

        main = text(
            "In {window}, the share with “{outcome}” was " + " and ".join(rates("en")) + ".",
            "En {window}, el porcentaje con «{outcome}» fue " + " y ".join(rates("es")) + ".",
        )
    elif shape == "line":
        series = [c for c in table.categories(lay.series.name) if c != TOTAL] if lay.series is not None else [None]

        def lasts(lang: str) -> str:
            return "; ".join(f"{_name(names, s, lang)}: {{last_{slug(s)}}}" if s else "{last_all}" for s in series)

        main = text("In {last_month} — " + lasts("en") + ".", "En {last_month} — " + lasts("es") + ".")
    else:  # cost
        main = text(
            "Contacts counted in this table cost {total_cost}.",
            "Los contactos contados en esta tabla costaron {total_cost}.",
        )
    return {"takeaway": main, "takeaway_when_hidden": hidden, "takeaway_when_none": none}


def _name(names: dict[str, dict[str, str]], category: str, lang: str) -> str:
    """A category's label for a drafted sentence: a placeholder's own words are left out of it."""
    label = names.get(category, {}).get(lang, category)
    return category if PLACEHOLDER in label else label


def scaffold(release: Release, out: Path, force: bool = False) -> list[str]:
    """Write draft content for ``release`` into ``out``; returns the placeholders that remain."""
    out = Path(out)
    existing = [f for f in FILES if (out / f).exists()]
    if existing and not force:
        raise CptError(f"{out} already holds content ({', '.join(existing)}); choose another folder or pass --force")
    shipped = tomllib.loads((CONTENT_DIR / "ui.toml").read_text(encoding="utf-8"))
    system_names = {s.label.en: s.label.model_dump() for s in release.package.systems}
    cats = _categories(release, shipped["categories"], system_names)
    names = cats | system_names
    dims = _dimensions(release, shipped)
    files = {
        "ui.toml": _ui(release, shipped, cats, dims),
        "findings.toml": _findings(release, names, dims),
        "site.toml": _site(release),
        "walks.toml": _walks(release),
    }
    out.mkdir(parents=True, exist_ok=True)
    for body in files.values():
        tomllib.loads(body)  # never write a file that does not read back
    for name, body in files.items():
        (out / name).write_text(body, encoding="utf-8")
    return list(load_content(out, release=release).placeholders)


def _categories(release: Release, shipped: dict, systems: dict) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for t in release.tables.values():
        for d in t.resource.dimensions:
            for c in t.categories(d):
                if c in out or c in systems or Translator.translatable(c, {}):
                    continue
                out[c] = shipped.get(c, text(c))
    return out


def _dimensions(release: Release, shipped: dict) -> dict[str, dict[str, str]]:
    """A name for every dimension but the flags named after a system (they take its label)."""
    dims: dict[str, dict[str, str]] = {}
    known_dims = shipped.get("dimensions", {})
    system_ids = {s.id for s in release.package.systems}
    for t in release.tables.values():
        for field in t.resource.table_schema.fields[: len(t.resource.dimensions)]:
            d = field.name
            if d in dims or (
                field.role == "flag" and field.rule.attributes[0] in system_ids and d == field.rule.attributes[0]
            ):
                continue
            dims[d] = known_dims.get(d, text(d.replace("_", " ").capitalize()))
    return dims


def _ui(release: Release, shipped: dict, cats: dict, dims: dict) -> str:
    pops = {}
    for t in release.tables.values():
        pops.setdefault(t.resource.universe_id, text(t.resource.universe))
    parts = [
        "# Category labels, dimension names, populations and table titles, in English (en) and Spanish (es).\n"
        "# Written by `python -m cpt_public init`; every TODO is a placeholder for the team to fill in.\n"
        "# [ui] may override any of the product's own words (cpt_public/site/interface.toml), key by key.\n",
        "[ui]\n",
        _section("categories", cats),
        _section("dimensions", dims),
        _section("populations", pops),
        _section("tables", {name: text(tb.resource.title) for name, tb in release.tables.items()}),
    ]
    return "\n".join(parts)


def _findings(release: Release, names: dict[str, dict[str, str]], dims: dict[str, dict[str, str]]) -> str:
    parts = [
        "# One finding per release table, drafted by `python -m cpt_public init`. Titles and questions come\n"
        "# from the release; takeaways cite only facts their charts compute (docs/content.md lists them).\n"
        "# Rewrite them in the team's own words; every TODO is a placeholder.\n"
    ]
    for t in release.tables.values():
        entry = {
            "id": t.name,
            "table": t.name,
            "title": text(t.resource.title),
            "question": text(t.resource.description),
            **_takeaways(release, t, names, dims),
        }
        parts.append(_section("finding", entry, array=True))
    return "\n".join(parts)


def _site(release: Release) -> str:
    pkg = release.package
    team = {
        "name": text(pkg.publisher),
        "short_name": text(pkg.publisher),
        "tagline": text(pkg.title),
        "mission": both("the team's mission"),
        "vision": both("the team's vision"),
        "differs": both("what makes this work different from other dashboards"),
        "take_part": both("how people can take part: data walks, feedback"),
        "contact": both("how to reach the team"),
    }
    if pkg.synthetic:
        team["demo_note"] = text(
            "This site shows synthetic records: every number on it is made up.",
            "Este sitio muestra registros sintéticos: todas las cifras son inventadas.",
        )
    parts = [
        "# The team's words about itself, drafted by `python -m cpt_public init` from the release.\n"
        "# Every TODO is a placeholder: the site shows a draft banner until none remain.\n",
        _section("team", team),
        _section("team.goals", {"text": both("a question the team wants its linked data to answer")}, array=True),
    ]
    for s in pkg.sources:
        parts.append(
            _section(
                "members",
                {"name": both(f"the agency that provides: {s.title}"), "role": text(f"Provides {s.title}.")},
                array=True,
            )
        )
    if not pkg.sources:
        parts.append(_section("members", {"name": both("a member agency"), "role": both("its role")}, array=True))
    parts.append(_section("agreements", {"summary": both("the data-sharing agreements behind this release")}))
    figures = _figures(release)
    for f in figures[:3]:
        parts.append(_section("headlines", f, array=True))
    parts.append(
        _section(
            "briefing",
            {
                "bottom_line": both("the one or two sentences a decisionmaker should leave the briefing with"),
                "charts": [t.name for t in list(release.tables.values())[:2]],
            },
        )
    )
    for f in figures[:5]:
        parts.append(_section("briefing.cards", f, array=True))
    return "\n".join(parts)


HEADLINE = {"bars": "total", "composition": "everyone", "overlap": "multi", "flow": "total", "cost": "total_cost"}


def _figures(release: Release) -> list[dict]:
    """Headline numbers a draft can state truthfully: each population's size once, the share who
    used several systems, each cost total — labelled by what they count, not by a table's title."""
    out, seen = [], set()
    for t in release.tables.values():
        lay = layout(t)
        fact = HEADLINE.get(lay.shape)
        if fact == "total" and lay.shape == "bars" and not lay.main.partition:
            fact = None
        if fact in ("total", "everyone"):
            if t.resource.universe_id in seen:
                continue
            seen.add(t.resource.universe_id)
            label = text(t.resource.universe)
        elif fact == "multi":
            label = text("Used two or more of these systems", "Usaron dos o más de estos sistemas")
        elif fact == "total_cost":
            label = text(f"Cost: {t.resource.title}")
        else:
            continue
        out.append({"finding": t.name, "fact": fact, "label": label})
    return out


PROMPTS = [
    text("What do you see?", "¿Qué ve?"),
    text("What surprises you?", "¿Qué le sorprende?"),
    text("Does this reflect your own life or work?", "¿Refleja esto su propia vida o trabajo?"),
]
GLOSSARY = {
    "linked_records": (
        text("Linked records", "Registros vinculados"),
        text(
            "Records from different agencies matched to the same person, so we can see who uses several "
            "systems. Names never leave the secure computer where the matching happens.",
            "Registros de distintas agencias emparejados con la misma persona, para ver quién usa varios "
            "sistemas. Los nombres nunca salen de la computadora segura donde se hace el emparejamiento.",
        ),
    ),
    "suppressed": (
        text("Suppressed", "Suprimido"),
        text(
            "A number hidden because it is small enough that it could point to a real person, or because it "
            "would let someone work out such a number.",
            "Una cifra oculta porque es tan pequeña que podría señalar a una persona real, o porque permitiría "
            "deducir una cifra así.",
        ),
    ),
    "margin_of_error": (
        text("Margin of error (±)", "Margen de error (±)"),
        text(
            "Some numbers have a little random noise added to protect privacy; the true number is within "
            "± this much 90% of the time.",
            "Algunas cifras tienen un poco de ruido aleatorio para proteger la privacidad; el número real está "
            "dentro de ± esa cantidad el 90 % de las veces.",
        ),
    ),
}


def _walks(release: Release) -> str:
    ids = list(release.tables)
    walk = {
        "id": "walk-1",
        "title": both("the walk's title"),
        "audience": both("who the walk is for"),
        "date": dt.date.fromisoformat(release.package.created[:10]) + dt.timedelta(days=30),
        "start": "10:00",
        "place": both("where the walk happens"),
        "minutes_per_station": 5,
        "stations": ids,
    }
    parts = [
        "# One data walk using every finding, drafted by `python -m cpt_public init`. Set its date, place and\n"
        "# audience, reorder or drop stations, and write prompts for your community. TODO marks placeholders.\n",
        _section("walk", walk, array=True),
    ]
    for t in release.tables.values():
        terms = ["linked_records"]
        if t.control.method.startswith("dp"):
            terms.append("margin_of_error")
        if "suppression" in t.control.method:
            terms.append("suppressed")
        parts.append(_section("station", {"finding": t.name, "prompts": PROMPTS, "glossary": terms}, array=True))
    for key, (term, definition) in GLOSSARY.items():
        parts.append(_section(f"glossary.{key}", {"term": term, "definition": definition}))
    return "\n".join(parts)
