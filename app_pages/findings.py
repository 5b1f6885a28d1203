"""Findings: one protected table at a time — chart, takeaway, text alternative, numbers, source, downloads."""

import streamlit as st

from cpt_public.cached import chart_image, content, release
from cpt_public.cached import view as cached_view
from cpt_public.pages_support import chart, current_lang, feedback_form, numbers
from cpt_public.release.spec import TOTAL
from cpt_public.site import urlstate
from cpt_public.site.charts import KINDS, Filters
from cpt_public.site.text import release_csv, source_lines, takeaway

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
kind = KINDS[finding.chart]

st.header(finding.title[lang])
st.write(finding.question[lang])

years = sorted({int(m[:4]) for m in data[finding.table].categories("month")}) if "years" in kind.filters else []
filters = Filters()
shown: dict[str, object] = {"lang": lang, "finding": fid}
if kind.filters:
    cols = st.columns(len(kind.filters))
    for col, name in zip(cols, kind.filters):
        with col:
            if name == "years":
                span = st.select_slider(
                    tr("filter_period"), options=years, value=urlstate.span(url, "years", years), key="years"
                )
                filters = Filters(**{**filters.__dict__, "years": tuple(span)})
                shown["years"] = tuple(span)
            elif name == "systems":
                systems = [c for c in data[finding.table].categories("system") if c != TOTAL]
                chosen = st.multiselect(
                    tr("filter_systems"),
                    systems,
                    format_func=tr.cat,
                    key="systems",
                    default=urlstate.many(url, "systems", systems, systems),
                )
                filters = Filters(**{**filters.__dict__, "systems": tuple(chosen) or None})
                shown["systems"] = chosen
            elif name == "group":
                groups = ["age", "gender", "race"]
                group = st.segmented_control(
                    tr("filter_group"),
                    groups,
                    default=urlstate.one(url, "group", groups, "age"),
                    required=True,
                    format_func=lambda g: tr(f"group_{g}"),
                    key="group",
                )
                filters = Filters(**{**filters.__dict__, "group": group})
                shown["group"] = group
            elif name == "outcome":
                options = [o for o in data[finding.table].categories("outcome") if o != "People followed"]
                outcome = st.selectbox(
                    tr("filter_outcome"),
                    options,
                    format_func=tr.cat,
                    key="outcome",
                    index=options.index(urlstate.one(url, "outcome", options, options[0])),
                )
                filters = Filters(**{**filters.__dict__, "outcome": outcome})
                shown["outcome"] = outcome
st.query_params.from_dict(urlstate.encode(shown))  # the URL now restores exactly this view

view = cached_view(finding.chart, finding.table, lang, filters, finding.title[lang])
text, partly_hidden = takeaway(finding.takeaway[lang], view.facts, tr)
st.subheader(tr("takeaway"))
st.markdown(f"**{text}**")
if partly_hidden:
    st.markdown(tr("suppressed_note"))

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
    lambda: release_csv(tables[0]),
    file_name=f"{view.tables[0]}.csv",
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

st.subheader(tr("fb_title"))
feedback_form(fid, tr, lang, set(ids))
