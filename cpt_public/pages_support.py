"""Small Streamlit helpers shared by the page scripts (layout only; logic lives elsewhere)."""

from __future__ import annotations

import dataclasses

import streamlit as st

from .site.content import content_dir, load_ui
from .site.i18n import Translator


def translator(lang: str) -> Translator:
    """Interface text without the release (for the error page, which must work without one)."""
    ui = load_ui(content_dir())
    return Translator({k: v.model_dump() for k, v in ui.ui.items()}, {}, lang)


def broken_release(exc: Exception, lang: str) -> None:
    try:
        tr = translator(lang)
        title, help_text = tr("broken_title"), tr("broken_help")
    except Exception:  # the content itself is what is broken
        title, help_text = "The site cannot be shown", "Ask the site's maintainers to fix the problem below."
    st.title(title)
    st.error(str(exc))
    st.markdown(help_text)


def chart(view) -> None:
    """A finding's chart, drawn from the view's prepared spec (see charts.View.screen_spec)."""
    if view.is_plotly:
        st.plotly_chart(view.chart, width="stretch", alt=view.alt_text, config={"displayModeBar": False})
    else:
        st.vega_lite_chart(spec=view.screen_spec, width="stretch", alt=view.alt_text)


def show_takeaway(finding, view, tr: Translator) -> str:
    """A finding's takeaway in bold, with a note when it states a range or falls back because a
    figure is too small to show. Returns the text shown."""
    from .site.text import takeaway

    text, state = takeaway(finding, view.facts, tr)
    st.markdown(f"**{text}**")
    if state == "hidden":
        st.markdown(tr("suppressed_note"))
    elif state == "range":
        st.markdown(tr("range_note"))
    return text


def figure(col, label: str, fact) -> None:
    """A headline number. A fact with no number to show (too few people, no one) is a dash, with
    the reason in words beneath it, so the card never cuts a sentence off mid-word."""
    if getattr(fact, "state", "ok") in ("hidden", "none"):
        col.metric(label, "—")
        col.markdown(str(fact))
    else:
        col.metric(label, str(fact))


def draft_banner(items: list[str], tr: Translator) -> None:
    """Shown to staff and visitors alike while the content still holds placeholders."""
    if items:
        st.warning(tr("draft_banner", n=len(items)), icon=":material/edit_note:")


STATIC_ROWS = 40
STATIC_COLUMNS = 3  # more (a category by several groups) may not fit a phone: the grid scrolls itself


def numbers(frame, caption: str | None = None) -> None:
    """A finding's table of figures. Up to STATIC_ROWS rows: a plain HTML table — real table
    markup for screen readers, and no data-grid script for the browser to fetch. Longer tables
    (months x systems) and wider ones get the scrollable grid. Narrow tables only: a wide one with long text
    overflows a phone's width into a region keyboards cannot reach (About keeps the grid)."""
    if len(frame) <= STATIC_ROWS and len(frame.columns) <= STATIC_COLUMNS:
        st.table(frame, hide_index=True, alt=caption)
    else:
        st.dataframe(frame, hide_index=True, width="stretch")


def share_links(fid: str, title: str, view, shown: dict, tr: Translator, lang: str) -> None:
    """A link to exactly this view, the embed code for another site's page, and the data's
    machine-readable twins — each in a code block with its copy button."""
    import html
    import os
    from urllib.parse import urlencode

    from .site import urlstate
    from .site.walks import public_base

    base = public_base(os.environ.get("CPT_PUBLIC_URL"), st.context.url)
    st.markdown(f"**{tr('share_link')}**")
    st.code(f"{base}/findings?{urlencode(urlstate.encode(shown))}", language=None, wrap_lines=True)
    st.markdown(f"**{tr('share_embed')}**")
    name = html.escape(tr("share_embed_title", title=title), quote=True)
    st.code(
        f'<iframe src="{base}/embed/{fid}?lang={lang}" title="{name}" width="100%" height="720" '
        'style="border:0" loading="lazy"></iframe>',
        language="html",
        wrap_lines=True,
    )
    st.markdown(f"**{tr('share_data')}**")
    st.code(
        "\n".join(f"{base}/data/{t}.{fmt}?lang={lang}" for t in view.tables for fmt in ("csv", "json")),
        language=None,
        wrap_lines=True,  # a block that scrolls sideways is a region keyboards cannot reach
    )


def current_lang() -> str:
    """The language the router chose for this run (app.py sets it before any page runs)."""
    return st.session_state.get("ui_lang", "en")


def feedback_form(station: str | None, tr: Translator, lang: str, stations: set[str]) -> None:
    """The feedback form. Saving happens in the button's callback, the one place Streamlit lets us
    clear the fields: on success they are cleared and the visitor thanked; on any failure every
    value stays where it was, with a message, and the same submission id for the retry.
    An event code in the page's address (``?event=…``, printed in a walk's QR codes) is sent
    with the answer; a session's later answer at the same station replaces its earlier one."""
    from .cached import feedback_store, redaction_warmed
    from .feedback import limits
    from .feedback.form import (
        CONNECTIONS,
        MAX_COMMENT,
        REFLECTS,
        RateLimiter,
        RepeatGuard,
        answer_key,
        new_submission_id,
    )
    from .feedback.service import submit

    redaction_warmed()
    tag = station or "general"
    keys = {k: f"fb_{k}_{tag}" for k in ("reflects", "comment", "connection", "quote", "sid", "outcome")}
    st.session_state.setdefault(keys["sid"], new_submission_id())
    limiter = st.session_state.setdefault("fb_limiter", RateLimiter())
    repeats = st.session_state.setdefault("fb_repeats", RepeatGuard())
    salt = st.session_state.setdefault("fb_salt", new_submission_id())
    event = st.query_params.get("event") or None
    address = limits.client_address(st.context.ip_address, st.context.headers)

    def send() -> None:
        store = feedback_store()
        try:
            client = limits.client_key(store, address)
        except OSError:
            client = None  # no key file can be written: the session's own limit still applies
        outcome = submit(
            store,
            limiter,
            st.session_state[keys["sid"]],
            repeats,
            client,
            station=station,
            reflects=st.session_state.get(keys["reflects"]),
            comment=st.session_state.get(keys["comment"], ""),
            connection=st.session_state.get(keys["connection"]),
            language=lang,
            stations=stations,
            event=event,
            quote_ok=bool(st.session_state.get(keys["quote"])),
            answer_key=answer_key(salt, station),
        )
        st.session_state[keys["outcome"]] = outcome
        if outcome.ok:
            st.session_state[keys["reflects"]] = None
            st.session_state[keys["comment"]] = ""
            st.session_state[keys["connection"]] = None
            st.session_state[keys["quote"]] = False
            st.session_state[keys["sid"]] = new_submission_id()

    with st.form(key=f"fb_form_{tag}", clear_on_submit=False):
        st.radio(
            tr("fb_reflects"),
            list(REFLECTS),
            index=None,
            horizontal=True,
            key=keys["reflects"],
            format_func=lambda r: tr(f"fb_{r}"),
        )
        st.text_area(tr("fb_comment"), max_chars=MAX_COMMENT, key=keys["comment"])
        st.checkbox(tr("fb_quote_ok"), key=keys["quote"])
        st.selectbox(
            tr("fb_connection"),
            [None, *CONNECTIONS],
            key=keys["connection"],
            format_func=lambda c: tr(f"fb_conn_{c or 'none'}"),
            placeholder=tr("fb_conn_none"),  # after a send clears it: the visitor's language, not Streamlit's
        )
        st.markdown(tr("fb_privacy_note"))
        st.form_submit_button(tr("fb_submit"), type="primary", on_click=send)
    outcome = st.session_state.get(keys["outcome"])
    if outcome is not None:
        if outcome.ok:
            st.success(tr("fb_thanks"), icon=":material/check_circle:")
            if outcome.redacted:
                from .site.text import md_literal, shown_markers

                st.markdown(tr("fb_saved_as", text=md_literal(shown_markers(outcome.saved_text, tr))))
        elif outcome.message_key == "form_too_long":
            st.warning(tr("form_too_long", max=MAX_COMMENT))
        else:
            (st.error if outcome.message_key == "fb_save_failed" else st.warning)(tr(outcome.message_key))


PUBLIC_CSS = """
<style>
/* Chart and table toolbars (fullscreen, download, "Copy Vega-Lite spec", in English on every
   page) are not for the public: the page offers its own downloads. Headings' anchor links and
   Streamlit's English typing hints ("Press Ctrl+Enter to submit form") go too: fewer empty tab
   stops, one language. */
[data-testid="stElementToolbar"], [data-testid="stHeaderActionElements"], [data-testid="InputInstructions"] {display: none !important;}
/* A headline figure wraps rather than ending in "…" ("5.4 millones de US$" in a narrow card). */
[data-testid="stMetricValue"], [data-testid="stMetricValue"] > div {white-space: normal !important; overflow: visible !important; text-overflow: clip !important;}
/* Quotes in full-contrast text (Streamlit greys them). */
[data-testid="stMarkdownContainer"] blockquote, [data-testid="stMarkdownContainer"] blockquote p {color: #222 !important; opacity: 1 !important;}
/* A focus ring that can be seen on every control, not a faint tint. */
button:focus-visible, a:focus-visible, input:focus-visible, textarea:focus-visible, [role="radio"]:focus-visible,
[role="switch"]:focus-visible, [role="combobox"]:focus-visible, [role="slider"]:focus-visible, [tabindex]:focus-visible,
label:has(input:focus-visible) {outline: 3px solid #000 !important; outline-offset: 2px; box-shadow: 0 0 0 5px #ffd400 !important;}
</style>
"""


def public_style() -> None:
    st.html(PUBLIC_CSS)


def scroll_to_top() -> None:
    """Bring the page back to its top (after Next: the new station starts at its title)."""
    st.html(
        "<script>window.parent.document.querySelector('[data-testid=stMain]')?.scrollTo(0, 0);"
        "window.parent.scrollTo(0, 0);</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def staff_session() -> bool:
    """True while a staff member is signed in and active; signs out after SESSION_IDLE_S idle."""
    import time

    from .feedback.staff import expired

    if "staff_user" not in st.session_state:
        return False
    if expired(st.session_state.get("staff_seen")):
        for k in ("staff_user", "staff_name", "staff_seen"):
            st.session_state.pop(k, None)
        st.session_state["staff_expired"] = True
        return False
    st.session_state["staff_seen"] = time.time()
    return True


def heard_block(tr: Translator, threshold: int) -> list[str] | None:
    """'What we heard' as staff last published it: one line per station, the quotes staff chose
    (as plain text), or why there is nothing to show. Returns the lines shown (None when the
    database cannot be read)."""
    from .cached import heard

    shown = heard(current_lang())
    if shown is None:
        st.warning(tr("heard_unavailable"))
        return None
    if not shown.lines and not shown.quotes:
        st.info(tr("community_pending"))
        return []
    st.text(tr("heard_published", date=shown.published, scope=shown.scope))  # an event name staff typed: text
    st.markdown("\n".join(f"- {line}" for line in shown.lines))
    if shown.quotes:
        st.subheader(tr("heard_quotes_title"))
        for station, words in shown.quotes:
            with st.container(border=True):
                st.text(words)  # the visitor's words as text: never Markdown or HTML
                st.text(station)
    st.markdown(tr("heard_note", min=threshold))
    return shown.lines


STAFF_PAGES = (
    ("app_pages/staff_review.py", "nav_review", ":material/rate_review:"),
    ("app_pages/staff_codebook.py", "nav_codebook", ":material/sell:"),
    ("app_pages/staff_report.py", "nav_report", ":material/campaign:"),
    ("app_pages/staff_records.py", "nav_records", ":material/inventory:"),
)


@dataclasses.dataclass(frozen=True)
class StaffPage:
    """What every staff page starts from."""

    lang: str
    site: object  # site.content.Content
    tr: Translator
    store: object  # feedback.store.FeedbackStore
    me: str  # the signed-in staff member's user name
    titles: dict[str, str]  # finding id -> title, in the staff member's language
    events: object  # pandas.DataFrame of events
    event_labels: dict[str, str]  # event code -> its name


def staff_page(title_key: str) -> StaffPage:
    """Start a staff page: stop unless signed in (defence in depth: the router registers staff
    pages only for a signed-in session), the title, links between the staff pages (the top bar
    folds them away on small screens), and the events; a database that cannot be read stops
    the page with a plain message."""
    from .cached import content, feedback_store
    from .feedback.store import StoreError

    if "staff_user" not in st.session_state:
        st.stop()
    lang = current_lang()
    site = content()
    tr = site.translator(lang)
    store = feedback_store()
    st.title(tr(title_key))
    cols = st.columns(len(STAFF_PAGES))
    for col, (path, key, icon) in zip(cols, STAFF_PAGES):
        col.page_link(path, label=tr(key), icon=icon)
    try:
        events = store.events()
    except StoreError:
        st.error(tr("staff_unavailable"))
        st.stop()
    return StaffPage(
        lang,
        site,
        tr,
        store,
        st.session_state["staff_user"],
        {f.id: f.title[lang] for f in site.findings},
        events,
        dict(zip(events["code"], events["label"])) if not events.empty else {},
    )
