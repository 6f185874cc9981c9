"""The front of ingestion: a file's bytes → a ``FileResult``. Nothing is stored."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

from kpis.catalog import fold
from kpis.errors import FileRejected, UsageError
from kpis.ingest import exports
from kpis.ingest.gate import read_bounded
from kpis.ingest.issues import Issue
from kpis.ingest.layouts import read_flat
from kpis.ingest.mapping import map_keys, parse_target
from kpis.ingest.results import FileResult
from kpis.ingest.sandbox import Reading, read_file_safely
from kpis.ingest.sheet import read_sheet
from kpis.ingest.windows import PeriodWindow
from kpis.model import SEGMENTS
from kpis.text import clean_text

__all__ = ["check_file", "check_bytes"]


def check_file(path: str | Path, **options) -> FileResult:
    """Read a file from disk; see ``check_bytes`` for the options."""
    path = Path(path)
    try:
        data = read_bounded(path)  # a device or a pipe: a UsageError; beyond the size limit: FileRejected
    except FileRejected as exc:
        result = FileResult(file=clean_text(path.name), sha256="")
        result.issues.append(Issue("file_rejected", "error", exc.message_fr, exc.message_en))
        return result
    return check_bytes(data, path.name, **options)


def check_bytes(
    data: bytes,
    name: str,
    *,
    segment: str | None = None,
    maps: dict[str, str] | None = None,
    remembered: Iterable | None = None,
    reading: Reading | None = None,
    window_days: int | None = None,
    esn: exports.EsnOptions | None = None,
) -> FileResult:
    """Understand one uploaded file. Nothing is stored.

    ``segment`` is the caller's choice when the file does not say; ``maps``
    forces columns (a header, ``header#n`` or a column letter → target, as ``--map``: ``kpis.ingest.mapping``);
    ``remembered`` holds
    mappings saved by the app (objects with ``headers`` and ``mapping``), used
    when a sheet's headers are exactly a remembered set. ``reading`` is
    ``kpis.ingest.sandbox.start_reading(data, name)`` started earlier by the caller
    (the command line starts the parse before importing this module). ``window_days`` (``--window-days``) is
    the number of days the values cover, ending on each row's date, for a sheet whose dates end a rolling
    window it does not state (``kpis.ingest.windows``). ``esn`` says how a social network's message export is
    read (``kpis.ingest.exports.EsnOptions``: the ``esn_names`` and ``esn_private`` settings; default both off).
    """
    if reading is not None and reading.data is not data:
        raise ValueError("check_bytes: reading was started on other bytes")
    if segment is not None and segment not in SEGMENTS:
        raise UsageError(f"Segment inconnu : {segment}", f"Unknown segment: {segment}")
    window = PeriodWindow(window_days)
    forced = {key: parse_target(t) for h, t in (maps or {}).items() for key in map_keys(h)}
    result = FileResult(file=clean_text(name), sha256=hashlib.sha256(data).hexdigest())
    try:
        # the gate, then a limited child for workbooks
        raw_sheets = reading.result() if reading is not None else read_file_safely(data, name)
    except FileRejected as exc:
        result.issues.append(Issue("file_rejected", "error", exc.message_fr, exc.message_en))
        return result
    remembered = list(remembered or ())
    for raw in raw_sheets:
        found = exports.recognise(raw, esn)  # a vendor export read as it is: its own meanings, user maps win
        if found is None:
            result.sheets.append(read_flat(raw, segment, forced, remembered, window))
            continue
        own = {fold(h): parse_target(t) for h, t in found.maps.items()}
        sheet = read_sheet(found.sheet, segment, own | forced, remembered)
        sheet.format = found.format
        sheet.esn = found.esn
        for column in sheet.columns:  # what the format decided, not the user: said so on the Importer
            if column.match == "mapped" and fold(column.header) in own and fold(column.header) not in forced:
                column.match = "format"
                if column.reason == "ignored on request":
                    column.reason = "ignored by the format"
        sheet.issues[:0] = found.issues
        result.sheets.append(sheet)
    if not result.sheets:
        result.issues.append(Issue("empty_file", "error", "Le fichier ne contient aucune feuille.",
                                   "The file holds no sheet."))
    elif not any(s.status == "read" for s in result.sheets):
        result.issues.append(Issue("no_table", "error", "Aucun tableau de données trouvé dans le fichier.",
                                   "No data table found in the file."))
    return result
