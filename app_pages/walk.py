"""Data walk: one station at a time — on a phone, on a kiosk screen, or for the facilitator."""

import datetime as dt
import os
import time
from urllib.parse import urlencode

import streamlit as st

from cpt_public.cached import content, release, walk_pdf
from cpt_public.cached import view as cached_view
from cpt_public.pages_support import chart, current_lang, feedback_form, scroll_to_top, show_takeaway
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


def pickers() -> None:
    """Which walk and which view: for facilitators. A participant scanning a QR code sees the
    station first; on a phone these come after it."""
    st.selectbox(
        tr("walk_choose"),
        walk_ids,
        index=walk_ids.index(wid),
        key="walk_id",
        format_func=lambda w: site.walk(w).title[lang],
    )
    st.segmented_control(
        tr("walk_mode"),
        ["self", "kiosk", "facilitator"],
        default=mode,
        required=True,
        key="walk_mode",
        format_func=lambda m: tr(f"mode_{m}"),
    )


def kiosk_links() -> None:
    """A link per station to its kiosk screen (large type, the QR code in view): open one on
    each screen at the venue."""
    st.header(tr("kiosk_title"), anchor=False)
    st.markdown(tr("kiosk_intro"))
    for i, fid in enumerate(site.walk(wid).stations, 1):
        path = walks.kiosk_path(wid, i) + "?" + urlencode({"lang": lang, **({"event": event} if event else {})})
        st.markdown(f"{i}. [{site.finding(fid).title[lang]}]({path})")


wid = st.session_state.get("walk_id", wid)
mode = st.session_state.get("walk_mode", mode)
walk = site.walk(wid)
m = len(walk.stations)
numbers = [str(i) for i in range(1, m + 1)]
if "walk_station" not in st.session_state or st.session_state.get("walk_station_of") != wid:
    st.session_state["walk_station"] = int(urlstate.one(url, "station", numbers, "1"))
    st.session_state["walk_station_of"] = wid
n = st.session_state["walk_station"]

event = st.query_params.get("event") or ""  # a QR code's or the facilitator's event code: kept
base = walks.public_base(os.environ.get("CPT_PUBLIC_URL"), st.context.url)
if mode != "self":
    pickers()
if mode == "facilitator":
    st.title(walk.title[lang])
    st.write(tr("walk_when", date=fmt_date(walk.date, lang), time=walk.start, place=walk.place[lang]))
    st.header(tr("rotation_title"))
    groups = st.number_input(tr("groups"), min_value=1, max_value=12, value=min(4, m), key="walk_groups")
    start = dt.datetime.combine(walk.date, dt.time.fromisoformat(walk.start))
    # Station numbers, not titles: the timetable fits a phone with every group in view.
    table = walks.schedule(int(groups), [str(i) for i in range(1, m + 1)], start, walk.minutes_per_station)
    table.columns = [tr("round"), tr("starts"), *[tr("group_short", n=g + 1) for g in range(int(groups))]]
    st.table(table, hide_index=True)
    st.markdown("\n".join(f"{i}. {site.finding(s).title[lang]}" for i, s in enumerate(walk.stations, 1)))
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
    kiosk_links()
    st.header(tr("printables"))
    if walks.is_local(base):
        st.warning(tr("qr_local_warning"), icon=":material/warning:")
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

if mode == "kiosk":
    st.title(walk.title[lang])
    kiosk_links()
    st.query_params.from_dict(urlstate.encode({"lang": lang, "walk": wid, "mode": mode, "event": event or None}))
    st.stop()


def go(by: int) -> None:
    """Move by a station; one past the last is the closing screen."""
    st.session_state["walk_station"] = min(max(1, st.session_state["walk_station"] + by), m + 1)
    st.session_state["walk_moved"] = True


if st.session_state.pop("walk_moved", False):
    scroll_to_top()  # Next and Previous land at the top of the new station, not mid-page
if n > m:  # after the last station: thanks, and what happens next
    st.title(tr("walk_end_title"))
    st.markdown(tr("walk_end_body"))
    st.markdown(tr("walk_end_heard"))
    st.button(tr("walk_end_back"), on_click=go, args=(-m,), icon=":material/replay:", key="walk_restart")
    st.page_link("app_pages/feedback.py", label=tr("heard_title"), icon=":material/forum:")
else:
    finding = site.finding(walk.stations[n - 1])
    station = site.station(finding.id)
    st.markdown(f"**{tr('station_of', n=n, m=m)}**")
    st.progress(n / m)
    st.title(finding.title[lang], anchor=False)
    view = cached_view(finding.id, lang)
    chart(view)  # the chart first: what the poster on the wall shows
    show_takeaway(finding, view, tr)
    if view.care:
        st.warning(tr("interpret_with_care"), icon=":material/warning:")
    if station.quote:
        st.markdown(f"> {station.quote[lang]}")
    st.header(tr("prompts_title"), anchor=False)
    st.markdown("\n".join(f"{i}. {p[lang]}" for i, p in enumerate(station.prompts, 1)))
    if station.glossary:
        st.header(tr("glossary_title"), anchor=False)
        st.markdown(
            "\n".join(
                f"- **{site.walks.glossary[t].term[lang]}** — {site.walks.glossary[t].definition[lang]}"
                for t in station.glossary
            )
        )
    st.header(tr("fb_title"), anchor=False)
    feedback_form(finding.id, tr, lang, set(walk.stations))
    prev_col, next_col = st.columns(2)
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
        tr("next") if n < m else tr("walk_finish"),
        on_click=go,
        args=(1,),
        icon=":material/arrow_forward:" if n < m else ":material/flag:",
        key="walk_next",
        width="stretch",
        type="primary",
    )
with st.expander(tr("walk_for_facilitators")):
    st.markdown(tr("walk_audience", audience=walk.audience[lang]))
    pickers()
st.query_params.from_dict(
    urlstate.encode(
        {
            "lang": lang,
            "walk": wid,
            "station": min(n, m),
            "mode": None,
            "event": event or None,  # kept: answers here count for the event
        }
    )
)
