"""Language choice and locale formatting (Babel)."""

from __future__ import annotations

import pytest

from cpt_public.site.content import load_content
from cpt_public.site.i18n import fmt_compact_usd, fmt_date, fmt_int, fmt_month, fmt_pct, fmt_usd, pick_language


@pytest.mark.parametrize(
    "requested,browser,expected",
    [
        (None, "es-MX", "es"),
        (None, "en-US", "en"),
        (None, "fr-FR", "en"),
        (None, None, "en"),
        ("en", "es-ES", "en"),
        ("es", "en-US", "es"),
        ("ES", None, "es"),
        ("klingon", "es_US", "es"),
    ],
)
def test_language_choice(requested, browser, expected):
    assert pick_language(requested, browser) == expected


def test_numbers_and_dates_per_locale():
    assert fmt_int(1234567, "en") == "1,234,567"
    assert fmt_pct(0.372, "en") == "37%"
    assert fmt_pct(0.372, "es").replace("\xa0", " ") in ("37 %", "37%")
    assert fmt_usd(2100, "en") == "$2,100"
    assert fmt_date("2025-12-31", "en") == "December 31, 2025"
    assert fmt_date("2025-12-31", "es") == "31 de diciembre de 2025"
    assert fmt_month("2024-01", "en") == "Jan 2024"
    assert fmt_month("2024-01", "es").lower().startswith("ene")
    assert fmt_compact_usd(13_300_000, "en") == "$13.3 million"
    assert fmt_compact_usd(13_300_000, "es") == "13.3 millones de US$"


def test_category_labels():
    tr = load_content().translator("es")
    assert tr.cat("Yes") == "Sí" and tr.cat("Jail") == "Cárcel"
    assert tr.cat("3-4") == "3-4" and tr.cat("65+") == "65+"  # numeric bands read the same
    assert tr.cat("2024-03").startswith("mar")
    with pytest.raises(KeyError):
        tr.cat("Martian")
    assert tr("privacy_threshold", max=10).startswith("Toda cantidad de 1 a 10")
