"""Shared fixtures. Synthetic inputs and releases are built once per session in temp folders.

Under CI=true a skipped test is a failure: a missing dependency must not pass silently.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

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
