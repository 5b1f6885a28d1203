"""Home: what this is, who is behind it, what the team wants to learn, how to take part."""

import streamlit as st

from cpt_public.cached import content, release, view
from cpt_public.pages_support import current_lang
from cpt_public.site.text import period_text

lang = current_lang()
data, site = release(), content()
tr, team = site.translator(lang), site.site.team

st.title(team.name[lang])
st.markdown(f"**{team.tagline[lang]}**")
if data.synthetic and team.demo_note:
    st.markdown(team.demo_note[lang])

st.header(tr("home_numbers"))
facts = view("systems_used", "systems_used", lang).facts
a, b, c = st.columns(3)
a.metric(tr("people_linked"), facts["total"])
b.metric(tr("multi_system_users"), f"{facts['multi']} ({facts['multi_share']})")
c.metric(tr("period"), period_text(data, tr))

st.header(tr("home_learn"))
st.markdown("\n".join(f"- {g.text[lang]}" for g in team.goals))

st.header(tr("home_explore"))
for f in site.findings:
    st.page_link(
        "app_pages/findings.py", label=f.title[lang], icon=":material/arrow_forward:", query_params={"finding": f.id}
    )

st.header(tr("home_take_part"))
st.write(team.take_part[lang])
st.markdown(team.contact[lang])

st.header(tr("home_who"))
st.write(team.mission[lang])
st.markdown("\n".join(f"- **{m.name[lang]}** — {m.role[lang]}" for m in site.site.members))
st.page_link("app_pages/about.py", label=tr("nav_about"), icon=":material/info:")
