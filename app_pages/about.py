"""About & privacy: the team, its sources and agreements, and how the numbers are protected."""

import streamlit as st

from cpt_public.cached import content, release
from cpt_public.pages_support import current_lang
from cpt_public.site.text import table_overview

lang = current_lang()
data, site = release(), content()
tr, team, pv = site.translator(lang), site.site.team, data.package.privacy

st.title(tr("nav_about"))
st.header(tr("about_team"))
st.subheader(tr("about_mission"))
st.write(team.mission[lang])
st.subheader(tr("about_vision"))
st.write(team.vision[lang])
st.subheader(tr("about_members"))
st.markdown("\n".join(f"- **{m.name[lang]}** — {m.role[lang]}" for m in site.site.members))
if site.site.subgroups:
    st.subheader(tr("about_groups"))
    for g in site.site.subgroups:
        st.markdown(f"**{g.name[lang]}** ({g.chair[lang]}). {g.about[lang]}")
st.subheader(tr("about_differs"))
st.write(team.differs[lang])

st.header(tr("about_sources"))
st.markdown("\n".join(f"- **{s.title}** — {s.description or ''}" for s in data.package.sources))
st.subheader(tr("about_agreements"))
st.write(site.site.agreements.summary[lang])

st.header(tr("about_privacy"))
st.write(tr("privacy_no_people"))
st.write(tr("privacy_threshold", max=pv.threshold - 1))
st.write(tr("privacy_complement", range=pv.protectionRange))
st.write(
    tr(
        "privacy_dp",
        budget=f"{pv.epsilonBudget:g}",
        spent=f"{pv.epsilonSpent:g}",
        lifetime_spent=f"{pv.epsilonLifetimeSpent or pv.epsilonSpent:g}",
        lifetime_budget=f"{pv.epsilonLifetimeBudget or pv.epsilonBudget:g}",
    )
)
st.subheader(tr("all_tables"))
# Wide, with long text: the grid scrolls within itself on a phone, where a plain table would
# overflow into a region that keyboards cannot reach (axe: scrollable-region-focusable).
st.dataframe(table_overview(data, tr), hide_index=True, width="stretch")
st.markdown(tr("data_twins", url=f"/data/?lang={lang}"))
st.download_button(
    tr("machine_readable"),
    data.package.to_json(),
    file_name="datapackage.json",
    mime="application/json",
    on_click="ignore",
    icon=":material/data_object:",
)
