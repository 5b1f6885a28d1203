"""import-hmis: a HUD HMIS CSV export (FY2024) into a spec's people and system files, with HUD's
codes mapped to the spec's codebooks; a one-system team publishes from it."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from cpt_public.cli import main
from cpt_public.errors import InputError
from cpt_public.publish import synth
from cpt_public.publish.hmis import MULTIRACIAL, import_hmis
from cpt_public.publish.run import publish
from cpt_public.release.spec import SPECS, load_spec
from cpt_public.release.verify import audit_release

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "hmis_synthetic"
HMIS_ONLY = load_spec(SPECS / "hmis_only.toml")
COALITION = SPECS / "homeless_coalition.toml"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, data: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(data[0]))
        w.writeheader()
        w.writerows(data)


def test_the_fixture_is_synthetic_and_made_by_the_synth_code(tmp_path):
    assert "SYNTHETIC" in (FIXTURE / "README.txt").read_text()
    assert rows(FIXTURE / "Export.csv")[0]["SourceName"].startswith("SYNTHETIC")
    assert (
        main(
            [
                "synth",
                "--spec",
                str(SPECS / "hmis_only.toml"),
                "--hmis",
                "homeless",
                "--people",
                "300",
                "--seed",
                "1",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    for path in FIXTURE.glob("*.csv"):
        assert path.read_bytes() == (tmp_path / "hmis" / path.name).read_bytes(), path.name


def test_a_one_system_team_publishes_from_its_hmis_export(tmp_path):
    counts = import_hmis(FIXTURE, tmp_path / "records", HMIS_ONLY)
    assert counts["people"] == 300 and counts["hmis_enrollments"] > 0
    assert sorted(p.name for p in (tmp_path / "records").iterdir()) == ["hmis_enrollments.csv", "people.csv"]
    publish(tmp_path / "records", tmp_path / "release", SPECS / "hmis_only.toml", seed=1, log=lambda _: None)
    report = audit_release(tmp_path / "release")
    assert report.ok, report.text()
    manifest = json.loads((tmp_path / "release" / "datapackage.json").read_text())
    assert [s["id"] for s in manifest["cpt:systems"]] == ["homeless"]
    person_attrs = set(HMIS_ONLY.people.attributes)
    for r in manifest["resources"]:  # nothing about a system the team lacks: no EMS, no jail, no noise
        for attr, cats in r["cpt:attributes"].items():
            assert attr in person_attrs or attr.startswith(("homeless", "month", "system")), (r["name"], attr)
            if attr == "system":
                assert cats == ["Homeless services"]


def test_hud_fields_map_to_the_codebooks(tmp_path):
    export = tmp_path / "export"
    shutil.copytree(FIXTURE, export)
    client = rows(export / "Client.csv")
    races = [
        "AmIndAKNative",
        "Asian",
        "BlackAfAmerican",
        "HispanicLatinaeo",
        "MidEastNAfrican",
        "NativeHIPacific",
        "White",
    ]
    client[0].update({r: "0" for r in races} | {"Asian": "1", "White": "1"})  # two races
    client[1].update({r: "0" for r in races} | {"RaceNone": "9", "DOBDataQuality": "8"})  # prefers not; no DOB
    client[2].update({r: "0" for r in races} | {"NativeHIPacific": "1"})
    client[3]["DateDeleted"] = "2024-01-01 00:00:00"  # a deleted record is not exported further
    write_rows(export / "Client.csv", client)
    enrollment = rows(export / "Enrollment.csv")
    gone = next(e for e in enrollment if e["PersonalID"] != client[3]["PersonalID"])
    gone["DateDeleted"] = "2024-01-01 00:00:00"  # an enrollment deleted: its exit goes with it
    write_rows(export / "Enrollment.csv", enrollment)
    import_hmis(export, tmp_path / "out", HMIS_ONLY)
    people = {p["person_id"]: p for p in rows(tmp_path / "out" / "people.csv")}
    assert people[client[0]["PersonalID"]]["race_ethnicity"] == MULTIRACIAL
    assert (
        people[client[1]["PersonalID"]]["race_ethnicity"] == "" and people[client[1]["PersonalID"]]["birth_date"] == ""
    )
    assert people[client[2]["PersonalID"]]["race_ethnicity"] == "Native Hawaiian or Pacific Islander"
    assert client[3]["PersonalID"] not in people
    imported = rows(tmp_path / "out" / "hmis_enrollments.csv")
    assert not [r for r in imported if r["person_id"] == client[3]["PersonalID"]]
    assert len(imported) == len(enrollment) - 1 - sum(e["PersonalID"] == client[3]["PersonalID"] for e in enrollment)
    types = {r["project_type"] for r in imported}
    assert types <= set(HMIS_ONLY.systems["homeless"].attributes["project_type"].codebook)


@pytest.mark.parametrize(
    "break_it,expected",
    [
        (lambda d: (d / "Exit.csv").unlink(), "missing Exit.csv"),
        (
            lambda d: write_rows(
                d / "Project.csv", [{k: v for k, v in r.items() if k != "ProjectType"} for r in rows(d / "Project.csv")]
            ),
            "Project.csv: missing column(s) ProjectType",
        ),
        (
            lambda d: write_rows(
                d / "Enrollment.csv", [r | {"PersonalID": "nobody"} for r in rows(d / "Enrollment.csv")]
            ),
            "Enrollment.csv, column PersonalID: ",
        ),
        (
            lambda d: write_rows(d / "Project.csv", [r | {"ProjectType": "42"} for r in rows(d / "Project.csv")]),
            "are not a HUD project type",
        ),
        (
            lambda d: write_rows(
                d / "Enrollment.csv", [r | {"EntryDate": "13/13/2024"} for r in rows(d / "Enrollment.csv")]
            ),
            "rows are not a date (YYYY-MM-DD) (rows 1, 2, 3, 4, 5, …; e.g. '13/13/2024')",
        ),
        (
            lambda d: write_rows(d / "Client.csv", rows(d / "Client.csv") * 2),
            "Client.csv, column PersonalID: 300 duplicate",
        ),
    ],
)
def test_a_bad_export_gets_one_summarised_error_and_writes_nothing(tmp_path, break_it, expected):
    export = tmp_path / "export"
    shutil.copytree(FIXTURE, export)
    break_it(export)
    with pytest.raises(InputError) as info:
        import_hmis(export, tmp_path / "out", HMIS_ONLY)
    assert expected in str(info.value), str(info.value)
    assert len(str(info.value).splitlines()) <= 4
    assert not (tmp_path / "out").exists()


def test_a_coalition_links_its_hmis_export_with_another_system(tmp_path):
    spec = load_spec(COALITION)
    tables = synth.synthesize(2000, seed=6, spec=spec)
    synth.write(synth.hmis_export(tables, spec, "homeless"), tmp_path / "export")
    synth.write({"ems_runs": tables["ems_runs"]}, tmp_path / "records")
    assert (
        main(
            [
                "import-hmis",
                "--in",
                str(tmp_path / "export"),
                "--out",
                str(tmp_path / "records"),
                "--system",
                "homeless",
            ]
        )
        == 0
    )
    imported = rows(tmp_path / "records" / "hmis_enrollments.csv")
    assert len(imported) == tables["hmis_enrollments"].num_rows
    publish(tmp_path / "records", tmp_path / "release", COALITION, seed=1, log=lambda _: None)
    assert audit_release(tmp_path / "release").ok


def test_the_importer_says_which_system_when_the_spec_has_several(tmp_path):
    with pytest.raises(InputError, match="say which one the HMIS export is with --system"):
        import_hmis(FIXTURE, tmp_path, load_spec(COALITION))
