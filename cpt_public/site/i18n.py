"""Languages: choosing one, translating interface text and category labels, and formatting
numbers and dates per locale with Babel."""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_date
from babel.numbers import format_compact_currency, format_currency, format_decimal, format_percent

LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT = "en"
LOCALES = {"en": "en_US", "es": "es_US"}
# Category labels that read the same in every language: counts, bands of counts and ages.
_NUMERIC = re.compile(r"^[0-9]+(?:\s*[-–]\s*[0-9]+|\+)?$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


def pick_language(requested: str | None, browser_locale: str | None) -> str:
    """The visitor's explicit choice (e.g. ?lang=es) wins; then the browser's locale; then English."""
    for candidate in (requested, (browser_locale or "").replace("_", "-").split("-")[0]):
        if candidate and candidate.lower() in LANGUAGES:
            return candidate.lower()
    return DEFAULT


def fmt_int(n, lang: str) -> str:
    return format_decimal(int(n), locale=LOCALES[lang])


def fmt_pct(x: float, lang: str, digits: int = 0) -> str:
    pattern = "#,##0%" if digits == 0 else "#,##0." + "0" * digits + "%"
    return format_percent(x, format=pattern, locale=LOCALES[lang])


def fmt_usd(x: float, lang: str) -> str:
    return format_currency(round(x), "USD", format="¤#,##0", locale=LOCALES[lang], currency_digits=False)


def fmt_date(value: str | dt.date, lang: str) -> str:
    d = dt.date.fromisoformat(str(value)[:10]) if not isinstance(value, dt.date) else value
    return format_date(d, format="long", locale=LOCALES[lang])


def fmt_month(value: str, lang: str) -> str:
    return format_date(dt.date.fromisoformat(value + "-01"), format="MMM y", locale=LOCALES[lang])


def fmt_compact_usd(x: float, lang: str) -> str:
    """$12.3 million / 12,3 millones de US$ — for headline figures."""
    if abs(x) >= 1_000_000:
        millions = format_decimal(round(x / 1_000_000, 1), format="#,##0.0", locale=LOCALES[lang])
        return f"${millions} million" if lang == "en" else f"{millions} millones de US$"
    return fmt_usd(x, lang)


def fmt_short_usd(x: float, lang: str) -> str:
    """$1.3M, $798K — for a label beside a bar, where "1,3 millones de US$" would not fit."""
    return format_compact_currency(x, "USD", locale=LOCALES[lang], fraction_digits=1)


class Translator:
    """Interface text and category labels in one language."""

    def __init__(
        self,
        ui: dict[str, dict[str, str]],
        categories: dict[str, dict[str, str]],
        lang: str,
        populations: dict[str, dict[str, str]] | None = None,
        dimensions: dict[str, dict[str, str]] | None = None,
        tables: dict[str, dict[str, str]] | None = None,
    ):
        self.lang, self._ui, self._cats, self._pops = lang, ui, categories, populations or {}
        self._dims = dimensions or {}
        self._tables = tables or {}

    def has_dim(self, name: str) -> bool:
        return name in self._dims

    def dim(self, name: str) -> str:
        return self._dims[name][self.lang]

    def has_cat(self, category: str) -> bool:
        return category in self._cats

    def population(self, universe_id: str, fallback: str) -> str:
        return self._pops.get(universe_id, {}).get(self.lang, fallback)

    def table(self, name: str, fallback: str) -> str:
        """A release table's title in this language (content's [tables]), else the manifest's."""
        return self._tables.get(name, {}).get(self.lang, fallback)

    def __call__(self, key: str, **values) -> str:
        text = self._ui[key][self.lang]
        return text.format(**values) if values else text

    def cat(self, category: str) -> str:
        if category in self._cats:
            return self._cats[category][self.lang]
        if _MONTH.match(category):
            return fmt_month(category, self.lang)
        if _NUMERIC.match(category):
            return category
        raise KeyError(category)

    def num(self, n) -> str:
        return fmt_int(n, self.lang)

    def pct(self, x: float, digits: int = 0) -> str:
        return fmt_pct(x, self.lang, digits)

    @staticmethod
    def translatable(category: str, categories: dict) -> bool:
        return category in categories or bool(_MONTH.match(category) or _NUMERIC.match(category))
