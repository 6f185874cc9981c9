r"""Formatted, injection-safe Excel and CSV exports of what the CDO sees.

    >>> frame = pd.DataFrame({"Campagne": ["=1+1"], "CTR": [0.024]})
    >>> data = to_excel({"Tableau de bord": frame}, formats={"CTR": "percent"})
    >>> data[:2]                                    # an .xlsx is a zip
    b'PK'
    >>> to_csv(frame).decode("utf-8-sig")           # the formula is neutralised
    "Campagne;CTR\r\n'=1+1;0,024\r\n"

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
from typing import Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

__all__ = ["to_excel", "to_csv", "safe_text", "stable_number", "stable_numbers", "EXCEL_CELL_LIMIT",
           "SIGNIFICANT_DIGITS"]

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
}
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


def _sheet_title(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", name).strip().strip("'") or "Feuille"
    base = base[:SHEET_NAME_LIMIT]
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


def to_excel(
    blocks: Mapping[str, pd.DataFrame],
    *,
    formats: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
) -> bytes:
    """One sheet per block, a bold header row, frozen panes, filters and sized columns.

    ``formats`` maps a column name to ``percent``, ``euro``, ``integer``,
    ``decimal`` or ``date``; ``notes`` puts a line of text above a block's
    table (its filter, its source).
    """
    formats = formats or {}
    notes = notes or {}
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for name, frame in blocks.items():
        ws = wb.create_sheet(_sheet_title(name, used))
        top = 1
        if name in notes:
            _write_cell(ws, 1, 1, notes[name])
            ws.cell(row=1, column=1).font = Font(italic=True, color="555555")
            top = 3
        for j, column in enumerate(frame.columns, start=1):
            _write_cell(ws, top, j, str(column))
            header = ws.cell(row=top, column=j)
            header.font = Font(bold=True, color="FFFFFF")
            header.fill = _HEADER_FILL
            header.alignment = Alignment(vertical="center", wrap_text=True)
        for i, row in enumerate(frame.itertuples(index=False), start=top + 1):
            for j, value in enumerate(row, start=1):
                _write_cell(ws, i, j, value)
        for j, column in enumerate(frame.columns, start=1):
            letter = get_column_letter(j)
            fmt = NUMBER_FORMATS.get(formats.get(str(column), ""))
            if fmt:
                for cells in ws.iter_rows(min_row=top + 1, min_col=j, max_col=j):
                    cells[0].number_format = fmt
            sample = [len(str(column))] + [len(str(v)) for v in frame[column].head(200).tolist()]
            ws.column_dimensions[letter].width = min(max(sample) + 2, 60)
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
