"""The Streamlit cache layer: thin wrappers over the pure functions, nothing else.

The release is read-only and the same for every visitor, so it is loaded once per process
(``st.cache_resource``) and shared by all sessions instead of copied into each.
"""

from __future__ import annotations

import streamlit as st

from .catalog import Release, load_release, release_dir


@st.cache_resource(show_spinner=False)
def _release(path: str, stamp: float) -> Release:
    return load_release(path)


def release() -> Release:
    """The verified release. Reloaded when its manifest changes (a new publish swaps it in)."""
    path = release_dir()
    manifest = path / "datapackage.json"
    stamp = manifest.stat().st_mtime if manifest.exists() else 0.0
    return _release(str(path), stamp)
