"""Data walk: one station at a time — on a phone, on a kiosk screen, or for the facilitator."""

import datetime as dt
import os
import time

import streamlit as st

from cpt_public.cached import content, release, walk_pdf
from cpt_public.cached import view as cached_view
from cpt_public.pages_support import chart, current_lang, feedback_form, kiosk_style, show_takeaway
from cpt_public.site import urlstate, walks
from cpt_public.site.content import content_dir
from cpt_public.site.i18n import fmt_date

lang = current_lang()
data, site = release(), content()
tr = site.translator(lang)
url = st.query_params
walk_ids = [w.id for w in site.walks.walk]
mode = urlstate.one(url, "mode", ["self", "kiosk", "facilitator"], "self")
wid = urlstate.one(url, "walk", walk_ids, walk_ids[0])
if mode == "kiosk":
    kiosk_style()
else:
    wid = st.selectbox(
        tr("walk_choose"),
        walk_ids,
        index=walk_ids.index(wid),
        key="walk_id",
        format_func=lambda w: site.walk(w).title[lang],
    )
    mode = st.segmented_control(
        tr("walk_mode"),
        ["self", "kiosk", "facilitator"],
        default=mode,
        required=True,
        key="walk_mode",
        format_func=lambda m: tr(f"mode_{m}"),
    )
walk = site.walk(wid)
m = len(walk.stations)
numbers = [str(i) for i in range(1, m + 1)]
if "walk_station" not in st.session_state or st.session_state.get("walk_station_of") != wid:
    st.session_state["walk_station"] = int(urlstate.one(url, "station", numbers, "1"))
    st.session_state["walk_station_of"] = wid
n = st.session_state["walk_station"]

if mode == "facilitator":
    st.title(walk.title[lang])
    st.write(tr("walk_when", date=fmt_date(walk.date, lang), time=walk.start, place=walk.place[lang]))
    st.header(tr("rotation_title"))
    groups = st.number_input(tr("groups"), min_value=1, max_value=12, value=min(4, m), key="walk_groups")
    start = dt.datetime.combine(walk.date, dt.time.fromisoformat(walk.start))
    table = walks.schedule(
        int(groups), [site.finding(s).title[lang] for s in walk.stations], start, walk.minutes_per_station
    )
    table.columns = [tr("round"), tr("starts"), *[tr("group_n", n=g + 1) for g in range(int(groups))]]
    st.dataframe(table, hide_index=True, width="stretch")
    st.write(tr("rotation_note"))
    st.header(tr("timer_title"))
    c1, c2 = st.columns(2)
    if c1.button(tr("timer_start"), icon=":material/play_arrow:", key="timer_start"):
        st.session_state["timer_started"] = time.time()
    if c2.button(tr("timer_reset"), icon=":material/restart_alt:", key="timer_reset"):
        st.session_state.pop("timer_started", None)

    @st.fragment(run_every=1)
    def timer() -> None:
        left = walks.seconds_left(st.session_state.get("timer_started"), walk.minutes_per_station, time.time())
        if left <= 0:
            st.warning(tr("timer_done"), icon=":material/alarm:")
        else:
            st.metric(tr("timer_title"), tr("timer_left", time=walks.clock(left)))

    timer()
    st.header(tr("printables"))
    base = walks.public_base(os.environ.get("CPT_PUBLIC_URL"), st.context.url)
    event = st.query_params.get("event") or ""  # the facilitator's link may carry the event's code
    for kind in ("posters", "handout", "glossary"):
        st.download_button(
            tr(f"download_{kind}"),
            lambda kind=kind: walk_pdf(data.package.version, str(content_dir()), kind, wid, lang, base, event),
            file_name=f"{kind}-{wid}-{lang}.pdf",
            mime="application/pdf",
            on_click="ignore",
            icon=":material/print:",
            key=f"dl_{kind}",
        )
    st.query_params.from_dict(urlstate.encode({"lang": lang, "walk": wid, "mode": mode, "event": event or None}))
    st.stop()

finding = site.finding(walk.stations[n - 1])
station = site.station(finding.id)
if mode != "kiosk":
    st.markdown(tr("walk_audience", audience=walk.audience[lang]))
st.markdown(f"**{tr('station_of', n=n, m=m)}**")
st.progress(n / m)
st.title(finding.title[lang])
view = cached_view(finding.id, lang)
show_takeaway(finding, view, tr)
chart(view)
if view.care:
    st.warning(tr("interpret_with_care"), icon=":material/warning:")
if station.quote:
    st.markdown(f"> {station.quote[lang]}")
st.header(tr("prompts_title"))
st.markdown("\n".join(f"{i}. {p[lang]}" for i, p in enumerate(station.prompts, 1)))
if station.glossary:
    st.header(tr("glossary_title"))
    st.markdown(
        "\n".join(
            f"- **{site.walks.glossary[t].term[lang]}** — {site.walks.glossary[t].definition[lang]}"
            for t in station.glossary
        )
    )

if mode == "kiosk":
    link = walks.station_url(walks.public_base(os.environ.get("CPT_PUBLIC_URL"), st.context.url), wid, n, lang)
    st.header(tr("scan_qr"))
    st.image(walks.qr_png(link, scale=10), width=320, caption=link, alt=tr("qr_alt", url=link))
else:
    prev_col, next_col = st.columns(2)

    def go(by: int) -> None:
        st.session_state["walk_station"] = walks.step(st.session_state["walk_station"], by, m)

    prev_col.button(
        tr("previous"),
        on_click=go,
        args=(-1,),
        disabled=n == 1,
        icon=":material/arrow_back:",
        key="walk_prev",
        width="stretch",
    )
    next_col.button(
        tr("next"),
        on_click=go,
        args=(1,),
        disabled=n == m,
        icon=":material/arrow_forward:",
        key="walk_next",
        width="stretch",
    )
    st.header(tr("fb_title"))
    feedback_form(finding.id, tr, lang, set(walk.stations))
st.query_params.from_dict(
    urlstate.encode(
        {
            "lang": lang,
            "walk": wid,
            "station": n,
            "mode": None if mode == "self" else mode,
            "event": st.query_params.get("event") or None,  # kept: answers here count for the event
        }
    )
)
