"""What the data allow at a grain: each KPI's native grain and the day its data stop.

    >>> native = pd.DataFrame({"period_start": pd.to_datetime(["2026-09-01", "2026-10-01"]),
    ...                        "period_end": pd.to_datetime(["2026-09-30", "2026-10-31"]),
    ...                        "segment": "B2E", "kpi": "active_users", "value": [700.0, 800.0]})
    >>> data_grain(native, date(2026, 10, 31))[["segment", "kpi", "native_grain", "data_end"]]
      segment           kpi native_grain    data_end
    0     B2E  active_users        month  2026-10-31
    >>> finer_than_data("week", "month"), finer_than_data("quarter", "month")
    (True, False)

A KPI whose native rows are calendar months has no honest weekly value: a
flow spread over invented weeks draws a staircase, a monthly distinct count
has no weekly value at all. Pages draw such a KPI at its native grain and
say so; cards keep the window value and say the native grain.

Pure functions on a native totals frame (``metrics.fetch``): period_start,
period_end, segment, kpi, value.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from kpis.catalog import KPIS, on_change
from kpis.i18n import fmt_period, t
from kpis.metrics import GRAINS, MERGED, bucket_bounds, period_labels
from kpis.model import Filter

__all__ = ["NATIVE_GRAIN_DAYS", "DATA_GRAIN_COLUMNS", "grain_of_length", "finer_than_data", "coarser",
           "data_grain", "PartialBucket", "partial_bucket", "with_data_grain"]

NATIVE_GRAIN_DAYS = (("year", 365), ("quarter", 89), ("month", 28), ("week", 7), ("day", 1))
"""The shortest native period (in days) of each grain: a 28-day report is monthly, a 90-day one quarterly."""

DATA_GRAIN_COLUMNS = ("segment", "kpi", "native_grain", "native_days", "data_end", "spread")
_RANK = {g: i for i, g in enumerate(GRAINS)}
_SURVEY_PARTS: set[str] = set()


@on_change
def _derive() -> None:
    """The survey parts (promoters, detractors, respondents), again after ``catalog.install``."""
    _SURVEY_PARTS.clear()
    _SURVEY_PARTS.update(c for k in KPIS.values() if k.aggregation == "score" for c in k.components)


_derive()


def _spread(code: str) -> bool:
    """Whether a KPI's value is spread over the days of its periods (a flow, or a ratio of flows): a bucket
    then misses the days after the data stop. A stock, a distinct count or a survey counts at its period's end."""
    kpi = KPIS[code]
    if kpi.base:
        return kpi.aggregation == "flow" and code not in _SURVEY_PARTS
    return kpi.aggregation == "ratio" and all(_spread(c) for c in kpi.components)


def grain_of_length(days: int) -> str:
    """The grain of a native period of ``days`` days.

        >>> [grain_of_length(d) for d in (1, 7, 28, 31, 92, 365)]
        ['day', 'week', 'month', 'month', 'quarter', 'year']
    """
    for grain, shortest in NATIVE_GRAIN_DAYS:
        if days >= shortest:
            return grain
    return "day"


def finer_than_data(grain: str, native_grain: str | None) -> bool:
    """Whether buckets of ``grain`` are finer than data of ``native_grain`` (None: unknown, never finer)."""
    return native_grain is not None and _RANK[grain] < _RANK[native_grain]


def coarser(grain: str, native_grain: str | None) -> str:
    """The grain a KPI can be drawn at: the chosen one, or its native grain when that is coarser.

        >>> coarser("week", "month"), coarser("quarter", "month"), coarser("month", None)
        ('month', 'quarter', 'month')
    """
    return native_grain if finer_than_data(grain, native_grain) else grain  # type: ignore[return-value]


def data_grain(native: pd.DataFrame, window_end: date | None = None) -> pd.DataFrame:
    """One row per segment × KPI (base and derived, and the merged ``"ALL"``): the native grain (from the
    shortest native period), its length in days, the last day with data up to ``window_end``, and whether the
    value is spread over days (``partial_bucket``'s ``spread``).

    A derived KPI takes the coarsest grain and the earliest end of its components (it has a value only where
    all have); ``"ALL"`` the same across segments.
    """
    if native.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DATA_GRAIN_COLUMNS})
    rows = native[native["kpi"].isin(KPIS).to_numpy()]  # the catalog's KPIs, not the ratios' matched parts
    if window_end is not None:
        rows = rows[rows["period_start"] <= pd.Timestamp(window_end)]
    length = (pd.to_datetime(rows["period_end"]) - pd.to_datetime(rows["period_start"])).dt.days + 1
    base = (rows.assign(length=length).groupby(["segment", "kpi"], sort=False)
            .agg(native_days=("length", "min"), data_end=("period_end", "max")).reset_index())
    facts: dict[tuple[str, str], tuple[int, date]] = {}
    for r in base.itertuples(index=False):
        end = pd.Timestamp(r.data_end).date()
        facts[(r.segment, r.kpi)] = (int(r.native_days), min(end, window_end) if window_end else end)
    segments = list(dict.fromkeys(base["segment"]))
    for segment in segments:  # derived KPIs: all components needed
        for code, kpi in KPIS.items():
            if kpi.base or not all((segment, c) in facts for c in kpi.components):
                continue
            parts = [facts[(segment, c)] for c in kpi.components]
            facts[(segment, code)] = (max(p[0] for p in parts), min(p[1] for p in parts))
    if len(segments) > 1:
        for code in KPIS:
            parts = [facts[(s, code)] for s in segments if (s, code) in facts]
            if parts:
                facts[(MERGED, code)] = (max(p[0] for p in parts), min(p[1] for p in parts))
    out = pd.DataFrame([(s, k, grain_of_length(n), n, end, _spread(k)) for (s, k), (n, end) in facts.items()],
                       columns=list(DATA_GRAIN_COLUMNS))
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class PartialBucket:
    """The last bucket of a window when a KPI's data stop inside it."""

    period: str  # the bucket's label (``2026-10``)
    start: date
    end: date  # the bucket's last day inside the window
    data_end: date

    def text(self, lang: str = "fr") -> str:
        """``oct. 2026 : données jusqu'au 20/10`` / ``Oct 2026: data to 20/10``."""
        return t("grain.partial", lang, period=fmt_period(self.period, lang), day=self.data_end.strftime("%d/%m"))


def partial_bucket(data_end: date | None, window_start: date, window_end: date, grain: str,
                   native_days: int = 1, fiscal_start: int = 1, spread: bool = True) -> PartialBucket | None:
    """The window's last bucket at ``grain`` when its data (cut at the window's end) stop before the bucket's
    end, else None: the bucket's value is then that of part of it.

        >>> partial_bucket(date(2026, 10, 20), date(2025, 11, 1), date(2026, 10, 31), "month")
        PartialBucket(period='2026-10', start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 31), \
data_end=datetime.date(2026, 10, 20))
        >>> partial_bucket(date(2026, 10, 31), date(2025, 11, 1), date(2026, 10, 31), "month") is None
        True

    That holds whether the data stop there or the window does ("Année en cours" ends with the latest data; a
    12-month window ending in October leaves Q4 with October only). A flow (``spread``) misses the days after
    its data stop; a value counted at its period's end (a stock, a distinct count, a survey) misses
    something only when a whole native period would have ended inside the bucket (a quarterly survey that
    ended on 30/09 misses nothing in October). A last bucket without any data is not partial: it is empty.
    """
    if data_end is None or data_end < window_start:
        return None
    lo, hi = bucket_bounds(window_end, grain, fiscal_start)
    lo, data_end = max(lo, window_start), min(data_end, window_end)
    step = dict(NATIVE_GRAIN_DAYS)[grain_of_length(native_days)]  # the shortest next period: 28 days for months
    if data_end < lo or data_end >= hi or (not spread and data_end + timedelta(days=step) > hi):
        return None
    return PartialBucket(period_labels([window_end], grain, fiscal_start)[0], lo, hi, data_end)


def with_data_grain(view, native: pd.DataFrame, flt: Filter | None = None):
    """The ``CdoView`` with its KPIs' native grains and data ends in ``meta["data_grain"]`` (for ``cards``), and
    the end of the window asked for in ``meta["asked_end"]`` (the view's own ends with the latest data: a KPI
    whose data stop earlier in that month must still be found in the window's last bucket)."""
    asked = (flt.end if flt is not None else None) or view.period_end
    return replace(view, meta={**view.meta, "data_grain": data_grain(native, asked), "asked_end": asked})
