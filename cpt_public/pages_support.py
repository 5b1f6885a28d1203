"""Small Streamlit helpers shared by the page scripts (layout only; logic lives elsewhere)."""

from __future__ import annotations

import streamlit as st

from .content import UI, _load, content_dir
from .i18n import Translator


def translator(lang: str) -> Translator:
    """Interface text without the release (for the error page, which must work without one)."""
    ui = _load(content_dir() / "ui.toml", UI)
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


def current_lang() -> str:
    return st.session_state.get("lang", "en")
