"""A corpus of hostile and broken spreadsheets, written at test time (no binary blobs).

    files = write_corpus(tmp_path)          # {case name: Path}
    CASES["far_apart_cells"].expect          # what reading it must give: "rejected"

Each ``Case`` builds its bytes with the standard library, openpyxl, xlsxwriter
or xlwt, and says what Passerelle must do with it: ``expect`` is "rejected"
(with words the English message must hold) or "read" (with the rows the
ingestion keeps and the warning codes the reader must raise).
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import openpyxl
import xlsxwriter
import xlwt

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>")
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
    '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
SHARED_STRINGS = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" count="2" uniqueCount="2">'
                  "<si><t>Date</t></si><si><t>Clics</t></si></sst>")
HEADER_ROW = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'


def sheet_xml(rows: str, *, dimension: str = "A1:B2", after: str = "", prolog: str = "") -> str:
    """A worksheet part: ``rows`` is the inside of ``<sheetData>``."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN_NS}">'
            f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData>{after}</worksheet>')


def data_rows(n: int, first: int = 2) -> str:
    """``n`` rows of (Excel date serial: one day each from 2026-09-01, clicks) from row ``first``."""
    return "".join(f'<row r="{r}"><c r="A{r}"><v>{46266 + r - first}</v></c><c r="B{r}"><v>{r}</v></c></row>'
                   for r in range(first, first + n))


def xlsx(sheet: str | bytes, *, shared: str = SHARED_STRINGS, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .xlsx whose one sheet, "Data", is ``sheet``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/sharedStrings.xml", shared)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return out.getvalue()


def streamed_xlsx(head: str, repeat: bytes, times: int, tail: str) -> bytes:
    """An .xlsx whose sheet is ``head + repeat * times + tail``, compressed without holding it in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("xl/workbook.xml", WORKBOOK), ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                           ("xl/sharedStrings.xml", SHARED_STRINGS)):
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(head.encode())
            block = repeat * max(1, (1 << 20) // len(repeat))
            for _ in range(times * len(repeat) // len(block)):
                part.write(block)
            part.write(tail.encode())
    return out.getvalue()


# --- the cases ------------------------------------------------------------------------------------


def zip_bomb() -> bytes:
    """~420 MB of sheet XML in ~1.5 MB: identical rows compress ~300 times."""
    row = b'<row r="2"><c r="A2"><v>46266</v></c><c r="B2"><v>1</v></c></row>'
    return streamed_xlsx(f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>{HEADER_ROW}',
                         row, 420_000_000 // len(row), "</sheetData></worksheet>")


def whitespace_bomb() -> bytes:
    """200 MB of spaces between two rows."""
    return streamed_xlsx(f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>{HEADER_ROW}',
                         b" ", 200_000_000, data_rows(3) + "</sheetData></worksheet>")


def far_apart_cells() -> bytes:
    """A1 and XFD1048576: calamine would allocate 17 billion cells (and abort the process)."""
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
    return xlsx(sheet_xml(rows, dimension="A1:XFD1048576"))


def merged_cell_bomb() -> bytes:
    merged = '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    return xlsx(sheet_xml(HEADER_ROW + data_rows(3), after=merged))


def understated_dimension() -> bytes:
    """1,000 data rows under a ``<dimension>`` that claims A1:B2."""
    return xlsx(sheet_xml(HEADER_ROW + data_rows(1000), dimension="A1:B2"))


def billion_laughs() -> bytes:
    levels = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    prolog = f'<!DOCTYPE worksheet [{"".join(levels)}]>'
    return xlsx(sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', prolog=prolog))


def xxe() -> bytes:
    shared = (f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
              f'<sst xmlns="{MAIN_NS}" count="2" uniqueCount="2"><si><t>&xxe;</t></si><si><t>Clics</t></si></sst>')
    return xlsx(sheet_xml(HEADER_ROW + data_rows(2)), shared=shared)


def encrypted_workbook() -> bytes:
    """A minimal OLE compound file holding EncryptionInfo and EncryptedPackage, as Excel writes one."""
    return ole_file({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + b"\x00" * 4088,
                     "EncryptedPackage": struct.pack("<Q", 4000) + b"\x5a" * 4088})


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file (512-byte sectors); streams of 4096+ bytes avoid the mini stream."""
    end, free, fat_sect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    data_sectors, fat = [], [fat_sect, end]  # sector 0: the FAT, sector 1: the directory
    entries = [("Root Entry", 5, end, 0)]
    for name, body in streams.items():
        body = body + b"\x00" * (-len(body) % 512)
        start = 2 + len(data_sectors)
        count = len(body) // 512
        data_sectors += [body[i * 512:(i + 1) * 512] for i in range(count)]
        fat += [start + i + 1 for i in range(count - 1)] + [end]
        entries.append((name, 2, start, len(body)))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat) + struct.pack("<I", free) * (128 - len(fat))
    directory = b""
    for i, (name, kind, start, size) in enumerate(entries):
        encoded = (name + "\x00").encode("utf-16-le")
        child = 1 if i == 0 else free
        right = i + 1 if 0 < i < len(entries) - 1 else free
        directory += (encoded.ljust(64, b"\x00") + struct.pack("<HBB", len(encoded), kind, 1)
                      + struct.pack("<III", free, right, child) + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16
                      + struct.pack("<IQ", start, size))
    directory = directory.ljust(512, b"\x00")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    return header + fat_bytes + directory + b"".join(data_sectors)


def xls_renamed_xlsx() -> bytes:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Data")
    style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for j, h in enumerate(["Date", "Clics"]):
        sheet.write(0, j, h)
    for i in range(3):
        sheet.write(i + 1, 0, dt.date(2026, 9, 1 + i), style)
        sheet.write(i + 1, 1, 10 + i)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def truncated_zip() -> bytes:
    whole = xlsx(sheet_xml(HEADER_ROW + data_rows(50)))
    return whole[: len(whole) // 2]


def empty_workbook() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    book.add_worksheet("Vide")
    book.close()
    return out.getvalue()


def _xlsxwriter_book(write: Callable, **options) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, options)
    sheet = book.add_worksheet("Data")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["Date", "Clics", "Impressions"])
    for i in range(3):
        sheet.write_datetime(i + 1, 0, dt.datetime(2026, 9, 1 + i), dates)
        sheet.write_number(i + 1, 1, 10 + i)
    write(book, sheet)
    book.close()
    return out.getvalue()


def formulas_cached_zero() -> bytes:
    """xlsxwriter's default: every formula saved with the value 0 (no Excel ever computed it)."""
    return _xlsxwriter_book(lambda book, sheet: [sheet.write_formula(i + 1, 2, f"=B{i + 2}*100") for i in range(3)])


def formulas_no_value() -> bytes:
    """openpyxl writes formulas with no saved value: every reader sees an empty cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(["Date", "Clics", "Impressions"])
    for i in range(3):
        sheet.append([dt.date(2026, 9, 1 + i), 10 + i, f"=B{i + 2}*100"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def error_cells() -> bytes:
    def write(book, sheet):
        sheet.write_formula(1, 2, "=1/0", None, "#DIV/0!")
        sheet.write_formula(2, 2, "=NA()", None, "#N/A")
        sheet.write_number(3, 2, 1000)
    return _xlsxwriter_book(write)


def dates_1904() -> bytes:
    return _xlsxwriter_book(lambda book, sheet: [sheet.write_number(i + 1, 2, 1000 + i) for i in range(3)],
                            date_1904=True)


def hidden_sheet_and_rows() -> bytes:
    def write(book, sheet):
        for i in range(3):
            sheet.write_number(i + 1, 2, 1000 + i)
        sheet.set_row(2, None, None, {"hidden": True})
        secret = book.add_worksheet("Masquée")
        secret.write_row(0, 0, ["Date", "Clics"])
        secret.write_datetime(1, 0, dt.datetime(2026, 9, 1), book.add_format({"num_format": "yyyy-mm-dd"}))
        secret.write_number(1, 1, 5)
        secret.hide()
    return _xlsxwriter_book(write)


def macro_part() -> bytes:
    """An .xlsm-like workbook carrying xl/vbaProject.bin (a fake project: never run, never kept)."""
    base = _xlsxwriter_book(lambda book, sheet: [sheet.write_number(i + 1, 2, 1000 + i) for i in range(3)])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/vbaProject.bin", ole_file({"VBA": b"Attribute VB_Name = \"Module1\"\n".ljust(4096, b" ")}))
    return out.getvalue()


def long_numbers() -> bytes:
    def write(book, sheet):
        for i in range(3):
            sheet.write_number(i + 1, 2, 1000 + i)
        sheet.write_number(1, 3, 12345678901234567890)
    return _xlsxwriter_book(write)


@dataclass(frozen=True)
class Case:
    """One corpus file and what Passerelle must make of it."""

    name: str
    build: Callable[[], bytes]
    filename: str
    expect: str  # "rejected" (FileRejected), "empty" (read, nothing importable) or "read"
    message: str = ""  # words the English rejection message holds
    rows: int | None = None  # rows the ingestion keeps (expect == "read")
    warnings: tuple[str, ...] = ()  # warning codes read_file_safely puts in RawSheet.meta
    cells: tuple[str, ...] = field(default=())  # "A1"-style cells the first warning code lists


CASES = {c.name: c for c in [
    Case("zip_bomb", zip_bomb, "bomb.xlsx", "rejected", "compressed"),
    Case("whitespace_bomb", whitespace_bomb, "spaces.xlsx", "rejected", "compressed"),
    Case("far_apart_cells", far_apart_cells, "far.xlsx", "rejected", "cells far apart"),
    Case("merged_cell_bomb", merged_cell_bomb, "merged.xlsx", "rejected", "merges range A1:XFD1048576"),
    Case("understated_dimension", understated_dimension, "dimension.xlsx", "read", rows=1000),
    Case("billion_laughs", billion_laughs, "laughs.xlsx", "rejected", "DTD"),
    Case("xxe", xxe, "xxe.xlsx", "rejected", "DTD"),
    Case("encrypted_workbook", encrypted_workbook, "secret.xlsx", "rejected", "remove the password and upload again"),
    Case("xls_renamed_xlsx", xls_renamed_xlsx, "old.xlsx", "read", rows=3, warnings=("file_type_mismatch",)),
    Case("truncated_zip", truncated_zip, "cut.xlsx", "rejected", "incomplete or damaged"),
    Case("empty_workbook", empty_workbook, "empty.xlsx", "empty", "No data table"),
    Case("formulas_no_value", formulas_no_value, "openpyxl_formulas.xlsx", "read", rows=3,
         warnings=("formula_no_value",), cells=("C2", "C3", "C4")),
    Case("formulas_cached_zero", formulas_cached_zero, "xlsxwriter_formulas.xlsx", "read", rows=3,
         warnings=("formula_cached_zero",), cells=("C2", "C3", "C4")),
    Case("error_cells", error_cells, "errors.xlsx", "read", rows=3, warnings=("error_cell",), cells=("C2", "C3")),
    Case("dates_1904", dates_1904, "mac.xlsx", "read", rows=3),
    Case("hidden_sheet_and_rows", hidden_sheet_and_rows, "hidden.xlsx", "read", rows=4,
         warnings=("hidden_row",), cells=("3",)),
    Case("macro_part", macro_part, "macros.xlsm", "read", rows=3, warnings=("macros_ignored",)),
    Case("long_numbers", long_numbers, "ids.xlsx", "read", rows=3, warnings=("long_number",), cells=("D2",)),
]}


def write_corpus(directory: Path, names=None) -> dict[str, Path]:
    """Write every case (or those named) to ``directory``; return {case name: path}."""
    paths = {}
    for name in names or CASES:
        case = CASES[name]
        path = Path(directory) / case.filename
        path.write_bytes(case.build())
        paths[name] = path
    return paths
