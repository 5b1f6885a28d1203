"""Every page runs under streamlit.testing.v1.AppTest."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def run(monkeypatch, release_path):
    monkeypatch.setenv("CPT_RELEASE_DIR", str(release_path))
    from cpt_public import cached

    cached._release.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    return at.run()


def test_placeholder_lists_every_table_with_the_synthetic_banner(monkeypatch, county_release):
    at = run(monkeypatch, county_release)
    assert not at.exception
    assert "Synthetic demonstration data" in at.warning[0].value
    table = at.dataframe[0].value
    assert "People by number of systems used" in set(table["Table"])
    assert len(table) == 10


@pytest.mark.parametrize("breakage", ["missing", "tampered"])
def test_a_broken_release_shows_a_clear_page(monkeypatch, tmp_path, release_copy, breakage):
    if breakage == "missing":
        target = tmp_path / "nothing-here"
    else:
        path = release_copy / "tables" / "systems_used.parquet"
        path.write_bytes(path.read_bytes()[:-10])
        target = release_copy
    at = run(monkeypatch, target)
    assert not at.exception
    assert at.title[0].value == "The published data cannot be shown"
    assert ("does not exist" if breakage == "missing" else "systems_used") in at.error[0].value


def test_shipped_demo_release_loads():
    from cpt_public.catalog import DEFAULT_RELEASE, load_release

    release = load_release(DEFAULT_RELEASE)
    assert release.synthetic
