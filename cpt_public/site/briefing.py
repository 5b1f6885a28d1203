"""The decisionmaker briefing's figures, as plain functions shared by the page and the PDF."""

from __future__ import annotations

import dataclasses

from ..release.catalog import Release
from .charts import Filters, View, build
from .content import Content
from .i18n import Translator


@dataclasses.dataclass
class Briefing:
    cards: list[tuple[str, str]]  # (label, value): the same figures as the findings pages
    program: View
    cost: View


def briefing(release: Release, content: Content, tr: Translator) -> Briefing:
    used = build("systems_used", release, "systems_used", tr).facts
    frequent = build("frequent", release, "frequent_jail_use", tr).facts
    transitions = build("transitions", release, "release_transitions", tr).facts
    titles = {f.table: f.title[tr.lang] for f in content.findings}
    cost = build("cost", release, "service_use_cost", tr, title=titles.get("service_use_cost"))
    cards = [
        (tr("people_linked"), used["total"]),
        (tr("multi_system_users"), f"{used['multi']} ({used['multi_share']})"),
        (tr("frequent_users"), frequent["frequent"]),
        (tr("ed_within_30"), transitions["ed_share"]),
        (tr("total_cost"), cost.facts["total_cost"]),
    ]
    program = build(
        "program",
        release,
        "program_outcomes",
        tr,
        Filters(outcome="Jail booking"),
        title=titles.get("program_outcomes"),
    )
    return Briefing(cards, program, cost)
