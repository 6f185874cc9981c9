"""Turn uploaded bytes into raw sheets: rows of cells with their row numbers.

    >>> sheets = read_file(b"Date;Clics\\n01/09/2026;12\\n", "ads.csv")
    >>> sheets[0].rows, sheets[0].row_numbers
    ([['Date', 'Clics'], ['01/09/2026', '12']], [1, 2])

Workbooks (``.xlsx .xlsm .xls .ods``) are read with python-calamine, which
never runs macros; the type is decided by the magic bytes first (zip or OLE)
and the file name second. Anything else that decodes as text is read as CSV.

Whatever the source, ``rows[i][0]`` is column A and ``row_numbers[i]`` is the
1-based row number Excel or a text editor shows, so that every problem can be
reported as "sheet, row, column letter". Blank rows are dropped. Workbook
cells come as calamine gives them (float, int, str, bool, date, datetime,
time, timedelta; empty cells are ``""``); CSV cells are always ``str``,
stripped of outer whitespace.

A file that cannot be read at all raises :class:`kpis.errors.FileRejected`
with a French and an English message a business user understands; no raw
library error ever escapes.

``read_file`` trusts its input: uploads go through
:func:`kpis.ingest.sandbox.read_file_safely`, which runs :mod:`kpis.ingest.gate` first and
parses workbooks in a child process with memory and time limits. Findings that
are not errors (a number of 16 digits or more in a CSV, and in workbooks the
gate's notes) are listed in ``RawSheet.meta["warnings"]`` as
:class:`kpis.ingest.issues.Issue` values.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Iterator

import python_calamine

from kpis.errors import FileRejected
from kpis.ingest.issues import Issue

__all__ = [
    "RawSheet",
    "read_file",
    "stream_workbook",
    "workbook_chunks",
    "WORKBOOK_EXTENSIONS",
    "TEXT_EXTENSIONS",
    "CSV_DELIMITERS",
]

WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_EXTENSIONS = (".csv", ".txt", ".tsv")
CSV_DELIMITERS = (",", ";", "\t")
"""Delimiters tried when a CSV has no ``sep=`` first line, in tie-break order."""

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
ENCRYPTED_MARKER = "EncryptedPackage".encode("utf-16-le")
SNIFF_LINES = 500
"""Number of non-comment lines used to choose a CSV delimiter."""

_SEP_LINE = re.compile(r"^sep=(.)\s*$", re.IGNORECASE)
_LINE_END = re.compile(r"\r\n|\r|\n")
"""Line ends as csv reads them: old Mac exports end lines with a lone CR."""


@dataclass
class RawSheet:
    """One sheet (or one CSV file) as rows of cells, blank rows dropped.

        >>> RawSheet("Data", [["Date", "Clics"]], [3]).row_numbers
        [3]

    A workbook read in the sandbox has a :class:`kpis.ingest.columnar.Rows` for
    ``rows``: the same rows (equal to the list), built when read, over the
    typed columns the sheet stage reads directly.
    """

    name: str
    rows: list[list[object]]
    row_numbers: list[int]
    hidden: bool = False
    comments: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


def read_file(data: bytes, name: str) -> list[RawSheet]:
    """Read a workbook or a CSV file into raw sheets, in workbook order.

        >>> [(s.name, s.meta["delimiter"]) for s in read_file(b"a,b\\n1,2\\n", "clics.csv")]
        [('clics', ',')]

    Raises ``FileRejected`` for an empty, unknown, damaged or encrypted file.
    """
    suffix = PurePath(name).suffix.lower()
    if not data:
        raise _rejected(
            "Le fichier est vide.",
            "The file is empty.",
        )
    if data.startswith(ZIP_MAGIC):
        return _read_zip_workbook(data)
    if data.startswith(OLE_MAGIC):
        return _read_ole_workbook(data)
    if suffix in (".xlsx", ".xlsm", ".ods"):
        raise _rejected(
            "Ce fichier n'est pas un classeur valide : il est peut-être "
            "endommagé ou a été renommé. Ouvrez-le dans Excel, enregistrez-le "
            "au format .xlsx puis importez-le à nouveau.",
            "This file is not a valid workbook: it may be damaged or renamed. "
            "Open it in Excel, save it as .xlsx and upload it again.",
        )
    return [_read_csv(data, PurePath(name).stem or name)]


# --- workbooks ----------------------------------------------------------------


def _read_zip_workbook(data: bytes) -> list[RawSheet]:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        raise _rejected(
            "Le fichier est incomplet ou endommagé (archive illisible). "
            "Téléchargez-le à nouveau depuis sa source puis réimportez-le.",
            "The file is incomplete or damaged (unreadable archive). "
            "Download it again from its source and upload it again.",
        ) from None
    is_excel = "xl/workbook.xml" in names or "xl/workbook.bin" in names
    is_ods = "content.xml" in names and "mimetype" in names
    if not (is_excel or is_ods):
        raise _unsupported()
    return _read_workbook(data)


def _read_ole_workbook(data: bytes) -> list[RawSheet]:
    if ENCRYPTED_MARKER in data:
        raise _rejected(
            "Ce classeur est protégé par un mot de passe. Retirez le mot de "
            "passe (Fichier > Informations > Protéger le classeur) puis "
            "importez-le à nouveau.",
            "This workbook is password-protected. Remove the password "
            "(File > Info > Protect Workbook) and upload it again.",
        )
    return _read_workbook(data)


def _read_workbook(data: bytes) -> list[RawSheet]:
    with _calamine_errors():
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        with book:
            return [
                _read_sheet(book, meta)
                for meta in book.sheets_metadata
                if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
            ]


def stream_workbook(data: bytes, chunk_rows: int = 20_000, *, chunk_cells: int | None = None) -> Iterator[tuple]:
    """A workbook as a stream: ``("sheet", RawSheet without rows)`` then ``("rows", rows, numbers)`` chunks.

        [item[0] for item in stream_workbook(xlsx_bytes)]   # a workbook of two small sheets
        # ['sheet', 'rows', 'sheet', 'rows']

    What ``read_file`` gives for a workbook, cut so that a consumer (the sandbox's
    parent process) can turn one chunk into objects while the next is read.
    Chunks hold ``chunk_rows`` rows, or about ``chunk_cells`` cells when given
    (so that a wide sheet makes no huge chunk).
    """
    for item in workbook_chunks(data, chunk_rows, chunk_cells=chunk_cells):
        if item[0] == "sheet":
            yield item
            continue
        _, rows, first_number, first_col = item
        kept, numbers = _non_blank(rows, first_number)
        if first_col:
            pad = [""] * first_col
            kept = [pad + row for row in kept]
        yield "rows", kept, numbers


def workbook_chunks(data: bytes, chunk_rows: int = 20_000, *, chunk_cells: int | None = None,
                    names: set[str] | None = None) -> Iterator[tuple]:
    """``stream_workbook`` before blank rows are dropped and columns left of the sheet's start are added.

    Yields ``("sheet", RawSheet without rows)`` then ``("cells", rows, first_number, first_col)``:
    ``rows`` as calamine gives them (all of one length, blank rows included),
    ``rows[i]`` being row ``first_number + i`` and ``rows[i][0]`` column
    ``first_col`` (0-based). For a consumer that drops blank rows its own way.
    ``names`` keeps only those sheets.
    """
    with _calamine_errors():
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        with book:
            for meta in book.sheets_metadata:
                unwanted = names is not None and meta.name not in names
                if meta.typ != python_calamine.SheetTypeEnum.WorkSheet or unwanted:
                    continue
                sheet = book.get_sheet_by_name(meta.name)
                yield "sheet", RawSheet(meta.name, [], [], meta.visible != python_calamine.SheetVisibleEnum.Visible)
                if sheet.start is None:
                    continue
                first_row, first_col = sheet.start
                rows = sheet.to_python()  # what _read_sheet reads (iter_rows counts rows differently)
                step = max(1, chunk_cells // max(1, sheet.width)) if chunk_cells else chunk_rows
                for i in range(0, len(rows), step):
                    yield "cells", rows[i:i + step], first_row + 1 + i, first_col


@contextlib.contextmanager
def _calamine_errors():
    """Turn calamine's errors (and Rust panics) into ``FileRejected``."""
    try:
        yield
    except FileRejected:
        raise
    except python_calamine.PasswordError:
        raise _rejected(
            "Ce classeur est protégé par un mot de passe. Retirez le mot de "
            "passe puis importez-le à nouveau.",
            "This workbook is password-protected. Remove the password and "
            "upload it again.",
        ) from None
    except (KeyboardInterrupt, SystemExit, MemoryError, GeneratorExit):
        raise
    except BaseException:  # calamine errors, and Rust panics (BaseException)
        raise _rejected(
            "Ce classeur ne peut pas être lu : il est peut-être endommagé ou "
            "dans un format non pris en charge. Ouvrez-le dans Excel, "
            "enregistrez-le au format .xlsx puis importez-le à nouveau.",
            "This workbook cannot be read: it may be damaged or in an "
            "unsupported format. Open it in Excel, save it as .xlsx and "
            "upload it again.",
        ) from None


def _read_sheet(book, meta) -> RawSheet:
    rows, numbers = _read_sheet_rows(book.get_sheet_by_name(meta.name))
    return RawSheet(meta.name, rows, numbers, meta.visible != python_calamine.SheetVisibleEnum.Visible)


def _read_sheet_rows(sheet) -> tuple[list[list], list[int]]:
    """A python-calamine sheet's rows (blank ones dropped, columns left of its start added) and their numbers."""
    start = sheet.start
    if start is None:
        return [], []
    first_row, first_col = start
    rows, numbers = _non_blank(sheet.to_python(), first_row + 1)
    if first_col:
        pad = [""] * first_col
        rows = [pad + row for row in rows]
    return rows, numbers


def _non_blank(rows: list[list], first_number: int) -> tuple[list[list], list[int]]:
    """Drop rows whose cells are all empty or whitespace; number the rest.

        >>> _non_blank([["a", ""], ["", " "], [0.0, ""]], 5)
        ([['a', ''], [0.0, '']], [5, 7])

    Only rows whose first cell is blank are looked at cell by cell: most rows
    start with a value, and one pass over the first cells costs a tenth of a
    pass over every cell.
    """
    doubtful = [i for i, value in enumerate(map(_first, rows))
                if value is None or (value.__class__ is str and not value.strip())]
    blank = [i for i in doubtful if _is_blank_row(rows[i])]
    if not blank:
        return list(rows), list(range(first_number, first_number + len(rows)))
    gone = set(blank)
    kept = [i for i in range(len(rows)) if i not in gone]
    return [rows[i] for i in kept], [first_number + i for i in kept]


def _first(row: list) -> object:
    return row[0] if row else None


def _is_blank_row(row: list) -> bool:
    for value in row:
        if value == "" or value is None:
            continue
        if value.__class__ is str and not value.strip():
            continue
        return False
    return True


# --- CSV ----------------------------------------------------------------------


def _read_csv(data: bytes, stem: str) -> RawSheet:
    text, encoding = _decode(data)
    lines = io.StringIO(text, newline="")
    first = text[: text.find("\n") if "\n" in text else len(text)].rstrip("\r")
    sep_line = _SEP_LINE.match(first)
    if sep_line:
        delimiter = sep_line.group(1)
        next(lines)
        mode = _modal_width(_LINE_END.split(text, SNIFF_LINES + 2)[1:-1], delimiter)
        line_number = 1
    else:
        delimiter, mode = _sniff_delimiter(text)
        line_number = 0
    comments: list[str] = []
    has_comments = text.startswith("#") or "\n#" in text or "\r#" in text
    try:
        if has_comments:
            source = _LineSource(lines, line_number, delimiter, mode, comments)
            records = _numbered(csv.reader(source, delimiter=delimiter, skipinitialspace=True), source)
        else:
            reader = csv.reader(lines, delimiter=delimiter, skipinitialspace=True)
            records = _numbered_plain(reader, line_number)
        rows, numbers = _clean(records, _needs_strip(text, delimiter))
    except csv.Error:
        raise _rejected(
            "Ce fichier texte ne peut pas être lu comme un CSV (champ trop long "
            "ou guillemets mal fermés).",
            "This text file cannot be read as CSV (a field is too long or a "
            "quote is not closed).",
        ) from None
    meta = {"encoding": encoding, "delimiter": delimiter}
    warnings = _long_numbers(text, stem)
    if warnings:
        meta["warnings"] = warnings
    return RawSheet(stem, rows, numbers, comments=comments, meta=meta)


_DIGITS16 = re.compile(r"[0-9]{16,}")
MAX_LISTED = 50
"""Cells listed one by one per kind of warning; the rest are counted."""


def _long_numbers(text: str, sheet: str) -> list[Issue]:
    """A warning for each run of 16+ digits (an identifier a spreadsheet would round).

        >>> [w.row for w in _long_numbers("id;n\\n1234567890123456789;0.12345678901234567\\n", "x")]
        [2]
    """
    found: list[int] = []
    line, last = 1, 0
    for match in _DIGITS16.finditer(text):
        before = text[match.start() - 1] if match.start() else ""
        if before and before in ".,":
            continue  # the decimals of a number: nothing is lost
        line, last = line + text.count("\n", last, match.start()), match.start()
        found.append(line)
        if len(found) > MAX_LISTED:
            break
    warnings = [Issue(
        "long_number", "warning",
        "Nombre de 16 chiffres ou plus : lu comme un nombre, il perdrait ses derniers chiffres "
        "(Excel n'en garde que 15). S'il s'agit d'un identifiant, il est gardé comme texte.",
        "Number of 16 digits or more: read as a number it would lose its last digits (Excel "
        "keeps only 15). If it is an identifier, it is kept as text.", sheet, row) for row in found[:MAX_LISTED]]
    if len(found) > MAX_LISTED:
        warnings.append(Issue("long_number_more", "warning", "… et d'autres nombres de 16 chiffres ou plus.",
                              "… and more numbers of 16 digits or more.", sheet))
    return warnings


def _numbered(reader, source: _LineSource) -> Iterator[tuple[int, list[str]]]:
    for record in reader:
        yield source.record_start, record
        source.at_boundary = True


def _numbered_plain(reader, line_number: int) -> Iterator[tuple[int, list[str]]]:
    start = line_number + 1
    for record in reader:
        yield start, record
        start = line_number + reader.line_num + 1


def _clean(records, strip: bool) -> tuple[list[list[object]], list[int]]:
    """Strip cells (when needed) and drop blank records."""
    rows: list[list[object]] = []
    numbers: list[int] = []
    for start, record in records:
        if strip:
            record = [cell.strip() for cell in record]
        if any(record):
            rows.append(record)
            numbers.append(start)
    return rows, numbers


def _needs_strip(text: str, delimiter: str) -> bool:
    """Whether a cell may keep outer whitespace after ``skipinitialspace``.

        >>> _needs_strip("a;b\\n1 ;2\\n", ";"), _needs_strip("a;b\\n1; 2\\n", ";")
        (True, False)

    Cheap rather than exact (it may say yes wrongly): stripping 2 million
    cells costs more than reading them.
    """
    for rare in ("\t", "\u00a0", "\u202f"):
        if rare != delimiter and rare in text:
            return True
    trailing = re.compile(" [" + re.escape(delimiter) + '\r\n"]')
    return text.endswith(" ") or '" ' in text or trailing.search(text) is not None


class _LineSource:
    """Feed lines to ``csv.reader``, counting them and setting comments aside.

    A line starting with ``#`` at the start of a record is a comment unless it
    splits into the file's usual number of fields (a data row such as
    ``#hashtag;12``).
    """

    def __init__(self, lines, line_number: int, delimiter: str, mode: int, comments: list):
        self.lines = lines
        self.line_number = line_number
        self.delimiter = delimiter
        self.mode = mode
        self.comments = comments
        self.record_start = line_number + 1
        self.at_boundary = True

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        while True:
            line = next(self.lines)
            self.line_number += 1
            if not self.at_boundary:
                return line
            if line.startswith("#") and not self._is_data(line):
                self.comments.append(line[1:].strip())
                continue
            self.at_boundary = False
            self.record_start = self.line_number
            return line

    def _is_data(self, line: str) -> bool:
        if self.mode < 2 or self.delimiter not in line:
            return False
        return len(next(csv.reader([line], delimiter=self.delimiter))) == self.mode


def _decode(data: bytes) -> tuple[str, str]:
    """Decode by BOM, else UTF-8, else cp1252; reject what is not text."""
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = data.decode("utf-16", errors="replace"), "utf-16"
    elif _looks_utf16_le(data):
        text, encoding = data.decode("utf-16-le", errors="replace"), "utf-16-le"
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = data.decode("cp1252", errors="replace"), "cp1252"
    _check_text(text)
    return text, encoding


def _looks_utf16_le(data: bytes) -> bool:
    head = data[:2000]
    return len(head) >= 8 and head[1::2].count(0) > 0.9 * (len(head) // 2)


def _check_text(text: str) -> None:
    head = text[:20000]
    control = sum(1 for ch in head if (ch < " " and ch not in "\t\r\n") or ch == "\ufffd")
    if "\x00" in head or control > len(head) // 100:
        raise _unsupported()
    stripped = head.lstrip().lower()
    if stripped.startswith(("<html", "<!doctype", "<?xml", "<table")):
        raise _rejected(
            "Ce fichier est une page web ou un document XML et non un vrai "
            "classeur. Ouvrez-le dans Excel, enregistrez-le au format .xlsx "
            "puis importez-le à nouveau.",
            "This file is a web page or an XML document, not a real workbook. "
            "Open it in Excel, save it as .xlsx and upload it again.",
        )


def _sniff_delimiter(text: str) -> tuple[str, int]:
    """Pick the delimiter whose field counts are the most consistent.

        >>> _sniff_delimiter('a;b\\n"1,5";2\\n')
        (';', 2)
    """
    sample = [
        line for line in _LINE_END.split(text, SNIFF_LINES * 2)[: SNIFF_LINES * 2]
        if line.strip() and not line.startswith("#")
    ][:SNIFF_LINES]
    best, best_score = ",", (-1.0, 0, 0)
    for rank, delimiter in enumerate(reversed(CSV_DELIMITERS)):
        counts = [len(r) for r in csv.reader(sample, delimiter=delimiter)]
        if not counts:
            continue
        mode, hits = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = (hits / len(counts), mode, rank)
        if score > best_score:
            best, best_score = delimiter, score
    return best, best_score[1]


def _modal_width(lines: list[str], delimiter: str) -> int:
    sample = [line for line in lines if line.strip() and not line.startswith("#")]
    counts = [len(r) for r in csv.reader(sample, delimiter=delimiter)]
    return Counter(counts).most_common(1)[0][0] if counts else 0


# --- errors -------------------------------------------------------------------


def _rejected(message_fr: str, message_en: str) -> FileRejected:
    return FileRejected(message_fr, message_en)


def _unsupported() -> FileRejected:
    return _rejected(
        "Type de fichier non pris en charge. Importez un classeur Excel "
        "(.xlsx, .xlsm, .xls), OpenDocument (.ods) ou un fichier CSV.",
        "Unsupported file type. Upload an Excel workbook (.xlsx, .xlsm, .xls), "
        "an OpenDocument spreadsheet (.ods) or a CSV file.",
    )
