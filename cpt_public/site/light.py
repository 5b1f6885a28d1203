"""Light pages: a walk station, its closing screen, a kiosk screen and a finding's embed, as server-made HTML.

A phone that scans a poster's QR code gets one small page — the chart as inline SVG with its
text alternative, the takeaway, prompts, glossary and a plain HTML form — instead of Streamlit's
script bundle and websocket (about 3 MB on a budget phone over venue Wi-Fi). No JavaScript, so
it works with scripts off; every figure is the same view the dashboard shows (charts.View).

Pure functions: no Streamlit, no request. cpt_public/routes.py serves them. Templates are
Jinja2 with autoescaping on; the team's words pass through an inline Markdown renderer with raw
HTML, links and images off (markdown-it-py), so content can bold a word but never inject markup.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path

import jinja2
import pandas as pd
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from ..release.catalog import Release
from .i18n import LANGUAGES, Translator
from .text import source_lines, takeaway

TEMPLATES = Path(__file__).resolve().parent / "templates"
NARROW, WIDE = 340, 640  # chart widths (CSS px): a phone's column, and a desktop's
_MD = MarkdownIt("zero").enable(["emphasis", "backticks", "escape"])


def inline_md(text: str) -> Markup:
    """A line of the team's words as HTML: **bold**, *italic* and `code` only; anything else,
    HTML included, is shown as the characters typed."""
    return Markup(_MD.renderInline(str(text)))


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = inline_md
    return env


def render(template: str, **values) -> str:
    return environment().get_template(template).render(**values)


# ----------------------------------------------------------------------------- charts


_SVG_ROOT = re.compile(r"<svg\b")
_INNER_ARIA = re.compile(r'\s(?:role|aria-[a-z]+)="[^"]*"')  # vl-convert escapes quotes in values


def accessible_svg(svg: str, label: str) -> Markup:
    """vl-convert's SVG as one image for assistive technology: role img, its text alternative as
    the accessible name, and the roles Vega gives its mark groups removed (an empty group with a
    role of its own is an unnamed image to a screen reader, and the marks are not read one by
    one)."""
    attrs = f'<svg role="img" aria-label="{escape(label)}" focusable="false"'
    return Markup(_SVG_ROOT.sub(attrs, _INNER_ARIA.sub("", svg), count=1))


def numbers_html(frame: pd.DataFrame) -> Markup:
    """The view's numbers as a plain HTML table (escaped by pandas)."""
    html = frame.to_html(index=False, border=0, na_rep="", escape=True)
    return Markup(html.replace(' class="dataframe"', "").replace(' style="text-align: right;"', ""))


# ----------------------------------------------------------------------------- pages


@dataclasses.dataclass(frozen=True)
class FormState:
    """The station form as the visitor last left it: their values (kept on any failure), the
    outcome's message, and the tokens the next POST must carry."""

    csrf: str
    sid: str
    visitor: str
    values: dict = dataclasses.field(default_factory=dict)  # reflects, comment, connection, quote_ok
    message: str = ""
    ok: bool = False
    saved_as: str = ""


@dataclasses.dataclass(frozen=True)
class StationLinks:
    this: str  # the form's action (this page, with language and event)
    previous: str | None
    next: str  # the next station, or the walk's closing screen
    rich: str  # the full Streamlit page for this station
    languages: dict[str, str]  # language code -> this page in that language


def _finding_block(finding, view, tr: Translator, svgs: tuple[Markup, Markup]) -> dict:
    """What a station and an embed both show of a finding (templates/_finding.html): the
    takeaway and its note, the chart at two widths with its range key, the numbers, care."""
    text, state = takeaway(finding, view.facts, tr)
    return {
        "takeaway": text,
        "takeaway_note": {"hidden": tr("suppressed_note"), "range": tr("range_note")}.get(state, ""),
        "svg_narrow": svgs[0],
        "svg_wide": svgs[1],
        "range_key": tr("range_key") if view.ranged else "",
        "numbers_title": tr("table_view"),
        "table": numbers_html(view.table),
        "care": tr("interpret_with_care") if view.care else "",
    }


def common(release: Release, site, tr: Translator, lang: str) -> dict:
    draft = site.draft(release)
    return {
        "lang": lang,
        "synthetic": tr("synthetic_banner") if release.synthetic else "",
        "draft": tr("draft_banner", n=len(draft)) if draft else "",
        "noindex": False,
    }


def station_page(
    release: Release,
    site,
    view,
    *,
    walk,
    n: int,
    lang: str,
    form: FormState,
    links: StationLinks,
    svgs: tuple[Markup, Markup],
) -> str:
    """One walk station: chart first, then the takeaway's context, prompts, glossary and the form."""
    from ..feedback.form import CONNECTIONS, MAX_COMMENT, REFLECTS

    tr = site.translator(lang)
    finding = site.finding(walk.stations[n - 1])
    station = site.station(finding.id)
    m = len(walk.stations)
    station_of = tr("station_of", n=n, m=m)
    glossary = [(site.walks.glossary[t].term[lang], site.walks.glossary[t].definition[lang]) for t in station.glossary]
    return render(
        "station.html",
        **common(release, site, tr, lang),
        page_title=f"{station_of}: {finding.title[lang]} · {site.site.team.short_name[lang]}",
        station_of=station_of,
        n=n,
        m=m,
        languages=[{"code": c, "name": LANGUAGES[c], "url": u} for c, u in links.languages.items() if c != lang],
        title=finding.title[lang],
        **_finding_block(finding, view, tr, svgs),
        quote=station.quote[lang] if station.quote else "",
        prompts_title=tr("prompts_title"),
        prompts=[p[lang] for p in station.prompts],
        glossary_title=tr("glossary_title"),
        glossary=glossary,
        form={
            "title": tr("fb_title"),
            "action": links.this,
            "csrf": form.csrf,
            "visitor": form.visitor,
            "sid": form.sid,
            "entered": {"reflects": None, "comment": "", "connection": "", "quote_ok": False, **form.values},
            "message": form.message,
            "ok": form.ok,
            "saved_as": form.saved_as,
            "reflects_label": tr("fb_reflects"),
            "reflects": [(r, tr(f"fb_{r}")) for r in REFLECTS],
            "comment_label": tr("fb_comment"),
            "max": MAX_COMMENT,
            "quote_label": tr("fb_quote_ok"),
            "connection_label": tr("fb_connection"),
            "connections": [("", tr("fb_conn_none")), *((c, tr(f"fb_conn_{c}")) for c in CONNECTIONS)],
            "privacy": tr("fb_privacy_note"),
            "submit": tr("fb_submit"),
        },
        steps_label=tr("walk_steps"),
        previous=links.previous,
        previous_label=tr("previous"),
        next=links.next,
        next_label=tr("next") if n < m else tr("walk_finish"),
        rich=links.rich,
        rich_label=tr("light_rich"),
        source=source_lines(release, view.tables, tr),
    )


def end_page(release: Release, site, *, walk, lang: str, back: str, home: str, heard: str) -> str:
    """After the last station: thanks, and what happens to people's words next."""
    tr = site.translator(lang)
    return render(
        "message.html",
        **common(release, site, tr, lang),
        page_title=f"{tr('walk_end_title')} · {site.site.team.short_name[lang]}",
        top=walk.title[lang],
        title=tr("walk_end_title"),
        paragraphs=[tr("walk_end_body"), tr("walk_end_heard")],
        links=[(back, tr("walk_end_back")), (heard, tr("heard_title")), (home, tr("walk_end_home"))],
    )


def message_page(release: Release | None, site, *, lang: str, title: str, body: str, links=()) -> str:
    """A plain page: not found, or the release cannot be shown."""
    values = {"lang": lang, "synthetic": "", "draft": "", "noindex": True}
    if release is not None and site is not None:
        values = {**common(release, site, site.translator(lang), lang), "noindex": True}
    return render("message.html", **values, page_title=title, top="", title=title, paragraphs=[body], links=list(links))


def embed_page(release: Release, site, view, *, finding, lang: str, svgs: tuple[Markup, Markup], links: dict) -> str:
    """A finding for other sites' pages (in a frame): chart, takeaway, numbers, source, the data's
    twins and a link back. ``links``: "more" (the finding on this site) and label -> twin URL."""
    tr = site.translator(lang)
    team = site.site.team.short_name[lang]
    return render(
        "embed.html",
        **common(release, site, tr, lang),
        page_title=f"{finding.title[lang]} · {team}",
        title=finding.title[lang],
        **_finding_block(finding, view, tr, svgs),
        source=source_lines(release, view.tables, tr),
        data_label=tr("embed_data"),
        data_links=[(label, href) for label, href in links.items() if label != "more"],
        more=links["more"],
        more_label=tr("embed_more"),
        team=team,
    )


def kiosk_page(
    release: Release, site, view, *, walk, n: int, lang: str, svg: Markup, link: str, qr: str, local: bool
) -> str:
    """A station on a screen at the venue (1920x1080 and the like): chart, title, takeaway, the QR
    code with its address in print, prompts — all in view, nothing to scroll or press. A QR code
    for an address only this machine can reach says so in place of the address."""
    from .walks import short_url

    tr = site.translator(lang)
    finding = site.finding(walk.stations[n - 1])
    station = site.station(finding.id)
    text, _ = takeaway(finding, view.facts, tr)
    station_of = tr("station_of", n=n, m=len(walk.stations))
    return render(
        "kiosk.html",
        **common(release, site, tr, lang),
        page_title=f"{station_of}: {finding.title[lang]} · {site.site.team.short_name[lang]}",
        station_of=station_of,
        walk_title=walk.title[lang],
        title=finding.title[lang],
        takeaway=text,
        svg=svg,
        range_key=tr("range_key") if view.ranged else "",
        qr=accessible_svg(qr, tr("qr_alt", url=link)),
        scan=tr("qr_local_warning") if local else tr("scan_qr"),
        short_url=short_url(link),
        prompts=[p[lang] for p in station.prompts],
    )
