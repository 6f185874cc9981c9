"""The gate: cheap checks on uploaded bytes before any parser sees them.

    found = inspect(data, "campagnes.xlsx")
    found.kind, found.cells
    ('xlsx', 2000030)
    found.notes[0].code          # e.g. a workbook with macros
    'macros_ignored'

``inspect`` never parses a workbook: it reads the zip directory, the OLE
directory names or the first bytes of a text file, and streams each sheet's
XML once, in bounded chunks, with regular expressions. For sheets over 4 MiB,
when pyarrow is installed, one RE2 pass per chunk first shows whether there is
anything to look at (a formula, a hidden row, a reference beyond those seen...):
most chunks of a plain export are then done in a quarter of the time. It raises
:class:`kpis.errors.FileRejected` (French and English message) for

- an empty file or one larger than ``Limits.max_bytes`` (the same number as
  ``server.maxUploadSize`` in ``.streamlit/config.toml``); ``read_bounded``
  reads a file from disk the same way: only a regular file, and never more
  than ``max_bytes + 1`` bytes, in chunks, whatever its declared size;
- a password-protected workbook (an OLE container holding ``EncryptedPackage``);
- a zip with too many entries, too large a declared uncompressed size, or an
  entry compressed more than ``max_ratio`` times (zip bomb, whitespace bomb),
  a truncated or damaged zip;
- XML holding a DTD or entity declarations (billion laughs, XXE);
- a sheet whose cells span more than ``max_cells`` (far-apart cells make
  calamine allocate rows × columns cells and abort the process), a cell
  reference or a merged area beyond Excel's limits (XFD1048576).

What it finds without refusing becomes *notes*: :class:`kpis.ingest.issues.Issue`
values (formula cells with a cached 0 or no cached value, error cells, hidden
rows and columns, numbers of 16 digits or more, macros never run, a renamed
file type). :mod:`kpis.ingest.sandbox` puts them in ``RawSheet.meta["warnings"]``.

The content decides the type, not the name: a real .xls named .xlsx is read as
.xls (and the reverse), with an info note saying so.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, cast
from xml.etree import ElementTree

from kpis.errors import FileRejected, UsageError
from kpis.ingest.issues import Issue, column_letter

__all__ = [
    "Limits",
    "DEFAULT_LIMITS",
    "MAX_UPLOAD_MB",
    "EXCEL_MAX_ROWS",
    "EXCEL_MAX_COLUMNS",
    "Inspection",
    "inspect",
    "read_bounded",
    "check_container",
    "scan_sheets",
    "note",
]

MAX_UPLOAD_MB = 50
"""Largest upload, in MiB: keep equal to ``server.maxUploadSize`` in .streamlit/config.toml."""
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384  # XFD


@dataclass(frozen=True)
class Limits:
    """Every bound the gate enforces, in one place (lower them in tests, never raise them blindly)."""

    max_bytes: int = MAX_UPLOAD_MB * 1024 * 1024
    max_entries: int = 10_000
    """Zip entries: a 100-sheet workbook with charts has a few hundred."""
    max_uncompressed: int = 1024 ** 3
    """Declared uncompressed size of all zip entries together."""
    max_ratio: int = 100
    """Uncompressed / compressed size of one entry; sheet XML is 5-15x, a zip bomb 300-1000x."""
    ratio_floor: int = 1024 * 1024
    """Entries smaller than this (uncompressed) are not ratio-checked: they cannot hurt."""
    max_cells: int = 2 ** 24
    """Rows x columns spanned by one sheet: calamine allocates ~32 bytes for each (512 MiB here)."""
    max_notes: int = 50
    """Cells listed one by one per kind of note and sheet; the rest are counted."""


DEFAULT_LIMITS = Limits()

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CHUNK = 4 * 1024 * 1024


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


@dataclass
class Inspection:
    """What the gate learnt: the real type, the largest sheet span, the notes."""

    kind: str  # "xlsx", "xlsb", "ods", "xls" or "csv"
    cells: int = 0
    """Largest rows x columns span of a sheet (0 when not known: xls, ods, xlsb, csv)."""
    notes: list[Issue] = field(default_factory=list)

    @property
    def prescanned(self) -> bool:
        """Whether every sheet's XML was bounded (only xlsx/xlsm are)."""
        return self.kind == "xlsx"


def note(code: str, severity: str, fr: str, en: str, sheet: str | None = None,
         row: int | None = None, column: str | None = None) -> Issue:
    """One finding, located as ingestion reports it.

        >>> note("hidden_row", "warning", "Ligne masquée", "Hidden row", "Data", 4).row
        4
    """
    return Issue(code, severity, fr, en, sheet, row, column)


def inspect(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> Inspection:
    """Check ``data`` without parsing it; raise ``FileRejected`` or say what it is.

    The same as ``scan_sheets(data, check_container(data, name, limits), limits)``.
    """
    return scan_sheets(data, check_container(data, name, limits), limits)


def read_bounded(path: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The bytes of a regular file of at most ``limits.max_bytes``, read in chunks.

        >>> read_bounded("/dev/zero")
        Traceback (most recent call last):
        kpis.errors.UsageError: /dev/zero is not a regular file (a device, a pipe, a folder...): give a file.

    A device, a named pipe, a socket or a folder is a ``UsageError`` (a pipe is
    never opened, so it cannot block); a file that cannot be opened too. A file
    larger than the limit is a ``FileRejected``, found by reading at most
    ``max_bytes + 1`` bytes, not by trusting its size (it may grow, or be a
    special file that reports none).
    """
    shown = os.fsdecode(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # before opening: opening a pipe blocks
            raise _not_regular(shown)
        with open(path, "rb") as fp:
            if not stat.S_ISREG(os.fstat(fp.fileno()).st_mode):  # replaced between stat and open
                raise _not_regular(shown)
            parts, size = [], 0
            while size <= limits.max_bytes:
                piece = fp.read(min(CHUNK, limits.max_bytes + 1 - size))
                if not piece:
                    break
                parts.append(piece)
                size += len(piece)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise UsageError(f"Impossible de lire {shown} : {why}", f"Cannot read {shown}: {why}") from None
    if size > limits.max_bytes:
        raise _too_large(size, limits, more=True)
    return b"".join(parts)


def _not_regular(shown: str) -> UsageError:
    return UsageError(
        f"{shown} n'est pas un fichier ordinaire (un périphérique, un tube, un dossier...) : donnez un fichier.",
        f"{shown} is not a regular file (a device, a pipe, a folder...): give a file.")


def _too_large(size: int, limits: Limits, more: bool = False) -> FileRejected:
    mb, limit = size / 2 ** 20, limits.max_bytes / 2 ** 20
    fr_size, en_size = (f"plus de {limit:.0f} Mo", f"more than {limit:.0f} MB") if more else (
        f"{mb:.1f} Mo", f"{mb:.1f} MB")
    return FileRejected(
        f"Le fichier pèse {fr_size}, au-delà de la limite de {limit:.0f} Mo. "
        "Découpez-le (par période ou par feuille) puis importez chaque partie.",
        f"The file is {en_size}, above the {limit:.0f} MB limit. "
        "Split it (by period or by sheet) and upload each part.")


def check_container(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> Inspection:
    """The cheap part (milliseconds): size, magic bytes, OLE names, zip directory, DTDs outside sheets."""
    if not data:
        raise FileRejected("Le fichier est vide.", "The file is empty.")
    if len(data) > limits.max_bytes:
        raise _too_large(len(data), limits)
    suffix = PurePath(name).suffix.lower()
    if data.startswith(OLE_MAGIC):
        return _inspect_ole(data, suffix)
    if data.startswith(ZIP_MAGIC):
        return _inspect_zip(data, suffix, limits)
    return Inspection("csv")


# --- OLE (.xls, encrypted OOXML) ------------------------------------------------------------


def _inspect_ole(data: bytes, suffix: str) -> Inspection:
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        raise _password()
    if _utf16("Workbook") not in data and _utf16("Book") not in data:
        raise _unsupported()
    found = Inspection("xls")
    if _utf16("_VBA_PROJECT_CUR") in data:
        found.notes.append(_macros())
    if suffix in (".xlsx", ".xlsm", ".ods", ".csv"):
        found.notes.append(note(
            "file_type_mismatch", "info",
            f"Ce fichier est un classeur Excel 97-2003 (.xls) nommé « {suffix} » : il a été lu comme un .xls.",
            f"This file is an Excel 97-2003 workbook (.xls) named '{suffix}': it was read as .xls."))
    return found


# --- zip (.xlsx, .xlsm, .xlsb, .ods) ----------------------------------------------------------


def _inspect_zip(data: bytes, suffix: str, limits: Limits) -> Inspection:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, ValueError, EOFError, OSError, NotImplementedError):
        raise _damaged() from None
    if len(infos) > limits.max_entries:
        raise _bomb(f"il contient {len(infos)} éléments (limite {limits.max_entries})",
                    f"it holds {len(infos)} entries (limit {limits.max_entries})")
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed:
        raise _bomb(f"il se décompresse en {total / 2 ** 20:.0f} Mo "
                    f"(limite {limits.max_uncompressed / 2 ** 20:.0f} Mo)",
                    f"it expands to {total / 2 ** 20:.0f} MB (limit {limits.max_uncompressed / 2 ** 20:.0f} MB)")
    for info in infos:
        if info.flag_bits & 0x1:
            raise _password()
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise _bomb(f"une de ses parties est compressée {ratio:.0f} fois (limite {limits.max_ratio})",
                        f"one of its parts is compressed {ratio:.0f} times (limit {limits.max_ratio})")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" in names:
        kind = "xlsx"
    elif "xl/workbook.bin" in names:
        kind = "xlsb"
    elif "content.xml" in names and "mimetype" in names:
        kind = "ods"
    else:
        raise _unsupported()
    found = Inspection(kind)
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        found.notes.append(_macros())
    if suffix == ".xls" or (suffix in (".xlsx", ".xlsm") and kind == "ods") or (suffix == ".ods" and kind != "ods"):
        real = {"xlsx": ".xlsx", "xlsb": ".xlsb", "ods": ".ods"}[kind]
        found.notes.append(note(
            "file_type_mismatch", "info",
            f"Ce fichier est un classeur {real} nommé « {suffix} » : il a été lu comme un {real}.",
            f"This file is a {real} workbook named '{suffix}': it was read as {real}."))
    try:
        _check_xml_parts(zf, infos, kind)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, KeyError):
        raise _damaged() from None
    return found


_DTD = (b"<!DOCTYPE", b"<!ENTITY")
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


def _check_prolog(head: bytes) -> None:
    """A DTD can only come before the first element: refuse one there, and a prolog over a chunk long."""
    first = _FIRST_ELEMENT.search(head)
    prolog = head[:first.start()] if first else head
    if any(marker in prolog for marker in _DTD):
        raise _dtd()
    if not first and len(head) >= CHUNK:
        raise _damaged()


def _chunks(zf: zipfile.ZipFile, name: str):
    """Yield the part's bytes in ``CHUNK``-sized pieces (CRC checked at the end by zipfile)."""
    with zf.open(name) as part:
        while True:
            piece = part.read(CHUNK)
            if not piece:
                return
            yield piece


def _check_xml_parts(zf: zipfile.ZipFile, infos, kind: str) -> None:
    """Refuse any DTD: no spreadsheet writer emits one; it is how entity bombs and XXE begin.

    Sheets are checked while they are scanned; here every other XML part.
    """
    for info in infos:
        low = info.filename.lower()
        if not low.endswith((".xml", ".rels", ".vml")) or (kind == "xlsx" and low.startswith("xl/worksheets/")):
            continue
        tail = b""
        for piece in _chunks(zf, info.filename):
            window = tail + piece
            if any(marker in window for marker in _DTD):
                raise _dtd()
            tail = window[-16:]


# --- xlsx sheets ------------------------------------------------------------------------------


def scan_sheets(data: bytes, found: Inspection, limits: Limits = DEFAULT_LIMITS) -> Inspection:
    """Stream each sheet's XML once (xlsx/xlsm only): bounds, DTDs, traps. Adds to ``found``.

    About 1 s for 2 million cells (85 MB of XML), in 4 MiB chunks whatever the size.
    """
    if found.kind != "xlsx":
        return found
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        for sheet, path in _sheet_parts(zf, {i.filename for i in zf.infolist()}):
            scan = _SheetScan(sheet, limits)
            scan.run(zf, path)
            found.cells = max(found.cells, scan.cells)
            found.notes.extend(scan.notes)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, KeyError,
            ElementTree.ParseError):
        raise _damaged() from None
    return found


_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _sheet_parts(zf: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str]]:
    """(sheet name, part path) for every worksheet, and any worksheet part no sheet names."""
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))  # no DTD: checked above
    targets = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for rel in ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels")):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[rel.get("Id")] = re.sub(r"[^/]+/\.\./", "", path)
    parts = []
    for element in book.iter():
        if element.tag.rsplit("}", 1)[-1] == "sheet":
            part = targets.get(element.get(_NS_REL))
            if part is not None and part in names:  # (None is never in names)
                parts.append((element.get("name", "?"), part))
    named = {p for _, p in parts}
    parts += [(PurePath(n).stem, n) for n in sorted(names)
              if n.startswith("xl/worksheets/") and n.endswith(".xml") and n not in named]
    return parts


_ROOT_PREFIX = re.compile(rb"<(\w+):worksheet\b")
_DIMENSION = re.compile(rb'<dimension ref="([^"]*)"')
_ROW_R = re.compile(rb'<row r="([0-9]+)"')
_WIDE_COLUMN = re.compile(rb' r="([A-Z]{2,})[0-9]')
_MERGE = re.compile(rb'<mergeCell ref="([^"]*)"')
_FORMULA_CELL = re.compile(
    rb'<c r="([A-Z]+)([0-9]+)"([^>]*)>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)(<v>[^<]*</v>|<v/>)?')
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]+)([0-9]+)"[^>]*\bt="e"[^>]*>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?<v>([^<]*)</v>')
_HIDDEN_ROW = re.compile(rb'<row r="([0-9]+)"[^>]*\bhidden="(?:1|true)"')
_HIDDEN_COLUMN = re.compile(rb'<col\b[^>]*\bmin="([0-9]+)"[^>]*\bmax="([0-9]+)"[^>]*\bhidden="(?:1|true)"')
_LONG_NUMBER = re.compile(  # possessive where giving back cannot help: no backtracking over every decimal (2.5x faster)
    rb'<v>-?+(?:[0-9]{16,}+(?:\.[0-9]*+)?+|[0-9](?:\.[0-9]++)?+[eE]\+?+(?:1[5-9]|[2-9][0-9]|[0-9]{3}))</v>')
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")


def column_number(letters: str | bytes) -> int:
    """``"A"`` → 1, ``"XFD"`` → 16384.

        >>> column_number("AA")
        27
    """
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + ord(ch) - 64
    return n


def _greater_than(n: int) -> bytes:
    """A regex matching decimal numbers (no leading zero) greater than ``n``.

        >>> bool(re.fullmatch(_greater_than(200003), b"200004")), bool(re.fullmatch(_greater_than(200003), b"199999"))
        (True, False)
    """
    digits = str(n)
    options = [rb"[1-9][0-9]{%d,}" % len(digits), rb"0[0-9]*"]  # more digits; leading zeros (int() decides)
    for i, ch in enumerate(digits):
        d = int(ch)
        if d < 9:
            rest = len(digits) - i - 1
            low = max(d + 1, 1 if i == 0 else 0)
            if low <= 9:
                options.append(digits[:i].encode() + b"[%d-9]" % low + (b"[0-9]{%d}" % rest if rest else b""))
    return b"(?:" + b"|".join(options) + b")"


class _SheetScan:
    """One pass over one sheet's XML: bounds, traps, notes."""

    quick: tuple[Any, Any] | None
    """``_re2()``, set by ``_fast`` for a large part: (pyarrow, pyarrow.compute), or None."""

    def __init__(self, sheet: str, limits: Limits):
        self.sheet, self.limits = sheet, limits
        self.max_row = 0
        self.max_col = 0
        self.notes: list[Issue] = []
        self.counts: dict[str, int] = {}
        self.cells = 0

    # -- notes, capped per code

    def add(self, code, severity, fr, en, row=None, column=None):
        n = self.counts[code] = self.counts.get(code, 0) + 1
        if n <= self.limits.max_notes:
            self.notes.append(note(code, severity, fr, en, self.sheet, row, column))

    def summarise(self):
        for code, n in self.counts.items():
            if n > self.limits.max_notes:
                self.notes.append(note(code + "_more", "warning",
                                       f"… et {n - self.limits.max_notes} autres cellules du même type.",
                                       f"… and {n - self.limits.max_notes} more cells of the same kind.", self.sheet))

    # -- the scan

    def run(self, zf: zipfile.ZipFile, path: str) -> None:
        if not self._fast(zf, path):
            type(self).__init__(self, self.sheet, self.limits)  # start again from nothing
            self._slow(zf, path)
        self._check_span()
        self.summarise()

    def _fast(self, zf, path) -> bool:
        """Regex scan of bounded chunks, cut before the last ``<c `` so no cell straddles two.

        Returns False when the XML is not in the usual shape (namespace prefix, a
        row or cell without its ``r`` reference): the slow, exact scan then runs.
        """
        carry, first = b"", True
        self.quick = _re2() if zf.getinfo(path).file_size > QUICK_MIN_BYTES else None
        for piece in _chunks(zf, path):
            data = carry + piece
            cut = data.rfind(b"<c ")
            if cut <= 0:
                cut = data.rfind(b"<")
            if cut <= 0:
                cut = max(len(data) - 64, 0)
            chunk, carry = data[:cut], data[cut:]
            if first:
                _check_prolog(chunk)
                if _ROOT_PREFIX.search(chunk[:4096]):
                    return False
                self._dimension(chunk)
                self.max_col = max(self.max_col, getattr(self, "hint_col", 0))
                first = False
            if not self._fast_chunk(chunk):
                return False
        return carry == b"" or self._fast_chunk(carry)

    def _fast_chunk(self, chunk: bytes) -> bool:
        if self.quick is not None and self._quiet(chunk):
            return True
        if _IMPLICIT.search(chunk):
            return False
        rows = _ROW_R.findall(chunk)
        if rows:
            self.max_row = max(self.max_row, max(map(int, rows)))
        wide = set(_WIDE_COLUMN.findall(chunk))
        if wide:
            self.max_col = max(self.max_col, max(map(column_number, wide)))
        if self.max_col < 26:  # any single-letter column right of the widest seen?
            right = re.compile(rb' r="([%c-Z])[0-9]' % (65 + self.max_col))
            if right.search(chunk):
                self.max_col = max(self.max_col, max(map(column_number, set(right.findall(chunk)))))
        beyond = re.compile(rb' r="[A-Z]+(' + _greater_than(self.max_row) + rb')"')
        for row in beyond.findall(chunk):  # a cell below every <row> tag seen
            self.max_row = max(self.max_row, int(row))
        self._check_span()
        if b"<f" in chunk:
            for letters, row, attrs, v in _FORMULA_CELL.findall(chunk):
                value = v[3:-4] if v.startswith(b"<v>") else (b"" if v else None)
                self._formula(letters.decode(), int(row), b't="str"' in attrs or b't="s"' in attrs, value)
        if b't="e"' in chunk:
            for letters, row, value in _ERROR_CELL.findall(chunk):
                self._error(letters.decode(), int(row), value)
        if b'hidden="' in chunk:
            for row in _HIDDEN_ROW.findall(chunk):
                self._hidden_row(int(row))
            for low, high in _HIDDEN_COLUMN.findall(chunk):
                self._hidden_columns(int(low), int(high))
        self._long_numbers(chunk)
        if b"<mergeCell " in chunk:
            for ref in _MERGE.findall(chunk):
                self._merge(ref.decode(errors="replace"))
        return True

    def _quiet(self, chunk: bytes) -> bool:
        """True when one RE2 pass shows that ``_fast_chunk`` would find nothing here but the last row's number.

        The pattern matches wherever the regular expressions below could change
        anything: an implicit position, a column right of the widest seen, a row
        or cell reference below the last row, a formula, an error cell, a hidden
        row or column, a long number, a merged area. Any match, and the chunk
        takes the full scan: this only skips work, it decides nothing (0.25 s
        instead of 1 s for 85 MB of XML).
        """
        top = self.max_row
        last = chunk.rfind(b'<row r="')
        if last >= 0:
            row = _ROW_R.match(chunk, last)
            if row is None:
                return False
            top = max(top, int(row.group(1)))
        if self.quick is None:  # never: _fast_chunk asks only when RE2 is there
            return False
        pa, pc = self.quick
        try:
            found = pc.match_substring_regex(pa.array([chunk], pa.binary()), _quiet_pattern(top, self.max_col))
            if found[0].as_py() is not False:
                return False
        except Exception:  # noqa: BLE001 - pyarrow could not say: the full scan decides
            return False
        self.max_row = top
        self._check_span()
        return True

    def _long_numbers(self, chunk: bytes) -> None:
        """``<v>`` holding an integer of 16+ digits, or a number written with an exponent of 15 or more."""
        for match in _LONG_NUMBER.finditer(chunk):
            ref = _REF_AT.match(chunk, max(chunk.rfind(b'<c r="', 0, match.start()), 0))
            if ref:
                self._long_number(ref.group(1).decode(), int(ref.group(2)))

    def _slow(self, zf, path) -> None:
        """Exact scan with a pull parser: implicit row and column positions, any namespace prefix."""
        parser: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(events=("start", "end"))
        row = col = 0
        cell_ref, cell_type, formula, value = None, None, False, None
        sheet_data = None
        for i, piece in enumerate(_chunks(zf, path)):
            if i == 0:
                _check_prolog(piece)
            try:
                parser.feed(piece)
                # Only "start" and "end" were asked for: every event is (name, Element). The stubs
                # cannot tie read_events() to the events given, and also allow the namespace events' shapes.
                events = cast("list[tuple[str, ElementTree.Element]]", list(parser.read_events()))
            except ElementTree.ParseError:
                raise _damaged() from None
            for event, element in events:
                tag = element.tag.rsplit("}", 1)[-1]
                if event == "start":
                    if tag == "sheetData":
                        sheet_data = element
                    elif tag == "row":
                        row = int(element.get("r") or row + 1)
                        col = 0
                        if element.get("hidden") in ("1", "true"):
                            self._hidden_row(row)
                    elif tag == "c":
                        ref = element.get("r")
                        m = _REF.match(ref or "")
                        if ref and not m:
                            raise _beyond(self.sheet, ref)
                        if m:
                            col, row = column_number(m.group(1)), int(m.group(2))
                        else:
                            col += 1
                        self.max_row, self.max_col = max(self.max_row, row), max(self.max_col, col)
                        self._check_span()
                        cell_ref, cell_type, formula, value = (col, row), element.get("t"), False, None
                    elif tag == "dimension":
                        self._dimension(b'<dimension ref="%s"' % (element.get("ref") or "").encode())
                    elif tag == "mergeCell":
                        self._merge(element.get("ref") or "")
                    elif tag == "col" and element.get("hidden") in ("1", "true"):
                        self._hidden_columns(int(element.get("min", 0)), int(element.get("max", 0)))
                elif tag == "f":
                    formula = True
                elif tag == "v":
                    value = (element.text or "").encode()
                elif tag == "c" and cell_ref:
                    letters, number = column_letter(cell_ref[0] - 1), cell_ref[1]
                    if cell_type == "e":
                        self._error(letters, number, value or b"")
                    elif formula:
                        self._formula(letters, number, cell_type in ("str", "s"), value)
                    elif value and _LONG_NUMBER.fullmatch(b"<v>" + value + b"</v>"):
                        self._long_number(letters, number)
                    element.clear()
                    cell_ref = None
                elif tag == "row" and sheet_data is not None:
                    sheet_data.clear()  # rows already seen are not kept
        try:
            parser.close()
        except ElementTree.ParseError:
            raise _damaged() from None

    # -- findings

    def _check_span(self) -> None:
        if self.max_row > EXCEL_MAX_ROWS or self.max_col > EXCEL_MAX_COLUMNS:
            raise _beyond(self.sheet, f"{column_letter(self.max_col - 1)}{self.max_row}")
        self.cells = self.max_row * self.max_col
        if self.cells > self.limits.max_cells:
            raise FileRejected(
                f"La feuille « {self.sheet} » s'étend sur {self.max_row} lignes × {self.max_col} colonnes "
                f"(des cellules très éloignées), au-delà de la limite de {self.limits.max_cells:,} cellules "
                "par feuille. Supprimez les cellules isolées loin du tableau ou découpez le fichier.".replace(",", " "),
                f"Sheet '{self.sheet}' spans {self.max_row} rows × {self.max_col} columns (cells far apart), "
                f"above the limit of {self.limits.max_cells:,} cells per sheet. Delete stray cells far from "
                "the table or split the file.")

    def _dimension(self, chunk: bytes) -> None:
        """Check the declared range; its last column is a hint the scan then verifies (never trusted)."""
        m = _DIMENSION.search(chunk)
        if m:
            ref = m.group(1).decode(errors="replace")
            self._area(ref, "dimension")
            last = _REF.match(ref.split(":")[-1])
            if last and column_number(last.group(1)) <= 26:
                self.hint_col = column_number(last.group(1))

    def _merge(self, ref: str) -> None:
        self._area(ref, "merge")

    def _area(self, ref: str, what: str) -> None:
        """A declared range (``<dimension>``, ``<mergeCell>``): inside Excel's grid and at most ``max_cells``."""
        ends = ref.split(":")
        points = []
        for end in ends:
            m = _REF.match(end)
            if not m or column_number(m.group(1)) > EXCEL_MAX_COLUMNS or int(m.group(2)) > EXCEL_MAX_ROWS \
                    or int(m.group(2)) == 0 or len(ends) > 2:
                raise _beyond(self.sheet, ref)
            points.append((column_number(m.group(1)), int(m.group(2))))
        (c1, r1), (c2, r2) = points[0], points[-1]
        area = (abs(c2 - c1) + 1) * (abs(r2 - r1) + 1)
        if what == "merge" and area > self.limits.max_cells:
            raise FileRejected(
                f"La feuille « {self.sheet} » fusionne la plage {ref} ({area:,} cellules), au-delà de la limite "
                f"de {self.limits.max_cells:,} cellules. Annulez cette fusion puis importez le fichier à nouveau."
                .replace(",", " "),
                f"Sheet '{self.sheet}' merges range {ref} ({area:,} cells), above the limit of "
                f"{self.limits.max_cells:,} cells. Unmerge it and upload the file again.")

    def _formula(self, letters: str, row: int, text: bool, value: bytes | None) -> None:
        advice_fr = "Ouvrez le fichier dans Excel, enregistrez-le puis importez-le à nouveau."
        advice_en = "Open the file in Excel, save it and upload it again."
        if value is None or (value == b"" and not text):
            self.add("formula_no_value", "warning",
                     f"Formule sans valeur calculée : la cellule est lue vide. {advice_fr}",
                     f"Formula without a computed value: the cell is read as empty. {advice_en}", row, letters)
        elif not text and value in (b"0", b"0.0", b"-0"):
            self.add("formula_cached_zero", "warning",
                     f"Formule dont la valeur enregistrée est 0 : elle n'a peut-être jamais été calculée. {advice_fr}",
                     f"Formula whose saved value is 0: it may never have been computed. {advice_en}", row, letters)

    def _error(self, letters: str, row: int, value: bytes) -> None:
        code = value.decode(errors="replace")[:20] or "#ERREUR"
        self.add("error_cell", "warning",
                 f"Cellule en erreur ({code}) : lue vide. Corrigez la formule dans le fichier source.",
                 f"Error cell ({code}): read as empty. Fix the formula in the source file.", row, letters)

    def _hidden_row(self, row: int) -> None:
        self.add("hidden_row", "info", "Ligne masquée : lue comme les autres.",
                 "Hidden row: read like the others.", row)

    def _hidden_columns(self, low: int, high: int) -> None:
        if 1 <= low <= high <= EXCEL_MAX_COLUMNS:
            span = column_letter(low - 1) if low == high else f"{column_letter(low - 1)}:{column_letter(high - 1)}"
            self.add("hidden_column", "info", f"Colonne(s) masquée(s) {span} : lue(s) comme les autres.",
                     f"Hidden column(s) {span}: read like the others.", None, column_letter(low - 1))

    def _long_number(self, letters: str, row: int) -> None:
        self.add("long_number", "warning",
                 "Nombre de 16 chiffres ou plus : Excel n'en garde que 15, les derniers chiffres sont perdus. "
                 "S'il s'agit d'un identifiant, enregistrez la colonne au format Texte.",
                 "Number of 16 digits or more: Excel keeps only 15, the last digits are lost. "
                 "If it is an identifier, store the column as Text.", row, letters)


_IMPLICIT = re.compile(rb'<c(?:>|/>| (?!r="))|<row(?:>|/>| (?!r="))')

QUICK_MIN_BYTES = CHUNK
"""Sheet parts larger than this (uncompressed) get the RE2 pre-pass, when pyarrow is installed."""


def _re2() -> tuple[Any, Any] | None:
    """``(pyarrow, pyarrow.compute)``, whose regular expressions (RE2, linear time) see bytes as Latin-1; or None."""
    try:
        import pyarrow
        import pyarrow.compute
    except Exception:  # noqa: BLE001 - not installed, or broken: the plain scan does everything
        return None
    return pyarrow, pyarrow.compute


def _quiet_pattern(max_row: int, max_col: int) -> str:
    """RE2 pattern for ``_SheetScan._quiet``: a superset of whatever ``_fast_chunk`` acts on.

        >>> _quiet_pattern(9, 3).count("|") > 8
        True
    """
    implicit = r'(?:[^r]|r[^=]|r=[^"]|r?=?\z)'  # what the lookahead (?!r=") lets through, end of chunk included
    columns = r"[A-Z]+" if max_col == 0 else _letters_greater_than(column_letter(max_col - 1))
    parts = [
        r"<c(?:>|/>| " + implicit + ")", r"<row(?:>|/>| " + implicit + ")",
        r' r="(?:' + columns + r")[0-9]",
        r' r="[A-Z]*' + _greater_than(max_row).decode() + '"',
        "<f", 't="e"', 'hidden="', "<mergeCell ",
        r"<v>-?(?:[0-9]{16,}(?:\.[0-9]*)?|[0-9](?:\.[0-9]+)?[eE]\+?(?:1[5-9]|[2-9][0-9]|[0-9]{3}))</v>",
    ]
    return "|".join(parts)


def _letters_greater_than(letters: str) -> str:
    """A regex matching column letters after ``letters`` (longer, or as long and later: "AB" > "Z").

        >>> bool(re.fullmatch(_letters_greater_than("AD"), "AE")), bool(re.fullmatch(_letters_greater_than("AD"), "AC"))
        (True, False)
    """
    options = [r"[A-Z]{%d,}" % (len(letters) + 1)]
    for i, ch in enumerate(letters):
        if ch < "Z":
            rest = len(letters) - i - 1
            options.append(letters[:i] + "[%s-Z]" % chr(ord(ch) + 1) + (r"[A-Z]{%d}" % rest if rest else ""))
    return "(?:" + "|".join(options) + ")"
_REF_AT = re.compile(rb'<c r="([A-Z]+)([0-9]+)"')



# --- messages -------------------------------------------------------------------------------


def _password() -> FileRejected:
    return FileRejected(
        "Ce classeur est protégé par un mot de passe : retirez le mot de passe et déposez le fichier à "
        "nouveau (Fichier > Informations > Protéger le classeur).",
        "This workbook is password-protected: remove the password and upload again "
        "(File > Info > Protect Workbook).")


def _damaged() -> FileRejected:
    return FileRejected(
        "Le fichier est incomplet ou endommagé (archive illisible). Téléchargez-le à nouveau depuis sa "
        "source puis réimportez-le.",
        "The file is incomplete or damaged (unreadable archive). Download it again from its source and "
        "upload it again.")


def _bomb(why_fr: str, why_en: str) -> FileRejected:
    return FileRejected(
        f"Fichier rejeté : {why_fr}. Ce n'est pas un classeur ordinaire (archive piégée ?). "
        "Ouvrez-le dans Excel, enregistrez-le au format .xlsx puis importez-le à nouveau.",
        f"File rejected: {why_en}. This is not an ordinary workbook (a zip bomb?). "
        "Open it in Excel, save it as .xlsx and upload it again.")


def _dtd() -> FileRejected:
    return FileRejected(
        "Fichier rejeté : il contient des déclarations XML (DTD, entités) qu'aucun tableur n'écrit. "
        "Ouvrez-le dans Excel, enregistrez-le au format .xlsx puis importez-le à nouveau.",
        "File rejected: it holds XML declarations (DTD, entities) no spreadsheet writes. "
        "Open it in Excel, save it as .xlsx and upload it again.")


def _beyond(sheet: str, ref: str) -> FileRejected:
    ref = ref[:40]
    return FileRejected(
        f"La feuille « {sheet} » contient la référence {ref}, hors des limites d'Excel (XFD1048576) : "
        "le fichier est endommagé ou fabriqué. Ouvrez-le dans Excel, enregistrez-le puis importez-le à nouveau.",
        f"Sheet '{sheet}' holds reference {ref}, beyond Excel's limits (XFD1048576): the file is damaged "
        "or forged. Open it in Excel, save it and upload it again.")


def _macros() -> Issue:
    return note("macros_ignored", "info",
                "Le classeur contient des macros : elles n'ont été ni exécutées ni conservées.",
                "The workbook holds macros: they were neither run nor kept.")


def _unsupported() -> FileRejected:
    return FileRejected(
        "Type de fichier non pris en charge. Importez un classeur Excel (.xlsx, .xlsm, .xls), "
        "OpenDocument (.ods) ou un fichier CSV.",
        "Unsupported file type. Upload an Excel workbook (.xlsx, .xlsm, .xls), an OpenDocument "
        "spreadsheet (.ods) or a CSV file.")
