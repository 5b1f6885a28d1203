"""The input format a spec asks for, as Markdown: ``python -m cpt_public input-format [--spec S]``.

docs/input-format.md is this text for the demo spec, below a general part; a test keeps it
equal, so the documentation can never drift from what the publish step checks.
"""

from __future__ import annotations

from .spec import Age, Codebook, Spec

GENERAL = """# Record-level input format

`python -m cpt_public publish --input DIR [--spec SPEC]` reads one folder of **already linked**
records. The linkage (matching the same person across agencies) happens before this step; every
file uses the person id the linkage assigned. This is the only data the project ever treats as
private: it is read by the publish step and nothing else, and it is never committed.

**The files and columns follow from the release spec.** A team declares its people file, one file
per system (its person, date and, for stays, end-date columns, and categorical columns with their
codebooks) and, for program outcomes, the program and comparison files. A team with two systems
supplies two event files and a people file, nothing else. `python -m cpt_public input-format
--spec SPEC` prints this page for any spec.

- Each file is `NAME.csv` (UTF-8, comma-separated, header row), `NAME.parquet`, or `NAME.xlsx`
  (the first sheet, header row). Extra columns are ignored.
- Dates are `YYYY-MM-DD` (a time after the date, as in `2024-03-01 14:30:00`, is allowed and ignored).
- A blank codebook value is published as the codebook's *not recorded* category, never as a
  true zero; a value outside the codebook is an error (a spec may `recode` raw values, e.g. `F`).
- **Records outside the study period are normal**: partners export everything they have. Events
  outside the period are left out of every count and reported in the publish summary (how many,
  from which file). A stay that overlaps the period counts as active within it.
- **Impossible dates are errors**: an event before the person's birth, any date after the export
  date (`release.export_date`, by default the day of publishing), a stay ending before it began.
- Problems are reported as summaries: the file, the column, what is wrong, how many rows, the
  first few row numbers and an example value. Rows count from 1 after the header, so row *n* is
  line *n*+1 of a CSV file.

`python -m cpt_public synth --spec SPEC --out DIR --people N --seed S` writes synthetic records in
exactly the format a spec asks for. A homeless-services partner's HUD HMIS CSV export (FY2024)
becomes the people file and that system's file with `python -m cpt_public import-hmis --in EXPORT
--out DIR --spec SPEC [--system ID]`: see `cpt_public/publish/hmis.py` for how HUD's codes map to
codebook labels (`cpt_public/specs/homeless_coalition.toml` uses them as they come).
"""


def _codebook(cb: Codebook) -> str:
    recode = "; recoded: " + ", ".join(f"`{k}` → {v}" for k, v in cb.recode.items()) if cb.recode else ""
    return f"One of: {', '.join(cb.codebook)}. Blank: *{cb.not_recorded}*{recode}."


def input_format(spec: Spec) -> str:
    """Markdown describing every file and column the spec asks for."""
    lines = [
        f"## The files of this spec: {spec.release.title}",
        "",
        f"Study period {spec.release.period.start} to {spec.release.period.end}; "
        + (
            f"export date {spec.release.export_date}."
            if spec.release.export_date
            else "export date: the day of publishing."
        ),
        "",
    ]
    p = spec.people
    lines += [
        f"### `{p.file}`",
        "One row per linked person; the id must be unique.",
        "",
        "| column | content |",
        "|---|---|",
        f"| `{p.id}` | The linked person identifier, shared by every file. |",
    ]
    for a in p.attributes.values():
        if isinstance(a, Age):
            what = "Four-digit year of birth" if a.birth_year else "Date of birth"
            at = "the date of each event" if a.at == "event" else "the start of the period"
            lines.append(
                f"| `{a.column}` | {what}; blank = *{a.not_recorded}*. Age bands at {at}: {', '.join(a.bands)}. |"
            )
        else:
            lines.append(f"| `{a.column}` | {_codebook(a)} |")
    lines.append("")
    for s in spec.system:
        lines += [
            f"### `{s.file}`",
            f"One row per {s.label.en} {'stay' if s.end_date else 'event'}.",
            "",
            "| column | content |",
            "|---|---|",
            f"| `{s.person}` | Must be an id in `{p.file}`. |",
            f"| `{s.date}` | {'Start' if s.end_date else 'Date'} of the {'stay' if s.end_date else 'event'}. |",
        ]
        if s.end_date:
            lines.append(f"| `{s.end_date}` | End of the stay; blank while it goes on. Not before `{s.date}`. |")
        for a in s.attributes.values():
            lines.append(f"| `{a.column}` | {_codebook(a)} |")
        for sid, sub in s.subsets.items():
            where = "; ".join(f"{s.attributes[k].column} is {', '.join(v)}" for k, v in sub.where.items())
            lines.append(f"\n*{sub.label.en}* (`{s.id}.{sid}`): rows where {where}.")
        lines.append("")
    if spec.program:
        for what, c in (
            ("program participant", spec.program.enrolled),
            ("comparison-group member", spec.program.comparison),
        ):
            lines += [
                f"### `{c.file}`",
                f"One row per {what}; a person at most once, and not in both files.",
                "",
                "| column | content |",
                "|---|---|",
                f"| `{c.person}` | Must be an id in `{p.file}`. |",
                f"| `{c.date}` | The date follow-up starts. |",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def document(spec: Spec) -> str:
    return GENERAL + "\n" + input_format(spec)
