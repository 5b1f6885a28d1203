"""Chart builders: every finding, both languages; the chart follows the dimension roles;
suppressed cells labelled, never zero; MOEs shown; rates and costs from protected counts."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import vl_convert as vlc

from cpt_public.release.catalog import load_release
from cpt_public.site import charts
from cpt_public.site.content import load_content
from cpt_public.site.text import takeaway


@pytest.fixture(scope="module")
def county(county_release):
    return load_release(county_release)


@pytest.fixture(scope="module")
def site():
    return load_content()


def view_of(county, site, fid, lang="en", **filters):
    return charts.build(county, site.finding(fid), site.translator(lang), charts.Filters(**filters))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_finding_builds_with_text_alternative_and_takeaway(county, site, lang):
    tr = site.translator(lang)
    for f in site.findings:
        view = charts.build(county, f, tr)
        assert len(view.alt_text) > 30
        assert not view.table.empty
        text, state = takeaway(f, view.facts, tr)
        assert "{" not in text and tr("suppressed") not in text, (f.id, text)
        assert state in ("ok", "range", "hidden", "none")
        spec = json.loads(view.figure.to_json())
        assert spec["description"] == view.alt_text  # the download carries its text alternative
        assert spec["title"]["text"] == f.title[lang]
        assert set(view.tables) <= set(county.tables)


def test_the_chart_follows_the_dimension_roles(county):
    shapes = {name: charts.layout(t).shape for name, t in county.tables.items()}
    assert shapes == {
        "people_by_systems_used": "bars",
        "system_overlap": "overlap",
        "age_by_multi_system": "composition",
        "gender_by_multi_system": "composition",
        "race_by_multi_system": "composition",
        "frequent_jail_use": "bars",
        "release_transitions": "flow",
        "housing_outcomes": "rates",
        "monthly_contacts": "line",
        "service_use_cost": "cost",
    }
    lay = charts.layout(county["frequent_jail_use"])
    assert (lay.main.role, lay.series.role) == ("band", "flag")


def test_a_chart_that_cannot_show_a_table_says_why(county):
    with pytest.raises(charts.LayoutError, match="needs a time dimension"):
        charts.layout(county["people_by_systems_used"], "line")
    with pytest.raises(charts.LayoutError, match="needs a Yes/No flag"):
        charts.layout(county["people_by_systems_used"], "flow")
    with pytest.raises(charts.LayoutError, match="has no Total"):
        charts.layout(county["housing_outcomes"], "composition")  # the windows have no Total
    with pytest.raises(charts.LayoutError, match="unknown chart 'pie'"):
        charts.layout(county["people_by_systems_used"], "pie")


def test_downloads_render_without_a_browser(county, site):
    view = view_of(county, site, "systems_used")
    png = vlc.vegalite_to_png(view.figure.to_json())
    svg = vlc.vegalite_to_svg(view.figure.to_json())
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and "<svg" in svg


def test_suppressed_cells_are_labelled_never_zero(county, site):
    """The small county hides cells; each shows as 'suppressed' in the table view and the text alternative."""
    frame = county["frequent_jail_use"].frame
    hidden = frame[frame["suppressed"] & (frame["bookings_12m"] != "Total") & (frame["homeless_12m"] != "Total")]
    assert len(hidden), "the small county should hide a cell of this table"
    view = view_of(county, site, "frequent_jail_use")
    cells = view.table.drop(columns=view.table.columns[0]).to_numpy().ravel().tolist()
    assert cells.count("suppressed") == len(hidden)
    assert view.alt_text.count("suppressed") == len(hidden)
    spec = json.loads(view.figure.to_json())
    values = [row for ds in spec["datasets"].values() for row in ds]
    assert all(r["value"] is None for r in values if r.get("label") == "suppressed")  # not drawn as 0


def test_spanish_labels(county, site):
    view = view_of(county, site, "system_overlap", "es")
    assert any("Cárcel" in c for c in view.table.iloc[:, 0])
    assert "Combinación" in view.table.columns[0]


def test_dp_counts_carry_their_margin_of_error(county, site):
    view = view_of(county, site, "release_transitions")
    assert all("±" in v or v == "suppressed" for v in view.table.iloc[:, 1])
    assert view_of(county, site, "monthly_contacts").care  # a small county's monthly counts are noisy


def test_filters_narrow_the_monthly_view(county, site):
    full = view_of(county, site, "monthly_contacts")
    some = view_of(county, site, "monthly_contacts", years=(2024, 2024), series=("Jail",))
    assert len(full.table) == 48 * 4 and len(some.table) == 12
    assert set(some.table["System"]) == {"Jail"}
    # the takeaway speaks of the whole table whatever the filters
    assert some.facts["last_month"].text == full.facts["last_month"].text == "Dec 2025"


def test_colours_stay_with_their_series_when_some_are_unticked(county, site):
    some = view_of(county, site, "monthly_contacts", series=("EMS",))
    spec = some.chart.to_dict()
    scale = next(layer["encoding"]["color"]["scale"] for layer in spec["layer"] if "color" in layer["encoding"])
    assert scale["domain"] == ["Jail", "Homeless services", "EMS", "Emergency department"]


@pytest.mark.parametrize("table", ["age_by_multi_system", "gender_by_multi_system", "race_by_multi_system"])
def test_composition_shares_add_up(county, site, table):
    view = view_of(county, site, "demographics", table=table)
    everyone = view.table["Everyone"]
    shares = [float(s.rstrip("%")) for s in everyone if s.endswith("%")]
    if len(shares) == len(everyone):
        assert 97 <= sum(shares) <= 103  # rounded percentages
    assert "Multi-system users" in view.table.columns
    # facts stay the first table's whatever the visitor switched to
    assert view.facts["everyone"].text == view_of(county, site, "demographics").facts["everyone"].text


def test_program_rates_use_protected_counts_and_wilson_intervals(county, site):
    view = view_of(county, site, "program_outcomes", outcome="Emergency department visit")
    assert "Emergency department visit" in view.table.columns
    assert view.facts["outcome"].text == "Jail booking"  # the takeaway's outcome does not follow the filter
    frame = county["housing_outcomes"].frame
    cell = lambda o: frame[  # noqa: E731
        (frame.followup_window == "Months 1-6") & (frame.outcome == o) & (frame.group == "Program")
    ]["count"].iat[0]
    num, den = cell("Jail booking"), cell("People followed")
    if not (pd.isna(num) or pd.isna(den)):
        assert view.facts["rate_program"].text == f"{num / den:.0%}"
    # By hand, 20/100 at 90%: z^2 = 2.7055; centre = (0.2 + 0.013528) / 1.027055 = 0.20790;
    # half = 1.6449 * sqrt(0.0016 + 0.0000676) / 1.027055 = 0.06540 -> [0.1425, 0.2733].
    lo, hi = charts.wilson(20, 100)
    assert lo == pytest.approx(0.1425, abs=1e-4) and hi == pytest.approx(0.2733, abs=1e-4)


def test_costs_are_contacts_times_documented_unit_costs(county, site):
    view = view_of(county, site, "service_use_cost")
    frame = county["service_use_cost"].frame
    jail_multi = frame[(frame["system"] == "Jail") & (frame["multi_system"] == "Yes")]["count"].iat[0]
    unit = county["service_use_cost"].resource.unit_costs["Jail"].usd
    spec = json.loads(view.figure.to_json())
    values = {(r["cat"], r["series"]): r["value"] for ds in spec["datasets"].values() for r in ds if "series" in r}
    assert values[("Jail", "Multi-system users")] == pytest.approx(jail_multi * unit)
    lows = [r["lo"] for ds in spec["datasets"].values() for r in ds if r.get("lo") is not None]
    assert min(lows) >= 0  # a cost range never goes below zero


def test_controls_come_from_the_table(county, site):
    tr = site.translator("en")
    names = {c.param: c for c in charts.controls(county, site.finding("monthly_contacts"), tr)}
    assert set(names) == {"years", "systems"} and names["years"].options == (2022, 2023, 2024, 2025)
    demo = charts.controls(county, site.finding("demographics"), tr)[0]
    assert (
        demo.options == ("age_group", "gender", "race_ethnicity") and demo.values["gender"] == "gender_by_multi_system"
    )
    assert charts.controls(county, site.finding("systems_used"), tr) == []


def test_value_text():
    tr = load_content().translator("en")
    assert charts.value_text(pd.NA, tr) == "suppressed"
    assert charts.value_text(0, tr) == "0"
    assert charts.value_text(1234, tr, 56) == "1,234 ± 56"


def test_a_group_of_size_zero_is_no_one_never_suppressed(county, site):
    """0 of 0 is "no one": a window nobody reached, a group nobody is in."""
    import dataclasses

    from cpt_public.release.catalog import Table

    table = county["housing_outcomes"]
    frame = table.frame.copy()
    frame.loc[:, "count"] = 0
    frame.loc[:, "suppressed"] = False
    empty = dataclasses.replace(county, tables={**county.tables, "housing_outcomes": Table(table.resource, frame)})
    view = charts.build(empty, site.finding("program_outcomes"), site.translator("en"))
    assert set(view.table["Rate"]) == {"no one"}
    assert view.facts["rate_program"].state == "none"
    text, state = takeaway(site.finding("program_outcomes"), view.facts, site.translator("en"))
    assert state == "none" and text == site.finding("program_outcomes").takeaway_when_none["en"]
