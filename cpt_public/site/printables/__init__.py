"""Printable PDFs (fpdf2): the decisionmaker briefing, and data-walk posters, handouts and glossary."""

# fpdf2's built-in fonts cover Latin-1 only (all Spanish letters included). We do not ship a
# Unicode font file, so the few typographic characters outside Latin-1 are written plainly.
_PLAIN = str.maketrans(
    {"–": "-", "—": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "…": "...", "\u202f": " ", "\xa0": " "}
)


def latin1(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")
