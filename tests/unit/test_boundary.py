"""The privacy boundary shows in the code: the app's side never loads record-level code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECORD_LEVEL = ("cpt_public.publish", "duckdb", "pandera", "python_calamine")


def loaded_after(imports: str) -> set[str]:
    code = f"import sys\n{imports}\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_apps_reader_charts_and_cache_load_no_record_level_code():
    mods = loaded_after(
        "import cpt_public.release.catalog, cpt_public.release.verify, cpt_public.site.charts, "
        "cpt_public.site.content, cpt_public.site.text, cpt_public.site.briefing, "
        "cpt_public.site.printables.walk, cpt_public.site.printables.briefing, cpt_public.cached, "
        "cpt_public.pages_support, cpt_public.feedback.service, cpt_public.routes, cpt_public.server, "
        "cpt_public.site.light, cpt_public.site.twins"
    )
    bad = sorted(m for m in mods if m.startswith(RECORD_LEVEL))
    assert not bad, f"the app's side loads record-level modules: {bad}"


def test_no_app_module_imports_the_publish_step():
    """A static check too, for modules the import above does not reach (page scripts, lazy imports)."""
    offenders = []
    for path in [
        ROOT / "app.py",
        *(ROOT / "app_pages").glob("*.py"),
        *(ROOT / "cpt_public" / "site").rglob("*.py"),
        *(ROOT / "cpt_public" / "release").rglob("*.py"),
        *(ROOT / "cpt_public" / "feedback").rglob("*.py"),
        ROOT / "cpt_public" / "cached.py",
        ROOT / "cpt_public" / "pages_support.py",
        ROOT / "cpt_public" / "routes.py",
        ROOT / "cpt_public" / "server.py",
        ROOT / "serve.py",
    ]:
        text = path.read_text(encoding="utf-8")
        if "publish" in text and any(
            s in text
            for s in ("from ..publish", "from .publish", "cpt_public.publish", "import duckdb", "from ...publish")
        ):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


def test_the_release_vocabulary_imports_neither_streamlit_nor_the_app():
    mods = loaded_after("import cpt_public.release.spec, cpt_public.release.vocabulary, cpt_public.release.verify")
    assert not any(m.startswith(("streamlit", "cpt_public.site", "cpt_public.publish", "duckdb")) for m in mods)


def test_the_light_pages_and_twins_are_pure():
    """Rendering a station, an embed or a table's twin needs neither Streamlit nor record-level code."""
    mods = loaded_after("import cpt_public.site.light, cpt_public.site.twins")
    assert not any(m.startswith(("streamlit", "cpt_public.publish", "duckdb")) for m in mods)
