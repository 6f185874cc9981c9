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


PRESETS = ("12m", "ytd", "lq", "lm", "custom")
"""Period presets of the sidebar: last 12 months, year to date, last quarter, last month, custom."""


def preset_range(preset: str, latest: date, fiscal_start: int = 1) -> tuple[date, date]:
    """The inclusive date range of a preset, anchored on the latest month with data.

        >>> preset_range("12m", date(2026, 10, 31))
        (datetime.date(2025, 11, 1), datetime.date(2026, 10, 31))
        >>> preset_range("lq", date(2026, 11, 12))
        (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))

    Data usually stops at the end of a month; when it stops mid-month the
    range still covers the whole month (the scorecard compares like for like).
    """
    month_end = _month_end(latest.year, latest.month)
    if preset == "12m":
        return _add_months(date(latest.year, latest.month, 1), -11), month_end
    if preset == "ytd":
        start_year = latest.year if latest.month >= fiscal_start else latest.year - 1
        return date(start_year, fiscal_start, 1), month_end
    if preset == "lq":
        offset = (latest.month - fiscal_start) % 3
        start = _add_months(date(latest.year, latest.month, 1), -offset)
        end = _add_months(start, 3)
        return start, date.fromordinal(end.toordinal() - 1)
    if preset == "lm":
        return date(latest.year, latest.month, 1), month_end
    raise ValueError(f"unknown preset {preset!r}")


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(year: int, month: int) -> date:
    return date.fromordinal(_add_months(date(year, month, 1), 1).toordinal() - 1)
