"""The decisionmaker briefing's figures, as plain functions shared by the page and the PDF.

What it shows is the team's choice, in content (``[briefing]`` in site.toml): headline cards,
each one fact of one finding, and the charts of some findings."""

from __future__ import annotations

import dataclasses

from ..release.bounds import Bounds
from ..release.catalog import Release
from .charts import View, build
from .content import Content, Figure
from .facts import Fact
from .i18n import Translator


@dataclasses.dataclass
class Briefing:
    cards: list[tuple[str, Fact]]  # (label, fact): the same figures as the findings pages
    charts: list[tuple[str, View]]  # (finding title, view)


def figures(release: Release, content: Content, items: list[Figure], tr: Translator, bounds: Bounds | None = None):
    """Each headline figure's label and fact, in the visitor's language."""
    bounds = bounds or Bounds(release)
    views: dict[str, View] = {}
    out = []
    for item in items:
        if item.finding not in views:
            views[item.finding] = build(release, content.finding(item.finding), tr, bounds=bounds)
        out.append((item.label[tr.lang], views[item.finding].facts[item.fact]))
    return out


def briefing(release: Release, content: Content, tr: Translator, bounds: Bounds | None = None) -> Briefing:
    bounds = bounds or Bounds(release)
    cards = figures(release, content, content.site.briefing.cards, tr, bounds)
    charts = []
    for fid in content.site.briefing.charts:
        f = content.finding(fid)
        charts.append((f.title[tr.lang], build(release, f, tr, bounds=bounds)))
    return Briefing(cards, charts)
