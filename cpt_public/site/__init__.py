"""The app's side: everything here reads only the release (through ``release.catalog``) and the
team's content — charts, words, content checks, languages, walks and printables. Nothing here
imports Streamlit (that is ``cached`` and ``pages_support``) or the publish step."""
