"""Findings: one protected table at a time — chart, takeaway, text alternative, numbers, source, downloads."""

import dataclasses

import streamlit as st

from cpt_public.cached import chart_image, content, release
from cpt_public.cached import view as cached_view
from cpt_public.pages_support import chart, current_lang, feedback_form, numbers, share_links, show_takeaway
from cpt_public.site import urlstate
from cpt_public.site.charts import Filters, controls
from cpt_public.site.text import source_lines
from cpt_public.site.twins import table_csv

lang = current_lang()
data, site = release(), content()
tr = site.translator(lang)
ids = [f.id for f in site.findings]
titles = {f.id: f.title[lang] for f in site.findings}

st.title(tr("nav_findings"))
st.write(tr("findings_intro"))
url = st.query_params
fid = st.selectbox(
    tr("choose_finding"),
    ids,
    index=ids.index(urlstate.one(url, "finding", ids, ids[0])),
    format_func=titles.get,
    key="finding",
)
finding = site.finding(fid)

st.header(finding.title[lang])
st.write(finding.question[lang])

filters = Filters()
shown: dict[str, object] = {"lang": lang, "finding": fid}
offered = controls(data, finding, tr)
for col, c in zip(st.columns(len(offered)) if offered else [], offered):
    with col:
        key = f"{fid}_{c.param}"  # per finding: another finding's choices are other options
        if c.kind == "span":
            value = tuple(
                st.select_slider(c.title, options=c.options, value=urlstate.span(url, c.param, c.options), key=key)
            )
        elif c.kind == "many":
            chosen = st.multiselect(
                c.title,
                c.options,
                format_func=c.labels.get,
                placeholder=tr("choose_options"),  # not Streamlit's English "Choose options"
                key=key,
                default=urlstate.many(url, c.param, c.options, c.default),
            )
            value = tuple(chosen) or None
        elif c.kind == "pick":  # a few choices: all in view, one click each
            value = st.segmented_control(
                c.title,
                c.options,
                default=urlstate.one(url, c.param, c.options, c.default),
                required=True,
                format_func=c.labels.get,
                key=key,
            )
        else:
            value = st.selectbox(
                c.title,
                c.options,
                format_func=c.labels.get,
                key=key,
                index=c.options.index(urlstate.one(url, c.param, c.options, c.default)),
            )
        filters = dataclasses.replace(filters, **{c.name: c.values.get(value, value)})
        shown[c.param] = value
st.query_params.from_dict(urlstate.encode(shown))  # the URL now restores exactly this view

view = cached_view(fid, lang, filters)
st.subheader(tr("takeaway"))
show_takeaway(finding, view, tr)

chart(view)
if view.care:
    st.warning(tr("interpret_with_care"), icon=":material/warning:")
with st.expander(tr("chart_text")):
    st.write(view.alt_text)

st.subheader(tr("table_view"))
numbers(view.table, tr("table_view"))
tables = [data[t] for t in view.tables]
if any(t.frame["suppressed"].any() for t in tables):
    st.markdown(tr("suppressed_note"))
if any(t.control.method.startswith("dp") for t in tables):
    st.markdown(tr("moe_note"))

st.subheader(tr("source_note"))
st.markdown("\n".join(f"- {line}" for line in source_lines(data, view.tables, tr)))

st.subheader(tr("downloads"))
key = repr(filters)
spec = view.figure_json
c1, c2, c3 = st.columns(3)
# Files are made only when asked for (deferred downloads): a rerun writes no CSV and draws no image.
c1.download_button(
    tr("download_csv"),
    lambda: table_csv(data, tables[0], tr),
    file_name=f"{view.tables[0]}-{lang}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/table:",
)
c2.download_button(
    tr("download_png"),
    lambda: chart_image(data.package.version, lang, fid, key, "png", spec),
    file_name=f"{fid}-{lang}.png",
    mime="image/png",
    on_click="ignore",
    icon=":material/image:",
)
c3.download_button(
    tr("download_svg"),
    lambda: chart_image(data.package.version, lang, fid, key, "svg", spec),
    file_name=f"{fid}-{lang}.svg",
    mime="image/svg+xml",
    on_click="ignore",
    icon=":material/image:",
)

with st.expander(tr("share_toggle"), icon=":material/share:"):
    share_links(fid, finding.title[lang], view, shown, tr, lang)

st.subheader(tr("fb_title"))
feedback_form(fid, tr, lang, set(ids))
