"""The Streamlit cache layer: thin wrappers over the pure functions, nothing else.

The release and the site content are read-only and the same for every visitor, so each is
loaded once per process (``st.cache_resource``) and shared by all sessions, not copied.
Rendered downloads (PNG, SVG, PDF) are cached per release version, language and view.
"""

from __future__ import annotations

import streamlit as st

from .catalog import Release, load_release, release_dir
from .content import Content, content_dir, load_content


@st.cache_resource(show_spinner=False)
def _release(path: str, stamp: float) -> Release:
    return load_release(path)


def release() -> Release:
    """The verified release. Reloaded when its manifest changes (a new publish swaps it in)."""
    path = release_dir()
    manifest = path / "datapackage.json"
    stamp = manifest.stat().st_mtime if manifest.exists() else 0.0
    return _release(str(path), stamp)


@st.cache_resource(show_spinner=False)
def _content(folder: str, version: str, _release: Release) -> Content:
    return load_content(folder, release=_release)


def content() -> Content:
    """Site content, checked against the release it will describe."""
    rel = release()
    return _content(str(content_dir()), rel.package.version, rel)


@st.cache_resource(show_spinner=False)
def _feedback_store(url: str):
    from .feedback.store import FeedbackStore

    return FeedbackStore(url)  # an engine (connection pool) per process, connected lazily


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
def briefing_pdf(version: str, lang: str, heard: tuple[str, ...] = ()) -> bytes:
    from .printables.briefing import briefing_pdf as make

    return make(release(), content(), lang, list(heard))


@st.cache_data(show_spinner=False, max_entries=32)
def walk_pdf(version: str, kind: str, walk: str, lang: str, base_url: str) -> bytes:
    from .printables import walk as printables

    if kind == "posters":
        return printables.posters_pdf(release(), content(), walk, lang, base_url)
    if kind == "handout":
        return printables.handout_pdf(release(), content(), walk, lang, base_url)
    return printables.glossary_pdf(content(), walk, lang)


def heard() -> list[str] | None:
    """What we heard, as lines in the visitor's language; None when the database cannot be read."""
    from .feedback.report import top_themes, what_we_heard
    from .feedback.store import StoreError
    from .pages_support import current_lang
    from .text import heard_lines

    try:
        frame = feedback_store().frame()
    except StoreError:
        return None
    site, pv = content(), release().package.privacy
    return heard_lines(what_we_heard(frame, pv.threshold, pv.protectionRange), site, site.translator(current_lang()),
                       top_themes(frame, pv.threshold))


@st.cache_resource(show_spinner=False)
def login_guard():
    from .feedback.staff import LoginGuard

    return LoginGuard()  # one per process: failed attempts count across every session


def staff_accounts():
    import os

    from .feedback.staff import accounts

    try:
        secrets = st.secrets.to_dict()
    except Exception:  # no secrets file at all
        secrets = {}
    return accounts(secrets, demo=os.environ.get("CPT_DEMO_STAFF") == "1")
