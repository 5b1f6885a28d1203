"""Data-walk printables are valid PDFs carrying the same findings, prompts and a working QR code."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from cpt_public.release.catalog import load_release
from cpt_public.site.content import load_content
from cpt_public.site.printables.walk import glossary_pdf, handout_pdf, posters_pdf
from tests.conftest import ROOT

WALK, BASE = "residents-2026-03", "https://data.millbrook.example"


def printables_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cpt_public", "printables", *args], capture_output=True, text=True, cwd=ROOT
    )


@pytest.fixture(scope="module")
def parts():
    release = load_release()
    return release, load_content(release=release)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_posters_one_per_station_with_a_qr_code_to_it(parts, lang):
    release, content = parts
    walk = content.walk(WALK)
    pdf = PdfReader(io.BytesIO(posters_pdf(release, content, WALK, lang, BASE)))
    assert len(pdf.pages) == len(walk.stations)
    assert (
        round(float(pdf.pages[0].mediabox.width) / 72) == 18 and round(float(pdf.pages[0].mediabox.height) / 72) == 24
    )
    for page, fid in zip(pdf.pages, walk.stations):
        text = page.extract_text()
        assert content.finding(fid).title[lang].split()[0] in text
        assert content.station(fid).prompts[0][lang].split()[0] in text
    codes = [c.text for img in pdf.pages[2].images for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(img.data)))]
    assert f"{BASE}/s/{WALK}/3?lang={lang}" in codes  # the light station page


def test_handout_and_glossary(parts):
    release, content = parts
    walk = content.walk(WALK)
    handout = PdfReader(io.BytesIO(handout_pdf(release, content, WALK, "es", BASE)))
    assert len(handout.pages) == 1 + len(walk.stations)
    assert "Recorrido de datos comunitario" in handout.pages[0].extract_text()
    glossary = PdfReader(io.BytesIO(glossary_pdf(content, WALK, "en"))).pages[0].extract_text()
    for term in ("Linked records", "Suppressed", "Margin of error"):
        assert term in glossary


def test_printables_command(tmp_path):
    out = printables_cli("--walk", WALK, "--lang", "es", "--out", str(tmp_path), "--base-url", BASE)
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"glossary-{WALK}-es.pdf",
        f"handout-{WALK}-es.pdf",
        f"posters-{WALK}-es.pdf",
    ]
    bad = printables_cli("--walk", "nope", "--out", str(tmp_path), "--base-url", BASE)
    assert bad.returncode == 2 and "no walk 'nope'" in bad.stderr and "Traceback" not in bad.stderr


def test_qr_codes_for_a_local_address_are_refused_unless_asked_for(tmp_path, monkeypatch):
    monkeypatch.delenv("CPT_PUBLIC_URL", raising=False)
    for base in ("http://localhost:8501", "http://127.0.0.1:8501", "http://[::1]:8501"):
        out = printables_cli("--walk", WALK, "--out", str(tmp_path / "a"), "--base-url", base)
        assert out.returncode == 2 and "only this machine can open" in out.stderr and "Traceback" not in out.stderr
        assert not (tmp_path / "a").exists()  # nothing written
    missing = printables_cli("--walk", WALK, "--out", str(tmp_path / "a"))
    assert missing.returncode == 2 and "public address" in missing.stderr
    test_print = printables_cli(
        "--walk", WALK, "--out", str(tmp_path / "b"), "--base-url", "http://localhost:8501", "--allow-local"
    )
    assert test_print.returncode == 0, test_print.stderr
    monkeypatch.setenv("CPT_PUBLIC_URL", BASE)
    from_env = printables_cli("--walk", WALK, "--lang", "es", "--out", str(tmp_path / "c"))
    assert from_env.returncode == 0, from_env.stderr
    pdf = PdfReader(tmp_path / "c" / f"posters-{WALK}-es.pdf")
    codes = [c.text for img in pdf.pages[0].images for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(img.data)))]
    assert codes == [f"{BASE}/s/{WALK}/1?lang=es"]
    assert "data.millbrook.example/s/" in pdf.pages[0].extract_text()  # the address in print, under the code
    handout = PdfReader(tmp_path / "c" / f"handout-{WALK}-es.pdf")
    for n, page in enumerate(handout.pages[1:], 1):  # every station page's QR code, to the public address
        found = [c.text for img in page.images for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(img.data)))]
        assert found == [f"{BASE}/s/{WALK}/{n}?lang=es"]
        assert f"data.millbrook.example/s/{WALK}/{n}" in page.extract_text().replace("\n", "")


@pytest.mark.slow
@pytest.mark.parametrize("team", ["reentry", "hmis_only", "homeless_coalition", "degenerate"])
def test_printables_and_briefing_for_every_team(team_site, tmp_path, team):
    """The command line, on each team's release and drafted content: posters, handout, glossary and
    the briefing parse, carry each station's takeaway as the site says it, and never a traceback."""
    from cpt_public.site.charts import build
    from cpt_public.site.printables import latin1
    from cpt_public.site.printables.briefing import briefing_pdf
    from cpt_public.site.text import takeaway

    release_dir, content_dir = team_site(team)
    release, content = load_release(release_dir), load_content(content_dir)
    walk = content.walks.walk[0]
    for lang in ("en", "es"):
        out = printables_cli(
            "--walk",
            walk.id,
            "--lang",
            lang,
            "--out",
            str(tmp_path),
            "--base-url",
            BASE,
            "--release",
            str(release_dir),
            "--content",
            str(content_dir),
        )
        assert out.returncode == 0 and not out.stderr, out.stderr
        posters = PdfReader(tmp_path / f"posters-{walk.id}-{lang}.pdf")
        assert len(posters.pages) == len(walk.stations)
        tr = content.translator(lang)
        for page, fid in zip(posters.pages, walk.stations):
            f = content.finding(fid)
            said, _ = takeaway(f, build(release, f, tr).facts, tr)
            flat = " ".join(page.extract_text().split())
            assert " ".join(latin1(said).split()[:4]) in flat, (fid, said)
        assert len(PdfReader(tmp_path / f"handout-{walk.id}-{lang}.pdf").pages) == 1 + len(walk.stations)
        assert PdfReader(tmp_path / f"glossary-{walk.id}-{lang}.pdf").pages[0].extract_text()
        brief = PdfReader(io.BytesIO(briefing_pdf(release, content, lang)))
        assert len(brief.pages) == 1 and content.site.team.short_name[lang].split()[0] in brief.pages[0].extract_text()


@pytest.mark.parametrize("paper", ["Letter", "A4"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_briefing_is_one_page_with_the_bottom_line_period_and_figures(parts, lang, paper):
    from cpt_public.site.briefing import briefing
    from cpt_public.site.printables import latin1
    from cpt_public.site.printables.briefing import briefing_pdf
    from cpt_public.site.text import period_text

    release, content = parts
    pdf = PdfReader(io.BytesIO(briefing_pdf(release, content, lang, [], paper)))
    assert len(pdf.pages) == 1
    size = {"Letter": (612, 792), "A4": (595, 842)}[paper]
    assert tuple(round(float(v)) for v in pdf.pages[0].mediabox[2:]) == size
    text = " ".join(pdf.pages[0].extract_text().split())
    tr = content.translator(lang)
    assert " ".join(latin1(content.site.briefing.bottom_line[lang]).split()[:6]) in text
    assert latin1(period_text(release, tr)) in text
    for label, fact in briefing(release, content, tr).cards:
        assert latin1(str(fact)).replace("\xa0", " ") in text.replace("\xa0", " "), label
    assert "suppressed" not in text.lower().split("release")[0]  # no card reads a bare "suppressed"
