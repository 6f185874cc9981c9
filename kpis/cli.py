"""The command line: ``python -m kpis COMMAND ...``.

    $ python -m kpis check export.xlsx --format json
    $ python -m kpis import export.xlsx --segment B2C --store data/p.duckdb
    $ python -m kpis report --segments B2C,B2B --view scorecard

Every command accepts ``--store PATH`` (default: the ``store`` setting,
``$PASSERELLE_STORE`` or ``data/passerelle.duckdb``), never prompts, exits 2 on a
usage error (a setting's bad value included), and turns every ``KpiError``
into a message on stderr (never a traceback). The settings (``kpis.settings``)
are read from the environment here, once, and passed on as arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kpis.errors import KpiError, UsageError
from kpis.settings import local_user


def store_path(args) -> Path:
    """The store named by ``--store``, else the ``store`` setting (``$PASSERELLE_STORE``, else its default),
    checked by ``checked_store``."""
    return checked_store(Path(args.store) if args.store else args.settings.store)


def checked_store(path: Path) -> Path:
    """``path`` when it can be a store: a regular file (or nothing yet) in a folder this user may write to.

        >>> checked_store(Path("/"))
        Traceback (most recent call last):
        kpis.errors.UsageError: --store /: a folder, not a store file (e.g. data/passerelle.duckdb).

    The wrong kind of path is a ``UsageError`` (exit 2); one the system does not
    let this user read or write a ``StoreError`` (exit 1). The store writes a lock
    file next to itself, so its folder must be writable even to read it.
    """
    from kpis.errors import StoreError

    if path.exists() and not path.is_file():
        raise UsageError(f"--store {path} : un dossier ou un fichier spécial, pas une base (p. ex. "
                         "data/passerelle.duckdb).",
                         f"--store {path}: a folder, not a store file (e.g. data/passerelle.duckdb)."
                         if path.is_dir() else
                         f"--store {path}: a special file, not a store file (e.g. data/passerelle.duckdb).")
    folder = path.absolute().parent
    while not folder.exists():  # the store creates the folders it needs: check the first that exists
        folder = folder.parent
    if not folder.is_dir():
        raise UsageError(f"--store {path} : {folder} est un fichier, pas un dossier.",
                         f"--store {path}: {folder} is a file, not a folder.")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.R_OK | os.W_OK)):
        raise StoreError(f"--store {path} : droits insuffisants pour lire et écrire la base et son dossier "
                         f"{folder} ; choisissez un autre emplacement ou demandez l'accès.",
                         f"--store {path}: no permission to read and write the store and its folder {folder}; "
                         "choose another place or ask for access.")
    return path


def checked_folder(text: str, *, new: bool) -> Path:
    """The DIR of ``backup`` (``new``: a folder, or nothing yet, this user may write to) or of ``restore``
    (an existing folder this user may read)."""
    from kpis.errors import StoreError

    path = Path(text)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path} n'est pas un dossier : donnez le dossier de la sauvegarde.",
                         f"{path} is not a folder: give the backup's folder.")
    if not new and not path.exists():
        raise UsageError(f"{path} n'existe pas : donnez le dossier écrit par 'backup'.",
                         f"{path} does not exist: give the folder written by 'backup'.")
    folder = path.absolute()
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise UsageError(f"{path} : {folder} est un fichier, pas un dossier.",
                         f"{path}: {folder} is a file, not a folder.")
    access = os.W_OK | os.X_OK if new else os.R_OK | os.X_OK
    if not os.access(folder, access):
        raise StoreError(f"{path} : droits insuffisants sur {folder}.", f"{path}: no permission on {folder}.")
    return path


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # exit 2 with a one-line message, as argparse does
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from kpis.model import SEGMENTS
    from kpis.settings import setting

    parser = _Parser(prog="python -m kpis", description="Passerelle: KPI ingestion, store and report.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    store_setting = setting("store")

    def add(name: str, help_: str, *, store: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        if store:
            p.add_argument("--store", help=f"store file (default: ${store_setting.env} or {store_setting.default})")
        return p

    mapping_help = ('force a column\'s meaning: "HEADER=TARGET", HEADER a header text, a header and its occurrence '
                    '("Pages vues#2") or a column letter ("B"); TARGET a KPI code, period, period:month, '
                    "period_start, period_end, segment, entity, channel, initiative, ignore")

    window_help = ("the values cover the N days ending on each row's date: for a report dated by one refresh or "
                   "end date that does not say its window (e.g. 28 for 'last 28 days')")

    origin_help = ("name of the source (default: the recognised format, else one derived from the sheet names and "
                   "headers, the same for every file of that shape)")

    p = add("check", "Read files and print what was understood (nothing is stored).")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--segment", choices=SEGMENTS)
    p.add_argument("--origin", help=origin_help)
    p.add_argument("--map", action="append", default=[], metavar="HEADER=TARGET", help=mapping_help)
    p.add_argument("--window-days", type=int, metavar="N", help=window_help)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_check, store=None)

    p = add("import", "Import files into the store, one batch per file.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--segment", choices=SEGMENTS)
    p.add_argument("--origin", help=origin_help)
    choice = p.add_mutually_exclusive_group()
    choice.add_argument("--replaces", type=int, metavar="BATCH_ID",
                        help="the file corrects that batch: it takes the batch's origin and supersedes its values")
    choice.add_argument("--adds", action="store_true",
                        help="the file holds other data than the batches of other origins whose series it shares: "
                             "its values are added to theirs, and the batch records it")
    p.add_argument("--accept-rejections", action="store_true",
                   help="import a file even though a sheet mostly failed (too many rows, or a whole KPI column, "
                        "rejected): the rejected rows are left out")
    p.add_argument("--map", action="append", default=[], metavar="HEADER=TARGET", help=mapping_help)
    p.add_argument("--window-days", type=int, metavar="N", help=window_help)
    p.add_argument("--by", default=local_user(), help="who imports (default: your login name)")
    p.set_defaults(func=cmd_import)

    p = add("batches", "List import batches.")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_batches)

    dry_run_help = "print what would be deleted and stop"

    p = add("delete-batch", "Delete one import batch, printing what goes and what comes back (reversible).")
    p.add_argument("batch_id", type=int, metavar="ID")
    p.add_argument("--by", default=local_user(), help="who does it (default: your login name)")
    p.add_argument("--dry-run", action="store_true", help=dry_run_help)
    p.set_defaults(func=cmd_delete_batch)

    p = add("delete-demo", "Delete the demo data: its batches, targets and mappings (reversible).")
    p.add_argument("--by", default=local_user(), help="who does it (default: your login name)")
    p.add_argument("--dry-run", action="store_true", help=dry_run_help)
    p.set_defaults(func=cmd_delete_demo)

    p = add("deletions", "List the deletion log and what can still be undone.")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_deletions)

    p = add("undelete", "Undo a deletion of the log (a batch or the demo removal) within its time limit.")
    p.add_argument("deletion_id", type=int, metavar="ID")
    p.add_argument("--by", default=local_user(), help="who does it (default: your login name)")
    p.set_defaults(func=cmd_undelete)

    p = add("backup", "Write a consistent copy of every table to DIR.")
    p.add_argument("dir", metavar="DIR")
    p.set_defaults(func=cmd_backup)

    p = add("restore", "Replace the store's content with a backup made by 'backup'.")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--by", default=local_user(), help="who does it (default: your login name)")
    p.set_defaults(func=cmd_restore)

    p = add("report", "Print KPI values, a scorecard or the funnel.")
    p.add_argument("--segments", help="comma-separated, e.g. B2C,B2B (default: all)")
    p.add_argument("--from", dest="from_", metavar="DATE")
    p.add_argument("--to", metavar="DATE")
    p.add_argument("--grain", choices=["week", "month", "quarter", "year"], default="month")
    p.add_argument("--entities")
    p.add_argument("--channels")
    p.add_argument("--initiatives")
    p.add_argument("--view", choices=["table", "scorecard", "funnel"], default="table")
    p.add_argument("--format", choices=["text", "json", "csv"], default="text")
    p.set_defaults(func=cmd_report)

    p = add("kpi", "Define the organisation's own KPIs: add, edit, list or remove one.", store=False)
    kpi = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    for action, help_ in (("add", "Define a new KPI of the organisation."),
                          ("edit", "Change a KPI of the organisation (only the options given change).")):
        q = kpi.add_parser(action, help=help_, description=help_)
        q.add_argument("code", metavar="CODE", help="lowercase letters, digits and _ (e.g. helpdesk_tickets)")
        _kpi_options(q, new=action == "add")
        q.add_argument("--store", help=f"store file (default: ${store_setting.env} or {store_setting.default})")
        q.add_argument("--by", default=local_user(), help="who defines it (default: your login name)")
        q.set_defaults(func=cmd_kpi_add if action == "add" else cmd_kpi_edit)
    q = kpi.add_parser("list", help="List the KPIs: the organisation's, or every one with --all.",
                       description="List the KPIs: the organisation's, or every one with --all.")
    q.add_argument("--all", action="store_true", help="also list the built-in KPIs")
    q.add_argument("--history", action="store_true", help="print the history of the organisation's KPIs")
    q.add_argument("--format", choices=["text", "json"], default="text")
    q.add_argument("--store", help=f"store file (default: ${store_setting.env} or {store_setting.default})")
    q.set_defaults(func=cmd_kpi_list)
    q = kpi.add_parser("remove", help="Remove a KPI of the organisation that no data holds.",
                       description="Remove a KPI of the organisation that no data holds.")
    q.add_argument("code", metavar="CODE")
    q.add_argument("--store", help=f"store file (default: ${store_setting.env} or {store_setting.default})")
    q.add_argument("--by", default=local_user(), help="who removes it (default: your login name)")
    q.set_defaults(func=cmd_kpi_remove)

    p = add("comment", "Add, list or remove the comments on the numbers.", store=False)
    actions = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    q = actions.add_parser("add", help="Comment a KPI of a segment over a period.")
    q.add_argument("--store", help=f"store file (default: ${store_setting.env} or {store_setting.default})")
    q.add_argument("--kpi", required=True, help="a catalog code, e.g. clicks")
    q.add_argument("--segment", required=True, choices=SEGMENTS)
    q.add_argument("--period", required=True, help="a month (2026-10), a quarter (Q3 2026), a year (2026) or a day")
    q.add_argument("--entity", help="one entity (default: the whole segment)")
    q.add_argument("--text", required=True)
    q.add_argument("--by", help="the author (default: this computer's user name)")
    q = actions.add_parser("list", help="List the comments.")
    q.add_argument("--store", help=f"store file (default: ${store_setting.env} or {store_setting.default})")
    q.add_argument("--segments", help="comma-separated, e.g. B2C,B2E (default: all)")
    q.add_argument("--from", dest="from_", metavar="DATE")
    q.add_argument("--to", metavar="DATE")
    q.add_argument("--format", choices=["text", "json"], default="text")
    q = actions.add_parser("remove", help="Remove a comment by its number.")
    q.add_argument("--store", help=f"store file (default: ${store_setting.env} or {store_setting.default})")
    q.add_argument("id", type=int, metavar="ID")
    q.add_argument("--by", help="who removes it (default: this computer's user name)")
    p.set_defaults(func=cmd_comment)

    p = add("subject", "Track the subjects the social network is watched for: add, edit, list or remove one.",
            store=False)
    actions = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    for action, help_ in (("add", "Track a subject (a programme, a project, a brand) and its synonyms."),
                          ("edit", "Change a tracked subject's names or synonyms (only the options given change).")):
        q = actions.add_parser(action, help=help_, description=help_)
        q.add_argument("code", metavar="CODE", help="lowercase letters, digits and _ (e.g. atlas)")
        q.add_argument("--name-fr", required=action == "add", help="its French name (e.g. 'Programme Atlas')")
        q.add_argument("--name-en", help="its English name")
        q.add_argument("--synonym", action="append", metavar="WORDS",
                       help="another name it is mentioned by (repeat; for edit, the list given replaces the old one)")
        q.add_argument("--store", help=f"store file (default: ${store_setting.env} or {store_setting.default})")
        q.add_argument("--by", help="who does it (default: this computer's user name)")
    q = actions.add_parser("list", help="List the tracked subjects.", description="List the tracked subjects.")
    q.add_argument("--format", choices=["text", "json"], default="text")
    q.add_argument("--store", help=f"store file (default: ${store_setting.env} or {store_setting.default})")
    q = actions.add_parser("remove", help="Stop tracking a subject.", description="Stop tracking a subject.")
    q.add_argument("code", metavar="CODE")
    q.add_argument("--store", help=f"store file (default: ${store_setting.env} or {store_setting.default})")
    q.add_argument("--by", help="who does it (default: this computer's user name)")
    p.set_defaults(func=cmd_subject)

    p = add("digest", "E-mail the points of attention with the committee deck attached (needs the SMTP settings).")
    _committee_selection(p)
    p.add_argument("--recipients", help="comma-separated e-mail addresses (default: the digest_to setting)")
    p.set_defaults(func=cmd_digest)

    p = add("pack", "Write the committee deck (PowerPoint) of a selection.")
    _committee_selection(p)
    p.add_argument("--out", required=True, metavar="FILE.pptx")
    p.set_defaults(func=cmd_pack)
    return parser


def _committee_selection(p: argparse.ArgumentParser) -> None:
    """The selection options of ``digest`` and ``pack``: the same deck for the same words."""
    p.add_argument("--segments", help="comma-separated, e.g. B2C,B2E (default: all)")
    p.add_argument("--from", dest="from_", metavar="DATE")
    p.add_argument("--to", metavar="DATE")
    p.add_argument("--grain", choices=["week", "month", "quarter", "year"], default="month")
    p.add_argument("--compare", choices=["previous", "year"],
                   help="what each card's change is measured against (default: as the app, by the window)")
    p.add_argument("--lang", choices=["fr", "en"], default="fr")


def _kpi_options(p: argparse.ArgumentParser, *, new: bool) -> None:
    """The options of ``kpi add`` and ``kpi edit`` (every one optional for ``edit``)."""
    from kpis.catalog import FUNNEL
    from kpis.custom import KINDS

    p.add_argument("--label-fr", help="French label, with its unit if any (e.g. 'Tickets d'assistance')")
    p.add_argument("--label-en", help="English label")
    p.add_argument("--definition-fr", help="French definition: what is counted")
    p.add_argument("--definition-en", help="English definition")
    p.add_argument("--world", help="external (B2C,B2B), internal (B2E), both, or segments such as B2C,B2B"
                   + ("" if not new else " (default: external)"))
    p.add_argument("--kind", choices=KINDS, help="how it aggregates" + (" (default: flow)" if new else ""))
    p.add_argument("--unit", choices=["count", "€", "%", "×", "score"],
                   help="count or € for a base KPI; %%, ×, € or count for a ratio"
                   + (" (default: count)" if new else ""))
    p.add_argument("--direction", choices=["higher", "lower"],
                   help="higher or lower is better" + (" (default: higher)" if new else ""))
    p.add_argument("--synonym", action="append", metavar="HEADER",
                   help="a column header that means this KPI (repeat; for edit, the list given replaces the old one)")
    p.add_argument("--numerator", metavar="CODE", help="a ratio's or score's numerator (a base KPI)")
    p.add_argument("--minus", metavar="CODE", help="a component subtracted from the numerator (a score's detractors)")
    p.add_argument("--denominator", metavar="CODE", help="a ratio's or score's denominator (a base KPI)")
    p.add_argument("--stage", choices=[s.code for s in FUNNEL], help="the CDO funnel stage it belongs to")
    p.add_argument("--twin", metavar="CODE", help="the KPI playing the same role in the other world (Côte à côte)")


def _definition(args, before=None):
    """The ``Definition`` the options of ``kpi add`` / ``kpi edit`` describe (``before``: the one edited)."""
    from dataclasses import replace

    from kpis.custom import Definition, segments_of_world
    from kpis.text import clean_text

    given = {
        "label_fr": args.label_fr, "label_en": args.label_en, "definition_fr": args.definition_fr,
        "definition_en": args.definition_en, "aggregation": args.kind, "unit": args.unit,
        "segments": segments_of_world(args.world) if args.world else None,
        "direction": {"higher": 1, "lower": -1}[args.direction] if args.direction else None,
        "synonyms": tuple(clean_text(s) for s in args.synonym) if args.synonym else None,
        "numerator": args.numerator, "minus": args.minus, "denominator": args.denominator, "stage": args.stage,
        "twin": args.twin,
    }
    given = {k: clean_text(v) if isinstance(v, str) else v for k, v in given.items() if v is not None}
    if before is not None:
        return replace(before, **given)
    given.setdefault("segments", segments_of_world("external"))
    given.setdefault("aggregation", "flow")
    return Definition(args.code, **{"label_fr": "", "label_en": "", "definition_fr": "", "definition_en": "",
                                    **given})


def parse_maps(items: list[str]) -> dict[str, str]:
    """``["Mois=period:month"]`` -> ``{"Mois": "period:month"}``."""
    maps = {}
    for item in items:
        header, sep, target = item.rpartition("=")
        if not sep or not header.strip() or not target.strip():
            raise UsageError(
                f"--map attend HEADER=TARGET, reçu {item!r}",
                f"--map expects HEADER=TARGET, got {item!r}",
            )
        maps[header.strip()] = target.strip()
    return maps


class _CleanStream:
    """A text stream that drops control characters (``kpis.text.clean_output``) from what is written to it."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        from kpis.text import clean_output

        self._stream.write(clean_output(text))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    """Run one command; everything it prints goes through ``kpis.text.clean_output`` (no terminal escapes)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _CleanStream(out), _CleanStream(err)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: list[str] | None) -> int:
    from kpis.text import clean_text

    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("by", "origin", "text", "entity"):  # free text kept in the store: one clean line
        if isinstance(getattr(args, name, None), str):
            setattr(args, name, clean_text(getattr(args, name)))
    try:
        from kpis.settings import resolve

        args.settings = resolve(os.environ)  # the one place the command line reads its environment
        return args.func(args)
    except UsageError as exc:
        print(f"python -m kpis {args.command}: {exc.message_en}", file=sys.stderr)
        return 2
    except KpiError as exc:
        print(exc.message_en, file=sys.stderr)
        return 1
    except OSError as exc:  # the system refused (permissions, full disk...) on a path checked above
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"{exc.strerror or type(exc).__name__}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


# --- commands --------------------------------------------------------------


def cmd_check(args) -> int:
    """Print what each file was understood to hold; exit 0 when every file is importable, else 1."""
    import json

    from kpis.ingest.sandbox import ReadAhead

    maps = parse_maps(args.map)
    with ReadAhead(args.files) as files:  # the first workbook is parsed while pandas is imported
        from kpis import ingest

        _activate_kpis(args)  # the store's own KPIs are known names and --map targets
        for target in maps.values():
            ingest.parse_target(target)  # a bad target is a usage error before any file is read
        remembered = _remembered(args.store)
        options = dict(segment=args.segment, maps=maps, remembered=remembered, window_days=args.window_days,
                       esn=_esn_options(args.settings))
        results = [ingest.check_file(path, **options) if reading is None
                   else ingest.check_bytes(reading.data, reading.name, reading=reading, **options)
                   for path, reading in files]
        origins = [args.origin or r.default_origin for r in results]
        overlaps = _overlaps(args.store, results, origins)
    if args.format == "json":
        files_json = [{**r.to_json(), "origin": origin, "overlaps": [_overlap_json(o) for o in found]}
                      for r, origin, found in zip(results, origins, overlaps, strict=True)]
        json.dump({"files": files_json}, sys.stdout, ensure_ascii=False, indent=1, allow_nan=False)
        sys.stdout.write("\n")
    else:
        for r, origin, found in zip(results, origins, overlaps, strict=True):
            _print_check(r, origin, found)
    return 0 if all(r.importable and not found for r, found in zip(results, overlaps, strict=True)) else 1


def _overlaps(store_arg: str | None, results: list, origins: list[str]) -> list[list]:
    """Per file, the batches of other origins its series overlap in the store named by --store (read-only);
    none without --store."""
    if not store_arg or not Path(store_arg).exists():
        return [[] for _ in results]
    from kpis.store import Store

    store = Store(checked_store(Path(store_arg)))
    return [store.overlaps(r.observations, origin) if r.readable else []
            for r, origin in zip(results, origins, strict=True)]


def _overlap_json(overlap) -> dict:
    from dataclasses import asdict

    return {**asdict(overlap), "kpis": list(overlap.kpis), "difference": overlap.difference,
            "message_fr": overlap.message("fr"), "message_en": overlap.message("en")}


def _esn_options(settings):
    """How a social network export is read, from the ``esn_names`` and ``esn_private`` settings."""
    from kpis.ingest.exports import EsnOptions

    return EsnOptions(names=settings.esn_names, include_private=settings.esn_private)


def _activate_kpis(args) -> None:
    """Install the organisation's KPIs and tracked subjects of the store ``check`` reads: ``--store``, else the
    ``store`` setting when that file exists (``check`` then understands their headers as ``import`` will)."""
    path = Path(args.store) if args.store else args.settings.store
    if path.exists():
        from kpis.store import Store

        Store(checked_store(path))


def _remembered(store_arg: str | None) -> list:
    """Mappings remembered in the store named by --store (read-only); none without --store."""
    if not store_arg:
        return []
    from kpis.store import Store

    path = Path(store_arg)
    return Store(checked_store(path)).remembered_mappings() if path.exists() else []


CHECK_ISSUES_SHOWN = 20
"""Issues printed per sheet in text format (all of them with --format json)."""


def _print_check(r, origin: str, overlaps: list) -> None:
    from kpis.ingest.windows import window_message

    print(f"{r.file}: {'importable' if r.importable and not overlaps else 'NOT importable'} (origin {origin})")
    for issue in r.issues:
        print(f"  [{issue.severity}] {issue.message_en}")
    for rejection in r.rejections:
        print(f"  [rejections] {rejection.message_en} Fix the file, or import with --accept-rejections.")
    for question in r.questions:
        print(f"  [question] {question.message_en}")
    for overlap in overlaps:
        print(f"  [overlap] {overlap.message('en')} Import with --replaces {overlap.batch_id} if the file corrects "
              "that batch, or --adds if it holds other data.")
    for s in r.sheets:
        if s.status == "skipped":
            print(f"  - {s.sheet}: skipped (no table)")
            continue
        period = f"{s.period['start']} → {s.period['end']}" if s.period else "—"
        print(f"  - {s.sheet}: header row {s.header_row}, {s.layout}, segments {','.join(s.segments) or '—'}, "
              f"grain {s.grain or '—'}, period {period}, currency {s.currency or '—'}")
        rows = s.rows
        print(f"    rows: {rows['read']} read, {rows['kept']} kept, {rows['rejected']} rejected, "
              f"{rows['dropped']} dropped")
        if s.window:
            fr, en = window_message(s.window)
            print(f"    {fr} — {en}")
        for c in s.columns:
            if c.role == "unknown":
                continue
            what = c.kpi if c.role == "kpi" else c.role
            extra = f" ({c.match})" if c.match not in (None, "exact") else ""
            extra += f" — {c.reason}" if c.reason else ""
            print(f"    {c.letter:>3} {c.header!s:<40} → {what}{extra}")
        for u in s.unknown_columns:
            closest = f" (closest: {', '.join(u['closest'])})" if u["closest"] else ""
            print(f"    {u['column']:>3} {u['header']!s:<40} → not understood{closest}")
        for kpi, total in s.totals.items():
            print(f"    total {kpi}: {total:,.2f}")
        _print_issues([i for i in s.issues if i.code != "meaning_questioned"])  # printed as [question] above


def _print_issues(issues: list) -> None:
    issues = [i for i in issues if i.code != "rolling_window"]  # printed above with the period
    for i in issues[:CHECK_ISSUES_SHOWN]:
        where = ", ".join(x for x in (f"row {i.row}" if i.row else "", f"col {i.column}" if i.column else "") if x)
        print(f"    [{i.severity}] {where + ': ' if where else ''}{i.message_en}")
    if len(issues) > CHECK_ISSUES_SHOWN:
        print(f"    … {len(issues) - CHECK_ISSUES_SHOWN} more issue(s); use --format json for all")


def cmd_import(args) -> int:
    from kpis.ingest.sandbox import ReadAhead

    maps = parse_maps(args.map)
    with ReadAhead(args.files) as files:  # the first workbook is parsed while pandas and duckdb are imported
        from kpis import ingest
        from kpis.errors import DuplicateBatch, NotImportable, OverlapConflict
        from kpis.store import Store

        store = Store(store_path(args))  # installs the store's own KPIs: --map may name them
        for target in maps.values():
            ingest.parse_target(target)  # a bad target is a usage error before any file is read
        remembered = store.remembered_mappings()
        replaced = _batch_origin(store, args.replaces) if args.replaces is not None else None
        refused = 0
        options = dict(segment=args.segment, maps=maps, remembered=remembered, window_days=args.window_days,
                       esn=_esn_options(args.settings))
        for path, reading in files:
            result = (ingest.check_file(path, **options) if reading is None
                      else ingest.check_bytes(reading.data, reading.name, reading=reading, **options))
            if not result.readable:
                reasons = [i.message_en for i in result.all_issues if i.severity == "error" and i.row is None]
                print(f"{result.file}: refused: {'; '.join(reasons) or 'nothing importable'}")
                refused += 1
                continue
            if result.rejections and not args.accept_rejections:
                print(f"{result.file}: refused: " + " ".join(r.message_en for r in result.rejections)
                      + " Fix the file, or import it anyway with --accept-rejections (the rejected rows are left out).")
                refused += 1
                continue
            if result.questions:
                print(f"{result.file}: refused: " + " ".join(q.message_en for q in result.questions))
                refused += 1
                continue
            origin = replaced or args.origin or result.default_origin
            try:
                out = store.import_batch(**result.batch(origin=origin, imported_by=args.by, adds=args.adds))
            except (DuplicateBatch, NotImportable, OverlapConflict) as exc:
                print(f"{result.file}: refused: {exc.message_en}")
                refused += 1
                continue
            print(f"{result.file}: batch {out.batch_id} ({out.rows_stored} observations, "
                  f"{out.rows_superseded} older superseded, {result.rows_rejected} rows rejected; origin {origin})")
            for warning in out.warnings:
                print(f"  warning: {warning.message_en}")
        return 1 if refused else 0


def _batch_origin(store, batch_id: int) -> str:
    """The origin of the batch named by --replaces (``UnknownBatch`` when there is none)."""
    from kpis.errors import UnknownBatch

    for b in store.batches():
        if b["id"] == batch_id:
            return b["origin"]
    raise UnknownBatch(f"--replaces : aucun lot n° {batch_id}.", f"--replaces: no batch with id {batch_id}.")


def cmd_batches(args) -> int:
    import json

    from kpis.store import Store

    batches = Store(store_path(args)).batches()
    if args.format == "json":
        json.dump(batches, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    if not batches:
        print("no batches")
    for b in batches:
        print(f"{b['id']:>5}  {b['imported_at']}  {b['imported_by']:<10} {b['origin']:<28} "
              f"{','.join(b['segments']):<11} "
              f"{b['period_start']} → {b['period_end']}  "
              f"{b['rows_kept'] if b['rows_kept'] is not None else '—':>8} rows  "
              f"{b['status']}{'  [demo]' if b['sample'] else ''}  {b['file']}")
    return 0


def _print_preview(preview) -> None:
    from kpis.reports import deletion_summary

    for line in deletion_summary(preview, "en"):
        print(f"  {line}")


def _print_undo_hint(out) -> None:
    from kpis.store import UNDELETE_DAYS

    if out.deletion_id is not None:
        print(f"undo within {UNDELETE_DAYS} days: python -m kpis undelete {out.deletion_id}")


def cmd_delete_batch(args) -> int:
    from kpis.store import Store

    store = Store(store_path(args))
    preview = store.preview_delete(args.batch_id)
    print(f"{'would delete' if args.dry_run else 'deleting'}:")
    _print_preview(preview)
    if args.dry_run:
        return 0
    out = store.delete_batch(args.batch_id, by=args.by)
    print(f"batch {args.batch_id} deleted: {out.rows_removed} observations removed, "
          f"{out.rows_restored} older observations current again")
    _print_undo_hint(out)
    return 0


def cmd_delete_demo(args) -> int:
    from kpis.store import Store

    store = Store(store_path(args))
    preview = store.preview_demo()
    print(f"{'would delete' if args.dry_run else 'deleting'}:")
    _print_preview(preview)
    if args.dry_run:
        return 0
    out = store.delete_demo(by=args.by)
    ids = ", ".join(map(str, out.batch_ids)) or "none"
    print(f"demo batches deleted: {ids} ({out.rows_removed} observations removed, "
          f"{out.rows_restored} older observations current again, {out.targets_removed} targets, "
          f"{out.mappings_removed} mappings)")
    _print_undo_hint(out)
    return 0


def cmd_deletions(args) -> int:
    import json

    from kpis.store import Store

    log = Store(store_path(args)).deletions()
    if args.format == "json":
        json.dump(log, sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
        return 0
    if not log:
        print("no deletions")
    for d in log:
        state = (f"undone {d['undone_at']}" if d["undone_at"] else
                 f"undo until {d['undo_until']}" if d["undoable"] else "cannot be undone")
        what = f"batch {d['batch_id']}" if d["batch_id"] is not None else "demo targets/mappings"
        print(f"{d['id']:>5}  op {d['operation']:<4} {d['deleted_at']}  {d['deleted_by']:<10} {what:<12} "
              f"{d['rows_removed']:>8} rows  {state}{'  [demo]' if d['sample'] else ''}  {d['file_name']}")
    return 0


def cmd_undelete(args) -> int:
    from kpis.store import Store

    out = Store(store_path(args)).undelete(args.deletion_id, by=args.by)
    ids = ", ".join(map(str, out.batch_ids)) or "none"
    print(f"deletion {out.deletion_id} undone: batches {ids} back ({out.rows_back} observations), "
          f"{out.targets_back} targets, {out.mappings_back} mappings")
    return 0


def cmd_backup(args) -> int:
    from kpis.store import Store

    directory = checked_folder(args.dir, new=True)
    counts = Store(store_path(args)).backup(directory)
    print(f"backup written to {args.dir}: " + ", ".join(f"{t} {n}" for t, n in counts.items()))
    return 0


def cmd_restore(args) -> int:
    from kpis.store import restore_store

    directory = checked_folder(args.dir, new=False)
    counts = restore_store(store_path(args), directory, by=args.by)  # works on a store too damaged to open
    print(f"store restored from {args.dir}: " + ", ".join(f"{t} {n}" for t, n in counts.items()))
    return 0


def cmd_report(args) -> int:
    """KPI table, scorecard or funnel of the store, as text, a JSON array or CSV (English labels)."""
    from kpis import metrics
    from kpis.model import Filter

    path = store_path(args)
    if not path.exists():
        raise KpiError(
            f"Aucune base à {path} : importez d'abord des fichiers (python -m kpis import FICHIER).",
            f"No store at {path}: import files first (python -m kpis import FILE).",
        )
    from kpis.store import Store

    store = Store(path)
    segments = _report_list(args.segments, "--segments", upper=True)
    flt = Filter(segments=segments, entities=_report_list(args.entities, "--entities"),
                 channels=_report_list(args.channels, "--channels"),
                 initiatives=_report_list(args.initiatives, "--initiatives"))
    flt = _report_period(flt, args, store)
    fiscal_start = args.settings.fiscal_start
    native = metrics.fetch(store, flt, args.grain, fiscal_start=fiscal_start)
    if args.view == "table":
        frame = metrics.kpi_table(native, flt, args.grain, fiscal_start=fiscal_start, lang="en")
    elif args.view == "scorecard":
        frame = metrics.scorecard(native, flt, args.grain, fiscal_start=fiscal_start, targets=store.targets(),
                                  lang="en")
    else:
        frame = metrics.funnel(native, flt, lang="en")
    frame = frame[list(_REPORT_FIELDS[args.view])]
    _report_print(frame, args.format)
    return 0


def cmd_digest(args) -> int:
    """The points of attention of the selection by e-mail, the deck attached; off until a server is set."""
    from kpis import deck, digest
    from kpis.errors import SettingError
    from kpis.model import SEGMENTS, Filter
    from kpis.settings import setting

    config = args.settings
    if not config.smtp_host:
        raise KpiError(f"Récapitulatif désactivé : aucun serveur SMTP ({setting('smtp_host').env}).",
                       f"Digest off: no SMTP server ({setting('smtp_host').env}).")
    recipients = config.digest_to
    if args.recipients:
        try:
            recipients = str(setting("digest_to").parse(args.recipients))
        except SettingError:
            raise UsageError(f"--recipients : des adresses e-mail séparées par des virgules, reçu {args.recipients!r}",
                             f"--recipients: e-mail addresses separated by commas, got {args.recipients!r}") from None
    if not recipients:
        raise SettingError(f"Aucun destinataire : --recipients ou {setting('digest_to').env}.",
                           f"No recipient: --recipients or {setting('digest_to').env}.")
    store = _existing_store(args)
    flt = _report_period(Filter(segments=_report_list(args.segments, "--segments", upper=True) or SEGMENTS), args,
                         store)
    pack = deck.Pack.of(store, flt, args.grain, config.fiscal_start, args.lang, args.compare)
    if pack.view.empty:
        raise KpiError("Aucune donnée pour cette sélection : rien à envoyer.",
                       "No data for this selection: nothing to send.")
    message = digest.compose(pack, config.digest_from, recipients)
    digest.send(message, config)
    print(f"digest sent to {recipients}: {len(pack.points)} point(s) of attention, {flt.start} → {flt.end}")
    return 0


def cmd_pack(args) -> int:
    """The committee deck of the selection (the Vue CDO's numbers), written to ``--out`` whole or not at all."""
    from kpis import deck
    from kpis.model import Filter

    out = Path(args.out)
    if out.suffix.lower() != ".pptx":
        raise UsageError(f"--out {out} : un fichier .pptx, p. ex. pack.pptx", f"--out {out}: a .pptx file, e.g. "
                         "pack.pptx")
    if out.exists() and not out.is_file() or not out.absolute().parent.is_dir():
        raise UsageError(f"--out {out} : un fichier dans un dossier existant.",
                         f"--out {out}: a file in an existing folder.")
    store = _existing_store(args)
    flt = _report_period(Filter(segments=_report_list(args.segments, "--segments", upper=True)), args, store)
    if not flt.segments:
        from kpis.model import SEGMENTS

        flt = Filter(segments=SEGMENTS, start=flt.start, end=flt.end)
    pack = deck.Pack.of(store, flt, args.grain, args.settings.fiscal_start, args.lang, args.compare)
    if pack.view.empty:
        raise KpiError("Aucune donnée pour cette sélection : rien à mettre dans le pack.",
                       "No data for this selection: nothing to put in the pack.")
    data = pack.pptx()
    part = out.with_name(f".{out.name}.part")
    part.write_bytes(data)
    part.replace(out)  # a reader never sees half a file
    print(f"{out}: {len(pack.outline())} slides, {flt.start} → {flt.end}, {', '.join(flt.segments)}")
    return 0


def cmd_comment(args) -> int:
    """``comment add`` (prints the new comment's number), ``comment list``, ``comment remove ID``."""
    import json

    from kpis import comments
    from kpis.model import Filter

    store = _existing_store(args)
    if args.action == "add":
        start, end = comments.period_of(args.period)
        new_id = store.add_comment(args.kpi, args.segment, start, end, args.text, by=args.by or local_user(),
                                   entity=args.entity)
        print(f"comment {new_id}: {args.kpi} {args.segment} {start} → {end}")
        return 0
    if args.action == "remove":
        gone = store.remove_comment(args.id, by=args.by or local_user())
        print(f"comment {gone['id']} removed: {gone['kpi']} {gone['segment']}")
        return 0
    flt = Filter(segments=_report_list(args.segments, "--segments", upper=True))
    if args.from_ or args.to:
        flt = _report_period(flt, args, store)
    found = store.comments(flt)
    records = [{"id": int(r.id), "kpi": r.kpi, "segment": r.segment, "entity": r.entity if isinstance(r.entity, str)
                else None, "period_start": f"{r.period_start:%Y-%m-%d}", "period_end": f"{r.period_end:%Y-%m-%d}",
                "text": r.text, "author": r.author, "created_at": f"{r.created_at:%Y-%m-%dT%H:%M:%S}Z"}
               for r in found.itertuples(index=False)]
    if args.format == "json":
        print(json.dumps(records, ensure_ascii=False))
    elif not records:
        print("No comment matches this selection.")
    else:
        for r in records:
            entity = f" [{r['entity']}]" if r["entity"] else ""
            print(f"{r['id']}\t{r['period_start']} → {r['period_end']}\t{r['segment']}\t{r['kpi']}{entity}\t"
                  f"{r['author']}\t{r['text']}")
    return 0


def cmd_subject(args) -> int:
    """``subject add CODE``, ``subject edit CODE``, ``subject list``, ``subject remove CODE``."""
    import json
    from dataclasses import replace

    from kpis.esn.subjects import Subject
    from kpis.store import Store

    store = Store(store_path(args))
    by = args.by if getattr(args, "by", None) else local_user()
    if args.action == "add":
        added = store.add_subject(Subject(args.code, args.name_fr, args.name_en, tuple(args.synonym or ())), by=by)
        print(f"subject added: {_subject_line(added)}")
    elif args.action == "edit":
        before = next((s for s in store.subjects() if s.code == args.code), Subject(args.code, "?"))
        given = {"name_fr": args.name_fr, "name_en": args.name_en,
                 "synonyms": tuple(args.synonym) if args.synonym is not None else None}
        changed = store.edit_subject(replace(before, **{k: v for k, v in given.items() if v is not None}), by=by)
        print(f"subject {args.code} changed: " + "; ".join(f"{f} {old!r} → {new!r}" for f, (old, new)
                                                           in changed.items()) if changed
              else f"subject {args.code}: nothing changed")
    elif args.action == "remove":
        store.remove_subject(args.code, by=by)
        print(f"subject {args.code} removed")
    elif args.format == "json":
        print(json.dumps([{"code": s.code, "name_fr": s.name_fr, "name_en": s.name_en, "synonyms": list(s.synonyms)}
                          for s in store.subjects()], ensure_ascii=False))
    else:
        for s in store.subjects() or ():
            print(_subject_line(s))
        if not store.subjects():
            print("no tracked subject")
    return 0


def _subject_line(s) -> str:
    names = " / ".join(n for n in (s.name_fr, s.name_en) if n)
    return f"{s.code}\t{names}" + (f"\t({', '.join(s.synonyms)})" if s.synonyms else "")


def _existing_store(args):
    from kpis.store import Store

    path = store_path(args)
    if not path.exists():
        raise KpiError(
            f"Aucune base à {path} : importez d'abord des fichiers (python -m kpis import FICHIER).",
            f"No store at {path}: import files first (python -m kpis import FILE).",
        )
    return Store(path)


_REPORT_FIELDS = {
    "table": ("period", "period_start", "period_end", "segment", "kpi", "value", "unit", "basis", "reason"),
    "scorecard": ("segment", "kpi", "window_start", "window_end", "value", "basis", "previous", "previous_start",
                  "previous_end", "previous_year", "previous_year_start", "previous_year_end", "change",
                  "change_relative", "change_year", "change_year_relative", "change_unit", "good", "good_year",
                  "target", "attainment", "status", "like_for_like_days", "reason", "source", "other_sources"),
    "funnel": ("segment", "stage", "kpi", "value"),
}


def _report_list(text: str | None, option: str, upper: bool = False) -> tuple[str, ...]:
    from kpis.model import SEGMENTS

    parts = (p.strip() for p in (text or "").split(",") if p.strip())
    items = tuple(dict.fromkeys(p.upper() if upper else p for p in parts))
    if option == "--segments":
        unknown = [s for s in items if s not in SEGMENTS]
        if unknown:
            raise UsageError(f"--segments : inconnus {unknown} ({', '.join(SEGMENTS)})",
                             f"--segments: unknown {unknown} (expected {', '.join(SEGMENTS)})")
    return items


def _report_period(flt, args, store):
    """--from / --to, by default the twelve months ending with the latest data."""
    from dataclasses import replace
    from datetime import date

    from kpis.model import SUPPORTED_DATES

    first, last = SUPPORTED_DATES

    def parse(text, option):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise UsageError(f"{option} attend une date AAAA-MM-JJ, reçu {text!r}",
                             f"{option} expects a YYYY-MM-DD date, got {text!r}") from None
        if not first <= day <= last:
            raise UsageError(f"{option} {text} : hors des dates acceptées, du {first} au {last}",
                             f"{option} {text}: outside the supported dates, {first} to {last}")
        return day

    start = parse(args.from_, "--from") if args.from_ else None
    end = parse(args.to, "--to") if args.to else None
    if start and end and start > end:
        raise UsageError("--from est après --to", "--from is after --to")
    if end is None:
        latest = store.dimension_values(flt.segments)["periods"][1]
        end = None if latest is None else latest.date()
        if end is not None and start is not None and end < start:
            end = start
    if start is None and end is not None:
        from kpis.model import preset_range

        start = preset_range("12m", end)[0]
    return replace(flt, start=start, end=end)


def _report_print(frame, fmt: str) -> None:
    import json

    import pandas as pd

    from kpis.export import stable_numbers

    out = stable_numbers(frame)  # 12 significant digits: the same store prints the same bytes
    for col in out.columns:
        if col.endswith(("_start", "_end")):
            out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d")
    if fmt == "json":
        records = out.astype(object).where(out.notna(), None).to_dict("records")
        print(json.dumps(records, ensure_ascii=False, allow_nan=False))
    elif fmt == "csv":
        sys.stdout.write(out.to_csv(index=False))
    elif out.empty:
        print("No data matches this selection.")
    else:
        shown = out.astype(object).where(out.notna(), "")
        if "value" in out.columns and "unit" in out.columns:
            shown["value"] = [_report_number(v, u) for v, u in zip(out["value"], out["unit"], strict=False)]
        print(shown.to_string(index=False))


def _report_number(value, unit: str) -> str:
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "%":
        return f"{value * 100:,.2f} %"
    if unit in ("€", "×"):
        return f"{value:,.2f} {unit}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


# --- the organisation's KPIs ---------------------------------------------------


def _kpi_line(kpi, version=None) -> str:
    formula = f"  = {kpi.formula}" if kpi.formula else ""
    origin = f"custom v{version}" if kpi.custom else "built-in"
    return (f"{kpi.code:<32} {kpi.aggregation:<8} {kpi.unit:<5} {','.join(kpi.segments):<11} {origin:<10} "
            f"{kpi.label_en}{formula}")


def cmd_kpi_add(args) -> int:
    from kpis.catalog import KPIS
    from kpis.store import Store

    store = Store(store_path(args))
    definition = store.add_kpi(_definition(args), by=args.by)
    print(f"KPI added: {_kpi_line(KPIS[definition.code], 1)}")
    return 0


def cmd_kpi_edit(args) -> int:
    from kpis.catalog import KPIS
    from kpis.store import Store

    store = Store(store_path(args))
    before = {d.code: d for d in store.kpi_definitions()}.get(args.code)
    if before is None:
        store.edit_kpi(_definition(args), by=args.by)  # raises UnknownKpi, French and English
    changed = store.edit_kpi(_definition(args, before), by=args.by)
    if not changed:
        print(f"KPI {args.code}: nothing changed")
        return 0
    print(f"KPI {args.code} changed: " + "; ".join(f"{f} {old!r} → {new!r}" for f, (old, new) in changed.items()))
    print(f"  {_kpi_line(KPIS[args.code], _versions(store).get(args.code))}")
    return 0


def cmd_kpi_list(args) -> int:
    import json

    from kpis.catalog import KPIS
    from kpis.store import Store

    store = Store(store_path(args))
    if args.history:
        history = store.kpi_history()
        rows = [{"code": r.code, "version": int(r.version), "action": r.action, "by": r.changed_by,
                 "at": str(r.changed_at), "changes": r.changes, "observations": int(r.observations),
                 "targets": int(r.targets)} for r in history.itertuples(index=False)]
        if args.format == "json":
            json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
            return 0
        if not rows:
            print("no history")
        for r in rows:
            print(f"{r['at'][:19]}  {r['by']:<10} {r['code']:<28} v{r['version']:<3} {r['action']:<8} "
                  f"{r['observations']:>7} obs. {r['targets']:>4} targets  {', '.join(r['changes'])}")
        return 0
    versions = _versions(store)
    kpis = [k for k in KPIS.values() if args.all or k.custom]
    if args.format == "json":
        json.dump([{"code": k.code, "label_fr": k.label_fr, "label_en": k.label_en, "kind": k.aggregation,
                    "unit": k.unit, "segments": list(k.segments), "direction": k.direction,
                    "synonyms": list(k.synonyms), "formula": k.formula, "custom": k.custom,
                    "version": versions.get(k.code), "stage": k.stage, "twin": k.twin} for k in kpis],
                  sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    if not kpis:
        print("no KPI of the organisation (--all lists the built-in ones)")
    for k in kpis:
        print(_kpi_line(k, versions.get(k.code)))
    return 0


def _versions(store) -> dict[str, int]:
    """The organisation's KPIs -> the version of their definition."""
    rows = store.table_rows("custom_kpis")
    return {str(c): int(v) for c, v in zip(rows["code"], rows["version"], strict=True)}


def cmd_kpi_remove(args) -> int:
    from kpis.store import Store

    Store(store_path(args)).remove_kpi(args.code, by=args.by)
    print(f"KPI {args.code} removed")
    return 0
