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
