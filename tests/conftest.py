"""Shared fixtures. Synthetic inputs and releases are built once per session in temp folders.

Under CI=true a skipped test is a failure: a missing dependency must not pass silently.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from cpt_public.feedback.schema import Base
from cpt_public.publish import synth
from cpt_public.publish.run import publish

ROOT = Path(__file__).resolve().parent.parent


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI", "").lower() == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {report.longrepr}"


def quiet(_: str) -> None:
    pass


@pytest.fixture(scope="session")
def county_input(tmp_path_factory) -> Path:
    """A small county: a few thousand people, small cells everywhere."""
    out = tmp_path_factory.mktemp("county_input")
    synth.write(synth.synthesize(3000, seed=7), out)
    return out


@pytest.fixture(scope="session")
def county_release(tmp_path_factory, county_input) -> Path:
    out = tmp_path_factory.mktemp("county_release") / "release"
    publish(county_input, out, seed=11, log=quiet)
    return out


@pytest.fixture()
def input_copy(tmp_path, county_input) -> Path:
    """A private copy of the county input, for tests that break it."""
    dst = tmp_path / "input"
    shutil.copytree(county_input, dst)
    return dst


@pytest.fixture()
def release_copy(tmp_path, county_release) -> Path:
    dst = tmp_path / "release"
    shutil.copytree(county_release, dst)
    return dst


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, for byte-for-byte comparisons."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


TEAMS = {  # example teams' specs (cpt_public/specs) and a degenerate one: (spec, people)
    "reentry": (ROOT / "cpt_public" / "specs" / "reentry.toml", 2500),
    "hmis_only": (ROOT / "cpt_public" / "specs" / "hmis_only.toml", 2500),
    "homeless_coalition": (ROOT / "cpt_public" / "specs" / "homeless_coalition.toml", 2500),
    "degenerate": (ROOT / "tests" / "fixtures" / "degenerate.toml", 200),
}


@pytest.fixture(scope="session")
def team_site(tmp_path_factory):
    """``team_site(name)`` -> (release folder, content folder): the team's synthetic records
    published with its spec, and the content ``python -m cpt_public init`` drafts from it."""
    from cpt_public.release.catalog import load_release
    from cpt_public.site.scaffold import scaffold

    made: dict[str, tuple[Path, Path]] = {}

    def make(name: str) -> tuple[Path, Path]:
        if name not in made:
            spec, people = TEAMS[name]
            root = tmp_path_factory.mktemp(f"team_{name}")
            from cpt_public.release.spec import load_spec

            synth.write(synth.synthesize(people, seed=5, spec=load_spec(spec)), root / "input")
            publish(root / "input", root / "release", spec, seed=1, log=quiet)
            scaffold(load_release(root / "release"), root / "content")
            made[name] = (root / "release", root / "content")
        return made[name]

    return make


def fill_placeholders(content: Path) -> None:
    """What a team does after ``init``: replace every placeholder with its own words."""
    import re

    for f in content.glob("*.toml"):
        text = f.read_text(encoding="utf-8")
        text = re.sub(r"TODO: traducir — ", "", text)
        text = re.sub(r"TODO: ", "Our ", text)
        f.write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------- feedback databases


def admin_sql(url: str, *statements: str) -> None:
    """Run statements outside any transaction (so a read-only default cannot block them)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("SET default_transaction_read_only = off"))
        for s in statements:
            conn.execute(text(s))
    engine.dispose()


@pytest.fixture()
def pg_url():
    url = os.environ.get("CPT_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL tests need CPT_TEST_POSTGRES_URL (run scripts/postgres-for-tests.sh as root)")
    admin_sql(
        url,
        "ALTER DATABASE cpt_test RESET default_transaction_read_only",
        f"DROP TABLE IF EXISTS {', '.join(Base.metadata.tables)}, alembic_version CASCADE",
    )  # a clean database for every test
    yield url
    admin_sql(url, "ALTER DATABASE cpt_test RESET default_transaction_read_only")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'feedback.sqlite'}"
    return request.getfixturevalue("pg_url")
