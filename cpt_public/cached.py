"""The Streamlit cache layer: thin wrappers over the pure functions, nothing else.

The release and the site content are read-only and the same for every visitor, so each is
loaded once per process (``st.cache_resource``) and shared by all sessions, not copied: memory
does not grow with visitors. (pandas' copy-on-write means a page that changes a frame it was
handed changes its own copy, never the shared table; tests/unit/test_cached.py checks both.)
Rendered downloads (PNG, SVG, PDF) are cached per release version, language and view.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import streamlit as st

from .errors import ReleaseError
from .release.catalog import Release, load_release, release_dir
from .site.charts import Filters, View, build
from .site.content import Content, content_dir, load_content

RETRY_S = 0.3
STAMP_TTL_S = 1.0
HEARD_TTL_S = 30


@st.cache_resource(show_spinner=False, max_entries=2)
def _release(path: str, stamp: tuple) -> Release:
    return load_release(path)


def release_stamp(path: Path) -> tuple:
    """What changes when a release is replaced (a publish swaps in a new folder) or edited in
    place: the folder's identity and every file's size and modification time. A few stat calls,
    cheap enough for every rerun."""
    try:
        folder = path.stat()
        files = [path / "datapackage.json", *sorted((path / "tables").glob("*"))]
        return (
            folder.st_ino,
            folder.st_mtime_ns,
            *((f.name, st_.st_size, st_.st_mtime_ns) for f in files if (st_ := _stat(f)) is not None),
        )
    except OSError:
        return ("missing",)


def _stat(path: Path):
    try:
        return path.stat()
    except OSError:
        return None


_last_stamp: tuple[str, float, tuple] = ("", 0.0, ())  # (folder, when, stamp): a page run calls release() often
_last_failure: tuple[tuple, ReleaseError] | None = None  # ((folder, stamp), why) of the last release refused


def _current_stamp(path: Path) -> tuple:
    global _last_stamp
    folder, when, stamp = _last_stamp
    now = time.monotonic()
    if folder != str(path) or now - when >= STAMP_TTL_S:
        stamp = release_stamp(path)
        _last_stamp = (str(path), now, stamp)
    return stamp


def release() -> Release:
    """The verified release, shared read-only by every session of this process.

    Reloaded (and verified again) whenever its files change — looked at once a second at most —
    so a newly published release is picked up by the next rerun and a corrupted one is refused
    with a clear page instead of being served. A load that fails is tried once more after a
    moment: a publish swaps folders with two renames, and a visitor may arrive between them."""
    global _last_stamp, _last_failure
    path = release_dir()
    stamp = _current_stamp(path)
    if _last_failure is not None and _last_failure[0] == (str(path), stamp):
        raise _last_failure[1]  # the same broken files: not verified again on every visitor's rerun
    try:
        return _release(str(path), stamp)
    except ReleaseError:
        time.sleep(RETRY_S)
        _last_stamp = ("", 0.0, ())
        stamp = _current_stamp(path)
        try:
            return _release(str(path), stamp)
        except ReleaseError as exc:
            _last_failure = ((str(path), stamp), exc)
            raise


@st.cache_resource(show_spinner=False, max_entries=2)
def _content(folder: str, version: str, _release: Release) -> Content:
    return load_content(folder, release=_release)


def content() -> Content:
    """Site content, checked against the release it will describe."""
    rel = release()
    return _content(str(content_dir()), rel.package.version, rel)


@st.cache_resource(show_spinner=False, max_entries=2)
def _bounds(version: str, _release: Release):
    from .release.bounds import Bounds

    return Bounds(_release)  # what the published cells allow about hidden ones: LPs solved once per release


@st.cache_resource(show_spinner=False, max_entries=512)
def _view(
    version: str,
    folder: str,
    lang: str,
    finding: str,
    filters: Filters,
    _release: Release,
    _content: Content,
) -> View:
    view = build(_release, _content.finding(finding), _content.translator(lang), filters, _bounds(version, _release))
    for name in list(view.facts.keys()):  # computed now, once: the shared view is only read afterwards
        view.facts[name]
    return view


NO_FILTERS = Filters()


def view(finding: str, lang: str, filters: Filters = NO_FILTERS) -> View:
    """A finding's chart, table and facts, built once per release, content, language and filters
    and then shared by every session (pages only read a view)."""
    rel = release()
    return _view(rel.package.version, str(content_dir()), lang, finding, filters, rel, content())


@st.cache_resource(show_spinner=False, max_entries=16)
def _briefing(version: str, folder: str, lang: str, _release: Release, _content: Content):
    from .site.briefing import briefing

    return briefing(_release, _content, _content.translator(lang), _bounds(version, _release))


def briefing(lang: str):
    rel = release()
    return _briefing(rel.package.version, str(content_dir()), lang, rel, content())


@st.cache_resource(show_spinner=False, max_entries=16)
def _headlines(version: str, folder: str, lang: str, _release: Release, _content: Content):
    from .site.briefing import figures

    return figures(_release, _content, _content.site.headlines, _content.translator(lang), _bounds(version, _release))


def headlines(lang: str):
    """Home's headline numbers: (label, fact) in the visitor's language."""
    rel = release()
    return _headlines(rel.package.version, str(content_dir()), lang, rel, content())


@st.cache_resource(show_spinner=False)
def _feedback_store(url: str):
    from .feedback.store import FeedbackStore

    return FeedbackStore(url)  # an engine (connection pool) per process, connected lazily


@st.cache_resource(show_spinner=False)
def redaction_warmed() -> None:
    """Load redaction's word lists (about half a second, once per process) in the background as
    soon as any form is shown, so no visitor's first submission waits for them."""
    import threading

    from .feedback.lexicon import warm

    threading.Thread(target=warm, name="redaction-warm", daemon=True).start()


@st.cache_data(show_spinner=False, ttl=24 * 3600)
def retention_applied(url: str, days: int) -> int:
    """Apply the retention setting (CPT_RETENTION_DAYS) at most once a day per process."""
    import datetime as dt

    before = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    return _feedback_store(url).purge("retention", before)


def apply_retention() -> None:
    from .errors import CptError
    from .feedback.store import database_url, retention_days

    try:
        days = retention_days()
        if days is not None:
            retention_applied(database_url(), days)
    except CptError as exc:  # a database that is down, or a bad setting: tried again on the next visit
        logging.getLogger("cpt_public").warning("retention not applied: %s", exc)


def feedback_store():
    from .feedback.store import database_url

    return _feedback_store(database_url())


@st.cache_data(show_spinner=False, max_entries=256)
def chart_image(version: str, lang: str, finding: str, filters_key: str, fmt: str, _spec_json: str) -> bytes:
    import vl_convert as vlc

    if fmt == "png":
        return vlc.vegalite_to_png(_spec_json, scale=2)
    return vlc.vegalite_to_svg(_spec_json).encode("utf-8")


@st.cache_data(show_spinner=False, max_entries=8)
def briefing_pdf(version: str, folder: str, lang: str, heard: tuple[str, ...] = (), paper: str = "Letter") -> bytes:
    from .site.printables.briefing import briefing_pdf as make

    return make(release(), content(), lang, list(heard), paper)  # ``folder``: a new content folder is a new PDF


@st.cache_data(show_spinner=False, max_entries=32)
def walk_pdf(version: str, folder: str, kind: str, walk: str, lang: str, base_url: str, event: str = "") -> bytes:
    from .site.printables import walk as printables

    if kind == "posters":
        return printables.posters_pdf(release(), content(), walk, lang, base_url, event=event or None)
    if kind == "handout":
        return printables.handout_pdf(release(), content(), walk, lang, base_url, event=event or None)
    return printables.glossary_pdf(content(), walk, lang)


def heard(lang: str):
    """What we heard: the newest snapshot staff published, in the visitor's language
    (site.text.Heard), an empty one when none is published yet, None when the database cannot
    be read. Read again at most every HEARD_TTL_S seconds. Never live counts."""
    from .feedback.store import StoreError, database_url

    try:
        return _heard(database_url(), lang, release().package.version)
    except StoreError:
        return None


def heard_changed() -> None:
    """A snapshot was published or withdrawn: show the change now (this process; others within
    HEARD_TTL_S)."""
    _heard.clear()


@st.cache_data(show_spinner=False, ttl=HEARD_TTL_S, max_entries=32)
def _heard(url: str, lang: str, version: str):
    import pandas as pd

    from .feedback.snapshots import loads
    from .site.i18n import fmt_date
    from .site.text import Heard, heard_lines, heard_quotes

    store = _feedback_store(url)
    published = store.snapshots()  # a StoreError is not cached: the next view tries again
    if published.empty:
        return Heard([], [], "", "")
    latest = published.iloc[0]
    payload = loads(latest["payload"])
    site = content()
    tr = site.translator(lang)
    if latest["scope"]:
        events = store.events()
        labels = dict(zip(events["code"], events["label"])) if not events.empty else {}
        scope = tr("heard_scope_event", event=labels.get(latest["scope"]) or latest["scope"])
    else:
        scope = tr("heard_scope_all")
    when = pd.Timestamp(latest["created_at"]).date()
    return Heard(heard_lines(payload, site, tr), heard_quotes(payload, site, tr), fmt_date(when, lang), scope)


@st.cache_resource(show_spinner=False)
def login_guard():
    from .feedback.staff import LoginGuard

    return LoginGuard(store=feedback_store())  # failures counted in the database: across sessions and processes


def sign_in_client() -> str:
    """This visitor's client key (feedback.limits) for the sign-in limits; "local" if none can be made."""
    from .feedback import limits

    address = limits.client_address(st.context.ip_address, st.context.headers)
    try:
        return limits.client_key(feedback_store(), address)
    except OSError:
        return address


def staff_accounts():
    import os

    from .feedback.staff import accounts

    try:
        secrets = st.secrets.to_dict()
    except Exception:  # no secrets file at all
        secrets = {}
    from urllib.parse import urlsplit

    host = urlsplit(st.context.url or "").hostname
    return accounts(secrets, demo=os.environ.get("CPT_DEMO_STAFF") == "1", host=host)


@st.cache_resource(show_spinner=False, max_entries=256)
def _light_svg(version: str, folder: str, lang: str, finding: str, width: int, height: int | None, wrap: int | None):
    import json

    import vl_convert as vlc

    from .site.light import accessible_svg

    shown = view(finding, lang)
    spec = shown.image_spec(width, height, title=False, fit=True, wrap=wrap)
    return accessible_svg(vlc.vegalite_to_svg(json.dumps(spec)), shown.alt_text)


def light_svg(version: str, lang: str, finding: str, width: int, height: int | None = None, wrap: int | None = None):
    """A finding's chart as inline SVG for the light pages, drawn once per release, content,
    language and size."""
    return _light_svg(version, str(content_dir()), lang, finding, width, height, wrap)
