"""Large .xlsx sheets read into typed columns, cell for cell what python-calamine gives (the sandbox's child).

    sheets = read_workbook(data)            # None: not for this file (python-calamine reads it all)
    [(s.name, s.exact) for s in sheets]     # exact=False: python-calamine reads that sheet
    [('Campagnes', True)]
    sheets[0].head[:1], [c[0] for c in sheets[0].columns]
    ([['Rapport de campagnes', '', '']], ['codes', 'codes', 'float'])

Why: python-calamine parses a sheet's XML twice (its cells, then again for
its merged areas) and makes a Python object of every cell; fastexcel parses
it once into Arrow arrays, but coerces: a column read as numbers turns the
text "12" and TRUE into 12.0 and 1.0, a column read as text turns numbers
into rounded strings. So a sheet is read in two parts:

- the *head*, its first ``HEAD_ROWS`` rows of XML (title lines, the header,
  the first data rows), by python-calamine from a copy of the workbook cut
  after them: exact, whatever they hold;
- the *body*, every row below, by fastexcel with each column's type inferred
  over all its cells and ``dtype_coercion="strict"``: a column holding two
  kinds of cells (numbers and text, dates and text...) stops the read, and
  python-calamine reads that sheet. Cells fastexcel counts as missing while
  inferring (#DIV/0!, "n/a", "NULL"...) come back as conversion errors naming
  the cell and its content, turned into what python-calamine gives (``""``
  for an error, the text for a string); a NaN among numbers (the text "NaN"
  converts silently) also sends the sheet to python-calamine.

Dates are made as python-calamine makes them from the same serial number,
which calamine rounds to the millisecond: a time of day below one day, a
date on a whole day, else a date-time. One difference is known and harmless
(``periods`` reads both alike): a date-time within half a millisecond of
midnight comes as a date, where python-calamine, looking at the unrounded
serial, gives a date-time at 00:00. 1904-based workbooks, serials before
March 1900 and years after 9999 go to python-calamine, as does any sheet
whose XML is not in the usual shape (a namespace prefix, rows without their
number). Rows are taken to be written in order, as every writer does.
"""

from __future__ import annotations

import datetime
import io
import re
import threading
import zipfile
from dataclasses import dataclass, field

from kpis.ingest.gate import _sheet_parts

__all__ = ["HEAD_ROWS", "TypedSheet", "read_workbook"]

HEAD_ROWS = 100
"""Rows of XML read by python-calamine at the top of each sheet (headers are looked for in the first 30)."""
MAX_HEAD_BYTES = 16 * 1024 ** 2
"""A head longer than this (huge rows) is not cut: python-calamine reads the sheet."""
MAX_COPIED_BYTES = 32 * 1024 ** 2
"""Shared strings and other parts copied beside the heads, at most (uncompressed): more, python-calamine reads all."""
_READ = 64 * 1024

_ROW_END = re.compile(rb"</row>|<row\b[^>]*/>")
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="([0-9]+)"')
_PREFIXED_ROOT = re.compile(rb"<\w+:worksheet\b")
_DATE1904 = re.compile(rb'date1904\s*=\s*["\'](?:1|true)["\']')
_DETAIL = re.compile(r"but got '(?P<cell>.*?)'?\Z", re.DOTALL)
_STRING = re.compile(r'(?:Shared)?String\("(?P<text>.*)"\)\Z', re.DOTALL)
_ESCAPE = re.compile(r"\\(?:u\{([0-9a-fA-F]{1,6})\}|(.))", re.DOTALL)
_ESCAPED = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "\\": "\\", '"': '"', "'": "'"}

MS_PER_DAY = 86_400_000


def _ms(*date) -> int:
    return (datetime.datetime(*date) - datetime.datetime(1970, 1, 1)) // datetime.timedelta(milliseconds=1)


_MS_1900 = _ms(1900, 1, 1)  # serials below 1 (a time of day) come before it: calamine counts them from 1899-12-31
_MS_1900_MARCH = _ms(1900, 3, 2)  # calamine's shift for Excel's 29 February 1900 is over after this
_MS_LAST = _ms(9999, 12, 31, 23, 59, 59, 999000)


@dataclass
class TypedSheet:
    """One worksheet: its head as rows, its body as typed columns (or ``exact=False``: read it with python-calamine).

    ``columns[j]`` is absolute column j (A = 0) of the body rows ``numbers``:
    ``("float", float64 values, positions of other cells, those cells)``,
    ``("codes", uint32 codes, distinct cells)`` or ``("cells", list)``.
    """

    name: str
    hidden: bool
    exact: bool = True
    head: list[list] = field(default_factory=list)
    head_numbers: list[int] = field(default_factory=list)
    columns: list[tuple] = field(default_factory=list)
    numbers: object = None  # numpy int64 array of the body's row numbers
    width: int = 0


def read_workbook(data: bytes) -> list[TypedSheet] | None:
    """Every worksheet of an .xlsx as python-calamine lists them; None when fastexcel cannot help at all.

    Raises what python-calamine raises on the head copy (a damaged file: the caller reads it the usual way).
    """
    from importlib.util import find_spec

    if not all(find_spec(m) for m in ("fastexcel", "pyarrow", "numpy")):
        return None  # not installed: python-calamine reads everything
    import python_calamine

    zf = zipfile.ZipFile(io.BytesIO(data))
    names = {i.filename for i in zf.infolist()}
    if "xl/workbook.xml" not in names or _DATE1904.search(zf.read("xl/workbook.xml")):
        return None
    paths: dict[str, str] = {}
    for sheet_name, path in _sheet_parts(zf, names):  # the sheets the workbook names come first: they win
        paths.setdefault(sheet_name, path)
    copied = sum(i.file_size for i in zf.infolist() if i.filename not in paths.values() and _copied(i.filename))
    if copied > MAX_COPIED_BYTES:  # (copied and parsed twice, once per reader: the child's memory is bounded)
        return None
    head_book, cuts = _head_workbook(zf, set(paths.values()))
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(head_book))
    reader = None
    sheets = []
    with book:
        for meta in book.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            hidden = meta.visible != python_calamine.SheetVisibleEnum.Visible
            part = paths.get(meta.name)
            cut = cuts.get(part, "unusual") if part is not None else "unusual"
            if isinstance(cut, str):  # "unusual": python-calamine reads the sheet
                sheets.append(TypedSheet(meta.name, hidden, exact=False))
                continue
            head, head_numbers = _head_rows(book, meta.name)
            sheet = TypedSheet(meta.name, hidden, head=head, head_numbers=head_numbers,
                               width=max(map(len, head), default=0))
            if cut is not None:  # rows below the head: fastexcel
                if head_numbers and head_numbers[-1] > cut:
                    sheet.exact = False  # a cell of the head placed below it: not the usual shape
                else:
                    if reader is None:  # imported only now: their libraries take 280 MB of the child's address space
                        import fastexcel

                        threading.Thread(target=_import_arrow, daemon=True).start()  # while fastexcel parses
                        reader = fastexcel.read_excel(data)
                    sheet.exact = _read_body(reader, sheet, cut)
            sheets.append(sheet)
    return sheets


def _import_arrow() -> None:
    import numpy  # noqa: F401
    import pyarrow  # noqa: F401


# --- the head ---------------------------------------------------------------------------------


def _head_workbook(zf: zipfile.ZipFile, sheet_paths: set[str]) -> tuple[bytes, dict[str, int | None | str]]:
    """The workbook with each worksheet cut after ``HEAD_ROWS`` rows, and where each was cut.

    A cut is the last row number kept, None when the whole sheet was kept, ``"unusual"`` when the
    XML is not in the shape the cut relies on (the sheet is then left whole, and read elsewhere).
    """
    out = io.BytesIO()
    cuts: dict[str, int | None | str] = {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as head:
        for info in zf.infolist():
            if info.filename in sheet_paths:
                xml, cuts[info.filename] = _cut(zf, info.filename)
                head.writestr(info.filename, xml)
            elif _copied(info.filename):
                head.writestr(info.filename, zf.read(info.filename))
    return out.getvalue(), cuts


def _copied(name: str) -> bool:
    """The parts the head copy keeps beside the cut sheets: XML and relationships (no media, no macros)."""
    return name.lower().endswith((".xml", ".rels"))


def _cut(zf: zipfile.ZipFile, path: str) -> tuple[bytes, int | None | str]:
    """The sheet's XML up to the end of its ``HEAD_ROWS``-th row, closed; and the cut (see ``_head_workbook``)."""
    buf, rows, pos = bytearray(), 0, 0
    with zf.open(path) as part:
        while True:
            piece = part.read(_READ)
            buf += piece
            if _PREFIXED_ROOT.search(buf, 0, 4096) or len(buf) > MAX_HEAD_BYTES:
                return b"", "unusual"
            for match in _ROW_END.finditer(buf, pos):
                rows += 1
                pos = match.end()
                if rows == HEAD_ROWS:
                    last = buf.rfind(b"<row", 0, pos)
                    number = _ROW_NUMBER.match(buf, last) if last >= 0 else None
                    if number is None:
                        return b"", "unusual"
                    return bytes(buf[:pos]) + b"</sheetData></worksheet>", int(number.group(1))
            if not piece:
                return bytes(buf), None
            pos = max(pos, buf.rfind(b"<"))  # a row end cut by this read is matched whole by the next


def _head_rows(book, name: str) -> tuple[list[list], list[int]]:
    from kpis.ingest.readers import _read_sheet_rows

    return _read_sheet_rows(book.get_sheet_by_name(name))


# --- the body ---------------------------------------------------------------------------------


class _NotExact(Exception):
    """A cell fastexcel cannot give as python-calamine would: the sheet is read by python-calamine."""


def _read_body(reader, sheet: TypedSheet, cut: int) -> bool:
    """Rows below row ``cut`` into ``sheet.columns``; False when they cannot be read exactly."""
    import numpy as np

    try:
        loaded = reader.load_sheet(sheet.name, header_row=None, skip_rows=cut, dtype_coercion="strict",
                                   schema_sample_rows=None)
        batch, errors = loaded.to_arrow_with_errors()
        first = [c.absolute_index for c in loaded.selected_columns]
    except Exception:  # noqa: BLE001 - two kinds of cells in a column (or anything fastexcel refuses)
        return False
    if first != list(range(first[0], first[0] + len(first)) if first else []) or len(first) != batch.num_columns:
        return False
    try:
        odd = _odd_cells(errors, cut, len(first))
        columns = [_column(batch.column(j), odd.get(j, {})) for j in range(batch.num_columns)]
    except _NotExact:
        return False
    n = batch.num_rows
    blank = np.ones(n, dtype=bool)
    for _, is_blank in columns:
        blank &= is_blank
    keep = np.flatnonzero(~blank)
    offset = first[0] if first else 0
    sheet.columns = [("codes", np.zeros(len(keep), dtype=np.uint32), [""])] * offset + [
        _take(spec, keep) for spec, _ in columns]
    sheet.numbers = keep.astype(np.int64) + cut + 1
    sheet.width = max(sheet.width, len(sheet.columns))
    return True


def _odd_cells(errors, cut: int, width: int) -> dict[int, dict[int, object]]:
    """{column: {body row: cell}} for the cells fastexcel could not convert, as python-calamine gives them."""
    odd: dict[int, dict[int, object]] = {}
    for error in (errors.errors if errors is not None else ()):
        row, col = error.position
        if not (cut <= row and 0 <= col < width):
            raise _NotExact
        odd.setdefault(col, {})[row - cut] = _cell_of(error.detail)
    return odd


def _cell_of(detail: str) -> object:
    """``Expected float but got 'String("n/a")'`` → ``"n/a"``; an error cell → ``""``; anything else: not exact."""
    found = _DETAIL.search(detail)
    cell = found.group("cell") if found else ""
    if cell.startswith("Error(") or cell == "Empty":
        return ""
    text = _STRING.match(cell)
    if text is None:
        raise _NotExact
    return _unescape(text.group("text"))


def _unescape(text: str) -> str:
    """Undo Rust's ``{:?}`` escaping of a string (``\\"``, ``\\n``, ``\\u{1f}``...)."""
    def one(m: re.Match) -> str:
        if m.group(1):
            return chr(int(m.group(1), 16))
        if m.group(2) in _ESCAPED:
            return _ESCAPED[m.group(2)]
        raise _NotExact

    return _ESCAPE.sub(one, text)


def _column(array, odd: dict[int, object]) -> tuple[tuple, object]:
    """One body column as a typed spec (see ``TypedSheet``) and its blank cells (for dropping blank rows).

    Arrow's buffers are read with numpy directly (``Array.to_numpy`` would import pandas into the child),
    and missing cells are handled as arrays: a sparse sheet has millions of them.
    """
    import numpy as np
    import pyarrow as pa

    n = len(array)
    kind = array.type
    missing = np.ones(n, dtype=bool) if pa.types.is_null(kind) else _missing(array)
    where = np.flatnonzero(missing)
    rows = np.fromiter(odd, dtype=np.int64, count=len(odd))
    if len(rows) and not missing[rows].all():
        raise _NotExact  # a cell both converted and in error
    values = list(odd.values())
    blank = missing.copy()
    blank[rows] = [type(v) is str and not v.strip() for v in values]
    if pa.types.is_float64(kind):
        numbers = _buffer(array, np.float64).copy()
        numbers[where] = 0.0
        if np.isnan(numbers).any():
            raise _NotExact  # the text "NaN" turned into a number
        others: list[object] = [""] * len(where)
        for k, v in zip(np.searchsorted(where, rows).tolist(), values, strict=False):
            others[k] = v
        return ("float", numbers, where.astype(np.int64), others), blank
    if pa.types.is_null(kind):
        codes, distinct = np.zeros(n, dtype=np.int64), []
    elif pa.types.is_string(kind):
        encoded = array.dictionary_encode()
        distinct = encoded.dictionary.to_pylist()
        codes = _buffer(encoded.indices, np.int32).astype(np.int64)
        space = np.array([not s.strip() for s in distinct] or [True], dtype=bool)
        codes[where] = 0
        blank = np.where(missing, blank, space[codes])
    elif (pa.types.is_timestamp(kind) and kind.tz is None or pa.types.is_duration(kind)) and kind.unit == "ms":
        ms = _buffer(array, np.int64).copy()
        ms[where] = 0
        uniques, inverse = np.unique(ms[~missing], return_inverse=True)
        codes = np.zeros(n, dtype=np.int64)
        codes[~missing] = inverse.reshape(-1)
        make = _excel_datetime if pa.types.is_timestamp(kind) else _duration
        distinct = [make(v) for v in uniques.tolist()]
    elif pa.types.is_boolean(kind):
        cells = array.to_pylist()
        for i in where.tolist():
            cells[i] = odd.get(i, "")
        return ("cells", cells), blank
    else:
        raise _NotExact  # integers (never from .xlsx), or a type this reader does not know
    return _coded_cells(codes, distinct, where, rows, values), blank


def _buffer(array, dtype):
    """The values buffer of a fixed-width Arrow array, as numpy (values under nulls are whatever was there)."""
    import numpy as np

    return np.frombuffer(array.buffers()[1], dtype=dtype, count=array.offset + len(array))[array.offset:]


def _missing(array):
    """True where the Arrow array is null, from its validity bitmap."""
    import numpy as np

    n = len(array)
    if array.null_count == 0:
        return np.zeros(n, dtype=bool)
    bits = np.unpackbits(np.frombuffer(array.buffers()[0], dtype=np.uint8), bitorder="little")
    return bits[array.offset:array.offset + n] == 0


def _duration(ms: int) -> datetime.timedelta:
    return datetime.timedelta(milliseconds=ms)


def _coded_cells(codes, distinct: list, where, rows, values: list) -> tuple:
    """``("codes", ...)`` with the missing cells (``where``) made ``""``, and those at ``rows`` ``values`` instead."""
    import numpy as np

    index = {(v.__class__, v): i for i, v in enumerate(distinct)}
    if len(where):
        codes = codes.copy()
        codes[where] = index.setdefault((str, ""), len(index))
        codes[rows] = [index.setdefault((v.__class__, v), len(index)) for v in values]
    return "codes", codes.astype(np.uint32), [v for _, v in index]


def _excel_datetime(ms: int):
    """A timestamp fastexcel made from an Excel serial → python-calamine's time, date or date-time."""
    if ms < _MS_1900:  # a serial below 1: a time of day (calamine counts it from 1899-12-31)
        of_day = ms - (_MS_1900 - MS_PER_DAY)
        if not 0 <= of_day < MS_PER_DAY:
            raise _NotExact
        return (datetime.datetime.min + datetime.timedelta(milliseconds=of_day)).time()
    if ms < _MS_1900_MARCH or ms > _MS_LAST:
        raise _NotExact  # Excel's 29 February 1900, or beyond Python's dates: python-calamine decides
    moment = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=ms)
    return moment.date() if ms % MS_PER_DAY == 0 else moment


def _take(spec: tuple, keep) -> tuple:
    """The spec's rows at ``keep`` (the body without its blank rows)."""
    import numpy as np

    if spec[0] == "float":
        _, values, where, others = spec
        kept = np.isin(where, keep)
        position = np.searchsorted(keep, where[kept])
        others = np.array(others, dtype=object)[kept].tolist() if len(others) else []
        return "float", values[keep], position.astype(np.int64), others
    if spec[0] == "codes":
        return "codes", spec[1][keep], spec[2]
    return "cells", [spec[1][i] for i in keep.tolist()]
