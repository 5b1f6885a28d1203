"""How well redaction works, on labelled comments (tests/fixtures/redaction).

Prints recall per kind of identifier and the share of clean comments that redaction changed,
for the development set (the rules were tuned on it) and for the held-out set (written after
tuning, never used to tune). Targets (issue 11): recall >= 0.95, clean comments changed <= 5%.

    python -m benchmarks.redaction [--missed]
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cpt_public.feedback.redact import MARKERS, redact

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "redaction"
HELD_OUT = FIXTURES / "heldout"
_MARK = re.compile(r"\{\{(\w+)\|(.+?)\}\}")
# Words an identifier shares with any sentence: their surviving says nothing about the person.
GENERIC = {
    "at", "dot", "arroba", "punto", "com", "org", "net", "mx", "gmail", "yahoo", "hotmail", "outlook", "comcast",
    "protonmail", "example", "street", "st", "ave", "avenue", "drive", "road", "lane", "blvd", "ct", "way", "circle",
    "terrace", "unit", "apt", "box", "po", "p", "o", "post", "office", "mail", "calle", "avenida", "av", "de", "la",
    "del", "el", "camino", "privada", "colonia", "departamento", "apartado", "postal", "north", "south", "east",
    "west", "w", "e", "n", "s", "ext", "x", "mr", "ms", "mrs", "dr", "officer", "deputy", "sgt", "nurse", "coach",
    "pastor", "big", "lil", "don", "doña", "sr", "lic", "hermana", "judge", "mama", "familia", "family",
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Identifier:
    kind: str
    text: str

    def cores(self) -> list[str]:
        """Its distinctive parts: runs of digits, and words that are not generic."""
        parts = re.findall(r"\d+|[^\W\d_]+(?:['’-][^\W\d_]+)*", self.text)
        return [p for p in parts if p.isdigit() or p.lower() not in GENERIC and len(p) > 1]


@dataclasses.dataclass(frozen=True)
class Comment:
    language: str
    text: str
    identifiers: tuple[Identifier, ...]
    source: str


def load(folder: Path = FIXTURES) -> list[Comment]:
    """Every comment in the folder's .txt files (not its subfolders)."""
    comments = []
    for path in sorted(folder.glob("*.txt")):
        language = path.stem.rsplit("_", 1)[-1]
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            ids = tuple(Identifier(k, v) for k, v in _MARK.findall(line))
            comments.append(Comment(language, _MARK.sub(r"\2", line), ids, f"{path.name}:{n}"))
    return comments


def survives(core: str, redacted: str) -> bool:
    if core.isdigit():
        return bool(re.search(rf"(?<!\d){core}(?!\d)", redacted))
    return bool(re.search(rf"(?<![^\W\d_]){re.escape(core)}(?![^\W\d_])", redacted, re.IGNORECASE))


@dataclasses.dataclass
class Score:
    caught: dict[str, int]
    total: dict[str, int]
    missed: list[tuple[Comment, Identifier, str]]
    clean: int
    clean_changed: list[tuple[Comment, str]]
    seconds: float

    def recall(self, kind: str | None = None) -> float:
        if kind is None:
            return sum(self.caught.values()) / max(sum(self.total.values()), 1)
        return self.caught[kind] / max(self.total[kind], 1)

    @property
    def clean_rate(self) -> float:
        return len(self.clean_changed) / max(self.clean, 1)


def evaluate(comments: list[Comment]) -> Score:
    caught: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    missed, changed, clean = [], [], 0
    start = time.perf_counter()
    for c in comments:
        out = redact(c.text).text
        if not c.identifiers:
            clean += 1
            if out != c.text:
                changed.append((c, out))
            continue
        for ident in c.identifiers:
            total[ident.kind] += 1
            if any(survives(core, out) for core in ident.cores()):
                missed.append((c, ident, out))
            else:
                caught[ident.kind] += 1
    return Score(caught, total, missed, clean, changed, time.perf_counter() - start)


def report(title: str, comments: list[Comment], missed: bool) -> Score:
    score = evaluate(comments)
    n_personal = sum(1 for c in comments if c.identifiers)
    print(f"\n{title}: {n_personal} comments with personal details, {score.clean} clean")
    print(f"{'kind':10} {'caught':>7} {'of':>5} {'recall':>7}")
    for kind in sorted(score.total):
        print(f"{kind:10} {score.caught[kind]:>7} {score.total[kind]:>5} {score.recall(kind):>7.3f}")
    print(f"{'all':10} {sum(score.caught.values()):>7} {sum(score.total.values()):>5} {score.recall():>7.3f}")
    print(f"clean comments changed: {len(score.clean_changed)} of {score.clean} ({score.clean_rate:.1%})")
    print(f"{len(comments) / score.seconds:.0f} comments per second")
    if missed:
        for c, ident, out in score.missed:
            print(f"MISSED {ident.kind}: {ident.text!r}  [{c.source}] -> {out}")
        for c, out in score.clean_changed:
            print(f"CHANGED [{c.source}] {c.text!r} -> {out!r}")
    return score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missed", action="store_true", help="list every identifier missed and clean comment changed")
    args = parser.parse_args()
    redact("warm up")  # loads the word lists
    print(f"markers: {' '.join(MARKERS.values())}")
    report("Development set (rules tuned on it)", load(FIXTURES), args.missed)
    report("Held-out set (written after tuning)", load(HELD_OUT), args.missed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
