"""Staff: read every comment, moderate it (review, edit to redact further, hide, delete, choose a
quote) and code it against the codebook. Only reachable signed in.

Comments are shown as cards, a page at a time (filtered and paged in the database), each in full
and as text: never Markdown or HTML. There is no grid, so no grid download: the only export is
the safe one on the records page."""

import pandas as pd
import streamlit as st

from cpt_public.feedback import moderation
from cpt_public.feedback.form import REFLECTS
from cpt_public.feedback.review import PAGE_SIZE, code_name, codes_by_comment, excerpt, pages, words
from cpt_public.feedback.schema import STATUSES
from cpt_public.feedback.store import StoreError
from cpt_public.pages_support import staff_page

page = staff_page("nav_review")
lang, tr, store, me, titles, event_labels = page.lang, page.tr, page.store, page.me, page.titles, page.event_labels
st.markdown(tr("staff_signed_in", name=st.session_state["staff_name"]))
try:
    codes = store.codes()
except StoreError:
    st.error(tr("staff_unavailable"))
    st.stop()

c1, c2, c3, c4 = st.columns(4)
station = c1.selectbox(
    tr("staff_filter_station"), [None, *titles], format_func=lambda s: titles.get(s, tr("staff_all")), key="rv_station"
)
event = c2.selectbox(
    tr("staff_filter_event"),
    [None, *event_labels],
    format_func=lambda e: tr("staff_all") if e is None else f"{event_labels[e]} ({e})",
    key="rv_event",
)
source = c3.selectbox(
    tr("staff_filter_source"),
    [None, "visitor", "facilitator"],
    format_func=lambda s: tr("staff_all") if s is None else tr(f"staff_source_{s}"),
    key="rv_source",
)
status = c4.selectbox(
    tr("staff_filter_status"),
    [None, *[s for s in STATUSES if s != "deleted"]],
    format_func=lambda s: tr("staff_all") if s is None else tr(f"staff_status_{s}"),
    key="rv_status",
)
search = st.text_input(tr("staff_search"), key="rv_search", max_chars=100)
page_no = st.session_state.setdefault("rv_page", 1)
try:
    shown, total = store.page(
        station=station,
        event=event,
        source=source,
        status=status,
        search=search or None,
        offset=(page_no - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    codings = store.codings(shown["id"].tolist()) if not shown.empty else store.codings([])
except StoreError:
    st.error(tr("staff_unavailable"))
    st.stop()
last_page = pages(total)
if page_no > last_page:  # filters narrowed the list: go back to a page that exists
    st.session_state["rv_page"] = page_no = 1


def go(delta: int) -> None:
    st.session_state["rv_page"] = min(max(1, st.session_state["rv_page"] + delta), last_page)


nav = st.columns([1, 2, 1])
nav[0].button(tr("staff_prev"), on_click=go, args=(-1,), disabled=page_no <= 1, icon=":material/arrow_back:")
nav[1].markdown(tr("staff_page", page=page_no, pages=last_page, total=total))
nav[2].button(tr("staff_next"), on_click=go, args=(1,), disabled=page_no >= last_page, icon=":material/arrow_forward:")

if shown.empty:
    st.info(tr("staff_none"))
applied = codes_by_comment(codings, codes, lang)
code_ids = codes["id"].astype(int).tolist()


def act(row_id: int, action: str) -> None:
    try:
        if action == "quote":
            moderation.choose_quote(store, row_id, me, True)
        elif action == "unquote":
            moderation.choose_quote(store, row_id, me, False)
        else:
            moderation.set_status(store, row_id, me, action)
        st.session_state["rv_message"] = ("success", tr(f"staff_done_{action}"))
    except moderation.ModerationError as exc:
        st.session_state["rv_message"] = ("warning", tr(str(exc)))
    except StoreError:
        st.session_state["rv_message"] = ("error", tr("staff_unavailable"))


if message := st.session_state.pop("rv_message", None):
    getattr(st, message[0])(message[1])

for row in shown.itertuples():
    rid = int(row.id)
    with st.container(border=True, key=f"card_{rid}"):
        meta = [
            f"#{rid}",
            f"{row.created_at:%Y-%m-%d %H:%M}",
            titles.get(row.station, tr("heard_general")) if row.station else tr("heard_general"),
            tr(f"staff_source_{row.source}"),
            tr(f"staff_status_{row.status}"),
        ]
        if row.reflects in REFLECTS:
            meta.append(f"{tr('fb_reflects')} {tr(f'fb_{row.reflects}')}")
        if row.event:
            meta.append(f"{tr('staff_filter_event')}: {event_labels.get(row.event, row.event)}")
        if row.quote_ok:
            meta.append(tr("staff_quote_chosen") if row.quote_chosen else tr("staff_quote_ok"))
        st.text(" · ".join(meta))  # labels staff typed (event names) stay text
        st.text(row.comment or tr("staff_no_words"))  # the visitor's words as text, in full
        if applied.get(rid):
            st.text(tr("staff_codes_label") + ": " + ", ".join(applied[rid]))
        opened = st.toggle(tr("staff_open"), key=f"open_{rid}")
        if not opened:
            continue
        b = st.columns(5)
        if row.status != "reviewed":
            b[0].button(tr("staff_do_review"), key=f"rev_{rid}", on_click=act, args=(rid, "review"))
        if row.status != "hidden":
            b[1].button(tr("staff_do_hide"), key=f"hide_{rid}", on_click=act, args=(rid, "hide"))
        else:
            b[1].button(tr("staff_do_show"), key=f"show_{rid}", on_click=act, args=(rid, "show"))
        if row.quote_ok:
            if row.quote_chosen:
                b[2].button(tr("staff_do_unquote"), key=f"unq_{rid}", on_click=act, args=(rid, "unquote"))
            else:
                b[2].button(
                    tr("staff_do_quote"),
                    key=f"q_{rid}",
                    on_click=act,
                    args=(rid, "quote"),
                    disabled=row.status != "reviewed",
                    help=tr("staff_quote_help"),
                )
        sure = b[3].checkbox(tr("staff_delete_sure"), key=f"sure_{rid}")
        b[4].button(
            tr("staff_do_delete"),
            key=f"del_{rid}",
            on_click=act,
            args=(rid, "delete"),
            disabled=not sure,
            type="primary",
        )

        with st.form(f"edit_{rid}"):
            new_text = st.text_area(tr("staff_edit"), value=row.comment, max_chars=1000, key=f"text_{rid}")
            if st.form_submit_button(tr("staff_edit_save")):
                try:
                    moderation.edit(store, rid, me, new_text)
                    st.session_state["rv_message"] = ("success", tr("staff_done_edit"))
                except moderation.ModerationError as exc:
                    st.session_state["rv_message"] = ("warning", tr(str(exc), max=1000))
                except StoreError:
                    st.session_state["rv_message"] = ("error", tr("staff_unavailable"))
                st.rerun()

        st.subheader(tr("staff_coding"))
        if not code_ids:
            st.info(tr("staff_no_codes"))
            continue
        mine = codings[(codings["feedback_id"] == rid) & (codings["coder"] == me)] if not codings.empty else codings
        others = codings[(codings["feedback_id"] == rid) & (codings["coder"] != me)] if not codings.empty else codings
        for coder, group in others.groupby("coder") if not others.empty else []:
            names = sorted({code_name(codes, int(c), lang) for c in group["code_id"]}, key=str.lower)
            st.text(tr("staff_other_coder", coder=coder) + ": " + ", ".join(names))
        pending_key = f"excerpts_{rid}"
        if pending_key not in st.session_state:
            st.session_state[pending_key] = [
                (int(c.code_id), int(c.start), int(c.end)) for c in mine.itertuples() if pd.notna(c.start)
            ]
        whole = st.multiselect(
            tr("staff_codes_whole"),
            code_ids,
            default=[int(c.code_id) for c in mine.itertuples() if pd.isna(c.start)],
            format_func=lambda c: code_name(codes, c, lang),
            key=f"whole_{rid}",
        )
        ws = words(row.comment)
        if ws:
            span = st.select_slider(
                tr("staff_excerpt_words"),
                options=list(range(len(ws))),
                value=(0, min(len(ws) - 1, 4)),
                format_func=lambda i, ws=ws: f"{i + 1}: {ws[i].text}",
                key=f"span_{rid}",
            )
            a, z = excerpt(row.comment, *span)
            st.text(tr("staff_excerpt_preview") + ": " + row.comment[a:z])
            e1, e2 = st.columns([3, 1])
            ex_code = e1.selectbox(
                tr("staff_excerpt_code"), code_ids, format_func=lambda c: code_name(codes, c, lang), key=f"excode_{rid}"
            )
            if e2.button(tr("staff_excerpt_add"), key=f"exadd_{rid}"):
                st.session_state[pending_key].append((int(ex_code), a, z))
        for i, (c, a, z) in enumerate(st.session_state[pending_key]):
            x1, x2 = st.columns([5, 1])
            x1.text(f"{code_name(codes, c, lang)}: {row.comment[a:z]}")
            if x2.button(tr("staff_excerpt_remove"), key=f"exdel_{rid}_{i}"):
                st.session_state[pending_key].pop(i)
                st.rerun()
        if st.button(tr("staff_coding_save"), key=f"codesave_{rid}", type="primary", icon=":material/sell:"):
            try:
                store.code_comment(rid, me, whole, st.session_state[pending_key])
                st.session_state.pop(pending_key, None)
                st.session_state["rv_message"] = ("success", tr("staff_coding_saved"))
            except StoreError:
                st.session_state["rv_message"] = ("error", tr("staff_unavailable"))
            st.rerun()
