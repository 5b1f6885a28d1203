"""Chart builders: every finding, both languages; suppressed cells labelled, never zero; MOEs shown."""

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


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_finding_builds_with_text_alternative_and_takeaway(county, site, lang):
    tr = site.translator(lang)
    for f in site.findings:
        view = charts.build(f.chart, county, f.table, tr, title=f.title[lang])
        assert len(view.alt_text) > 30
        assert not view.table.empty
        text, _ = takeaway(f.takeaway[lang], view.facts, tr)
        assert "{" not in text
        spec = json.loads(view.figure.to_json())
        assert spec["description"] == view.alt_text  # the download carries its text alternative
        assert spec["title"]["text"] == f.title[lang]
        assert set(view.tables) <= set(county.tables)


def test_downloads_render_without_a_browser(county, site):
    tr = site.translator("en")
    view = charts.build("systems_used", county, "systems_used", tr)
    png = vlc.vegalite_to_png(view.figure.to_json())
    svg = vlc.vegalite_to_svg(view.figure.to_json())
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and "<svg" in svg


def test_suppressed_cells_are_labelled_never_zero(county, site):
    """The small county hides cells; each shows as 'suppressed' in the table view and the text alternative."""
    tr = site.translator("en")
    frame = county["frequent_jail_use"].frame
    hidden = frame[frame["suppressed"] & (frame["bookings_12m"] != "Total") & (frame["homeless_12m"] != "Total")]
    assert len(hidden), "the small county should hide a cell of this table"
    view = charts.build("frequent", county, "frequent_jail_use", tr)
    cells = view.table.drop(columns=view.table.columns[0]).to_numpy().ravel().tolist()
    assert cells.count("suppressed") == len(hidden)
    assert view.alt_text.count("suppressed") == len(hidden)
    spec = json.loads(view.figure.to_json())
    values = [row for ds in spec["datasets"].values() for row in ds]
    assert all(r["value"] is None for r in values if r.get("label") == "suppressed")  # not drawn as 0


def test_spanish_labels(county, site):
    tr = site.translator("es")
    view = charts.build("overlap", county, "system_overlap", tr)
    assert any("Cárcel" in c for c in view.table.iloc[:, 0])
    assert "Combinación" in view.table.columns[0]


def test_dp_counts_carry_their_margin_of_error(county, site):
    tr = site.translator("en")
    view = charts.build("transitions", county, "release_transitions", tr)
    assert all("±" in v or v == "suppressed" for v in view.table.iloc[:, 1])
    monthly = charts.build("monthly", county, "monthly_contacts", tr)
    assert monthly.care  # a small county's monthly counts are noisy relative to their size


def test_filters_narrow_the_monthly_view(county, site):
    tr = site.translator("en")
    full = charts.build("monthly", county, "monthly_contacts", tr)
    some = charts.build(
        "monthly", county, "monthly_contacts", tr, charts.Filters(years=(2024, 2024), systems=("Jail",))
    )
    assert len(full.table) == 48 * 4 and len(some.table) == 12
    assert set(some.table["System"]) == {"Jail"}


def test_demographic_shares_add_up(county, site):
    tr = site.translator("en")
    for group in ("age", "gender", "race"):
        view = charts.build("demographics", county, "age_by_multi_system", tr, charts.Filters(group=group))
        everyone = view.table["Everyone"]
        shares = [float(s.rstrip("%")) for s in everyone if s != "suppressed"]
        if len(shares) == len(everyone):
            assert 97 <= sum(shares) <= 103  # rounded percentages


def test_program_rates_use_protected_counts_and_wilson_intervals(county, site):
    tr = site.translator("en")
    view = charts.build("program", county, "program_outcomes", tr, charts.Filters(outcome="Emergency department visit"))
    assert view.facts["outcome"] == "Emergency department visit"
    # By hand, 20/100 at 90%: z^2 = 2.7055; centre = (0.2 + 0.013528) / 1.027055 = 0.20790;
    # half = 1.6449 * sqrt(0.0016 + 0.0000676) / 1.027055 = 0.06540 -> [0.1425, 0.2733].
    lo, hi = charts.wilson(20, 100)
    assert lo == pytest.approx(0.1425, abs=1e-4) and hi == pytest.approx(0.2733, abs=1e-4)


def test_costs_are_contacts_times_documented_unit_costs(county, site):
    tr = site.translator("en")
    view = charts.build("cost", county, "service_use_cost", tr)
    frame = county["service_use_cost"].frame
    jail_multi = frame[(frame["system"] == "Jail") & (frame["multi_system"] == "Yes")]["count"].iat[0]
    unit = county["service_use_cost"].resource.unit_costs["Jail"].usd
    spec = json.loads(view.figure.to_json())
    values = {(r["cat"], r["series"]): r["value"] for ds in spec["datasets"].values() for r in ds if "series" in r}
    assert values[("Jail", "Multi-system users")] == pytest.approx(jail_multi * unit)


def test_value_text():
    tr = load_content().translator("en")
    assert charts.value_text(pd.NA, tr) == "suppressed"
    assert charts.value_text(0, tr) == "0"
    assert charts.value_text(1234, tr, 56) == "1,234 ± 56"
    assert charts.careful(100, 30) and not charts.careful(100, 10)
