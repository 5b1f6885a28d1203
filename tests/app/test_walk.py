"""The data-walk page under AppTest: every mode, both languages; stations in order; feedback tagged
with the event whose code the QR code carried."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from cpt_public.feedback.store import FeedbackStore
from cpt_public.site.content import load_content
from tests.conftest import ROOT


def walk_page(monkeypatch, tmp_path, lang="en", **params) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fb.sqlite'}")
    from cpt_public import cached

    cached._feedback_store.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = lang
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    return at.switch_page("app_pages/walk.py").run()


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("mode", ["self", "kiosk", "facilitator"])
def test_walk_page_runs_in_every_mode(monkeypatch, tmp_path, mode, lang):
    at = walk_page(monkeypatch, tmp_path, lang, mode=mode)
    assert not at.exception, at.exception
    if mode == "facilitator":
        table = at.table[0].value  # station numbers, one column per group: it fits a phone
        assert len(table) == len(load_content().walks.walk[0].stations) and table.iloc[0, 2] == "1"
    if mode == "kiosk":  # a link per station to its kiosk screen (decoded in tests/e2e/test_light.py)
        walk = load_content().walks.walk[0]
        links = [m.value for m in at.markdown if "/kiosk/" in m.value]
        assert len(links) == len(walk.stations)
        assert f"(/kiosk/{walk.id}/1?lang={lang})" in links[0]


@pytest.mark.parametrize("event", [None, "APRIL-WALK"])
def test_a_visitor_walks_every_station_and_leaves_feedback(monkeypatch, tmp_path, event):
    site = load_content()
    walk = site.walks.walk[0]
    store = FeedbackStore(f"sqlite:///{tmp_path / 'fb.sqlite'}")
    store.add_event("staff", "APRIL-WALK", walk.id, "April walk")
    at = walk_page(monkeypatch, tmp_path, **({"event": event} if event else {}))
    seen = []
    for n, station in enumerate(walk.stations, 1):
        assert not at.exception
        assert any(m.value == f"**Station {n} of {len(walk.stations)}**" for m in at.markdown)
        assert at.title[0].value == site.finding(station).title["en"]
        seen.append(station)
        if n == 2:
            at.radio(key=f"fb_reflects_{station}").set_value("yes")
            [send] = [b for b in at.button if b.label == "Send"]
            at = send.click().run()
            assert at.success
        if n < len(walk.stations):
            at = at.button(key="walk_next").click().run()
    assert seen == walk.stations
    # the last station's button finishes the walk: a closing screen, and a way back
    assert at.button(key="walk_next").label == "Finish the walk"
    at = at.button(key="walk_next").click().run()
    assert at.title[0].value == "Thank you for walking with us" and not at.exception
    at = at.button(key="walk_restart").click().run()
    assert at.title[0].value == site.finding(walk.stations[0]).title["en"]
    rows = store.frame()
    assert list(rows["station"]) == [walk.stations[1]]
    assert list(rows["event"].fillna("none")) == [event or "none"]  # counted for the event only with its code
    assert at.query_params.get("event") == event  # the code stays in the address from station to station
