r"""Formatted, injection-safe Excel and CSV exports of what the CDO sees.

    >>> frame = pd.DataFrame({"Campagne": ["=1+1"], "CTR": [0.024], "Coût": [106.71]})
    >>> heading = Heading("Passerelle — Vue CDO", ("Période : du 01/11/2025 au 31/10/2026",))
    >>> data = to_excel({"Tableau de bord": frame}, formats={"CTR": "%", "Coût": ["€"]}, heading=heading)
    >>> data[:2]                                    # an .xlsx is a zip
    b'PK'
    >>> to_csv(frame).decode("utf-8-sig")           # the formula is neutralised
    "Campagne;CTR;Coût\r\n'=1+1;0,024;106,71\r\n"

Numbers stay numbers: a column's format is a unit of the catalog (``%`` for a
rate stored as a fraction, ``€``, ``×``, ``count``, ``score``), ``pp`` for a
change in percentage points, ``date``, or one of those per row (a list) when a
column mixes KPIs. A ``Heading`` puts a title block above every sheet's table
(what it is, the window, the filters, the sources, the export date); the header
row below it is bold and frozen.

Every user string is written as text, never as a formula or a link: a
campaign called ``=HYPERLINK(...)`` stays a campaign name. Control
characters are removed and over-long cells cut to Excel's limit. In CSV,
cells starting with ``= + - @``, a tab or a carriage return are prefixed
with an apostrophe so a spreadsheet does not evaluate them.

Numbers are written with ``SIGNIFICANT_DIGITS`` (12) significant digits
(``stable_number``): the store's sums run in parallel, in an order that
changes from run to run, so a total may come out as 7206745.239999999 one
time and 7206745.24 the next. Twelve digits keep cents up to a billion and
leave four digits of margin for that noise, so the same store gives the same
file.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

__all__ = ["to_excel", "to_csv", "safe_text", "stable_number", "stable_numbers", "sheet_name", "Heading",
           "NUMBER_FORMATS", "EXCEL_CELL_LIMIT", "SIGNIFICANT_DIGITS"]

EXCEL_CELL_LIMIT = 32_767
SIGNIFICANT_DIGITS = 12
"""Digits kept in exported numbers: float64 holds 15-16, a parallel sum's order changes the last one or two."""
SHEET_NAME_LIMIT = 31
NUMBER_FORMATS = {
    "percent": "0.0%",
    "euro": '#,##0.00 "€"',
    "integer": "#,##0",
    "decimal": "#,##0.00",
    "date": "yyyy-mm-dd",
    # by the catalog's units (kpis.catalog): a rate is a fraction shown as a percent, counts without decimals
    "%": "0.0%",
    "€": '#,##0.00 "€"',
    "×": '0.00 "×"',
    "count": "#,##0",  # below 100, a value with decimals gets "decimal" (kpis.i18n.fmt_value does the same)
    "score": "0.0",
    "pp": '+0.0 "pt";-0.0 "pt";0.0 "pt"',
}
"""Excel number formats by kind: a catalog unit, ``pp`` (a change already in percentage points) or the
older names (``percent``, ``euro``, ``integer``, ``decimal``, ``date``)."""


@dataclass(frozen=True)
class Heading:
    """The title block of every sheet of a workbook: ``title`` (the workbook's subject, the sheet's own title
    follows it) in bold, then one line per fact (window, filters, sources, export date)."""

    title: str
    lines: tuple[str, ...] = ()

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA_PREFIX = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")


def safe_text(value: str) -> str:
    """A string Excel can hold: no control characters, at most 32,767 characters."""
    text = _CONTROL.sub("", value)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 1] + "…"
    return text


def stable_number(value):
    """A float rounded to ``SIGNIFICANT_DIGITS`` significant digits; anything else unchanged.

        >>> stable_number(7206745.239999999), stable_number(0.1 + 0.2), stable_number("7.239999999999")
        (7206745.24, 0.3, '7.239999999999')
    """
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return value


def stable_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every float column through ``stable_number`` (a new frame; NaN stays NaN)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]) or out[column].dtype == object:
            out[column] = out[column].map(stable_number)
    return out


def sheet_name(name: str) -> str:
    """A sheet name Excel accepts (31 characters, none of ``[]:*?/\\``), cut between words when too long.

        >>> sheet_name("Détail des valeurs et lot d'origine")
        'Détail des valeurs et lot'
    """
    base = re.sub(r"[\[\]:*?/\\]", "-", name).strip().strip("'") or "Feuille"
    if len(base) > SHEET_NAME_LIMIT:
        cut = base[: SHEET_NAME_LIMIT + 1].rsplit(" ", 1)[0].rstrip(" -–,;·'")
        base = cut if " " in base[: SHEET_NAME_LIMIT + 1] and cut else base[:SHEET_NAME_LIMIT]
    return base


def _sheet_title(name: str, used: set[str]) -> str:
    base = sheet_name(name)
    title, k = base, 2
    while title.lower() in used:
        suffix = f" ({k})"
        title, k = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix, k + 1
    used.add(title.lower())
    return title


def _write_cell(ws, row: int, col: int, value) -> None:
    cell = ws.cell(row=row, column=col)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return
    if isinstance(value, str):
        cell.value = safe_text(value)
        cell.data_type = "s"  # never a formula, whatever the first character
    elif isinstance(value, pd.Timestamp):
        cell.value = value.to_pydatetime()
    elif hasattr(value, "item") and not isinstance(value, (bytes, bytearray)):
        cell.value = stable_number(value.item())  # numpy scalars
    elif isinstance(value, (int, float, bool)) or hasattr(value, "year"):
        cell.value = stable_number(value)
    else:
        cell.value = safe_text(str(value))
        cell.data_type = "s"


def _formats_of(frame: pd.DataFrame, formats: Mapping[str, str | Sequence[str]]) -> dict[int, list[str | None]]:
    """Column position → the number format of each row (None: General)."""
    out = {}
    for j, column in enumerate(frame.columns):
        kind = formats.get(str(column))
        if kind is None:
            continue
        kinds = [kind] * len(frame) if isinstance(kind, str) else list(kind)
        out[j] = [NUMBER_FORMATS.get(k) if isinstance(k, str) else None for k in kinds]
    return out


def _width(value) -> int:
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    return len(str(value)) if value is not None else 0


def to_excel(
    blocks: Mapping[str, pd.DataFrame],
    *,
    formats: Mapping[str, str | Sequence[str]] | None = None,
    notes: Mapping[str, str] | None = None,
    heading: Heading | None = None,
    titles: Mapping[str, str] | None = None,
    block_formats: Mapping[str, Mapping[str, str | Sequence[str]]] | None = None,
) -> bytes:
    """One sheet per block, a bold header row, frozen panes, filters and sized columns.

    ``formats`` maps a column name to a kind of ``NUMBER_FORMATS`` (or a list, one per row), for every block;
    ``block_formats`` does the same for one block. ``notes`` puts a line of text above a block's table (its
    filter, its source). ``heading`` writes a title block above every sheet, its title followed by the sheet's
    own (``titles[name]``, else the block's name); the block's name, cut between words, names the sheet.
    """
    formats = formats or {}
    notes = notes or {}
    titles = titles or {}
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for name, frame in blocks.items():
        ws = wb.create_sheet(_sheet_title(name, used))
        top = 1
        if heading is not None:
            _write_cell(ws, 1, 1, f"{heading.title} — {titles.get(name, name)}")
            ws.cell(row=1, column=1).font = Font(bold=True, size=13)
            for i, line in enumerate(heading.lines, start=2):
                _write_cell(ws, i, 1, line)
                ws.cell(row=i, column=1).font = Font(color="555555")
            top = len(heading.lines) + 3
        if name in notes:
            _write_cell(ws, top, 1, notes[name])
            ws.cell(row=top, column=1).font = Font(italic=True, color="555555")
            top += 2
        for j, column in enumerate(frame.columns, start=1):
            _write_cell(ws, top, j, str(column))
            header = ws.cell(row=top, column=j)
            header.font = Font(bold=True, color="FFFFFF")
            header.fill = _HEADER_FILL
            header.alignment = Alignment(vertical="center", wrap_text=True)
        for i, row in enumerate(frame.itertuples(index=False), start=top + 1):
            for j, value in enumerate(row, start=1):
                _write_cell(ws, i, j, value)
        by_row = _formats_of(frame, {**formats, **(block_formats or {}).get(name, {})})
        for j, column in enumerate(frame.columns, start=1):
            for i, fmt in enumerate(by_row.get(j - 1, []), start=top + 1):
                cell = ws.cell(row=i, column=j)
                if fmt == NUMBER_FORMATS["count"] and isinstance(cell.value, float) and abs(cell.value) < 100 \
                        and not cell.value.is_integer():
                    fmt = NUMBER_FORMATS["decimal"]  # a small average (2.5 contributions a user) keeps its decimals
                if fmt:
                    cell.number_format = fmt
            sample = [len(str(column))] + [_width(v) for v in frame[column].head(200).tolist()]
            ws.column_dimensions[get_column_letter(j)].width = min(max(max(sample) + 2, 8), 60)
        ws.freeze_panes = ws.cell(row=top + 1, column=1)
        if len(frame.columns):
            ws.auto_filter.ref = f"A{top}:{get_column_letter(len(frame.columns))}{top + max(len(frame), 1)}"
    if not wb.sheetnames:
        wb.create_sheet("Vide")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _neutralise(value):
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIX):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame, *, sep: str = ";", decimal: str = ",") -> bytes:
    """CSV in UTF-8 with BOM (Excel opens it right), formula prefixes neutralised."""
    safe = frame.map(lambda v: _neutralise(stable_number(v))) if len(frame) else frame
    safe = safe.rename(columns=lambda c: _neutralise(str(c)))
    # CRLF line ends make the writer quote any field holding a CR or LF
    return safe.to_csv(index=False, sep=sep, decimal=decimal, lineterminator="\r\n").encode("utf-8-sig")
