"""Home: what this is, who is behind it, what the team wants to learn, how to take part."""

import streamlit as st

from cpt_public.cached import content, headlines, release
from cpt_public.pages_support import current_lang, figure
from cpt_public.site.text import period_text

lang = current_lang()
data, site = release(), content()
tr, team = site.translator(lang), site.site.team

st.title(team.name[lang])
st.markdown(f"**{team.tagline[lang]}**")
if data.synthetic and team.demo_note:
    st.markdown(team.demo_note[lang])

st.header(tr("home_numbers"))
figures = [*headlines(lang), (tr("period"), period_text(data, tr))]
for i in range(0, len(figures), 3):  # three to a row, so a long list still reads on a phone
    for col, (label, fact) in zip(st.columns(3), figures[i : i + 3]):
        figure(col, label, fact)

st.header(tr("home_learn"))
st.markdown("\n".join(f"- {g.text[lang]}" for g in team.goals))

st.header(tr("home_explore"))
for f in site.findings:
    st.page_link(
        "app_pages/findings.py", label=f.title[lang], icon=":material/arrow_forward:", query_params={"finding": f.id}
    )

st.header(tr("home_take_part"))
st.write(team.take_part[lang])
c1, c2 = st.columns(2)
c1.page_link("app_pages/walk.py", label=tr("nav_walk"), icon=":material/directions_walk:")
c2.page_link("app_pages/feedback.py", label=tr("nav_feedback"), icon=":material/forum:")
st.markdown(team.contact[lang])

st.header(tr("home_who"))
st.write(team.mission[lang])
st.markdown("\n".join(f"- **{m.name[lang]}** — {m.role[lang]}" for m in site.site.members))
st.page_link("app_pages/about.py", label=tr("nav_about"), icon=":material/info:")
