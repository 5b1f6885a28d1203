"""Data walks: rotations, station links, QR codes, and the walk content."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from cpt_public.site import walks
from cpt_public.site.content import CONTENT_DIR, ContentError, load_content


@given(groups=st.integers(1, 12), stations=st.integers(1, 12))
def test_every_group_visits_every_station_once(groups, stations):
    rounds = walks.rotation(groups, stations)
    assert len(rounds) == stations
    for g in range(groups):
        assert sorted(r[g] for r in rounds) == list(range(stations))
    if groups <= stations:  # never two groups at one station
        assert all(len(set(r)) == groups for r in rounds)


def test_schedule_times():
    table = walks.schedule(3, ["a", "b", "c", "d"], dt.datetime(2026, 3, 14, 10, 0), minutes=5)
    assert list(table["starts"]) == ["10:00", "10:06", "10:12", "10:18"]
    assert list(table.iloc[0, 2:]) == ["a", "b", "c"]


def test_qr_code_decodes_to_the_station_link():
    link = walks.station_url("https://data.millbrook.example/", "residents-2026-03", 3, "es")
    assert link == "https://data.millbrook.example/s/residents-2026-03/3?lang=es"  # the light page
    rich = walks.interactive_url("https://data.millbrook.example", "residents-2026-03", 3, "es", event=None)
    assert rich == "https://data.millbrook.example/walk?walk=residents-2026-03&station=3&lang=es"
    assert (
        walks.station_url("https://x.example", "a b/c", 1, "en", event="E-1")
        == "https://x.example/s/a%20b%2Fc/1?lang=en&event=E-1"
    )
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(walks.qr_png(link))))
    assert code.text == link
    assert "<svg" in walks.qr_svg(link)


def test_demo_walks_are_complete():
    site = load_content()
    assert len(site.walks.walk) >= 2
    for w in site.walks.walk:
        assert 5 <= len(w.stations) <= 10 or len(w.stations) >= 5
        for s in w.stations:
            station = site.station(s)
            assert 2 <= len(station.prompts) <= 3 and site.finding(s)


def test_a_walk_naming_an_unknown_station_is_refused(tmp_path):
    import shutil

    shutil.copytree(CONTENT_DIR, tmp_path / "content")
    path = tmp_path / "content" / "walks.toml"
    path.write_text(path.read_text().replace('stations = ["systems_used",', 'stations = ["ghost_station",', 1))
    with pytest.raises(ContentError, match="ghost_station"):
        load_content(tmp_path / "content")


def test_public_base():
    assert walks.public_base("https://data.example/", "http://10.0.0.5:8501/walk?x=1") == "https://data.example"
    assert walks.public_base(None, "http://10.0.0.5:8501/walk?x=1") == "http://10.0.0.5:8501"
    assert walks.public_base(None, None) == "http://localhost:8501"


def test_station_steps_and_timer():
    assert walks.step(1, -1, 6) == 1 and walks.step(3, 1, 6) == 4 and walks.step(6, 1, 6) == 6
    assert walks.seconds_left(None, 5, now=1000.0) == 300
    assert walks.seconds_left(1000.0, 5, now=1090.0) == 210 and walks.clock(210) == "3:30"
    assert walks.seconds_left(1000.0, 5, now=1400.0) < 0
