"""Redact personal details from free text before it is stored.

Measured, not promised: ``python -m benchmarks.redaction`` scores this against the labelled
comments in ``tests/fixtures/redaction`` (recall per kind, and how many clean comments change).

Each detector finds spans in the original text; overlapping spans are merged and each is replaced
by a marker (``[name]``, ``[phone]``, …). The detectors:

- phone numbers: Google's libphonenumber (``phonenumbers``), plus numbers spelled out in words
  ("five five five …", "tres cero tres …") and with a letter O typed for a zero;
- email addresses, also written "at"/"dot", "arroba"/"punto", or with spaces;
- Social Security numbers in any grouping, and the last four digits after "social"/"SSN";
- dates (numeric, or with a month name in English or Spanish) and years of birth;
- street addresses: a house number, a street name and a USPS street type (``usaddress``'s list),
  or a house number and a capitalised street name, or any of these after "I live at"; Spanish
  street addresses ("Calle Juárez 123"); PO boxes; apartment and unit numbers (``usaddress``);
- case, booking, inmate, Medicaid, member, voucher and licence-plate numbers: after such a word,
  any code with digits; anywhere, a code mixing letters and four or more digits, or six digits;
- names: after "my name is", "I'm", "soy", a title ("Officer", "Sra."), a relation ("my
  caseworker", "mi hijo") or before ", my caseworker"; full names from the census name files in
  any case; a capitalised first name inside a sentence unless it is an ordinary word ("Faith",
  "Summer"); sign-offs ("Thanks, Gloria").

What it cannot catch (said on the form): a name that is also an ordinary word with nothing
around it to show it is a name ("I'm with Hope now"), nicknames without a lead-in, details
described in words ("the tall guy who runs the kitchen"). Staff review every comment before
anything is quoted.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter

import phonenumbers
import usaddress

from . import lexicon

MARKERS = {
    "email": "[email]",
    "phone": "[phone]",
    "ssn": "[ssn]",
    "date": "[date]",
    "address": "[address]",
    "number": "[number]",
    "name": "[name]",
}

# --- email -------------------------------------------------------------------------------------
_AT = r"(?:\s*@\s*|\s*[\[(]\s*(?:at|arroba)\s*[\])]\s*|\s+(?:at|arroba)\s+)"
_DOT = r"(?:\s*\.\s*|\s*[\[(]\s*(?:dot|punto)\s*[\])]\s*|\s+(?:dot|punto)\s+)"
_TLD = r"(?:com|org|net|edu|gov|us|mx|es|info|io|co|me|biz)"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# A written-out address: the user part may be "rosa dot flores" or "chuy 2020"; the domain must
# end in a known top-level domain, so "meet at noon" is never an email.
_EMAIL_WORDS = re.compile(
    rf"\b[\w+-]+(?:{_DOT}[\w+-]+|\s\d+)*{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}{_TLD}\b", re.IGNORECASE
)

# --- numbers -----------------------------------------------------------------------------------
_SSN = re.compile(r"(?<![\w$.,-])\d{3}([ .-])\d{2}\1\d{4}(?![\w-])|(?<![\w$.,-])\d{9}(?![\w.,-])")
_SSN_CUE = re.compile(
    r"\b(?:ssn|ss\s?#|ss\s+number|social\s+security(?:\s+number)?|seguro\s+social"
    r"|social(?!\s+(?:worker|work|services?|media|security\s+office)))\b",
    re.IGNORECASE,
)
_LAST_FOUR = re.compile(r"(?<![\w$.,-])\d{4}(?![\w,-])")
_DIGIT_WORDS = {
    **dict.fromkeys(["zero", "oh", "cero"], "0"),
    **dict.fromkeys(["one", "uno", "una"], "1"),
    **dict.fromkeys(["two", "dos"], "2"),
    **dict.fromkeys(["three", "tres"], "3"),
    **dict.fromkeys(["four", "cuatro"], "4"),
    **dict.fromkeys(["five", "cinco"], "5"),
    **dict.fromkeys(["six", "seis"], "6"),
    **dict.fromkeys(["seven", "siete"], "7"),
    **dict.fromkeys(["eight", "ocho"], "8"),
    **dict.fromkeys(["nine", "nueve"], "9"),
}
_SPELLED = re.compile(
    r"\b(?:(?:" + "|".join(_DIGIT_WORDS) + r"|\d+)\b[\s,.-]*){7,}", re.IGNORECASE
)  # seven or more digit words or digit groups in a row
_O_FOR_ZERO = re.compile(r"(?<=[\d-])[oO](?=[\d-])|(?<=\d)[oO]|[oO](?=\d)")

_ID_CUE = re.compile(
    r"\b(?:case|booking|inmate|docket|doc|medicaid|medicare|member|client|id|identification|record|file"
    r"|account|voucher|license|licence|plates?|tag|card|permit|claim|policy|ticket|citation|warrant"
    r"|caso|reserva|preso|expediente|folio|cliente|miembro|vale|placa|tarjeta|credencial)\b\.?\s*#?",
    re.IGNORECASE,
)
_ID_FILLER = re.compile(
    r"(?:\s*(?:number|numbers|num|no\.?|nbr|#|is|was|are|es|era|de|del|mi|my|the|id|n[uú]mero|:|,)\s*)*\s*",
    re.IGNORECASE,
)
# A code: groups of letters and digits joined by spaces or dashes, at least three digits in all.
_ID_VALUE = re.compile(
    r"#?(?:[A-Za-z]{1,4}[ -]?)?(?=[A-Za-z0-9]*\d)[A-Za-z0-9]+"
    r"(?:[ -](?:[A-Za-z]{1,3}[ -])?(?=[A-Za-z0-9]*\d)[A-Za-z0-9]+){0,3}"
)
_CODE = re.compile(r"(?<![\w$])(?=[A-Za-z0-9-]*[A-Za-z])(?=(?:[A-Za-z-]*\d){4})[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![\w])")
_LONG_DIGITS = re.compile(r"(?<![\w$.,])\d{6,}(?![\w,])")

# --- dates -------------------------------------------------------------------------------------
_NUMERIC_DATE = re.compile(
    r"(?<![\w/.-])(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|(?:19|20)\d{2}-\d{1,2}-\d{1,2})(?![\w/-])"
)
_BIRTH_CUE = re.compile(
    r"\b(?:born|birth|birthday|b\.|dob|d\.o\.b\.?|nac[ií]|nacido|nacida|nacimiento|nac\.|cumplea[ñn]os)", re.IGNORECASE
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")

# --- addresses ---------------------------------------------------------------------------------
_PO_BOX = re.compile(
    r"\b(?:p\.?\s*o\.?\s*box|post\s+office\s+box|apartado(?:\s+postal)?|casilla(?:\s+postal)?)\s*#?\s*\d+",
    re.IGNORECASE,
)
# Street types that are never ordinary words after a house number. usaddress's list of USPS types
# also has "is", "la", "camp", "park" …, which follow numbers in ordinary sentences.
_SURE_TYPES = {
    "street", "st", "avenue", "ave", "av", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive", "dr",
    "court", "ct", "circle", "cir", "terrace", "ter", "place", "pl", "parkway", "pkwy", "highway", "hwy",
    "way", "trail", "trl", "plaza", "plz", "loop", "alley", "aly", "crescent", "cres", "square", "sq",
}  # fmt: skip
_LIVE_CUE = re.compile(
    r"\b(?:live[sd]?|living|stay(?:s|ed|ing)?|sleep(?:s|ing)?|slept|reside[sd]?|address(?:\s+is)?|mail\s+to"
    r"|evicted\s+us\s+from|housed\s+at|apartment\s+(?:is|at)|house\s+at|vivo|vive|vivimos|viven|dirección"
    r"|domicilio|quedo|quedamos|desalojaron\s+de)\b[\s,:]*(?:(?:at|on|in|en|el|la|de|behind|near|is|es)\s+)*$",
    re.IGNORECASE,
)
_HOUSE_NUMBER = re.compile(r"(?<![\w$.,/:-])\d{1,6}[A-Za-z]?(?![\w,./:-])")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*\.?|\d+(?:st|nd|rd|th)?|#\s*\w+|,")
_SPANISH_STREET = re.compile(
    r"\b(?i:calle|avenida|av\.|camino|privada|callejón|calzada|bulevar|carretera|paseo|cerrada|andador)\s+"
    r"(?:(?:de|del|la|las|los|el)\s+|[A-ZÁÉÍÓÚÑ][\w'-]*\s+|\d+\s+(?=de\s))*"
    r"(?:[A-ZÁÉÍÓÚÑ][\w'-]*\s*)?#?\s*\d{1,5}[A-Za-z]?\b"
    r"(?:,?\s*(?i:departamento|depto\.?|apartamento|apto\.?|interior|int\.|colonia|col\.)\s+[\w-]+)?"
    r"|\b\d{1,6}\s+de\s+la\s+(?i:calle|avenida)\s+\w+"
    r"|\b(?i:calle|avenida|camino)\s+[A-ZÁÉÍÓÚÑ][\w'-]*(?:\s+[A-ZÁÉÍÓÚÑ][\w'-]*)*",
)
_UNIT = re.compile(
    r"\s*,?\s*(?:(?:apt|apartment|unit|suite|ste|room|rm|departamento|depto|apartamento|apto)\.?\s*#?\s*|#\s*)"
    r"[A-Za-z]?\d+[A-Za-z]?\b",
    re.IGNORECASE,
)

# --- names -------------------------------------------------------------------------------------
_TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "officer", "ofc", "deputy", "dep", "sgt", "sergeant", "lt", "lieutenant",
    "capt", "captain", "det", "detective", "judge", "nurse", "coach", "pastor", "father", "sister", "brother",
    "rev", "reverend", "big", "lil", "little", "sr", "sra", "srta", "don", "doña", "lic", "licenciado",
    "licenciada", "oficial", "juez", "jueza", "doctor", "doctora", "enfermera", "enfermero", "hermana", "hermano",
    "padre", "señor", "señora", "señorita", "promotora", "promotor", "profe", "maestra", "maestro", "tía", "tío",
    "mama", "papa", "family", "familia",
}  # fmt: skip
# Words that introduce a name that follows, in any case ("my caseworker dre", "mi hija ximena").
_RELATIONS = (
    r"case\s*worker|case\s+manager|social\s+worker|worker|caseworker|po|probation\s+officer|parole\s+officer"
    r"|counselor|counsellor|therapist|nurse|doctor|lawyer|attorney|public\s+defender|advocate|navigator|mentor"
    r"|son|daughter|brother|sister|mom|mother|mama|dad|father|papa|wife|husband|boyfriend|girlfriend|partner|fiance"
    r"|cousin|aunt|auntie|uncle|grandma|grandmother|grandpa|grandfather|granddaughter|grandson|friend|homie"
    r"|neighbor|neighbour|niece|nephew|baby|kid|kids|children|roommate|landlord|boss|sponsor|late\s+husband"
    r"|late\s+wife|hijo|hija|hijos|hijas|hermano|hermana|mamá|madre|papá|padre|esposo|esposa|novio|novia|primo"
    r"|prima|tía|tío|abuela|abuelo|amigo|amiga|vecino|vecina|cuñado|cuñada|sobrino|sobrina|nieto|nieta|suegra"
    r"|suegro|trabajadora\s+social|trabajador\s+social|consejera|consejero|abogado|abogada|outreach\s+worker"
)
_NAMING = re.compile(
    r"(?:\b(?:my\s+name\s+is|my\s+name's|name's|names|i\s+am\s+called|call\s+me|they\s+call\s+me|people\s+call\s+me"
    r"|named|called|se\s+llama|me\s+llamo|mi\s+nombre\s+es|me\s+dicen|llamad[oa]|nombre:|name:|ask\s+for"
    r"|pregunten\s+por|pregunta\s+por|habla|participant|participante|aquí|signed|firmado|firma)\b"
    r"|(?:^|[\n.!?]\s*)(?:-{1,2}|—|–))[\s,:]*(?:(?:el|la|the)\s+)?$",
    re.IGNORECASE,
)
_EXPLICIT = re.compile(
    r"\b(?:my\s+name\s+is|my\s+name's|name's|call\s+me|calls\s+me|called\s+me|go(?:es)?\s+by|known\s+as"
    r"|me\s+llamo|mi\s+nombre\s+es|mi\s+nombre|me\s+dicen|le\s+dicen|me\s+llaman|me\s+conocen\s+como"
    r"|conocid[oa]\s+como|se\s+llama|named|apodo)[\s,:]*(?:(?:el|la|the)\s+)?$",
    re.IGNORECASE,
)
_SELF = re.compile(
    r"\b(?:i'?m|i’m|i\s+am|this\s+is|it'?s|it’s|soy|hi|hello|hola|hey)[\s,]*$",
    re.IGNORECASE,
)
_RELATION = re.compile(
    rf"(?:\b(?:my|our|mi|mis|nuestr[oa]|the|la|el)\s+|^\s*)(?:{_RELATIONS})[\s,:]*(?:(?:is|was|es|era|named|called|se\s+llama)\s+)?$",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"(?:^|[\n.!?]\s*)(?:thanks(?:\s+for\s+\w+(?:\s+\w+)?)?|thank\s+you|sincerely|regards|god\s+bless|best|love"
    r"|gracias|saludos|bendiciones|cordialmente)\s*,\s*$|(?:sincerely|atentamente|atte\.?)[\s,]*$",
    re.IGNORECASE,
)
_AFTER_RELATION = re.compile(
    rf"^\s*(?:,\s*|\s+(?:is|was|es|era)\s+)(?:my|our|mi|nuestr[oa])\s+(?:{_RELATIONS})\b", re.IGNORECASE
)
_CONTINUE_PARTICLES = {"de", "del", "la", "los", "las", "y", "van", "von", "da", "di", "le", "st", "st."}
_FUNCTION_WORDS = {
    "my", "your", "his", "her", "our", "their", "the", "a", "an", "this", "that", "these", "those", "it", "me",
    "you", "us", "them", "him", "i", "we", "they", "she", "he", "and", "or", "but", "so", "if", "is", "was",
    "are", "were", "be", "been", "not", "no", "yes", "to", "of", "in", "on", "at", "for", "from", "with", "by",
    "mi", "mis", "tu", "su", "sus", "el", "la", "los", "las", "un", "una", "es", "era", "y", "o", "pero", "de",
    "del", "en", "con", "por", "para", "que", "se", "te", "le", "lo", "nos", "ya", "muy", "también",
    "here", "there", "aquí", "allí", "again", "too", "also", "always", "never", "still", "now", "then", "yo",
    "tú", "él", "ella", "ellos", "ellas", "usted", "ustedes", "nosotros", "nosotras",
}  # fmt: skip
# After a capitalised word at the start of a sentence, these make it a verb, not a name ("Mark my words").
_OBJECTS = {
    "my", "your", "his", "her", "our", "their", "the", "a", "an", "this", "that", "these", "those", "it", "me",
    "you", "us", "them", "him", "i", "mi", "mis", "tu", "su", "sus", "el", "la", "los", "las", "un", "una",
}  # fmt: skip
_PLACE_PREPOSITIONS = {"in", "near", "around", "outside", "across", "throughout", "en", "cerca"}
_NICKNAME_TITLES = {"big", "lil", "little", "mama", "papa"}
_SENTENCE_END = re.compile(r"(?:^|[.!?\n:;\"“(]|[-–—]\s)\s*$")


@dataclasses.dataclass(frozen=True)
class Redacted:
    text: str
    counts: dict[str, int]

    @property
    def changed(self) -> bool:
        return bool(self.counts)


@dataclasses.dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int

    @property
    def word(self) -> str:
        return self.text.rstrip(".")

    @property
    def lower(self) -> str:
        return self.word.lower()


def redact(text: str, region: str = "US") -> Redacted:
    spans: list[tuple[int, int, str]] = []
    for finder in (_emails, _ssns, _phones, _dates, _addresses, _codes, _names):
        spans += finder(text, spans, region)
    spans.sort(key=lambda s: (s[0], -s[1]))
    merged: list[list] = []
    for start, end, kind in spans:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, kind])
    counts: Counter[str] = Counter()
    out, last = [], 0
    for start, end, kind in merged:
        out.append(text[last:start])
        out.append(MARKERS[kind])
        counts[kind] += 1
        last = end
    out.append(text[last:])
    return Redacted("".join(out), dict(counts))


def _taken(spans, start: int, end: int) -> bool:
    return any(s < end and start < e for s, e, _ in spans)


def _emails(text, spans, region):
    return [(m.start(), m.end(), "email") for p in (_EMAIL, _EMAIL_WORDS) for m in p.finditer(text)]


def _ssns(text, spans, region):
    found = [(m.start(), m.end(), "ssn") for m in _SSN.finditer(text)]
    for cue in _SSN_CUE.finditer(text):  # "the last four of my social are 4321": digits after the cue
        window = text[cue.end() : cue.end() + 40]
        if m := _LAST_FOUR.search(window):
            found.append((cue.end() + m.start(), cue.end() + m.end(), "ssn"))
    return found


def _phones(text, spans, region):
    # A letter O typed for a zero ("720-555-O134"): same length, so spans carry over.
    digits = _O_FOR_ZERO.sub("0", text)
    found = [
        (m.start, m.end, "phone")
        for m in phonenumbers.PhoneNumberMatcher(digits, region, leniency=phonenumbers.Leniency.POSSIBLE)
        if not _taken(spans, m.start, m.end)
    ]
    for m in _SPELLED.finditer(text):
        words = re.findall(r"\w+", m.group(0).lower())
        n = sum(len(_DIGIT_WORDS.get(w, w)) for w in words if w in _DIGIT_WORDS or w.isdigit())
        if n >= 7 and any(w in _DIGIT_WORDS for w in words):
            found.append((m.start(), m.end() - (len(m.group(0)) - len(m.group(0).rstrip(" ,.-"))), "phone"))
    return found


@functools.cache
def _named_date() -> re.Pattern:
    """ "March 14, 1985", "Feb 29 1984", "14 de marzo de 1985": month names from Babel."""
    month = "|".join(sorted((re.escape(m) for m in lexicon.months()), key=len, reverse=True))
    return re.compile(
        rf"\b(?:(?:{month})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:\d{{4}}|'?\d{{2}})"
        rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:de\s+)?(?:{month})\.?,?\s+(?:de(?:l)?\s+)?\d{{4}})\b",
        re.IGNORECASE,
    )


def _dates(text, spans, region):
    found = [(m.start(), m.end(), "date") for m in _NUMERIC_DATE.finditer(text)]
    found += [(m.start(), m.end(), "date") for m in _named_date().finditer(text)]
    for cue in _BIRTH_CUE.finditer(text):
        window = text[cue.end() : cue.end() + 30]
        if m := _YEAR.search(window):
            found.append((cue.end() + m.start(), cue.end() + m.end(), "date"))
    return found


_STREET_ONLY = re.compile(
    r"\b(?i:live[sd]?|living|stay(?:s|ed|ing)?|sleep(?:s|ing)?|slept|moved|vivo|vive|vivimos|viven)\s+(?i:on|at|in|en|to)"
    r"\s+(?:(?i:the|la|el)\s+)?((?:[NSEW]\.?\s+|(?i:north|south|east|west)\s+)?(?:[A-Z][\w'-]*|\d+(?:st|nd|rd|th))"
    rf"(?:\s+[A-Z][\w'-]*){{0,3}}\s+(?i:{'|'.join(sorted(_SURE_TYPES))})\b\.?)"
)


def _addresses(text, spans, region):
    found = [(m.start(), m.end(), "address") for m in _PO_BOX.finditer(text)]
    found += [(m.start(1), m.end(1), "address") for m in _STREET_ONLY.finditer(text)]  # "I stay on W 13th Ave"
    found += [(m.start(), m.end(), "address") for m in _SPANISH_STREET.finditer(text)]
    for number in _HOUSE_NUMBER.finditer(text):
        if _taken(spans + found, number.start(), number.end()):
            continue
        end = _street_end(text, number)
        if end is not None:
            unit = _UNIT.match(text, end)
            found.append((number.start(), unit.end() if unit else end, "address"))
    return found


def _street_end(text: str, number: re.Match) -> int | None:
    """Where a street address that starts at this house number ends, or None if it is not one."""
    words = []
    for m in _WORD.finditer(text, number.end()):
        gap = text[(words[-1].end() if words else number.end()) : m.start()]
        if gap.strip() or m.group(0) == "," or len(words) == 5:
            break
        words.append(m)
    if not words:
        return None
    parsed = usaddress.parse(text[number.start() : words[-1].end()])
    if not parsed or parsed[0][1] != "AddressNumber" or len(parsed) < 2:
        return None
    if parsed[1][1] not in ("StreetName", "StreetNamePreDirectional", "StreetNamePreType", "StreetNamePostType"):
        return None
    lead_in = bool(_LIVE_CUE.search(text[max(0, number.start() - 40) : number.start()]))
    if len(words) > 1 and words[0].group(0).lower() == "de" and words[1].group(0)[0].isupper():
        words = words[1:]  # "el 3300 de Federal Blvd"
    street: list[re.Match] = []
    for i, m in enumerate(words):
        w = m.group(0).rstrip(".").lower()
        directional = w in usaddress.DIRECTIONS and i == 0
        kind = w in usaddress.STREET_NAMES and street
        if kind and (w in _SURE_TYPES or m.group(0)[0].isupper() or lead_in):
            return m.end()
        capitalised = m.group(0)[0].isupper() and w not in _FUNCTION_WORDS
        ordinal = bool(re.fullmatch(r"\d+(?:st|nd|rd|th)", w))
        if directional or capitalised or ordinal or (lead_in and w not in _FUNCTION_WORDS and w.isalpha()):
            street.append(m)
            continue
        break
    if not street:
        return None
    named = [m for m in street if m.group(0).rstrip(".").lower() not in usaddress.DIRECTIONS]
    if not named:
        return None
    if re.fullmatch(r"(?:19|20)\d\d", number.group(0)):
        return None  # "a 1990 Ford"
    directional = street[0] is not named[0]
    if any(m.group(0)[0].isupper() for m in named) or lead_in and directional:  # "1423 Oak Hollow"
        return street[-1].end()
    return None  # "6 personas": lower-case words and no street type


def _codes(text, spans, region):
    found = []
    for cue in _ID_CUE.finditer(text):
        filler = _ID_FILLER.match(text, cue.end())
        m = _ID_VALUE.match(text, filler.end())
        if m and sum(c.isdigit() for c in m.group(0)) >= 3:  # may overlap a "phone" inside the code
            found.append((m.start(), m.end(), "number"))
    found += [(m.start(), m.end(), "number") for m in _CODE.finditer(text) if not _taken(spans, m.start(), m.end())]
    found += [
        (m.start(), m.end(), "number") for m in _LONG_DIGITS.finditer(text) if not _taken(spans, m.start(), m.end())
    ]
    return found


# --- names ---------------------------------------------------------------------------------------


def _case(token: _Token, shouting: bool) -> str:
    w = token.word
    if shouting:
        return "any"
    if w.isupper() and len(w) > 1:
        return "upper"
    if w[0].isupper():
        return "cap"
    return "lower"


def _skip(w: str) -> bool:
    """Never (part of) a name: a function word or a month or weekday."""
    return w in _FUNCTION_WORDS or lexicon.plain(w) in lexicon.calendar_words()


def _known(w: str) -> bool:
    """A census first name or surname; a hyphenated name when each part is one ("Jo-Ann")."""
    return all(lexicon.is_first(p) or lexicon.is_surname(p) for p in w.split("-") if p)


def _namelike(token: _Token, strict: bool) -> bool:
    """Could this token be (part of) a name? ``strict``: it must be a census name that is not an
    everyday word; otherwise any name, or any word that is not an everyday word ("Dquan")."""
    w = token.lower
    if not w or _skip(w):
        return False
    if strict:
        return _known(w) and not lexicon.ordinary(w)
    return _known(w) or not lexicon.ordinary(w) or lexicon.frequency(w) < _RARE


# A word this rare (Zipf; 3 ≈ one in a million words) after a lead-in is read as a name even if a
# dictionary lists it ("Doña Chela": a chela is a claw).
_RARE = 3.0
# A word this common (Zipf) never continues a name, census surname or not ("will", "house").
_TOO_COMMON = 5.5
# A first name found with nothing around it must be held by at least this share (%) of people:
# the census lists carry a few hundred one-in-100,000 "names" that are words ("Numbers").
_MIN_SHARE = 0.01


def _lower_name(w: str, surname: bool = False) -> bool:
    """After a lead-in, a word in lower case (or in an all-capitals comment) that is a name: a
    census name that is not an everyday word ("me llamo rosa" aside), or a word no dictionary
    knows ("my worker dquan"). ``surname``: after a title, where surnames are expected."""
    if _skip(w) or not w.replace("-", "").replace("'", "").isalpha():
        return False
    if _known(w):
        return not lexicon.ordinary(w) or lexicon.frequency(w) < 4.0 or surname and _plausible_surname(w)
    return not lexicon.ordinary(w) and len(w) > 2


def _plausible_surname(w: str) -> bool:
    """A census surname in lower case where a surname is expected (after a first name or a title):
    any but everyday words ("miller", "lópez"; not "will" or "house")."""
    return lexicon.is_surname(w) and lexicon.frequency(w) < 5.0 and lexicon.plain(w) not in lexicon.name_words()


def _names(text, spans, region):
    tokens = [_Token(m.group(0), m.start(), m.end()) for m in re.finditer(r"[^\W\d_]+(?:['’-][^\W\d_]+)*\.?", text)]
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.6
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        end = _name_at(text, tokens, i, shouting)
        if end is None and found and i >= 2 and found[-1][1] == tokens[i - 2].end:
            joiner = tokens[i - 1]
            if joiner.lower in ("and", "y", "&", "or", "o") and _case(tokens[i], shouting) in ("cap", "upper"):
                if _namelike(tokens[i], strict=False):  # "my kids Elijah and Nevaeh"
                    end = _extend(tokens, i, text, shouting, known_only=False)
        if end is not None:
            last = tokens[end]
            stop = last.end if len(last.word) == 1 or not last.text.endswith(".") else last.end - 1
            found.append((tokens[i].start, stop, "name"))
            i = end + 1
        else:
            i += 1
    return [s for s in found if not _taken(spans, s[0], s[1])]


def _extend(tokens: list[_Token], i: int, text: str, shouting: bool, known_only: bool) -> int:
    """The last token of a name starting at token i: further given names, surnames, initials and
    particles ("María de la Cruz"), in the same case, with nothing but spaces between.
    ``known_only``: only census names continue it (no lead-in said a name was coming)."""
    case = _case(tokens[i], shouting)
    j = i
    while j + 1 < len(tokens):
        nxt = tokens[j + 1]
        if text[tokens[j].end : nxt.start].strip():
            break
        w = nxt.lower
        if len(nxt.word) == 1 and nxt.text.endswith(".") and nxt.word.isupper():  # an initial: "Carlos M."
            j += 1
            continue
        if w in _CONTINUE_PARTICLES and case != "lower" and j + 2 < len(tokens):
            after = tokens[j + 2]
            if _case(after, shouting) == case and lexicon.is_surname(after.lower):
                j += 2
                continue
            break
        if _case(nxt, shouting) != case or _skip(w) or lexicon.frequency(w) >= _TOO_COMMON:
            break
        if _known(w) and (case != "lower" or not lexicon.ordinary(w) or _plausible_surname(w)):
            j += 1
            continue
        if not known_only and case != "lower" and not lexicon.ordinary(w):
            j += 1
            continue
        break
    return j


def _name_at(text: str, tokens: list[_Token], i: int, shouting: bool) -> int | None:
    """If a name starts at token i, the index of its last token."""
    t = tokens[i]
    w = t.lower
    if not t.word or _skip(w):
        return None
    before = text[: t.start]
    case = _case(t, shouting)
    prev = tokens[i - 1] if i else None
    if prev is not None and prev.lower in _TITLES and not text[prev.end : t.start].strip(". "):
        if prev.lower in _NICKNAME_TITLES and not (lexicon.is_first(w) or not lexicon.ordinary(w) or len(w) == 1):
            pass  # "Big Brothers Big Sisters": not "Big Mike", "Mama T"
        elif (
            case in ("cap", "upper")
            and (lexicon.frequency(w) < _TOO_COMMON - 0.5 or len(w) == 1)
            or _lower_name(w, surname=True)
        ):
            return _extend(tokens, i, text, shouting, known_only=False)  # "Mr. O'Brien", "officer dawson"
    if case != "lower" and w in _TITLES and i + 1 < len(tokens):
        return None  # the title itself; the name after it is found next
    if _EXPLICIT.search(before) and not _skip(w) and (case == "cap" or _known(w)):
        return _extend(tokens, i, text, shouting, known_only=False)  # "me llamo rosa", "they call me Red"
    if _NAMING.search(before) or _SIGN_OFF.search(before) or _RELATION.search(before):
        if (case in ("cap", "upper") and _namelike(t, strict=False)) or _lower_name(w):
            return _extend(tokens, i, text, shouting, known_only=False)
        return None
    if _SELF.search(before):
        if _namelike(t, strict=True) or (case != "lower" and lexicon.is_first(w)):
            return _extend(tokens, i, text, shouting, known_only=False)
        return None
    if _AFTER_RELATION.match(text[t.end :]) and case != "lower" and _namelike(t, strict=False):
        return i  # "Ashley is my caseworker"
    first = lexicon.is_first(w)
    end = _extend(tokens, i, text, shouting, known_only=True) if first else i
    if end > i:  # a first name and a surname: a full name unless all are everyday words ("Grace Church")
        if not all(lexicon.ordinary(tok.lower) for tok in tokens[i : end + 1]):
            return end
        return None
    if not first or lexicon.ordinary(w) or case in ("lower", "any"):
        return None
    if lexicon.first_names()[lexicon.plain(w)] < _MIN_SHARE:
        return None
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    joined = nxt is not None and not text[t.end : nxt.start].strip()
    if joined and _case(nxt, shouting) == "cap" and not _known(nxt.lower):
        return None  # one of several capitalised words: a place or an organisation ("Denver Health")
    if prev is not None and prev.lower in _PLACE_PREPOSITIONS and not text[prev.end : t.start].strip():
        return None  # "in Aurora"
    if _SENTENCE_END.search(before) and joined and nxt.lower in _OBJECTS:
        return None  # "Mark my words"
    return i
