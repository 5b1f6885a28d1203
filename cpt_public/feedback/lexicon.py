"""Word lists the redaction reads, all from packages installed with the app (nothing downloads):

- first names and surnames: the US Census Bureau's 1990 name files (5,163 first names with the
  share of people holding each, 88,799 surnames), as shipped by the ``names`` package;
- ordinary English words, with their case: Webster's Second International word list (``web2``),
  as shipped by ``english-words``. A word listed in lower case is an ordinary word ("faith",
  "summer", "mark"); a name listed only capitalised is a name ("John");
- how common a word is in English and Spanish writing: ``wordfreq``;
- month and weekday names in both languages: Babel's CLDR data;
- everyday words that are also first names ("Faith", "Summer", "Rosa"): ``data/name_words.txt``,
  chosen by hand from the two lists above (see its header for why).

Names are compared without accents ("José" is the census's JOSE).

Loaded once, on first use (about a second).
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

import names as _census_names
from babel.dates import get_day_names, get_month_names
from english_words import get_english_words_set
from wordfreq import zipf_frequency

# A word that is not a first name and is at least this common in English or Spanish writing
# (Zipf scale: 3.5 ≈ 3 per million words) is an ordinary word.
COMMON = 3.5
NAME_WORDS = Path(__file__).resolve().parent / "data" / "name_words.txt"


def plain(word: str) -> str:
    """Lower case, without accents: how names are compared."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.cache
def first_names() -> dict[str, float]:
    """Lower-case first name -> the largest share (%) of women or men who hold it."""
    folder = Path(_census_names.__file__).parent
    shares: dict[str, float] = {}
    for file in ("dist.female.first", "dist.male.first"):
        for line in (folder / file).read_text().splitlines():
            name, share = line.split()[:2]
            shares[name.lower()] = max(shares.get(name.lower(), 0.0), float(share))
    return shares


@functools.cache
def surnames() -> frozenset[str]:
    folder = Path(_census_names.__file__).parent
    return frozenset(line.split()[0].lower() for line in (folder / "dist.all.last").read_text().splitlines())


@functools.cache
def _lowercase_words() -> frozenset[str]:
    return frozenset(w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower())


@functools.cache
def name_words() -> frozenset[str]:
    lines = NAME_WORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(plain(w) for line in lines if not line.startswith("#") for w in line.split())


@functools.cache
def ordinary(word: str) -> bool:
    """An everyday word: one of the name words ("faith", "rosa"), or a word that is not a first
    name and is in the dictionary or common in writing ("sick", "church"). Not "john"."""
    if "-" in word.strip("-"):
        return all(ordinary(part) for part in word.split("-") if part)
    w = plain(word)
    if w in name_words():
        return True
    if w in first_names():
        return False
    return word.lower() in _lowercase_words() or w in _lowercase_words() or frequency(word) >= COMMON


def is_first(word: str) -> bool:
    return plain(word) in first_names()


def is_surname(word: str) -> bool:
    return plain(word) in surnames()


@functools.cache
def frequency(word: str) -> float:
    """How common a word is in English or Spanish writing (the larger Zipf value; 0 for a word
    outside wordfreq's small lists, which hold every word more common than about 1 in a million)."""
    w = word.lower()
    return max(zipf_frequency(w, "en", wordlist="small"), zipf_frequency(w, "es", wordlist="small"))


@functools.cache
def months() -> frozenset[str]:
    """Month names and abbreviations in English and Spanish, lower case."""
    return _calendar(get_month_names)


@functools.cache
def calendar_words() -> frozenset[str]:
    """Month and weekday names in English and Spanish, without accents ("May", "Sunday", "sábado")."""
    return frozenset(plain(w) for w in _calendar(get_month_names) | _calendar(get_day_names))


def _calendar(names) -> frozenset[str]:
    out: set[str] = set()
    for locale in ("en", "es"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                out |= {m.lower().rstrip(".") for m in names(width, context, locale).values()}
    return frozenset(out)


def warm() -> None:
    """Load every list now (the app calls this at start-up, so no visitor waits for it)."""
    first_names(), surnames(), _lowercase_words(), months(), calendar_words(), name_words()
    frequency("a")
