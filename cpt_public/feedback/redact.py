"""Redact personal information from free text before it is stored.

Best effort, and said so to visitors: phone numbers (Google's libphonenumber, via
``phonenumbers``), email addresses, US Social Security numbers, street addresses and names where
a sentence makes them detectable ("my name is …", "Mr. …", "me llamo …"). No model downloads:
name detection by statistical NER would need one, so names are caught by phrasing only.
Street addresses are matched by a pattern (number + street name + street type): the one
address-parsing library without models (pyap) has not been released since 2019.
Staff review every comment before anything is published.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import phonenumbers

PLACEHOLDER = {"email": "[email]", "phone": "[phone]", "ssn": "[ssn]", "address": "[address]", "name": "[name]"}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SSN = re.compile(r"\b(?!000|666|9\d\d)\d{3}[- ](?!00)\d{2}[- ](?!0000)\d{4}\b")
_STREET_TYPES = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|ter"
    r"|highway|hwy|parkway|pkwy|circle|cir|trail|trl"
)
_ADDRESS = re.compile(
    rf"\b\d{{1,6}}\s+(?:[NSEW]\.?\s+)?(?:[A-Za-z0-9][\w'-]*\s+){{0,4}}(?:{_STREET_TYPES})\b\.?"
    rf"(?:,?\s*(?:apt|apartment|unit|suite|ste|#)\.?\s*\w+)?"
    r"|\b(?:calle|avenida|av\.|camino)\s+(?:[\w'-]+\s+){0,4}\d{1,6}\b",
    re.IGNORECASE,
)
_NAME_WORD = r"[A-ZÁÉÍÓÚÑ][a-záéíóúñ'-]+"
# The lead-in is matched in any case; the name itself must be capitalised ("call me at 5" is no name).
_NAME_AFTER = re.compile(
    r"(?<![\w])((?i:my name is|i am called|call me|me llamo|mi nombre es"
    r"|my (?:case ?worker|friend|brother|sister|son|daughter|mom|dad|officer) is))"
    rf"\s+({_NAME_WORD}(?:\s+{_NAME_WORD})?)"
)
_TITLED = re.compile(rf"\b(Mr|Mrs|Ms|Miss|Dr|Officer|Deputy|Sgt|Sr|Sra|Srta)\.?\s+({_NAME_WORD}(?:\s+{_NAME_WORD})?)")


@dataclasses.dataclass(frozen=True)
class Redacted:
    text: str
    counts: dict[str, int]

    @property
    def changed(self) -> bool:
        return bool(self.counts)


def redact(text: str, region: str = "US") -> Redacted:
    counts: Counter[str] = Counter()

    def sub(pattern: re.Pattern, kind: str, value: str, group: int | None = None) -> str:
        def repl(m: re.Match) -> str:
            counts[kind] += 1
            if group is None:
                return PLACEHOLDER[kind]
            return m.group(0)[: m.start(group) - m.start(0)] + PLACEHOLDER[kind]

        return pattern.sub(repl, value)

    out = sub(_EMAIL, "email", text)
    out = sub(_SSN, "ssn", out)
    matches = list(phonenumbers.PhoneNumberMatcher(out, region, leniency=phonenumbers.Leniency.POSSIBLE))
    for m in reversed(matches):
        out = out[: m.start] + PLACEHOLDER["phone"] + out[m.end :]
        counts["phone"] += 1
    out = sub(_ADDRESS, "address", out)
    # names: keep the lead-in words ("my name is"), replace only the name
    out = sub(_NAME_AFTER, "name", out, group=2)
    out = sub(_TITLED, "name", out, group=2)
    return Redacted(out, dict(counts))
