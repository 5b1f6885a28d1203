"""The code names no release table: tables belong to a team's spec and content. Every table name
of the example specs is looked for in the page scripts and everything under cpt_public/ except
the specs themselves."""

from __future__ import annotations

import re

from cpt_public.release.spec import SPECS, load_spec
from tests.conftest import ROOT, TEAMS


def table_names() -> set[str]:
    specs = [*SPECS.glob("*.toml"), *(spec for spec, _ in TEAMS.values())]
    return {t.name for path in specs for t in load_spec(path).tables}


def code_files():
    yield ROOT / "app.py"
    yield from (ROOT / "app_pages").glob("*.py")
    for path in (ROOT / "cpt_public").rglob("*"):
        if path.is_file() and path.suffix in (".py", ".toml", ".md", ".txt") and SPECS not in path.parents:
            yield path


def test_no_code_names_a_release_table():
    names = table_names()
    assert len(names) > 20
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b")
    found = []
    for path in code_files():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = pattern.search(line)
            if m:
                found.append(f"{path.relative_to(ROOT)}:{n}: {m.group(0)}")
    assert not found, "code names release tables:\n" + "\n".join(found)
