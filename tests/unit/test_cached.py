"""The cache layer: one release per process, shared read-only; file changes noticed."""

from __future__ import annotations

import shutil

import pytest

from cpt_public import cached


@pytest.fixture()
def fresh(monkeypatch, release_copy):
    monkeypatch.setenv("CPT_RELEASE_DIR", str(release_copy))
    cached._release.clear()
    monkeypatch.setattr(cached, "_last_stamp", ("", 0.0, ()))
    monkeypatch.setattr(cached, "_last_failure", None)
    return release_copy


def test_one_release_object_for_every_caller(fresh):
    assert cached.release() is cached.release()


def test_a_session_changing_what_it_derived_does_not_change_the_shared_table(fresh):
    """Pages filter and select from the shared frames; pandas' copy-on-write makes every such
    derived frame the page's own the moment it is written to."""
    shared = cached.release()["people_by_systems_used"].frame
    before = shared.copy(deep=True)
    head = shared.iloc[:3]
    head.loc[head.index[0], "systems_used"] = "changed"
    picked = shared[["systems_used", "count"]]
    picked["count"] = picked["count"] * 0
    rows = shared[shared["suppressed"] == False]  # noqa: E712  (a page's filter)
    rows.loc[rows.index[0], "count"] = -1
    assert cached.release()["people_by_systems_used"].frame.equals(before)


def test_the_stamp_changes_when_a_file_is_edited_or_the_folder_replaced(fresh):
    first = cached.release_stamp(fresh)
    table = fresh / "tables" / "people_by_systems_used.parquet"
    table.write_bytes(table.read_bytes() + b"x")
    assert cached.release_stamp(fresh) != first
    second = cached.release_stamp(fresh)
    moved = fresh.parent / "moved"
    shutil.copytree(fresh, moved)
    shutil.rmtree(fresh)
    moved.rename(fresh)
    assert cached.release_stamp(fresh) != second
    shutil.rmtree(fresh)
    assert cached.release_stamp(fresh) == ("missing",)


def test_files_are_looked_at_once_a_second_at_most(fresh, monkeypatch):
    calls = []
    real = cached.release_stamp
    monkeypatch.setattr(cached, "release_stamp", lambda p: calls.append(p) or real(p))
    for _ in range(20):
        cached.release()
    assert len(calls) == 1
    monkeypatch.setattr(cached, "STAMP_TTL_S", 0.0)
    cached.release()
    assert len(calls) == 2


def test_views_are_built_once_and_shared(fresh):
    from cpt_public.site.content import load_content

    cached._content.clear()
    cached._view.clear()
    if not load_content(release=cached.release()):
        pytest.fail("content did not load")
    a = cached.view("systems_used", "en")
    b = cached.view("systems_used", "en")
    assert a is b and a.screen_spec is b.screen_spec
    assert "continuousWidth" not in a.screen_spec.get("config", {}).get("view", {})
    assert cached.view("systems_used", "es") is not a


def test_a_broken_release_is_verified_once_per_change_not_per_rerun(fresh, monkeypatch):
    from cpt_public.errors import ReleaseError

    monkeypatch.setattr(cached, "STAMP_TTL_S", 0.0)
    monkeypatch.setattr(cached, "RETRY_S", 0.0)
    table = fresh / "tables" / "people_by_systems_used.parquet"
    table.write_bytes(table.read_bytes()[:-3] + b"bad")
    loads = []
    real = cached.load_release
    monkeypatch.setattr(cached, "load_release", lambda p: loads.append(p) or real(p))
    for _ in range(10):
        with pytest.raises(ReleaseError):
            cached.release()
    assert len(loads) == 2  # the first attempt and its retry; later reruns reuse the verdict
