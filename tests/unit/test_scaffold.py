"""`python -m cpt_public init`: content drafted from a release, runnable at once, with a checklist."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest

from cpt_public.errors import CptError
from cpt_public.release.catalog import load_release
from cpt_public.site.charts import Names
from cpt_public.site.content import load_content
from cpt_public.site.scaffold import _value, scaffold
from tests.conftest import ROOT, fill_placeholders


def test_init_drafts_content_that_the_release_accepts(tmp_path, county_release):
    release = load_release(county_release)
    todo = scaffold(release, tmp_path / "content")
    content = load_content(tmp_path / "content", release=release)  # every check passes
    assert [f.table for f in content.findings] == list(release.tables)  # one finding per table
    assert content.walks.walk[0].stations == [f.id for f in content.findings]  # a walk using every finding
    assert list(content.placeholders) == todo and todo
    assert "site.toml: team.mission.en" in todo and "site.toml: team.name.es" in todo
    # what the manifest knows is filled in, not left as a placeholder
    assert content.site.team.name["en"] == release.package.publisher
    assert content.finding("monthly_contacts").title["en"] == release["monthly_contacts"].resource.title
    names = Names(release, content.translator("es"))
    assert names.cat("system", "Jail") == "Cárcel"  # system labels come from the manifest, in both languages
    for f in content.findings:
        assert f.takeaway_when_hidden and f.takeaway_when_none


def test_init_never_overwrites_without_force(tmp_path, county_release):
    release = load_release(county_release)
    scaffold(release, tmp_path / "content")
    (tmp_path / "content" / "site.toml").write_text("# the team's own words\n", encoding="utf-8")
    with pytest.raises(CptError, match="already holds content"):
        scaffold(release, tmp_path / "content")
    assert (tmp_path / "content" / "site.toml").read_text(encoding="utf-8") == "# the team's own words\n"
    scaffold(release, tmp_path / "content", force=True)
    assert "[team]" in (tmp_path / "content" / "site.toml").read_text(encoding="utf-8")


def test_filled_placeholders_leave_nothing_to_do(tmp_path, county_release):
    release = load_release(county_release)
    scaffold(release, tmp_path / "content")
    fill_placeholders(tmp_path / "content")
    assert load_content(tmp_path / "content", release=release).draft(release) == []


@pytest.mark.parametrize("value", ['say "hi"', "back\\slash", "tab\there", "línea\nnueva", "“quotes” — ¿sí?", "#x"])
def test_toml_strings_read_back_exactly(value):
    assert tomllib.loads(f"v = {_value(value)}")["v"] == value
    assert tomllib.loads(f"v = {_value({'en': value, 'es': value})}")["v"] == {"en": value, "es": value}


def test_init_command_prints_the_checklist(tmp_path, county_release):
    out = subprocess.run(
        [sys.executable, "-m", "cpt_public", "init", "--release", str(county_release), "--out", str(tmp_path / "c")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert "CPT_CONTENT_DIR=" in out.stdout and "[ ] site.toml: team.mission.en" in out.stdout
    again = subprocess.run(
        [sys.executable, "-m", "cpt_public", "init", "--release", str(county_release), "--out", str(tmp_path / "c")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert again.returncode == 2 and "already holds content" in again.stderr and "Traceback" not in again.stderr
