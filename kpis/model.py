"""The shared data model: observation columns, segments and the filter.

    >>> f = Filter(segments=("B2C",), start=date(2026, 1, 1))
    >>> f.segments
    ('B2C',)

One tidy observation is one number (see DESIGN.md, "Data model"). Ingestion
produces a DataFrame with ``OBS_COLUMNS``; the store adds ``batch_id``.
Dates are ``datetime64`` at midnight; ``period_end`` is inclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ALL = "(all)"
"""Value of a dimension (entity, channel, initiative) a file does not have."""

OTHER = "(other)"
"""Folded value for groups too small to be shown (privacy)."""

SEGMENTS = ("B2C", "B2B", "B2E")
EXTERNAL_SEGMENTS = ("B2C", "B2B")
INTERNAL_SEGMENTS = ("B2E",)

DIMENSIONS = ("entity", "channel", "initiative")
"""Dimensions besides period and segment; ``"(all)"`` when absent."""

OBS_COLUMNS = (
    "period_start",
    "period_end",
    "segment",
    "entity",
    "channel",
    "initiative",
    "kpi",
    "value",
)

GRAINS = ("day", "week", "month", "quarter", "year", "range")


@dataclass(frozen=True)
class Filter:
    """What the user selected; ``None`` or an empty tuple means "everything".

    ``start`` and ``end`` are inclusive dates. An observation is selected
    when its ``period_end`` lies in [start, end] (a distinct count belongs to
    the bucket containing its period end; flows are prorated by metrics).
    """

    segments: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    entities: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    initiatives: tuple[str, ...] = ()
    kpis: tuple[str, ...] = ()


SUPPORTED_DATES = (date(1900, 1, 1), date(2199, 12, 31))
"""The first and last day a period filter may name (``report --from/--to``, the sidebar's custom range): far
enough for any business data, near enough that a period's arithmetic (a year back, a quarter ahead) stays a
date."""

PRESETS = ("12m", "ytd", "lq", "cq", "lm", "cm", "custom")
"""Period presets of the sidebar: the last 12 complete months, the year to date, the last complete quarter, the
current quarter, the last complete month, the current month, a custom range."""


def preset_range(preset: str, latest: date, fiscal_start: int = 1) -> tuple[date, date]:
    """The inclusive date range of a preset, anchored on ``latest``, the last day with data.

        >>> preset_range("12m", date(2026, 10, 31))   # October is complete: November 2025 – October 2026
        (datetime.date(2025, 11, 1), datetime.date(2026, 10, 31))
        >>> preset_range("12m", date(2026, 10, 20))   # October is not: October 2025 – September 2026
        (datetime.date(2025, 10, 1), datetime.date(2026, 9, 30))
        >>> preset_range("lq", date(2026, 11, 12))    # the last complete quarter
        (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))

    "Complete" means the data reach the month's (quarter's) last day. The year,
    quarter and month "to date" end on ``latest``; quarters and years follow the
    fiscal year starting in month ``fiscal_start``.
    """
    first_of_month = date(latest.year, latest.month, 1)
    complete_month = latest == _month_end(latest.year, latest.month)
    last_complete = first_of_month if complete_month else _add_months(first_of_month, -1)
    quarter_start = _add_months(first_of_month, -((latest.month - fiscal_start) % 3))
    if preset == "12m":
        return _add_months(last_complete, -11), _month_end(last_complete.year, last_complete.month)
    if preset == "ytd":
        start_year = latest.year if latest.month >= fiscal_start else latest.year - 1
        return date(start_year, fiscal_start, 1), latest
    if preset == "lq":
        quarter_end = date.fromordinal(_add_months(quarter_start, 3).toordinal() - 1)
        start = quarter_start if latest == quarter_end else _add_months(quarter_start, -3)
        return start, date.fromordinal(_add_months(start, 3).toordinal() - 1)
    if preset == "cq":
        return quarter_start, latest
    if preset == "lm":
        return last_complete, _month_end(last_complete.year, last_complete.month)
    if preset == "cm":
        return first_of_month, latest
    raise ValueError(f"unknown preset {preset!r}")


def clamp_range(start: date, end: date, earliest: date, latest: date) -> tuple[date, date]:
    """``start``–``end`` brought within ``earliest``–``latest`` and ``SUPPORTED_DATES`` (swapped first if given
    backwards); when the two bounds are crossed, the range is the last day allowed.

        >>> clamp_range(date(2020, 1, 1), date(2030, 1, 1), date(2025, 6, 1), date(2026, 10, 31))
        (datetime.date(2025, 6, 1), datetime.date(2026, 10, 31))
        >>> clamp_range(date(2026, 3, 31), date(2026, 2, 1), date(2025, 6, 1), date(2026, 10, 31))
        (datetime.date(2026, 2, 1), datetime.date(2026, 3, 31))
    """
    lo, hi = max(earliest, SUPPORTED_DATES[0]), min(latest, SUPPORTED_DATES[1])
    lo = min(lo, hi)
    start, end = min(start, end), max(start, end)
    return min(max(start, lo), hi), min(max(end, lo), hi)


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(year: int, month: int) -> date:
    return date.fromordinal(_add_months(date(year, month, 1), 1).toordinal() - 1)
