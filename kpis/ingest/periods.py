"""Periods as written (dates, months, quarters, ISO weeks, years), widened to the grain their regularity shows.

    >>> widen(np.array(["2026-09-09"], "datetime64[D]"), "week")[0].tolist()
    [datetime.date(2026, 9, 7)]
"""

from __future__ import annotations

from datetime import date

import numpy as np

from kpis.ingest import parsing
from kpis.ingest.columns import Column

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
    if isinstance(cells, Column):
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
