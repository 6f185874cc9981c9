"""Periods as written (dates, months, quarters, ISO weeks, years), widened to the grain their regularity shows.

    >>> widen(np.array(["2026-09-09"], "datetime64[D]"), "week")[0].tolist()
    [datetime.date(2026, 9, 7)]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from kpis.ingest import parsing
from kpis.ingest.columnar import CellColumn
from kpis.ingest.columns import roles
from kpis.ingest.issues import IssueLog
from kpis.ingest.results import Column
from kpis.ingest.table import SheetTable

EARLIEST_PERIOD = np.datetime64("1990-01-01", "D")
"""Earlier dates are refused: a month number (1–12) without its year would read as January 1900."""
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def read_periods(cells: list, order: str, grain: str | None, live: np.ndarray):
    """(starts, ends, grains, bad): periods as written, widened to a grain their regularity shows."""
    days = date_cells(cells)
    if days is None:
        periods = parsing.parse_periods(cells, order=order, grain=grain)
        starts, ends, grains, bad = periods.start, periods.end, periods.grain, periods.bad | np.isnat(periods.start)
    else:
        starts, ends = widen(days, grain or "day")
        grains, bad = np.full(len(days), grain or "day", dtype=object), np.zeros(len(days), dtype=bool)
    bad = bad | (starts < EARLIEST_PERIOD)
    day_rows = live & ~bad & (grains == "day")
    if grain is None and day_rows.any():
        inferred = parsing.infer_grain(starts[day_rows])
        if inferred != "day":
            ends = np.where(day_rows, widen(starts, inferred)[1], ends)
            grains = np.where(day_rows, inferred, grains)
    return starts.astype("datetime64[D]"), ends.astype("datetime64[D]"), grains, bad


def date_cells(cells: list) -> np.ndarray | None:
    """A column holding only date or datetime cells (a typed Excel date column) as datetime64[D], else None.

    Fast path: the days are computed from ordinals (``np.array(dates, "datetime64[D]")`` is 20× slower),
    once per distinct date for a column the reader coded.
    """
    if isinstance(cells, CellColumn):
        return cells.date_days()
    kinds = set(map(type, cells))
    if not kinds or not all(issubclass(k, date) for k in kinds):
        return None
    ordinals = np.array([d.toordinal() for d in cells], dtype=np.int64)
    return (ordinals - EPOCH_ORDINAL).astype("datetime64[D]")


def widen(days: np.ndarray, grain: str) -> tuple[np.ndarray, np.ndarray]:
    """Start and inclusive end of the period of ``grain`` holding each day.

        >>> widen(np.array(["2026-09-09"], "datetime64[D]"), "week")[0].tolist()
        [datetime.date(2026, 9, 7)]
    """
    one = np.timedelta64(1, "D")
    if grain == "day":
        return days, days
    if grain == "week":
        start = days - (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        return start, start + 6 * one
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    index = days.astype("datetime64[M]").astype(np.int64)
    first = (index - index % months).astype("datetime64[M]")
    return first.astype("datetime64[D]"), (first + months).astype("datetime64[D]") - one


def grain_of(grains: np.ndarray) -> str | None:
    kinds = set(grains)
    kinds.discard(None)
    return kinds.pop() if len(kinds) == 1 else ("range" if kinds else None)


# --- the stage: a sheet's period column(s) ----------------------------------------------------


@dataclass(frozen=True)
class SheetPeriods:
    """Per body row: start, inclusive end, grain (``day`` … ``year``, ``range``) and whether it is unreadable;
    ``letter`` is the column the rejections point to."""

    starts: np.ndarray
    ends: np.ndarray
    grains: np.ndarray
    bad: np.ndarray
    letter: str


def sheet_periods(table: SheetTable, columns: list[Column], live: np.ndarray, log: IssueLog) -> SheetPeriods | None:
    """The periods of a wide or long sheet, or None with a sheet error when no column dates the values.

    Start and end columns win over a period column (which is then ignored); else the period column, or the
    start or end column alone, is read with its header's grain (``Mois``, ``Semaine``…) or a forced one.
    """
    period, start, end = roles(columns, "period"), roles(columns, "period_start"), roles(columns, "period_end")
    if start and end:
        for c in period:
            c.role, c.reason = "ignored", "period given by the start and end columns"
        return _ranges(table, columns, start[0], end[0])
    period = period or start or end
    if not period:
        log.add("no_period", "error",
                "Aucune colonne de période (Date, Jour, Mois, Semaine…) : impossible de dater les valeurs. "
                "Ajoutez une colonne de date ou associez-en une avec --map \"EN-TÊTE=period\".",
                "No period column (Date, Day, Month, Week…): the values cannot be dated. Add a date "
                "column or map one with --map \"HEADER=period\".")
        return None
    c = period[0]
    c.role = "period"
    grain = c.grain or parsing.header_grain(c.header)
    starts, ends, grains, bad = read_periods(table.cells[c.index], _date_order(table, columns, c), grain, live)
    return SheetPeriods(starts, ends, grains, bad, c.letter)


def _ranges(table: SheetTable, columns: list[Column], start: Column, end: Column) -> SheetPeriods:
    order = _date_order(table, columns, start)
    ps, bs = parsing.parse_dates(table.cells[start.index], order=order)
    pe, be = parsing.parse_dates(table.cells[end.index], order=order)
    bad = bs | be | np.isnat(ps) | np.isnat(pe)
    bad |= ~bad & (pe < ps)
    grains = np.full(table.n, "range", dtype=object)
    return SheetPeriods(ps.astype("datetime64[D]"), pe.astype("datetime64[D]"), grains, bad, start.letter)


def _date_order(table: SheetTable, columns: list[Column], column: Column) -> str:
    """Day/month order: the column's own, else the other date columns', else French (dmy)."""
    others = [c for c in roles(columns, "period", "period_start", "period_end") if c is not column]
    for c in (column, *others):
        order = parsing.date_order(table.cells[c.index]) if table.has_strings(c.index) else None
        if order:
            return order
    return "dmy"


def reject_periods(table: SheetTable, bad: np.ndarray, letter: str, log: IssueLog) -> np.ndarray:
    return log.reject(bad, table.numbers, "date_unparseable", "Date ou période illisible ou absente : ligne rejetée.",
                      "Unreadable or missing date or period: row rejected.", letter)
