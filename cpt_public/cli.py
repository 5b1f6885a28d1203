"""Command line: ``python -m cpt_public {synth, publish, audit, ledger, …}``.

Errors a user can fix are printed as one clear message (no traceback) with exit status 2;
an audit that finds a problem exits with status 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .errors import CptError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cpt_public", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    s = sub.add_parser("synth", help="write synthetic linked records (for demos and tests)")
    s.add_argument("--out", required=True, type=Path, help="folder to write the record files into")
    s.add_argument("--people", type=int, default=10_000, help="number of people (default 10000)")
    s.add_argument("--seed", type=int, default=0, help="random seed: the same seed gives the same data")
    s.add_argument("--format", choices=("csv", "parquet"), default="csv")
    s.add_argument("--spec", type=Path, default=None, help="release spec whose files to write (default: the demo spec)")
    s.add_argument(
        "--hmis",
        metavar="SYSTEM",
        default=None,
        help="write this system and the people as a HUD HMIS CSV export in OUT/hmis (for import-hmis)",
    )

    i = sub.add_parser("import-hmis", help="a HUD HMIS CSV export (FY2024) into the spec's people and system files")
    i.add_argument(
        "--in", dest="export", required=True, type=Path, help="folder of the export (Client.csv, Enrollment.csv, ...)"
    )
    i.add_argument("--out", required=True, type=Path, help="folder of record files to write into")
    i.add_argument("--spec", type=Path, default=None, help="release spec (default: the example homeless coalition)")
    i.add_argument("--system", default=None, help="the spec's system the export is (default: its only system)")

    p = sub.add_parser("publish", help="aggregate, protect, audit and write a release")
    p.add_argument("--input", required=True, type=Path, help="folder of linked record files (see README: input format)")
    p.add_argument("--spec", type=Path, default=None, help="release spec (TOML); default: the shipped demo spec")
    p.add_argument("--out", required=True, type=Path, help="release folder, e.g. published_data")
    p.add_argument("--seed", type=int, default=None, help="fix the DP noise (synthetic releases and tests only)")
    p.add_argument(
        "--memory-limit",
        default="2GB",
        help="memory the database may hold before spilling to disk (default 2GB: the step stays under 3 GB)",
    )
    p.add_argument(
        "--ledger",
        type=Path,
        default=None,
        help="the release ledger: every release published from these records (default: OUT.ledger beside --out; "
        "private, never serve it)",
    )

    w = sub.add_parser("printables", help="data-walk posters, handout packet and glossary sheet (PDF)")
    w.add_argument("--walk", required=True, help="walk id from content/walks.toml")
    w.add_argument("--lang", choices=("en", "es"), default="en")
    w.add_argument("--out", required=True, type=Path, help="folder to write the PDFs into")
    w.add_argument(
        "--base-url",
        default=None,
        help="public address of the app, for QR codes (default: CPT_PUBLIC_URL); a local one is refused",
    )
    w.add_argument(
        "--allow-local",
        action="store_true",
        help="allow QR codes for an address only this machine can open (a test print: phones will not reach it)",
    )
    w.add_argument("--event", default=None, help="event code (made by staff) carried in every QR code")
    w.add_argument("--release", type=Path, default=None, help="release folder (default: published_data)")
    w.add_argument("--content", type=Path, default=None, help="content folder (default: CPT_CONTENT_DIR or content/)")

    n = sub.add_parser("init", help="draft a new team's content (site, findings, walk, labels) from its release")
    n.add_argument("--release", type=Path, default=None, help="release folder (default: published_data)")
    n.add_argument("--out", required=True, type=Path, help="content folder to write (then set CPT_CONTENT_DIR to it)")
    n.add_argument("--force", action="store_true", help="overwrite content files already in --out")

    f = sub.add_parser("input-format", help="print the record files and columns a release spec asks for (Markdown)")
    f.add_argument("--spec", type=Path, default=None, help="release spec (TOML); default: the shipped demo spec")

    h = sub.add_parser("hash-password", help="print an argon2 hash for a staff account (reads the password from stdin)")
    del h

    fb = sub.add_parser("feedback", help="people's words: export, purge (retention), backup")
    fsub = fb.add_subparsers(dest="feedback_command", required=True)
    ex = fsub.add_parser("export", help="write comments, coded segments and the codebook to a folder")
    ex.add_argument(
        "--out", required=True, type=Path, help="folder to write feedback.csv, coded-segments.csv, codebook.qdc"
    )
    pu = fsub.add_parser("purge", help="delete comments older than a number of days (optionally exporting first)")
    pu.add_argument(
        "--older-than",
        type=int,
        default=None,
        metavar="DAYS",
        help="days to keep (default: $CPT_RETENTION_DAYS); 0 deletes every comment",
    )
    pu.add_argument("--export", type=Path, default=None, metavar="DIR", help="export everything to DIR first")
    pu.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    bk = fsub.add_parser("backup", help="a consistent copy of the SQLite database while the app runs")
    bk.add_argument("--out", required=True, type=Path, help="file to write")

    lg = sub.add_parser("ledger", help="the releases published from these records (list; retire one never made public)")
    lsub = lg.add_subparsers(dest="ledger_command", required=True)
    ll = lsub.add_parser("list", help="every release in the ledger, with the privacy budget spent")
    ll.add_argument("--out", type=Path, default=Path("published_data"), help="release folder (default: published_data)")
    ll.add_argument("--ledger", type=Path, default=None, help="ledger folder (default: OUT.ledger)")
    lr = lsub.add_parser("retire", help="take a release that was never made public out of the joint audit")
    lr.add_argument("version")
    lr.add_argument("--reason", required=True, help="why (kept in the ledger)")
    lr.add_argument("--out", type=Path, default=Path("published_data"), help="release folder (default: published_data)")
    lr.add_argument("--ledger", type=Path, default=None, help="ledger folder (default: OUT.ledger)")

    a = sub.add_parser("audit", help="re-verify a release: hashes, schemas, invariants and hidden-cell intervals")
    a.add_argument("release", type=Path, nargs="?", default=None, help="release folder (default: published_data)")
    a.add_argument(
        "--ledger",
        type=Path,
        default=None,
        help="also audit the ledger's latest release against every earlier one still public (e.g. published_data.ledger)",
    )

    args = parser.parse_args(argv)
    try:
        return _run(args)
    except CptError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing was changed", file=sys.stderr)
        return 130


def _run(args) -> int:
    started = time.perf_counter()
    if args.command == "synth":
        from .publish import synth
        from .release.spec import load_spec

        if args.people < 1:
            raise CptError("--people must be at least 1")
        spec = load_spec(args.spec)
        tables = synth.synthesize(args.people, args.seed, spec)
        if args.hmis:
            if args.hmis not in spec.systems:
                raise CptError(f"--hmis {args.hmis!r} is not a system of the spec ({', '.join(spec.systems)})")
            synth.write(synth.hmis_export(tables, spec, args.hmis), args.out / "hmis", "csv")
            hmis_files = {spec.people.file, spec.systems[args.hmis].file}
            tables = {name: t for name, t in tables.items() if name not in hmis_files}
            print(f"wrote a synthetic HMIS CSV export of {args.hmis!r} and the people to {args.out / 'hmis'}")
        paths = synth.write(tables, args.out, args.format)
        print(
            f"wrote {len(paths)} synthetic tables for {args.people:,} people to {args.out} "
            f"in {time.perf_counter() - started:.1f}s"
        )
        return 0
    if args.command == "publish":
        from .publish.run import publish

        publish(args.input, args.out, args.spec, args.seed, memory_limit=args.memory_limit, ledger_dir=args.ledger)
        print(f"done in {time.perf_counter() - started:.1f}s")
        return 0
    if args.command == "import-hmis":
        from .publish.hmis import import_hmis
        from .release.spec import SPECS, load_spec

        counts = import_hmis(
            args.export, args.out, load_spec(args.spec or SPECS / "homeless_coalition.toml"), args.system
        )
        print("wrote " + ", ".join(f"{n:,} rows to {name}.csv" for name, n in counts.items()) + f" in {args.out}")
        return 0
    if args.command == "input-format":
        from .release.inputdoc import document
        from .release.spec import load_spec

        print(document(load_spec(args.spec)), end="")
        return 0
    if args.command == "hash-password":
        from getpass import getpass

        from .feedback.staff import hash_password

        password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass("Password: ")
        if len(password) < 12:
            raise CptError("use a password of at least 12 characters")
        print(hash_password(password))
        return 0
    if args.command == "init":
        from .release.catalog import load_release
        from .site.scaffold import scaffold

        todo = scaffold(load_release(args.release), args.out, force=args.force)
        print(f"wrote draft content for this release to {args.out}")
        print(f"run the app on it with: CPT_CONTENT_DIR={args.out} streamlit run serve.py")
        if todo:
            print(f"{len(todo)} placeholder(s) to fill in (the site shows a draft banner until none remain):")
            print("\n".join(f"  [ ] {item}" for item in todo))
        return 0
    if args.command == "feedback":
        return _feedback(args)
    if args.command == "printables":
        import os

        from .release.catalog import load_release
        from .site.content import load_content
        from .site.printables.walk import glossary_pdf, handout_pdf, posters_pdf
        from .site.walks import is_local

        base = args.base_url or os.environ.get("CPT_PUBLIC_URL")
        if not base:
            raise CptError(
                "the QR codes need the site's public address: give --base-url https://… (or set CPT_PUBLIC_URL)"
            )
        if is_local(base) and not args.allow_local:
            raise CptError(
                f"{base} is an address only this machine can open: phones that scan the posters would reach "
                "nothing. Give the site's public address with --base-url, or --allow-local for a test print."
            )
        args.base_url = base
        release = load_release(args.release)
        content = load_content(args.content, release=release)
        if args.walk not in {w.id for w in content.walks.walk}:
            raise CptError(f"no walk {args.walk!r}; walks: {', '.join(w.id for w in content.walks.walk)}")
        args.out.mkdir(parents=True, exist_ok=True)
        files = {
            f"posters-{args.walk}-{args.lang}.pdf": posters_pdf(
                release, content, args.walk, args.lang, args.base_url, event=args.event
            ),
            f"handout-{args.walk}-{args.lang}.pdf": handout_pdf(
                release, content, args.walk, args.lang, args.base_url, event=args.event
            ),
            f"glossary-{args.walk}-{args.lang}.pdf": glossary_pdf(content, args.walk, args.lang),
        }
        for name, data in files.items():
            (args.out / name).write_bytes(data)
        print(f"wrote {', '.join(files)} to {args.out}")
        return 0
    if args.command == "ledger":
        return _ledger(args)
    from .release.verify import audit_release

    report = audit_release(args.release)
    print(report.text())
    if args.ledger is None:
        return 0 if report.ok else 1
    from .publish.joint import audit_ledger
    from .publish.ledger import Ledger

    problems = audit_ledger(Ledger(args.ledger))
    for line in problems:
        print(f"  - {line}")
    print(f"joint audit with earlier releases: {'FAILED' if problems else 'OK'}")
    return 0 if report.ok and not problems else 1


def _ledger(args) -> int:
    from .publish.ledger import Ledger, ledger_for

    ledger = Ledger(args.ledger or ledger_for(args.out))
    if args.ledger_command == "retire":
        ledger.retire(args.version, args.reason)
        print(f"retired {args.version}: it is left out of every later joint audit and lifetime budget")
        return 0
    retired = ledger.retired()
    entries = ledger.entries(include_retired=True)
    if not entries:
        print(f"the ledger {ledger.root} is empty: nothing was published from these records yet")
        return 0
    print(f"{'version':<22} {'published':<21} {'epsilon':>8}  status")
    for e in entries:
        status = (
            f"retired: {retired[e.version]}"
            if e.version in retired
            else ("public" if e.indexed else "public (not indexed)")
        )
        print(f"{e.version:<22} {e.created:<21} {e.epsilon_spent:>8g}  {status}")
    print(f"lifetime epsilon spent: {ledger.lifetime_spent():g}")
    return 0


def _feedback(args) -> int:
    import datetime as dt

    from .feedback.store import RETENTION_ENV, FeedbackStore, StoreError, retention_days

    store = FeedbackStore()
    try:
        if args.feedback_command == "backup":
            store.backup(args.out)
            print(f"backed up {store.count()} comments to {args.out}")
            return 0
        if args.feedback_command == "export":
            print(_export(store, args.out))
            return 0
        days = args.older_than if args.older_than is not None else retention_days()
        if days is None:
            raise CptError(f"say how many days to keep: --older-than DAYS (or set {RETENTION_ENV})")
        if days < 0:
            raise CptError("--older-than must be 0 or more days")
        before = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
        if args.export is not None:
            print(_export(store, args.export))
        if not args.yes and sys.stdin.isatty():
            answer = input(f"delete every comment received before {before:%Y-%m-%d %H:%M} UTC? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("nothing deleted")
                return 1
        gone = store.purge("command line", before)
        print(f"deleted {gone} comment(s) received before {before:%Y-%m-%d %H:%M} UTC")
        return 0
    except StoreError as exc:
        raise CptError(str(exc)) from None


def _export(store, folder: Path) -> str:
    """Everything staff may take away at the end of a project, written before anything is purged."""
    from .feedback.coding import codebook_qdc, segments_csv
    from .feedback.review import export_csv

    folder.mkdir(parents=True, exist_ok=True)
    frame, codings, codes = store.frame(), store.codings(), store.codes(include_retired=True)
    (folder / "feedback.csv").write_bytes(export_csv(frame, codings, codes))
    (folder / "coded-segments.csv").write_bytes(segments_csv(frame, codings, codes))
    written = ["feedback.csv", "coded-segments.csv"]
    if len(codes):
        (folder / "codebook.qdc").write_bytes(codebook_qdc(codes))
        written.append("codebook.qdc")
    store.audit("command line", "exported", str(folder)[:64], ", ".join(written))
    return f"exported {len(frame)} comment(s) to {folder}: {', '.join(written)}"
