"""The metrics engine: aggregation by kind, ratios, comparisons, targets, the CDO funnel.

    >>> q3 = Filter(segments=("B2E",), start=date(2026, 7, 1), end=date(2026, 9, 30))
    >>> native = store.native_totals(widen(q3, "quarter"))        # or fetch(store, q3, "quarter")
    >>> kpi_table(native, q3, grain="quarter", lang="en")[["period", "kpi", "value", "basis"]]
        period                            kpi        value             basis
    0  2026-Q3                     population  1800.000000     end of period
    1  2026-Q3                   contributors   120.000000  mean of 3 months
    2  2026-Q3                   active_users   700.000000  mean of 3 months
    3  2026-Q3                  adoption_rate     0.388889              None
    4  2026-Q3             participation_rate     0.171429              None
    5  2026-Q3  contributions_per_active_user          NaN              None
    >>> view = cdo_view(store, q3, grain="month")                 # what the Vue CDO page shows
    >>> view.period_start, view.period_end
    (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))

(The store of the examples is described in the repository's ``conftest.py``: active users
(600 + 700 + 800) / 3 = 700 a month, adoption 700 / 1,800, participation 120 / 700.)

Every function but ``fetch`` and ``cdo_view`` is pure: it takes a *native
totals* frame (what ``Store.native_totals`` returns: period_start,
period_end, segment, kpi, value [, n] [, entity/channel/initiative], already
aggregated across dimensions by kind) and returns a new DataFrame. Tests build
such frames by hand, or with ``native_totals_from_observations`` (the same
contract computed in pandas).

Rules (DESIGN.md, "KPI semantics"):

- **flow**: summed; a native row straddling buckets is prorated by day;
  ``basis`` says "prorated by day" when a part of a row was cut.
- **stock**: the latest native period ending inside the bucket ("end of
  period"). When two native rows end on that same day (a daily and a monthly
  file), the larger is kept (never a sum of two readings of the same stock).
- **distinct**: the mean over the native periods ending inside the bucket
  ("mean of 3 months"); no value (``reason`` "native grain is month") when the
  bucket is finer than the native period (monthly active users per week).
- **ratio / score**: recomputed from the aggregated components; no value and a
  ``reason`` when a component is missing or the denominator is zero. A score's
  components (promoters, detractors, respondents) are pooled over the surveys
  whose period ends inside the bucket: a survey is never prorated.
- **merged rows** (segment ``"ALL"``, only when more than one segment is
  selected): base KPIs are summed across segments (stocks: end values summed;
  distinct counts: the segments' values summed); a ratio pools the
  components of the segments where it has both components (and belongs to
  the KPI's world: adoption of ALL is B2E's).

Buckets and labels: ``2026-09-01`` (day), ``2026-W37`` (ISO week, Monday
first), ``2026-09`` (month), ``2026-Q3`` and ``2026`` (calendar). With a fiscal
year starting in month ``fiscal_start`` != 1, quarters and years follow it and
are named after the calendar year in which the fiscal year **ends** (the usual
convention: with ``fiscal_start=7``, ``FY2026`` runs from 2025-07-01 to
2026-06-30 and ``FY2026-Q1`` is July–September 2025).

Filter range: a bucket is shown when it overlaps [start, end]; a flow counts
the days of its rows that lie inside the range, a stock or distinct count the
native periods whose end lies inside it. Comparisons (scorecard) look before
``start`` on purpose: ``fetch`` and ``widen`` read what they need.

Like for like (scorecard): when the latest bucket is incomplete for a KPI (its
data stops before the bucket end, or the filter ends mid-bucket), the
previous bucket and the same bucket a year earlier are cut to the same number
of first days (flows prorated by day; stocks and distinct counts from the
native periods ending in those days); ``like_for_like_days`` says how many.

Targets: attainment = actual / target (target / actual for lower-is-better
KPIs); a flow target is prorated by month over the evaluated window (a
calendar month counts as one, a partial month by its days); stock, distinct,
ratio and score targets apply as they are (the target whose period contains
the window's end). Group targets (no entity) apply when no entity, channel
or initiative is filtered; an entity's targets when exactly that entity is.
Status: green when attainment ≥ the KPI's first threshold, amber ≥ the
second, red below.

Channel and initiative breakdowns of a stock or distinct count (employees
using Teams vs the intranet) overlap: the parts do not add up to the total,
so their ``share`` is NaN (the values are still ranked). Flows have a share
along every dimension, stocks and distinct counts along entities only,
ratios never.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

from kpis.catalog import FUNNEL, KPIS, MATCH_BY_CHANNEL, MATCHED, MATCHED_PARTS, VOCABULARY, on_change, source_name
from kpis.model import DIMENSIONS, EXTERNAL_SEGMENTS, INTERNAL_SEGMENTS, SEGMENTS, Filter

__all__ = [
    "MERGED",
    "GRAINS",
    "TABLE_COLUMNS",
    "SCORECARD_COLUMNS",
    "FUNNEL_COLUMNS",
    "TARGET_COLUMNS",
    "CdoView",
    "period_labels",
    "bucket_bounds",
    "widen",
    "fetch",
    "kpi_table",
    "scorecard",
    "targets_status",
    "funnel",
    "breakdown",
    "indexed_trends",
    "series_of",
    "side_by_side",
    "by_source",
    "SOURCE_COLUMNS",
    "REFERENCED",
    "vocabulary",
    "cdo_view",
    "native_totals_from_observations",
]

MERGED = "ALL"
"""Segment label of the rows merged across the selected segments."""

GRAINS = ("day", "week", "month", "quarter", "year")
MAX_NATIVE_DAYS = 366
"""Longest native period ``widen`` reads past the filter end (a yearly row straddling it)."""

TABLE_COLUMNS = ("period", "period_start", "period_end", "segment", "kpi", "value", "unit", "basis", "reason")
SCORECARD_COLUMNS = (
    "segment", "kpi", "period", "value", "previous", "previous_year", "change", "change_relative",
    "change_unit", "good", "good_year",
    "target", "attainment", "status", "unit", "previous_period", "previous_year_period",
    "change_year", "change_year_relative", "like_for_like_days", "reason", "basis", "window_start", "window_end",
    "previous_start", "previous_end", "previous_year_start", "previous_year_end", "source", "other_sources",
)
FUNNEL_COLUMNS = ("segment", "stage", "kpi", "value", "unit", "reason")
TARGET_COLUMNS = ("segment", "kpi", "period", "period_start", "period_end", "actual", "target", "attainment",
                  "status", "target_basis")

BOUNDED_RATES: set[str] = set()
"""Rates that cannot exceed 100 % (their numerator counts a part of their denominator): above it, the data of
the two components do not match, and the value is an anomaly, never a target met. A rate between two flows of
different cohorts (win rate: deals won this month from opportunities of any month) is not bounded."""
REFERENCED: set[str] = set()
"""KPIs whose headline comes from one reference origin per segment: stocks and distinct counts (two sources
count different populations: they are never added nor averaged) and the ratios with such a component."""
_KIND = {"flow": 0, "stock": 1, "distinct": 2, "survey": 3}
_REAL: tuple[str, ...] = ()
_BASE: tuple[str, ...] = ()
_N_REAL = 0
_BASE_INDEX: dict[str, int] = {}
_SURVEY_PARTS: frozenset[str] = frozenset()
_BASE_KIND = np.zeros(0, dtype=np.int64)
_DERIVED: tuple[str, ...] = ()
_KPI_ORDER: dict[str, int] = {}
_UNIT: dict[str, str] = {}
_DIRECTION: dict[str, int] = {}
_AGGREGATION: dict[str, str] = {}
_UNITS = np.zeros(0, dtype=object)
_BASE_POS = np.zeros(0, dtype=np.int64)
_SCORES: frozenset[str] = frozenset()


@on_change
def _derive() -> None:
    """The engine's tables, derived from the catalog: at import, and again whenever ``catalog.install`` puts
    the organisation's KPIs in (``BOUNDED_RATES`` and ``REFERENCED`` change in place: other modules hold them).

    ``_BASE`` is the columns of the engine's matrix: the catalog's base KPIs, then the ratios' matched parts
    (never shown). ``_SURVEY_PARTS`` are the promoters, detractors and respondents of a survey: summed like
    flows, but a survey is never cut: it counts whole in the bucket (window) holding its period's end."""
    global _REAL, _BASE, _N_REAL, _BASE_INDEX, _SURVEY_PARTS, _BASE_KIND, _DERIVED, _KPI_ORDER, _UNIT
    global _DIRECTION, _AGGREGATION, _UNITS, _BASE_POS, _SCORES
    BOUNDED_RATES.clear()
    BOUNDED_RATES.update(c for c, k in KPIS.items() if k.aggregation == "ratio" and k.unit == "%" and k.bounded)
    _REAL = tuple(c for c, k in KPIS.items() if k.base)
    _BASE = (*_REAL, *MATCHED_PARTS)
    _N_REAL = len(_REAL)
    _BASE_INDEX = {c: i for i, c in enumerate(_BASE)}
    _SURVEY_PARTS = frozenset(c for k in KPIS.values() if k.aggregation == "score" for c in k.components)
    _BASE_KIND = np.array([_KIND["survey" if c in _SURVEY_PARTS else KPIS[MATCHED_PARTS.get(c, (None, c))[1]]
                                 .aggregation] for c in _BASE])
    REFERENCED.clear()
    REFERENCED.update([c for c in _REAL if KPIS[c].aggregation in ("stock", "distinct")]
                      + [r for r in MATCHED if any(KPIS[p].aggregation in ("stock", "distinct")
                                                   for p in KPIS[r].components)])
    _DERIVED = tuple(c for c, k in KPIS.items() if not k.base)
    _KPI_ORDER = {c: i for i, c in enumerate(KPIS)}
    _UNIT = {c: k.unit for c, k in KPIS.items()}
    _DIRECTION = {c: k.direction for c, k in KPIS.items()}
    _AGGREGATION = {c: k.aggregation for c, k in KPIS.items()}
    _UNITS = np.array([k.unit for k in KPIS.values()], dtype=object)  # by catalog position
    _BASE_POS = np.array([_KPI_ORDER[MATCHED_PARTS.get(c, (c,))[0]] for c in _BASE])
    _SCORES = frozenset(c for c, k in KPIS.items() if k.aggregation == "score")


_derive()
_SEGMENT_ORDER = {s: i for i, s in enumerate((*SEGMENTS, MERGED, "EXTERNAL", "INTERNAL"))}
_GRAIN_RANK = {g: i for i, g in enumerate(GRAINS)}


_NONE = np.array(None, dtype=object)
"""None as a 0-d object array, for ``np.where`` / ``np.select`` (numpy's type stubs take no bare None)."""


def _obj(values) -> pd.Series:
    """An object column (pandas 3 would infer its slower ``str`` dtype from an array of strings)."""
    return pd.Series(values, dtype=object)
_RANK_EDGES = np.array([1, 7, 31, 92])  # native length (days) -> rank: 1 day, <=7 week, <=31 month, <=92 quarter

_TEXT = {
    "en": {
        "end_of_period": "end of period",
        "prorated": "prorated by day",
        "anomaly": "above 100 %: the components do not match, not rated",
        "mean_of": "mean of {n} {unit}",
        "native_grain": "native grain is {grain}",
        "missing": "no data for {kpi}",
        "zero": "{kpi} is zero",
        "incomplete_all": "no segment has every component",
        "no_common_source": "{parts} — no common source",
        "component": "{kpi}: {reason}",
        "no_target": "no target for this period",
        "filtered": "targets apply to the whole segment or one entity, without channel or initiative filter",
        "target_prorated": "{share} of {period} target",
        "target_as_is": "{period} target",
        "target_grains": "weekly,monthly,quarterly,annual",
        "nonpositive": "attainment undefined (value ≤ 0)",
    },
    "fr": {
        "end_of_period": "fin de période",
        "prorated": "au prorata des jours",
        "anomaly": "au-delà de 100 % : composantes incohérentes, non évalué",
        "mean_of": "moyenne de {n} {unit}",
        "native_grain": "grain natif : {grain}",
        "missing": "pas de données pour {kpi}",
        "zero": "{kpi} est nul",
        "incomplete_all": "aucun segment n'a tous les composants",
        "no_common_source": "{parts} — pas de source commune",
        "component": "{kpi} : {reason}",
        "no_target": "pas d'objectif pour cette période",
        "filtered": "les objectifs valent pour le segment entier ou une entité, sans filtre de canal ni d'initiative",
        "target_prorated": "{share} de l'objectif {period}",
        "target_as_is": "objectif {period}",
        "target_grains": "hebdomadaire,mensuel,trimestriel,annuel",
        "nonpositive": "atteinte non définie (valeur ≤ 0)",
    },
}
_GRAIN_WORD = {
    "en": ("day", "week", "month", "quarter", "year"),
    "fr": ("jour", "semaine", "mois", "trimestre", "année"),
}
_UNIT_WORDS = {  # native-period unit class -> (singular, plural)
    "en": {0: ("day", "days"), 1: ("week", "weeks"), 2: ("month", "months"), 3: ("quarter", "quarters"),
           4: ("year", "years"), -1: ("period", "periods")},
    "fr": {0: ("jour", "jours"), 1: ("semaine", "semaines"), 2: ("mois", "mois"), 3: ("trimestre", "trimestres"),
           4: ("année", "années"), -1: ("période", "périodes")},
}


def _t(lang: str, key: str, **kw) -> str:
    return _TEXT["fr" if lang == "fr" else "en"][key].format(**kw)


# --- dates, buckets, labels ------------------------------------------------------------


def _days(values) -> np.ndarray:
    """Dates (datetime64 of any unit, Timestamps, ``date``s) -> int64 days since 1970-01-01."""
    arr = np.asarray(values)
    if arr.dtype.kind != "M":
        arr = np.asarray(pd.to_datetime(arr).to_numpy())
    return arr.astype("datetime64[D]").astype(np.int64)


def _day(d) -> int:
    return int(np.datetime64(pd.Timestamp(d).date(), "D").astype(np.int64))


def _as_date(days: int) -> date:
    return date(1970, 1, 1) + timedelta(days=int(days))


def _months(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _month_start(months: np.ndarray) -> np.ndarray:
    return np.asarray(months, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _bucket_index(days: np.ndarray, grain: str, fiscal_start: int = 1) -> np.ndarray:
    days = np.asarray(days, dtype=np.int64)
    if grain == "day":
        return days
    if grain == "week":
        return (days + 3) // 7  # 1970-01-01 is a Thursday: week 0 starts on Monday 1969-12-29
    months = _months(days)
    if grain == "month":
        return months
    if grain == "quarter":
        return (months - (fiscal_start - 1)) // 3
    if grain == "year":
        return (months - (fiscal_start - 1)) // 12
    raise ValueError(f"unknown grain {grain!r}")


def _bucket_days(idx: np.ndarray, grain: str, fiscal_start: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """First and last day (int days) of the buckets with these indexes."""
    idx = np.asarray(idx, dtype=np.int64)
    if grain == "day":
        return idx, idx
    if grain == "week":
        return idx * 7 - 3, idx * 7 + 3
    if grain == "month":
        first, span = idx, 1
    elif grain == "quarter":
        first, span = idx * 3 + (fiscal_start - 1), 3
    else:
        first, span = idx * 12 + (fiscal_start - 1), 12
    return _month_start(first), _month_start(first + span) - 1


def _labels(idx: np.ndarray, grain: str, fiscal_start: int = 1) -> np.ndarray:
    idx = np.asarray(idx, dtype=np.int64)
    if grain == "day":
        return np.datetime_as_string(idx.astype("datetime64[D]"), unit="D").astype(object)
    if grain == "month":
        return np.datetime_as_string(idx.astype("datetime64[M]"), unit="M").astype(object)
    if grain == "week":
        thursday = idx * 7
        year = thursday.astype("datetime64[D]").astype("datetime64[Y]")
        week = (thursday - year.astype("datetime64[D]").astype(np.int64)) // 7 + 1
        return (pd.Series(year.astype(np.int64) + 1970).astype(str) + "-W"
                + pd.Series(week).astype(str).str.zfill(2)).to_numpy(dtype=object)
    if grain == "quarter":
        fy_index, q = np.divmod(idx, 4)
    else:
        fy_index, q = idx, None
    start_year = (fy_index * 12 + (fiscal_start - 1)) // 12 + 1970
    if fiscal_start == 1:
        year = pd.Series(start_year).astype(str)
    else:
        year = "FY" + pd.Series(start_year + 1).astype(str)
    if q is not None:
        year = year + "-Q" + pd.Series(q + 1).astype(str)
    return year.to_numpy(dtype=object)


def period_labels(dates, grain: str = "month", fiscal_start: int = 1) -> list[str]:
    """The label of the bucket containing each date.

        >>> period_labels(["2026-09-10"], "week")
        ['2026-W37']
        >>> period_labels(["2025-07-01", "2026-06-30"], "year", fiscal_start=7)
        ['FY2026', 'FY2026']
    """
    idx = _bucket_index(_days(pd.to_datetime(pd.Series(dates))), grain, fiscal_start)
    return list(_labels(idx, grain, fiscal_start))


def bucket_bounds(day, grain: str = "month", fiscal_start: int = 1) -> tuple[date, date]:
    """First and last day of the bucket containing ``day``.

        >>> bucket_bounds(date(2026, 8, 15), "quarter", fiscal_start=4)
        (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    """
    idx = _bucket_index(np.array([_day(day)]), grain, fiscal_start)
    lo, hi = _bucket_days(idx, grain, fiscal_start)
    return _as_date(lo[0]), _as_date(hi[0])


def _check_grain(grain: str, fiscal_start: int) -> None:
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS}, got {grain!r}")
    if not 1 <= int(fiscal_start) <= 12:
        raise ValueError(f"fiscal_start must be a month number 1..12, got {fiscal_start!r}")


# --- windows and the aggregation core ------------------------------------------------------


@dataclass(frozen=True)
class _Windows:
    """Sorted, non-overlapping day windows (inclusive) and what to call them."""

    start: np.ndarray  # first counted day (bucket start clipped to the range)
    end: np.ndarray  # last counted day
    rank: np.ndarray  # grain rank: a distinct count coarser than this has no value
    label: np.ndarray
    bucket_start: np.ndarray
    bucket_end: np.ndarray


def _bucket_windows(lo: int, hi: int, grain: str, fiscal_start: int) -> _Windows:
    """Every bucket of the grain overlapping [lo, hi], clipped to it."""
    idx = np.arange(_bucket_index(np.array([lo]), grain, fiscal_start)[0],
                    _bucket_index(np.array([hi]), grain, fiscal_start)[0] + 1)
    bs, be = _bucket_days(idx, grain, fiscal_start)
    return _Windows(np.maximum(bs, lo), np.minimum(be, hi), np.full(len(idx), _GRAIN_RANK[grain]),
                    _labels(idx, grain, fiscal_start), bs, be)


def _range_window(lo: int, hi: int, label: str | None = None) -> _Windows:
    rank = int(np.searchsorted(_RANK_EDGES, hi - lo + 1, side="left"))
    label = label or f"{_as_date(lo).isoformat()}/{_as_date(hi).isoformat()}"
    return _Windows(np.array([lo]), np.array([hi]), np.array([rank]), np.array([label], dtype=object),
                    np.array([lo]), np.array([hi]))


@dataclass(frozen=True)
class _Native:
    """A native-totals frame as arrays, ready to be bucketed many times."""

    s: np.ndarray
    e: np.ndarray
    value: np.ndarray
    j: np.ndarray  # index into _BASE
    rk: np.ndarray  # code of (segment, *dims)
    keys: pd.DataFrame  # one row per rk code: segment, *dims
    dims: tuple[str, ...]
    matched: bool = False  # the frame holds origins and the ratios' matched parts: ratios divide those
    origins: dict = field(default_factory=dict)  # (segment, KPI) -> origins with data, to say why a ratio has none
    sources: pd.DataFrame | None = None  # segment, kpi, source, other_sources: each referenced KPI's headline origin

    @property
    def empty(self) -> bool:
        return len(self.s) == 0


def _native(native, flt: Filter, dims: tuple[str, ...] = ()) -> _Native:
    """A native-totals frame restricted to the filter's dimensions, as arrays (prepared ones pass through).

    A frame with origins (``Store.native_totals(..., sources=True)``, what ``fetch`` reads) keeps, for each
    referenced KPI (``REFERENCED``) of a segment, its reference origin only (``_reference``), unless the
    origins are a dimension asked for (``by_source``); its ratios divide their matched parts.
    """
    if isinstance(native, _Native):
        return native
    sel = _selection(native, flt)
    if "origin" not in sel.columns:
        return _prepare(sel, dims)
    origins = _origins(sel)
    sources = None
    if "origin" not in dims:
        sel, sources = _reference(sel, flt)
    return replace(_prepare(sel, dims), matched=True, origins=origins, sources=sources)


def _key_of(kpi: pd.Series) -> np.ndarray:
    """The KPI a row counts for: a matched part's ratio, else the row's KPI."""
    codes = kpi.to_numpy(dtype=object)
    part = kpi.isin(MATCHED_PARTS).to_numpy()
    if part.any():
        codes = codes.copy()
        codes[part] = kpi[part].map(lambda c: MATCHED_PARTS[c][0]).to_numpy(dtype=object)
    return codes


def _origins(sel: pd.DataFrame) -> dict:
    """(segment, KPI) -> the origins holding values of that base KPI in the selection."""
    real = sel[~sel["kpi"].isin(MATCHED_PARTS).to_numpy()]
    if real.empty:
        return {}
    pairs = real[["segment", "kpi", "origin"]].drop_duplicates()
    out: dict = {}
    for seg, kpi, origin in pairs.itertuples(index=False):  # a few dozen (segment, KPI, origin) triples
        out.setdefault((seg, kpi), []).append(origin)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _reference(sel: pd.DataFrame, flt: Filter) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep one origin per segment for each referenced KPI: the one a person chose (``preferred``), else the
    one whose native periods cover most days of the selected window (then the latest data, the most rows,
    the name). Flows keep every origin: the import check makes sure two origins only hold the same series
    when someone said they add up. Returns the frame and, per (segment, KPI), its ``source`` and the
    ``other_sources`` left aside (None when there are none)."""
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in ("segment", "kpi", "source", "other_sources")})
    key = _key_of(sel["kpi"])
    ref = np.isin(key, list(REFERENCED))
    if not ref.any():
        return sel, empty
    sub = sel[ref]
    group, groups = pd.factorize(sub["segment"].to_numpy(dtype=object) + "|" + key[ref])
    origin, origins = pd.factorize(sub["origin"].to_numpy(dtype=object))
    pairs = np.unique(group * len(origins) + origin)
    if len(pairs) == len(groups):  # one origin per (segment, KPI), the usual case: nothing to choose
        seg_key = np.array([g.split("|", 1) for g in groups[pairs // len(origins)]], dtype=object).reshape(-1, 2)
        return sel, pd.DataFrame({"segment": seg_key[:, 0], "kpi": seg_key[:, 1],
                                  "source": origins[pairs % len(origins)], "other_sources": None})
    s, e = _days(sub["period_start"]), _days(sub["period_end"])
    lo = _day(flt.start) if flt.start else int(s.min())
    hi = _day(flt.end) if flt.end else int(e.max())
    pref = sub["preferred"].to_numpy(dtype=bool) if "preferred" in sub.columns else np.zeros(len(sub), dtype=bool)
    frame = pd.DataFrame({"segment": sub["segment"].to_numpy(dtype=object), "key": key[ref],
                          "origin": sub["origin"].to_numpy(dtype=object), "s": np.maximum(s, lo),
                          "e": np.minimum(e, hi), "end": e, "pref": pref})
    frame = frame.sort_values(["segment", "key", "origin", "s"], kind="stable")
    group = [frame["segment"], frame["key"], frame["origin"]]
    reached = frame.groupby(group, sort=False)["e"].cummax().groupby(group, sort=False).shift(1)
    start = np.maximum(frame["s"].to_numpy(dtype=float), reached.fillna(-np.inf).to_numpy(dtype=float) + 1)
    frame["days"] = np.clip(frame["e"].to_numpy(dtype=float) - start + 1, 0, None)  # new days each row covers
    stats = frame.groupby(["segment", "key", "origin"], sort=False).agg(
        pref=("pref", "any"), days=("days", "sum"), end=("end", "max"), rows=("end", "size")).reset_index()
    stats = stats.sort_values(["segment", "key", "pref", "days", "end", "rows", "origin"],
                              ascending=[True, True, False, False, False, False, True])
    chosen = stats.drop_duplicates(["segment", "key"])
    pick = dict(zip(chosen["segment"] + "|" + chosen["key"], chosen["origin"], strict=True))
    wanted = pd.Series(sub["segment"].to_numpy(dtype=object) + "|" + key[ref]).map(pick).to_numpy(dtype=object)
    keep = np.ones(len(sel), dtype=bool)
    keep[ref] = sub["origin"].to_numpy(dtype=object) == wanted
    others: dict[tuple[str, str], list[str]] = {}
    for seg, k, origin in stats[["segment", "key", "origin"]].itertuples(index=False):  # a few dozen
        if origin != pick[f"{seg}|{k}"]:
            others.setdefault((seg, k), []).append(origin)
    sources = pd.DataFrame({"segment": chosen["segment"].to_numpy(dtype=object),
                            "kpi": chosen["key"].to_numpy(dtype=object),
                            "source": chosen["origin"].to_numpy(dtype=object)})
    sources["other_sources"] = [", ".join(others[(a, b)]) if (a, b) in others else None
                                for a, b in zip(sources["segment"], sources["kpi"], strict=True)]
    return (sel if keep.all() else sel[keep]), sources


def _prepare(native: pd.DataFrame, dims: tuple[str, ...] = ()) -> _Native:
    missing = [c for c in ("period_start", "period_end", "segment", "kpi", "value", *dims) if c not in native.columns]
    if missing:
        raise ValueError(f"native totals lack columns {missing}")
    j = native["kpi"].map(_BASE_INDEX).to_numpy(dtype=float, na_value=np.nan)
    value = native["value"].to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(j) & ~np.isnan(value)
    if not ok.all():
        native = native[ok]
        j, value = j[ok], value[ok]
    cols = ["segment", *dims]
    if len(native):
        code = np.zeros(len(native), dtype=np.int64)
        for c in cols:
            codes, uniques = pd.factorize(native[c].astype(object).to_numpy(), use_na_sentinel=False)
            code = code * (len(uniques) + 1) + codes
        uniq, first, rk = np.unique(code, return_index=True, return_inverse=True)
        keys = pd.DataFrame({c: native[c].astype(object).to_numpy()[first] for c in cols})
    else:
        rk = np.zeros(0, dtype=np.int64)
        keys = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    return _Native(_days(native["period_start"]), _days(native["period_end"]), value,
                   j.astype(np.int64), rk.astype(np.int64), keys, tuple(dims))


@dataclass
class _Result:
    """Aggregated values as a matrix: one row per (window, segment, dims), one column per base KPI."""

    w: np.ndarray
    seg: np.ndarray
    dims: dict
    val: np.ndarray  # (R, J), NaN where absent or blocked
    has: np.ndarray  # data present
    blk: np.ndarray  # distinct count coarser than the window
    n: np.ndarray  # native periods behind the value
    pro: np.ndarray  # some flow row was prorated
    lmin: np.ndarray  # shortest / longest native period (days), for the basis
    lmax: np.ndarray


def _assign(nat: _Native, win: _Windows):
    """(row, window) pairs: flows by overlapping day share, the rest by the window holding their end."""
    ws, we = win.start, win.end
    kind = _BASE_KIND[nat.j]
    s, e = nat.s, nat.e
    length = e - s + 1
    flow = (kind == 0) & (e >= ws[0]) & (s <= we[-1])
    other = (kind != 0) & (e >= ws[0]) & (e <= we[-1])
    # flows: explode over the windows they overlap
    fi = np.flatnonzero(flow)
    i0 = np.searchsorted(we, s[fi], side="left")
    i1 = np.searchsorted(ws, e[fi], side="right") - 1
    k = np.maximum(i1 - i0 + 1, 0)
    rep = np.repeat(fi, k)
    offs = np.arange(len(rep)) - np.repeat(np.cumsum(k) - k, k)
    fw = np.repeat(i0, k) + offs
    overlap = np.minimum(e[rep], we[fw]) - np.maximum(s[rep], ws[fw]) + 1
    keep = overlap > 0
    rep, fw, overlap = rep[keep], fw[keep], overlap[keep]
    part = nat.value[rep] * overlap / length[rep]
    prorated = overlap < length[rep]
    # stocks and distinct counts: the window containing the period end
    oi = np.flatnonzero(other)
    ow = np.searchsorted(ws, e[oi], side="right") - 1
    inside = (ow >= 0) & (e[oi] <= we[np.maximum(ow, 0)])
    oi, ow = oi[inside], ow[inside]
    rows = np.concatenate([rep, oi])
    return (np.concatenate([fw, ow]), rows, np.concatenate([part, nat.value[oi]]),
            np.concatenate([prorated, np.zeros(len(oi), dtype=bool)]))


def _aggregate(nat: _Native, win: _Windows) -> _Result:
    J = len(_BASE)
    w, rows, part, prorated = _assign(nat, win)
    j = nat.j[rows]
    rk = nat.rk[rows]
    RK = max(len(nat.keys), 1)
    rowcode = w * RK + rk
    cell = rowcode * J + j
    e = nat.e[rows]
    length = (nat.e - nat.s + 1)[rows]
    order = np.lexsort((part, e, cell))
    cell, part, e, length, prorated = cell[order], part[order], e[order], length[order], prorated[order]
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]]) if len(cell) else np.zeros(0, dtype=np.int64)
    ucell = cell[starts]
    count = np.diff(np.r_[starts, len(cell)])
    total = np.add.reduceat(part, starts) if len(cell) else np.zeros(0)
    last = part[np.r_[starts[1:], len(cell)] - 1] if len(cell) else np.zeros(0)
    lmin = np.minimum.reduceat(length, starts) if len(cell) else np.zeros(0, dtype=np.int64)
    lmax = np.maximum.reduceat(length, starts) if len(cell) else np.zeros(0, dtype=np.int64)
    anypro = np.add.reduceat(prorated.astype(np.int64), starts) > 0 if len(cell) else np.zeros(0, dtype=bool)
    cj = ucell % J
    kind = _BASE_KIND[cj]
    value = np.where((kind == 0) | (kind == 3), total, np.where(kind == 1, last, total / np.maximum(count, 1)))
    urow, r = np.unique(ucell // J, return_inverse=True)
    R = len(urow)
    res = _Result(
        w=urow // RK,
        seg=nat.keys["segment"].to_numpy()[urow % RK] if R else np.zeros(0, dtype=object),
        dims={d: (nat.keys[d].to_numpy()[urow % RK] if R else np.zeros(0, dtype=object)) for d in nat.dims},
        val=np.full((R, J), np.nan), has=np.zeros((R, J), dtype=bool), blk=np.zeros((R, J), dtype=bool),
        n=np.zeros((R, J), dtype=np.int64), pro=np.zeros((R, J), dtype=bool),
        lmin=np.zeros((R, J), dtype=np.int64), lmax=np.zeros((R, J), dtype=np.int64),
    )
    res.val[r, cj] = value
    res.has[r, cj] = True
    res.n[r, cj] = count
    res.pro[r, cj] = anypro
    res.lmin[r, cj] = lmin
    res.lmax[r, cj] = lmax
    native_rank = np.searchsorted(_RANK_EDGES, lmax, side="left")
    res.blk[r, cj] = (kind == 2) & (native_rank > win.rank[res.w[r]])
    res.val[res.blk] = np.nan
    return res


def _row_codes(res: _Result, with_segment: bool) -> np.ndarray:
    cols = [res.w] + ([res.seg] if with_segment else []) + [res.dims[d] for d in res.dims]
    code = np.zeros(len(res.w), dtype=np.int64)
    for c in cols:
        codes, uniques = pd.factorize(np.asarray(c, dtype=object), use_na_sentinel=False)
        code = code * (len(uniques) + 1) + codes
    return code


def _merge(res: _Result, groups: dict[str, tuple[str, ...]]) -> tuple[_Result, dict]:
    """Append one merged row per (window, dims) for each named group of segments.

    Returns the extended result and, per group, (segment row indexes, their merged row index).
    """
    wd = _row_codes(res, with_segment=False)
    parts, links = [res], {}
    offset = len(res.w)
    for name, segments in groups.items():
        member = np.flatnonzero(np.isin(res.seg, list(segments)))
        if not len(member):
            links[name] = (member, member, segments)
            continue
        uniq, first, inv = np.unique(wd[member], return_index=True, return_inverse=True)
        G = len(uniq)
        J = res.val.shape[1]
        val = np.zeros((G, J))
        np.add.at(val, inv, np.where(res.has[member] & ~res.blk[member], res.val[member], 0.0))
        has = np.zeros((G, J), dtype=bool)
        np.logical_or.at(has, inv, res.has[member])
        blk = np.zeros((G, J), dtype=bool)
        np.logical_or.at(blk, inv, res.blk[member])
        n = np.zeros((G, J), dtype=np.int64)
        np.maximum.at(n, inv, res.n[member])
        pro = np.zeros((G, J), dtype=bool)
        np.logical_or.at(pro, inv, res.pro[member])
        lmin = np.full((G, J), np.iinfo(np.int64).max)
        np.minimum.at(lmin, inv, np.where(res.has[member], res.lmin[member], np.iinfo(np.int64).max))
        lmin[~has] = 0
        lmax = np.zeros((G, J), dtype=np.int64)
        np.maximum.at(lmax, inv, res.lmax[member])
        val[~has | blk] = np.nan
        src = member[first]
        parts.append(_Result(res.w[src], np.full(G, name, dtype=object), {d: res.dims[d][src] for d in res.dims},
                             val, has, blk, n, pro, lmin, lmax))
        links[name] = (member, offset + inv, segments)
        offset += G
    if len(parts) == 1:
        return res, links
    return _Result(
        np.concatenate([p.w for p in parts]), np.concatenate([p.seg for p in parts]),
        {d: np.concatenate([p.dims[d] for p in parts]) for d in res.dims},
        *(np.concatenate([getattr(p, f) for p in parts]) for f in ("val", "has", "blk", "n", "pro", "lmin", "lmax")),
    ), links


def _unit_class(length: np.ndarray) -> np.ndarray:
    """Native length (days) -> unit class for the basis: 0 day … 4 year, or -length."""
    cls = np.full(length.shape, -1, dtype=np.int64) * length
    cls = np.where(length == 1, 0, cls)
    cls = np.where(length == 7, 1, cls)
    cls = np.where((length >= 28) & (length <= 31), 2, cls)
    cls = np.where((length >= 89) & (length <= 92), 3, cls)
    return np.where((length >= 365) & (length <= 366), 4, cls)


def _mean_basis(n: np.ndarray, lmin: np.ndarray, lmax: np.ndarray, lang: str) -> np.ndarray:
    """ "mean of 3 months" for each distinct-count value, from its native periods' lengths."""
    words = _UNIT_WORDS["fr" if lang == "fr" else "en"]
    cmin, cmax = _unit_class(lmin), _unit_class(lmax)
    cls = np.where(cmin == cmax, cmin, -1)  # -1: periods of mixed lengths
    prefix, _, rest = _t(lang, "mean_of", n="\0", unit="\1").partition("\0")
    middle, _, suffix = rest.partition("\1")
    out = np.empty(len(n), dtype=object)
    for c in np.unique(cls):  # a handful of unit classes, not rows
        m = cls == c
        if c >= -1:
            one, many = words[int(c)]
        elif lang == "fr":
            one, many = f"période de {-c} jours", f"périodes de {-c} jours"
        else:
            one, many = f"{-c}-day period", f"{-c}-day periods"
        unit = np.where(n[m] == 1, one, many)
        out[m] = (prefix + pd.Series(n[m]).astype(str) + middle + pd.Series(unit) + suffix).to_numpy(dtype=object)
    return out


def _long(res: _Result, win: _Windows, lang: str) -> pd.DataFrame:
    """Base KPI rows of a result, as a long frame (value NaN where blocked, with the reason)."""
    r, j = np.nonzero(res.has[:, :_N_REAL])
    kind = _BASE_KIND[j]
    value = res.val[r, j]
    n, lmin, lmax = res.n[r, j], res.lmin[r, j], res.lmax[r, j]
    blocked = res.blk[r, j]
    basis = np.full(len(r), None, dtype=object)
    basis[(kind == 0) & res.pro[r, j]] = _t(lang, "prorated")
    basis[kind == 1] = _t(lang, "end_of_period")
    native_rank = np.searchsorted(_RANK_EDGES, lmax, side="left")
    mean = (kind == 2) & ~blocked & ((n > 1) | (native_rank < win.rank[res.w[r]]))
    if mean.any():
        basis[mean] = _mean_basis(n[mean], lmin[mean], lmax[mean], lang)
    reason = np.full(len(r), None, dtype=object)
    if blocked.any():
        words = np.array(_GRAIN_WORD["fr" if lang == "fr" else "en"], dtype=object)
        prefix, _, suffix = _t(lang, "native_grain", grain="\0").partition("\0")
        reason[blocked] = (prefix + pd.Series(words[native_rank[blocked]]) + suffix).to_numpy(dtype=object)
    out = {"w": res.w[r], "segment": _obj(res.seg[r])}
    out.update({d: _obj(res.dims[d][r]) for d in res.dims})
    out.update(kpi=_obj(np.array(_BASE, dtype=object)[j]), ki=_BASE_POS[j], value=value, basis=_obj(basis),
               reason=_obj(reason), n=n)
    return pd.DataFrame(out)


@lru_cache(maxsize=256)
def _grain_texts(lang: str, kpi: str) -> np.ndarray:
    """ "active_users: native grain is month", indexed by grain rank."""
    words = _GRAIN_WORD["fr" if lang == "fr" else "en"]
    return np.array([_t(lang, "component", kpi=kpi, reason=_t(lang, "native_grain", grain=g)) for g in words],
                    dtype=object)


def _no_common_source(lang: str, k, origins: dict, segments) -> str:
    """ "Clics : Google Ads ; Conversions : GA4 — pas de source commune" for a ratio over ``segments``."""
    parts = []
    for c in k.components:
        names = sorted({source_name(o, lang) for seg in segments for o in origins.get((seg, c), ())})
        if names:
            parts.append(f"{KPIS[c].short(lang)}{' : ' if lang == 'fr' else ': '}{', '.join(names)}")
    return _t(lang, "no_common_source", parts=(" ; " if lang == "fr" else "; ").join(parts))


def _columns_of(k, matched: bool) -> tuple[list[int], list[tuple[int, int]], int, list[int]]:
    """(components, signed numerator terms, denominator, the components' own columns) of a derived KPI:
    its matched parts when the frame has them."""
    real = [_BASE_INDEX[c] for c in k.components]
    parts = MATCHED.get(k.code) if matched else None
    name = (lambda c: parts[c]) if parts else (lambda c: c)
    assert k.denominator is not None, k.code  # every derived KPI has one
    return ([_BASE_INDEX[name(c)] for c in k.components], [(s, _BASE_INDEX[name(c)]) for s, c in k.numerator],
            _BASE_INDEX[name(k.denominator)], real)


def _derived(res: _Result, links: dict, lang: str, nat: _Native) -> pd.DataFrame:
    """Ratio and score rows from the aggregated components of each row (their matched parts when the frame has
    them: a ratio whose components exist only in different sources has no value, and says so)."""
    frames = []
    seg_rows = np.flatnonzero(np.isin(res.seg, SEGMENTS))
    rank = np.searchsorted(_RANK_EDGES, res.lmax, side="left")
    for code in _DERIVED:  # the catalog's derived KPIs, not rows
        k = KPIS[code]
        comps, signs, den, real = _columns_of(k, nat.matched)
        if not res.has[:, real].any():
            continue
        rows = seg_rows[np.isin(res.seg[seg_rows], k.segments)]
        rows = rows[res.has[np.ix_(rows, np.array(real))].any(axis=1)]
        num = sum(s * res.val[rows, c] for s, c in signs)
        d = res.val[rows, den]
        unmatched = ~res.has[np.ix_(rows, np.array(comps))].all(axis=1)
        apart = np.full(len(rows), None, dtype=object)
        if comps != real and unmatched.any():
            texts = {seg: _no_common_source(lang, k, nat.origins, (seg,)) for seg in set(res.seg[rows[unmatched]])}
            apart[unmatched] = [texts[seg] for seg in res.seg[rows[unmatched]]]
        conditions = ([res.blk[rows, c] for c in comps] + [~res.has[rows, c] for c in real] + [unmatched]
                      + [d == 0])
        choices = ([_grain_texts(lang, _BASE[c])[rank[rows, p]] for c, p in zip(real, comps, strict=True)]
                   + [_t(lang, "missing", kpi=_BASE[c]) for c in real] + [apart]
                   + [_t(lang, "zero", kpi=k.denominator)])
        reason = (np.select(conditions, choices, default=_NONE).astype(object) if len(rows)
                  else np.zeros(0, dtype=object))
        ok = pd.isna(reason)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(ok, num / np.where(d == 0, np.nan, d) * k.scale, np.nan)
        frames.append((rows, code, value, reason))
        for member, target, segments in links.values():
            frames.append(_pooled(res, k, member, target, (comps, signs, den, real), rank, lang,
                                  _no_common_source(lang, k, nat.origins, segments) if comps != real else None))
    if not frames:
        frames.append((np.zeros(0, dtype=np.int64), _DERIVED[0], np.zeros(0), np.zeros(0, dtype=object)))
    rows = np.concatenate([f[0] for f in frames]).astype(np.int64)
    out = {"w": res.w[rows], "segment": _obj(res.seg[rows])}
    out.update({d: _obj(res.dims[d][rows]) for d in res.dims})
    out.update(
        kpi=_obj(np.concatenate([np.full(len(f[0]), f[1], dtype=object) for f in frames])),
        ki=np.concatenate([np.full(len(f[0]), _KPI_ORDER[f[1]]) for f in frames]),
        value=np.concatenate([f[2] for f in frames]).astype(float),
        basis=_obj(np.full(len(rows), None, dtype=object)),
        reason=_obj(np.concatenate([f[3] for f in frames]).astype(object)),
        n=np.zeros(len(rows), dtype=np.int64),
    )
    return pd.DataFrame(out)


def _pooled(res, k, member, target, columns, rank, lang, apart):
    """A merged row's ratio: components pooled over the member segments where the ratio has them all.
    ``apart`` is the reason when some segment has every component but in no common source."""
    comps, signs, den, real = columns
    keep = np.isin(res.seg[member], k.segments)
    member, target = member[keep], target[keep]
    if not len(member):
        return np.zeros(0, dtype=np.int64), k.code, np.zeros(0), np.zeros(0, dtype=object)
    has = res.has[np.ix_(member, comps)]
    blk = res.blk[np.ix_(member, comps)]
    valid = (has & ~blk).all(axis=1)
    uniq, inv = np.unique(target, return_inverse=True)
    size = len(uniq)
    emitted = np.bincount(inv, weights=res.has[np.ix_(member, real)].any(axis=1), minlength=size) > 0
    nvalid = np.bincount(inv, weights=valid, minlength=size)
    num = np.bincount(inv, weights=np.where(valid, sum(s * res.val[member, c] for s, c in signs), 0.0), minlength=size)
    d = np.bincount(inv, weights=np.where(valid, res.val[member, den], 0.0), minlength=size)
    conditions, choices = [], []
    for i, (c, r) in enumerate(zip(comps, real, strict=True)):  # a blocked component: say which, at its coarsest
        blocked = np.bincount(inv, weights=blk[:, i], minlength=size) > 0
        worst = np.zeros(size, dtype=np.int64)
        np.maximum.at(worst, inv, np.where(blk[:, i], rank[member, c], 0))
        conditions.append((nvalid == 0) & blocked)
        choices.append(_grain_texts(lang, _BASE[r])[worst])
    if apart is not None:  # every component somewhere, never in a common source
        whole = res.has[np.ix_(member, real)].all(axis=1)
        conditions.append((nvalid == 0) & (np.bincount(inv, weights=whole, minlength=size) > 0))
        choices.append(apart)
    conditions += [nvalid == 0, d == 0]
    choices += [_t(lang, "incomplete_all"), _t(lang, "zero", kpi=k.denominator)]
    reason = np.select(conditions, choices, default=_NONE).astype(object)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where((nvalid > 0) & (d != 0), num / np.where(d == 0, np.nan, d) * k.scale, np.nan)
    return uniq[emitted], k.code, value[emitted], reason[emitted]


def _compute(nat: _Native, win: _Windows, groups: dict[str, tuple[str, ...]], lang: str) -> pd.DataFrame:
    """Base and derived KPI rows for the windows: w, segment, *dims, kpi, value, basis, reason, n."""
    if nat.empty or not len(win.start):
        columns = ("w", "segment", *nat.dims, "kpi", "value", "basis", "reason", "n")
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    res = _aggregate(nat, win)
    res, links = _merge(res, {g: s for g, s in groups.items()})
    out = pd.concat([_long(res, win, lang), _derived(res, links, lang, nat)], ignore_index=True)
    out["value"] = out["value"].astype(float)
    return out


# --- the KPI table -----------------------------------------------------------------------


def _selected(flt: Filter) -> tuple[str, ...]:
    return tuple(s for s in SEGMENTS if not flt.segments or s in flt.segments)


def _merged_groups(flt: Filter) -> dict[str, tuple[str, ...]]:
    sel = _selected(flt)
    return {MERGED: sel} if len(sel) > 1 else {}


def _range(nat: _Native, flt: Filter) -> tuple[int, int] | None:
    """[lo, hi] in days: the filter's bounds, else the data's."""
    if nat.empty:
        return None
    lo = _day(flt.start) if flt.start else int(nat.s.min())
    hi = _day(flt.end) if flt.end else int(nat.e.max())
    return (lo, hi) if lo <= hi else None


def _finish(out: pd.DataFrame, win: _Windows, flt: Filter, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Labels, units, ordering; drop rows not asked for."""
    if flt.kpis:
        out = out[out["kpi"].isin(flt.kpis)]
    w = out["w"].to_numpy(dtype=np.int64)
    ki = out["ki"].to_numpy(dtype=np.int64)
    value = out["value"].to_numpy(dtype=float)
    out = out.assign(
        period=_obj(win.label[w]),
        period_start=win.bucket_start[w].astype("datetime64[D]").astype("datetime64[s]"),
        period_end=win.bucket_end[w].astype("datetime64[D]").astype("datetime64[s]"),
        unit=_obj(_UNITS[ki]).to_numpy(), value=np.where(np.isfinite(value), value, np.nan),
        _s=out["segment"].map(_SEGMENT_ORDER).to_numpy(),
    )
    order = np.lexsort((ki, out["_s"].to_numpy(), *[pd.factorize(out[c])[0] for c in reversed(extra)], w))
    return out.iloc[order].reset_index(drop=True)


def _nulls(df: pd.DataFrame, columns) -> pd.DataFrame:
    """Text columns as objects with None (not NaN) for missing values, as JSON wants them."""
    fix = {}
    for c in columns:  # a few named columns
        if c in df.columns:
            col = df[c]
            if col.dtype != object or col.isna().any():
                values = col.to_numpy(dtype=object, na_value=None)
                fix[c] = _obj(np.where(pd.isna(values), None, values))
    return df.assign(**fix) if fix else df


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def kpi_table(native: pd.DataFrame, flt: Filter = Filter(), grain: str = "month", fiscal_start: int = 1,
              lang: str = "fr") -> pd.DataFrame:
    """Every KPI with data, per bucket and segment (+ ``ALL`` when several segments are selected).

        >>> table = kpi_table(native, Filter(segments=("B2C",)), grain="quarter", lang="en")
        >>> table[["period", "kpi", "value", "reason"]]         # 540 / 27,000 clicks per impression; 810 / 27
            period              kpi     value                   reason
        0  2026-Q3      impressions  27000.00                     None
        1  2026-Q3           clicks    540.00                     None
        2  2026-Q3      conversions     27.00                     None
        3  2026-Q3             cost    810.00                     None
        4  2026-Q3              ctr      0.02                     None
        5  2026-Q3  conversion_rate      0.05                     None
        6  2026-Q3              cpc      1.50                     None
        7  2026-Q3              cpa     30.00                     None
        8  2026-Q3             roas       NaN      no data for revenue
        9  2026-Q3        view_rate       NaN  no data for video_views

    Columns ``TABLE_COLUMNS``: period (label), period_start / period_end (the
    whole bucket), segment, kpi, value (a rate as a fraction; NaN when
    undefined), unit, basis, reason.
    """
    _check_grain(grain, fiscal_start)
    nat = _native(native, flt)
    bounds = _range(nat, flt)
    if bounds is None:
        return _empty(TABLE_COLUMNS)
    win = _bucket_windows(*bounds, grain, fiscal_start)
    out = _compute(nat, win, _merged_groups(flt), lang)
    if out.empty:
        return _empty(TABLE_COLUMNS)
    return _nulls(_finish(out, win, flt)[list(TABLE_COLUMNS)], ("basis", "reason"))


def _selection(native: pd.DataFrame, flt: Filter) -> pd.DataFrame:
    """Native rows of the selected segments and dimensions (the store already did it; frames from tests may not)."""
    mask = np.ones(len(native), dtype=bool)
    for col, values in (("segment", flt.segments), ("entity", flt.entities), ("channel", flt.channels),
                        ("initiative", flt.initiatives)):
        if values and col in native.columns:
            mask &= native[col].isin(values).to_numpy()
    return native if mask.all() else native[mask]


# --- scorecard ---------------------------------------------------------------------------


def _shift(idx: int, grain: str, back: str) -> int:
    """Bucket index of the previous bucket or the same bucket a year earlier."""
    if back == "previous":
        return idx - 1
    return idx - {"day": 364, "week": 52, "month": 12, "quarter": 4, "year": 1}[grain]


def _latest_day(nat: _Native, flt: Filter) -> int | None:
    if nat.empty:
        return None
    lo = _day(flt.start) if flt.start else None
    e = nat.e if lo is None else nat.e[nat.e >= lo]
    if not len(e):
        return None
    last = int(e.max())
    if flt.end:
        last = min(last, _day(flt.end))
    return last if lo is None or last >= lo else None


def _cutoffs(nat: _Native, bs: int, cap: int, groups: dict) -> dict[str, int]:
    """Per (segment, kpi), base or derived: the last day with data in [bs, cap] (absent: no data in the bucket)."""
    m = (nat.e >= bs) & (nat.s <= cap)
    if not m.any():
        return {}
    segs = nat.keys["segment"].to_numpy()
    names = np.array(sorted(set(segs[nat.rk[m]]), key=lambda s: _SEGMENT_ORDER[s]), dtype=object)
    row = np.searchsorted(names, segs[nat.rk[m]], sorter=np.argsort(names))
    row = np.argsort(names)[row]
    cut = np.full((len(names), len(_BASE)), -1, dtype=np.int64)
    np.maximum.at(cut, (row, nat.j[m]), np.minimum(nat.e[m], cap))
    base = np.where(cut >= 0, cut.astype(float), np.nan)
    columns = {c: base[:, i] for i, c in enumerate(_BASE)}
    with np.errstate(all="ignore"):
        for code in _DERIVED:  # the catalog's derived KPIs
            k = KPIS[code]
            comps = np.column_stack([columns[c] for c in k.components])
            ok = ~np.isnan(comps).all(axis=1) & np.isin(names, k.segments)
            columns[code] = np.where(ok, np.nanmin(np.where(np.isnan(comps), np.inf, comps), axis=1), np.nan)
    out = {}
    for code, col in columns.items():  # ≤ 44 KPIs × ≤ 3 segments (+ groups)
        for i, seg in enumerate(names):
            if not np.isnan(col[i]):
                out[f"{seg}|{code}"] = int(col[i])
        for name, members in groups.items():
            vals = col[np.isin(names, members)]
            if len(vals) and not np.isnan(vals).all():
                out[f"{name}|{code}"] = int(np.nanmin(vals))
    return out


def _shift_months(day: int, months: int, end: bool = False) -> int:
    """A day moved by whole months; a month end (or a day past the target month's end) stays a month end."""
    d = _as_date(day)
    index = d.year * 12 + d.month - 1 + months
    first = date(index // 12, index % 12 + 1, 1)
    nxt = date((index + 1) // 12, (index + 1) % 12 + 1, 1)
    last = nxt.toordinal() - first.toordinal()
    is_month_end = (d + timedelta(days=1)).day == 1
    return _day(first) + (last - 1 if end and is_month_end else min(d.day, last) - 1)


def comparison_windows(start: date, end: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """The previous window of the same length just before [start, end], and the same window a year earlier.

        >>> previous, year = comparison_windows(date(2025, 11, 1), date(2026, 10, 31))
        >>> previous == year == (date(2024, 11, 1), date(2025, 10, 31))   # twelve months: both the same
        True
        >>> comparison_windows(date(2026, 7, 1), date(2026, 9, 30))[0]   # whole months: the previous quarter
        (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
        >>> comparison_windows(date(2026, 9, 10), date(2026, 9, 19))[0]  # other windows: as many days before
        (datetime.date(2026, 8, 31), datetime.date(2026, 9, 9))
    """
    ws, we = _day(start), _day(end)
    whole_months = start.day == 1 and (end + timedelta(days=1)).day == 1
    if whole_months:
        months = (end.year * 12 + end.month) - (start.year * 12 + start.month) + 1
        previous = (_shift_months(ws, -months), ws - 1)
    else:
        previous = (ws - (we - ws + 1), ws - 1)
    year = (_shift_months(ws, -12), _shift_months(we, -12, end=True))
    return (_as_date(previous[0]), _as_date(previous[1])), (_as_date(year[0]), _as_date(year[1]))


def _window_label(lo: int, hi: int) -> str:
    return f"{_as_date(lo).isoformat()}/{_as_date(hi).isoformat()}"


def _compute_windows(nat: _Native, win: _Windows, groups: dict, lang: str) -> pd.DataFrame:
    """``_compute`` of the three comparison windows [year before, previous, current]. The year-earlier window
    overlaps the previous one when the window spans a year or more: it is computed on its own, since a native
    period is assigned to one window only."""
    if win.end[0] < win.start[1]:
        return _compute(nat, win, groups, lang)
    part = [_Windows(*(getattr(win, f)[sl] for f in ("start", "end", "rank", "label", "bucket_start", "bucket_end")))
            for sl in (slice(0, 1), slice(1, 3))]
    year, rest = _compute(nat, part[0], groups, lang), _compute(nat, part[1], groups, lang)
    frames = [f for f in (year, rest.assign(w=rest["w"] + 1) if len(rest) else rest) if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else rest


def scorecard(native: pd.DataFrame, flt: Filter = Filter(), grain: str = "month", fiscal_start: int = 1,
              targets: pd.DataFrame | None = None, lang: str = "fr") -> pd.DataFrame:
    """Every KPI over the selected window, against the previous window of the same length and the same
    window a year earlier (``comparison_windows``). Without a start date, the latest bucket of ``grain``.

        >>> sc = scorecard(fetch(store, flt), flt, "month", lang="en")   # July to September 2026
        >>> sc.loc[sc.kpi.isin(["clicks", "adoption_rate"]), ["segment", "kpi", "period", "value", "previous"]]
           segment            kpi                 period       value  previous
        1      B2C         clicks  2026-07-01/2026-09-30  540.000000       NaN
        13     B2E  adoption_rate  2026-07-01/2026-09-30    0.388889       NaN
        17     ALL         clicks  2026-07-01/2026-09-30  540.000000       NaN
        29     ALL  adoption_rate  2026-07-01/2026-09-30    0.388889       NaN

    (Clicks 160 + 180 + 200 = 540 over the quarter, adoption 700 / 1,800; the store holds no
    April–June to compare with.) With ``Filter()`` (no window) the latest month: clicks 200
    against 180.

    ``native`` must reach one year before the filter start (``fetch`` /
    ``widen`` do). ``change`` = value − previous, in percentage points (× 100)
    when ``change_unit`` is ``"pp"`` (KPIs in %), else in the KPI's unit;
    ``change_relative`` = change / |previous| as a fraction; ``good`` is the
    change's sign times the KPI's direction (None when unchanged or unknown).
    ``like_for_like_days`` is set when the window is incomplete for that KPI
    (its data stops before the window's end) and the comparisons use the
    same first N days of theirs.

    The window's value is what ``side_by_side`` and ``targets_status`` give
    for the same selection: flows summed over it, stocks at its end, distinct
    counts the mean of their native periods, ratios from the window's
    components.
    """
    _check_grain(grain, fiscal_start)
    nat = _native(native, flt)
    last = _latest_day(nat, flt)
    if last is None:
        return _empty(SCORECARD_COLUMNS)
    if flt.start is None:  # no window chosen: the latest bucket of the grain
        idx = int(_bucket_index(np.array([last]), grain, fiscal_start)[0])
        idxs = np.array([_shift(idx, grain, "year"), _shift(idx, grain, "previous"), idx])
        bs, be = _bucket_days(idxs, grain, fiscal_start)
        labels = _labels(idxs, grain, fiscal_start)
        rank = np.full(3, _GRAIN_RANK[grain])
    else:
        ws, we = _day(flt.start), _day(flt.end) if flt.end else last
        (ps, pe), (ys, ye) = comparison_windows(_as_date(ws), _as_date(we))
        bs = np.array([_day(ys), _day(ps), ws])
        be = np.array([_day(ye), _day(pe), we])
        labels = np.array([_window_label(lo, hi) for lo, hi in zip(bs, be, strict=True)], dtype=object)
        rank = np.searchsorted(_RANK_EDGES, be - bs + 1, side="left")
    cap = int(be[2]) if flt.end is None else min(int(be[2]), _day(flt.end))
    groups = _merged_groups(flt)
    cuts = _cutoffs(nat, int(bs[2]), cap, groups)
    full = int(be[2] - bs[2] + 1)
    frames = []
    for d in sorted({c - int(bs[2]) + 1 for c in cuts.values()} | {full}):  # a few distinct cut-offs, not rows
        lengths = np.minimum(be - bs + 1, d) if d < full else be - bs + 1
        out = _compute_windows(nat, _Windows(bs.copy(), bs + lengths - 1, rank, labels, bs, be), groups, lang)
        if out.empty:
            continue
        key = out["segment"].astype(object) + "|" + out["kpi"].astype(object)
        days = key.map(cuts).fillna(int(be[2])).to_numpy(dtype=np.int64) - int(bs[2]) + 1
        out, key = out[days == d], key[days == d]
        if out.empty:
            continue
        codes, uniq = pd.factorize(key.to_numpy(dtype=object))
        vals = np.full((len(uniq), 3), np.nan)
        vals[codes, out["w"].to_numpy(dtype=np.int64)] = out["value"].to_numpy(dtype=float)
        reason = np.full(len(uniq), None, dtype=object)
        basis = np.full(len(uniq), None, dtype=object)
        cur = (out["w"] == 2).to_numpy()
        reason[codes[cur]] = out["reason"].to_numpy(dtype=object)[cur]
        basis[codes[cur]] = out["basis"].to_numpy(dtype=object)[cur]
        first = np.unique(codes, return_index=True)[1]
        frames.append(pd.DataFrame({"segment": out["segment"].to_numpy(dtype=object)[first],
                                    "kpi": out["kpi"].to_numpy(dtype=object)[first], "value": vals[:, 2],
                                    "previous": vals[:, 1], "previous_year": vals[:, 0], "reason": reason,
                                    "basis": basis, "days": d}))
    if not frames:
        return _empty(SCORECARD_COLUMNS)
    sc = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if flt.kpis:
        sc = sc[sc["kpi"].isin(flt.kpis)]
    unit = sc["kpi"].map(_UNIT)
    direction = sc["kpi"].map(_DIRECTION).to_numpy()
    factor = np.where(unit.eq("%").to_numpy(), 100.0, 1.0)
    value, prev, year = (sc[c].to_numpy(dtype=float) for c in ("value", "previous", "previous_year"))
    change = (value - prev) * factor
    change_year = (value - year) * factor
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(prev != 0, (value - prev) / np.abs(prev), np.nan)
        rel_year = np.where(year != 0, (value - year) / np.abs(year), np.nan)
    sign = np.sign(change) * direction
    good = np.where(np.isnan(sign) | (sign == 0), _NONE, sign > 0).astype(object)
    sign_year = np.sign(change_year) * direction
    good_year = np.where(np.isnan(sign_year) | (sign_year == 0), _NONE, sign_year > 0).astype(object)
    days = sc["days"].to_numpy(dtype=np.int64)
    lengths = np.minimum.outer(days, be - bs + 1)  # each KPI's windows, cut like for like
    lengths[days >= full] = be - bs + 1
    first = pd.to_datetime(bs.astype("datetime64[D]"))
    last = pd.to_datetime((bs[None, :] + lengths - 1).astype("datetime64[D]").ravel()).to_numpy().reshape(-1, 3)
    sc = sc.assign(
        window_start=first[2], window_end=last[:, 2], previous_start=first[1], previous_end=last[:, 1],
        previous_year_start=first[0], previous_year_end=last[:, 0],
        period=labels[2], previous_period=labels[1], previous_year_period=labels[0], unit=unit,
        change=change, change_relative=rel, change_year=change_year, change_year_relative=rel_year,
        change_unit=np.where(unit.eq("%"), "pp", "abs"), good=good, good_year=good_year,
        like_for_like_days=np.where(sc["days"] < full, sc["days"], _NONE),
        _s=sc["segment"].map(_SEGMENT_ORDER), _k=sc["kpi"].map(_KPI_ORDER),
    )
    sc = sc.sort_values(["_s", "_k"]).reset_index(drop=True)
    if targets is not None and len(targets) and len(sc) and flt.start is not None:
        # the window's target and status come from targets_status: a card and the status table cannot disagree
        sc = _with_window_targets(sc, targets_status(native, targets, flt, grain, fiscal_start, lang))
    elif targets is not None and len(targets) and len(sc):
        firsts = np.full(len(sc), int(bs[2]))
        lasts = firsts + sc["days"].to_numpy(dtype=np.int64) - 1
        att = _attain(sc[["segment", "kpi", "value"]].rename(columns={"value": "actual"}), firsts, lasts,
                      _applicable_targets(targets, flt), lang)
        sc = sc.assign(target=att["target"].to_numpy(), attainment=att["attainment"].to_numpy(),
                       status=att["status"].to_numpy())
    else:
        sc = sc.assign(target=np.nan, attainment=np.nan, status=None)
    for c in ("value", "previous", "previous_year", "change", "change_relative", "change_year", "change_year_relative"):
        sc[c] = sc[c].astype(float).where(np.isfinite(sc[c].astype(float)), np.nan)
    sc = _with_sources(sc, nat.sources)
    surveys = sc["kpi"].isin(_SCORES).to_numpy()
    if surveys.any():  # "2 enquêtes : T2 2026, T3 2026": which surveys a score pools
        sc.loc[surveys, "basis"] = [
            _survey_basis(nat, seg, kpi, int(bs[2]), _day(end.date()), lang)
            for seg, kpi, end in zip(sc.loc[surveys, "segment"], sc.loc[surveys, "kpi"], sc.loc[surveys, "window_end"],
                                     strict=True)]
    return _nulls(sc[list(SCORECARD_COLUMNS)], ("status", "reason", "good", "good_year", "like_for_like_days",
                                                "basis", "source", "other_sources"))


def _survey_basis(nat: _Native, segment: str, kpi: str, lo: int, hi: int, lang: str) -> str | None:
    """The surveys a score pools over [lo, hi]: those of its respondents whose period ends inside, named by
    their quarter or month when they are one, else by their dates; None when there is none."""
    from kpis.i18n import fmt_date, fmt_period

    j = _BASE_INDEX[KPIS[kpi].denominator or ""]
    segs = nat.keys["segment"].to_numpy()[nat.rk]
    mine = (nat.j == j) & (nat.e >= lo) & (nat.e <= hi) & ((segs == segment) if segment in SEGMENTS else True)
    periods = sorted(set(zip(nat.s[mine].tolist(), nat.e[mine].tolist(), strict=True)))
    if not periods:
        return None
    names = []
    for s, e in periods:  # a handful of surveys
        start, end = _as_date(s), _as_date(e)
        grain = next((g for g in ("month", "quarter") if bucket_bounds(start, g) == (start, end)), None)
        if grain == "month":
            names.append(fmt_period(f"{start:%Y-%m}", lang))
        elif grain == "quarter":
            names.append(fmt_period(f"{start.year}-Q{(start.month - 1) // 3 + 1}", lang))
        else:
            names.append(f"{fmt_date(start, lang)} – {fmt_date(end, lang)}")
    count = len(periods)
    word = ("enquête" if count == 1 else "enquêtes") if lang == "fr" else ("survey" if count == 1 else "surveys")
    return f"{count} {word}{' : ' if lang == 'fr' else ': '}{', '.join(dict.fromkeys(names))}"


def _with_sources(sc: pd.DataFrame, sources: pd.DataFrame | None) -> pd.DataFrame:
    """``source`` (the reference origin) and ``other_sources`` (those left aside) of each referenced KPI."""
    if sources is None or not len(sources) or not len(sc):
        return sc.assign(source=None, other_sources=None)
    keyed = sources.set_index(["segment", "kpi"])
    index = pd.MultiIndex.from_arrays([sc["segment"], sc["kpi"]])
    return sc.assign(source=keyed["source"].reindex(index).to_numpy(dtype=object),
                     other_sources=keyed["other_sources"].reindex(index).to_numpy(dtype=object))


# --- targets -------------------------------------------------------------------------------


def _month_count(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Months between two days (inclusive): whole calendar months count 1, partial ones by their days."""
    lo, hi = np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)
    m_lo, m_hi = _months(lo), _months(hi)
    dim_lo = _month_start(m_lo + 1) - _month_start(m_lo)
    dim_hi = _month_start(m_hi + 1) - _month_start(m_hi)
    same = m_lo == m_hi
    first = (_month_start(m_lo + 1) - lo) / dim_lo
    lastp = (hi - _month_start(m_hi) + 1) / dim_hi
    out = np.where(same, (hi - lo + 1) / dim_lo, first + (m_hi - m_lo - 1) + lastp)
    return np.where(hi < lo, 0.0, out)


def _applicable_targets(targets: pd.DataFrame | None, flt: Filter) -> pd.DataFrame:
    cols = ["kpi", "segment", "period_start", "period_end", "grain", "value"]
    if targets is None or not len(targets):
        return pd.DataFrame({c: [] for c in cols})
    if flt.channels or flt.initiatives or len(flt.entities) > 1:
        return pd.DataFrame({c: [] for c in cols})
    entity = targets["entity"] if "entity" in targets.columns else pd.Series(None, index=targets.index)
    if flt.entities:
        keep = entity.eq(flt.entities[0])
    else:
        keep = entity.isna()
    t = targets[keep.to_numpy(dtype=bool)]
    return t[[c for c in cols if c in t.columns]]


_TARGET_GRAIN_ORDER = {"month": 0, "quarter": 1, "year": 2, "range": 3}


def _attain(actuals: pd.DataFrame, ws: np.ndarray, we: np.ndarray, targets: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per actuals row (segment, kpi, actual) over [ws, we]: target, attainment, status, target_basis.

    Flow targets: for each target grain, the targets overlapping the window prorated by month and summed;
    the finest grain whose targets cover the whole window wins; when several of them share the window, the
    basis names each one's part ("41,7 % de l'objectif 2025 + 50 % de l'objectif 2026"). Other kinds: the
    shortest target period containing the window's last day, as it is.
    """
    n = len(actuals)
    out = pd.DataFrame({"target": np.full(n, np.nan), "attainment": np.full(n, np.nan),
                        "status": _obj(np.full(n, None, dtype=object)),
                        "target_basis": _obj(np.full(n, None, dtype=object))})
    if not len(targets) or not n:
        return out
    a_seg, a_kpi = actuals["segment"].to_numpy(dtype=object), actuals["kpi"].to_numpy(dtype=object)
    t_seg, t_kpi = targets["segment"].to_numpy(dtype=object), targets["kpi"].to_numpy(dtype=object)
    codes, _ = pd.factorize(np.concatenate([a_seg + "|" + a_kpi, t_seg + "|" + t_kpi]))
    ar, ti = np.nonzero(codes[:n, None] == codes[None, n:])  # (actual row, target) pairs: few targets
    if not len(ar):
        return out
    ts, te = _days(targets["period_start"])[ti], _days(targets["period_end"])[ti]
    tval = targets["value"].to_numpy(dtype=float)[ti]
    grain = targets["grain"].to_numpy(dtype=object)[ti]
    ws, we = np.asarray(ws, dtype=np.int64)[ar], np.asarray(we, dtype=np.int64)[ar]
    flow = np.array([_AGGREGATION[k] == "flow" for k in t_kpi], dtype=bool)[ti]
    months = _month_count(ts, te)
    overlap = _month_count(np.maximum(ts, ws), np.minimum(te, we))
    span = te - ts + 1
    target = np.full(n, np.nan)
    share = np.full(n, np.nan)
    chosen_grain = np.full(n, None, dtype=object)
    several = np.full(n, None, dtype=object)
    # flows: prorated sums per (row, grain); keep grains covering the window; the finest wins
    f = np.flatnonzero(flow & (overlap > 0))
    if len(f):
        gcode = np.array([_TARGET_GRAIN_ORDER.get(g, 4) for g in grain[f]])
        key = ar[f] * 8 + gcode
        uk, inv = np.unique(key, return_inverse=True)
        part = np.bincount(inv, weights=tval[f] * overlap[f] / months[f])
        covered = np.bincount(inv, weights=overlap[f])
        tmonths = np.zeros(len(uk))
        np.maximum.at(tmonths, inv, months[f])
        row = uk // 8
        first_pair = np.zeros(len(uk), dtype=np.int64)
        first_pair[inv] = np.arange(len(f))
        need = _month_count(ws[f][first_pair], we[f][first_pair])
        ok = np.isclose(covered, need)
        order = np.lexsort((uk % 8, row))
        order = order[ok[order]]
        rows, first = np.unique(row[order], return_index=True)
        pick = order[first]
        target[rows] = part[pick]
        share[rows] = covered[pick] / tmonths[pick]
        chosen_grain[rows] = grain[f][first_pair[pick]]
        for r, k in zip(rows, pick, strict=True):  # several targets of the grain: each one's share, named
            members = f[inv == k]
            if len(members) > 1:
                several[r] = " + ".join(_target_share(overlap[m] / months[m], ts[m], grain[m], lang)
                                        for m in members[np.argsort(ts[members])])
    # stocks, distinct counts, ratios, scores: the shortest target containing the window's last day
    o = np.flatnonzero(~flow & (ts <= we) & (te >= we))
    if len(o):
        order = o[np.lexsort((span[o], ar[o]))]
        rows, first = np.unique(ar[order], return_index=True)
        pick = order[first]
        target[rows] = tval[pick]
        share[rows] = 1.0
        chosen_grain[rows] = grain[pick]
    has = ~np.isnan(target)
    if not has.any():
        return out
    actual = actuals["actual"].to_numpy(dtype=float)
    direction = np.array([_DIRECTION[k] for k in a_kpi])
    with np.errstate(divide="ignore", invalid="ignore"):
        att = np.where(direction > 0, np.where(target > 0, actual / target, np.nan),
                       np.where(actual > 0, target / actual, np.nan))
    thresholds = np.array([KPIS[k].thresholds for k in a_kpi], dtype=float).reshape(-1, 2)
    status = np.where(np.isnan(att), _NONE, np.where(att >= thresholds[:, 0] - 1e-12, "green",
                                                  np.where(att >= thresholds[:, 1] - 1e-12, "amber", "red")))
    as_is_1, _, as_is_2 = _t(lang, "target_as_is", period="\1").partition("\1")
    p1, _, rest = _t(lang, "target_prorated", share="\0", period="\1").partition("\0")
    p2, _, p3 = rest.partition("\1")
    pct = _obj(np.round(share * 100, 1)).map("{:g}".format)
    pct = pct.str.replace(".", ",", regex=False) + " %" if lang == "fr" else pct + "%"
    words = dict(zip(("week", "month", "quarter", "year"), _t(lang, "target_grains").split(","), strict=True))
    g = _obj(chosen_grain).map(words).fillna("")  # "objectif annuel", "25.0% of annual target"
    whole = np.isclose(share, 1.0) | (share > 1)
    basis = np.where(~has, _NONE, np.where(whole, (as_is_1 + g + as_is_2).to_numpy(dtype=object),
                                          (p1 + pct + p2 + g + p3).to_numpy(dtype=object)))
    basis = np.where(has & pd.notna(several), several, basis)
    return pd.DataFrame({"target": target, "attainment": np.where(has, att, np.nan),
                         "status": _obj(np.where(has, status, _NONE)), "target_basis": _obj(basis)})


def _target_share(share: float, start_day: int, grain: str, lang: str) -> str:
    """``41,7 % de l'objectif 2025`` / ``41.7% of 2025 target``: one target's prorated part, its period named."""
    start = pd.Timestamp(np.datetime64(int(start_day), "D"))
    if grain == "year":
        period = str(start.year)
    elif grain == "quarter":
        period = f"{'T' if lang == 'fr' else 'Q'}{(start.month - 1) // 3 + 1} {start.year}"
    else:
        period = f"{start.year}-{start.month:02d}"
    pct = f"{round(share * 100, 1):g}"
    pct = f"{pct.replace('.', ',')} %" if lang == "fr" else f"{pct}%"
    return _t(lang, "target_prorated", share=pct, period=period)


def _selection_window(nat: _Native, flt: Filter) -> _Windows | None:
    """One window: the filter's range, ending with the last day of data inside it."""
    bounds = _range(nat, flt)
    last = _latest_day(nat, flt)
    if bounds is None or last is None:
        return None
    return _range_window(bounds[0], min(bounds[1], last))


def targets_status(native: pd.DataFrame, targets: pd.DataFrame, flt: Filter = Filter(), grain: str = "month",
                   fiscal_start: int = 1, lang: str = "fr", _computed: tuple | None = None) -> pd.DataFrame:
    """Attainment of every KPI that has a target, over the selection (up to its last day of data).

        >>> b2c = Filter(segments=("B2C",), start=date(2026, 7, 1), end=date(2026, 9, 30))
        >>> status = targets_status(native, store.targets(), b2c, lang="en")
        >>> status[["segment", "kpi", "period", "actual", "target", "attainment", "status", "target_basis"]]
          segment     kpi                 period  actual  target  attainment status           target_basis
        0     B2C  clicks  2026-07-01/2026-09-30   540.0   500.0        1.08  green    25% of annual target

    A yearly flow target is prorated over the months of the window (3/12 of
    it for a quarter); stock, distinct, ratio and score targets apply as they
    are. ``grain`` and ``fiscal_start`` only shape labels and are kept for a
    uniform signature.
    """
    _check_grain(grain, fiscal_start)
    out, win = _computed or _selection_values(native, replace(flt, kpis=()), lang)
    if out is None or out.empty or targets is None or not len(targets):
        return _empty(TARGET_COLUMNS)
    t = _applicable_targets(targets, flt)
    actual = out[out["segment"].isin((*SEGMENTS, MERGED)).to_numpy() & out["value"].notna().to_numpy()
                 & out["kpi"].isin(set(t["kpi"])).to_numpy()]
    if not len(actual) or not len(t):
        return _empty(TARGET_COLUMNS)
    ws = np.full(len(actual), int(win.start[0]))
    we = np.full(len(actual), int(win.end[0]))
    att = _attain(actual[["segment", "kpi", "value"]].rename(columns={"value": "actual"}), ws, we, t, lang)
    res = actual[["segment", "kpi", "value"]].rename(columns={"value": "actual"}).reset_index(drop=True)
    res = pd.concat([res, att], axis=1)
    res = res[res["target"].notna()]
    anomaly = res["kpi"].isin(BOUNDED_RATES).to_numpy() & (res["actual"].to_numpy(dtype=float) > 1 + 1e-9)
    if anomaly.any():  # a rate above 100 % is reported, never rated
        res = res.assign(attainment=np.where(anomaly, np.nan, res["attainment"].to_numpy(dtype=float)),
                         status=np.where(anomaly, None, res["status"].to_numpy(dtype=object)),
                         target_basis=np.where(anomaly, _t(lang, "anomaly"),
                                               res["target_basis"].to_numpy(dtype=object)))
    res = res.assign(period=win.label[0], period_start=pd.Timestamp(_as_date(win.start[0])),
                     period_end=pd.Timestamp(_as_date(win.end[0])),
                     _s=res["segment"].map(_SEGMENT_ORDER), _k=res["kpi"].map(_KPI_ORDER))
    res = res.sort_values(["_s", "_k"]).reset_index(drop=True)[list(TARGET_COLUMNS)]
    return _nulls(res, ("status", "target_basis"))


def _selection_values(native: pd.DataFrame, flt: Filter, lang: str, groups: dict | None = None):
    nat = _native(native, flt)
    win = _selection_window(nat, flt)
    if win is None:
        return None, None
    if groups is None:
        groups = {**_merged_groups(flt), **_world_groups(flt)}
    out = _compute(nat, win, groups, lang)
    if flt.kpis and len(out):
        out = out[out["kpi"].isin(flt.kpis) | out["segment"].isin(("EXTERNAL", "INTERNAL"))]
    return out, win


def _world_groups(flt: Filter) -> dict[str, tuple[str, ...]]:
    sel = _selected(flt)
    groups = {}
    ext = tuple(s for s in sel if s in EXTERNAL_SEGMENTS)
    inn = tuple(s for s in sel if s in INTERNAL_SEGMENTS)
    if ext:
        groups["EXTERNAL"] = ext
    if inn:
        groups["INTERNAL"] = inn
    return groups


# --- funnel, side by side ------------------------------------------------------------------


_STAGE_POS = {**{s.code: i for i, s in enumerate(FUNNEL)}, "rate": len(FUNNEL)}


def _funnel_from(out: pd.DataFrame | None, segments: tuple[str, ...], lang: str) -> pd.DataFrame:
    """Funnel rows (4 stages + 2 rates per segment) looked up in computed values of one window."""
    if out is None or out.empty:
        return _empty(FUNNEL_COLUMNS)
    seg_col = out["segment"].to_numpy(dtype=object)
    present = [s for s in segments if (seg_col == s).any()]
    if not present:
        return _empty(FUNNEL_COLUMNS)
    kpis = np.array([[st.kpi("B2E" if s in INTERNAL_SEGMENTS or s == "INTERNAL" else "B2C") for st in FUNNEL]
                     for s in present], dtype=object)  # ≤ 3 segments × 4 stages
    found = dict(zip(zip(seg_col, out["kpi"].to_numpy(dtype=object), strict=True),
                     zip(out["value"].to_numpy(dtype=float), out["reason"].to_numpy(dtype=object), strict=True),
                     strict=True))
    got = [[found.get((s, k), (np.nan, None)) for k in row] for s, row in zip(present, kpis, strict=True)]
    v = np.array([[g[0] for g in row] for row in got], dtype=float)
    r = np.array([[g[1] for g in row] for row in got], dtype=object)
    missing_text = np.vectorize(lambda k: _t(lang, "missing", kpi=k), otypes=[object])
    zero_text = np.vectorize(lambda k: _t(lang, "zero", kpi=k), otypes=[object])
    r = np.where(np.isnan(v) & pd.isna(r), missing_text(kpis), r)
    rate_v, rate_r = [], []
    for num, den in ((1, 0), (2, 1)):  # engagement / audience, action / engagement
        with np.errstate(divide="ignore", invalid="ignore"):
            rate_v.append(np.where(v[:, den] != 0, v[:, num] / v[:, den], np.nan))
        rate_r.append(np.where(np.isnan(v[:, num]), missing_text(kpis[:, num]),
                               np.where(np.isnan(v[:, den]), missing_text(kpis[:, den]),
                                        np.where(v[:, den] == 0, zero_text(kpis[:, den]), _NONE))))
    n_seg, n_st = len(present), len(FUNNEL)
    segs = np.repeat(np.array(present, dtype=object), n_st + 2)
    stage = np.tile(np.array([s.code for s in FUNNEL] + ["rate", "rate"], dtype=object), n_seg)
    kpi = np.concatenate([kpis, np.tile(np.array([["funnel_engagement_rate", "funnel_action_rate"]], dtype=object),
                                        (n_seg, 1))], axis=1).ravel()
    value = np.concatenate([v, np.column_stack(rate_v)], axis=1).ravel()
    reason = np.concatenate([r, np.column_stack(rate_r)], axis=1).ravel()
    unit = np.concatenate([np.vectorize(_UNIT.get, otypes=[object])(kpis),
                           np.full((n_seg, 2), "%", dtype=object)], axis=1).ravel()
    return pd.DataFrame({"segment": _obj(segs), "stage": _obj(stage), "kpi": _obj(kpi), "value": value,
                         "unit": _obj(unit), "reason": _obj(np.where(pd.isna(reason), _NONE, reason))})


def funnel(native: pd.DataFrame, flt: Filter = Filter(), lang: str = "fr") -> pd.DataFrame:
    """The unified CDO funnel per selected segment, over the selection.

        >>> funnel(native, flt, lang="en")[["segment", "stage", "kpi", "value", "reason"]]
           segment         stage                     kpi         value            reason
        0      B2C      audience             impressions  27000.000000              None
        1      B2C    engagement                  clicks    540.000000              None
        2      B2C        action             conversions     27.000000              None
        3      B2C  satisfaction                     nps           NaN   no data for nps
        4      B2C          rate  funnel_engagement_rate      0.020000              None
        5      B2C          rate      funnel_action_rate      0.050000              None
        6      B2E      audience              population   1800.000000              None
        7      B2E    engagement            active_users    700.000000              None
        8      B2E        action            contributors    120.000000              None
        9      B2E  satisfaction                    enps           NaN  no data for enps
        10     B2E          rate  funnel_engagement_rate      0.388889              None
        11     B2E          rate      funnel_action_rate      0.171429              None

    Stages audience / engagement / action / satisfaction take the catalog's
    FUNNEL KPI of the segment's world; ``funnel_engagement_rate`` =
    engagement / audience and ``funnel_action_rate`` = action / engagement.
    """
    out, _ = _selection_values(native, replace(flt, kpis=()), lang)
    return _funnel_from(out, _selected(flt), lang)


def vocabulary(lang: str = "fr") -> pd.DataFrame:
    """The two vocabularies word for word: columns external, internal (in ``lang``)."""
    i = (0, 1) if lang == "fr" else (2, 3)
    return pd.DataFrame({"external": [v[i[0]] for v in VOCABULARY], "internal": [v[i[1]] for v in VOCABULARY]})


def side_by_side(native: pd.DataFrame, flt: Filter = Filter(), lang: str = "fr", _computed=None) -> pd.DataFrame:
    """For each funnel stage, the external and internal KPI in that role, with labels and values.

        >>> sbs = side_by_side(native, flt, lang="en")
        >>> sbs[["stage", "external_kpi", "external_value", "internal_kpi", "internal_value"]]
                            stage            external_kpi  external_value            internal_kpi  internal_value
        0                audience             impressions        27000.00              population     1800.000000
        1              engagement                  clicks          540.00            active_users      700.000000
        2                  action             conversions           27.00            contributors      120.000000
        3            satisfaction                     nps             NaN                    enps             NaN
        4  funnel_engagement_rate  funnel_engagement_rate            0.02  funnel_engagement_rate        0.388889
        5      funnel_action_rate      funnel_action_rate            0.05      funnel_action_rate        0.171429

    External values merge the selected external segments (B2C + B2B, ratios
    recomputed from pooled components); internal values are B2E's. The last
    two rows are the stage rates. Labels: ``stage_label``, ``external_label``,
    ``internal_label`` in ``lang``; ``vocabulary(lang)`` gives the word pairs.
    """
    out, _ = _computed or _selection_values(native, replace(flt, kpis=()), lang)
    f = _funnel_from(out, ("EXTERNAL", "INTERNAL"), lang)
    stages = [*FUNNEL]
    rows = []
    for st in stages:  # four catalog stages
        rows.append({"stage": st.code, "stage_label": st.label(lang), "external_kpi": st.external,
                     "external_label": KPIS[st.external].label(lang), "internal_kpi": st.internal,
                     "internal_label": KPIS[st.internal].label(lang)})
    rate_labels = {"funnel_engagement_rate": (("Taux d'engagement", "taux de clic", "taux d'adoption"),
                                              ("Engagement rate", "click-through rate", "adoption rate")),
                   "funnel_action_rate": (("Taux d'action", "taux de conversion", "taux de participation"),
                                          ("Action rate", "conversion rate", "participation rate"))}
    for code, (fr, en) in rate_labels.items():
        words = fr if lang == "fr" else en
        rows.append({"stage": code, "stage_label": words[0], "external_kpi": code, "external_label": words[1],
                     "internal_kpi": code, "internal_label": words[2]})
    twins = _twin_rows(lang)
    sbs = pd.DataFrame(rows + twins)
    if f.empty and not twins:
        return sbs.assign(external_value=np.nan, internal_value=np.nan, unit=None)
    key = np.where(f["stage"].eq("rate"), f["kpi"], f["stage"]).astype(object)
    for world, column in (("EXTERNAL", "external_value"), ("INTERNAL", "internal_value")):
        mine = f["segment"].eq(world).to_numpy()
        values = dict(zip(key[mine], f["value"].to_numpy(dtype=float)[mine], strict=True))  # ≤ 6 funnel rows
        sbs[column] = sbs["stage"].map(values).to_numpy(dtype=float)
    if twins and out is not None and not out.empty:
        found = {(s, k): v for s, k, v in zip(out["segment"], out["kpi"], out["value"].to_numpy(dtype=float),
                                              strict=True) if s in ("EXTERNAL", "INTERNAL")}
        n = len(rows)
        for i, row in enumerate(twins, start=n):
            sbs.loc[i, "external_value"] = found.get(("EXTERNAL", row["external_kpi"]), np.nan)
            sbs.loc[i, "internal_value"] = found.get(("INTERNAL", row["internal_kpi"]), np.nan)
    sbs["unit"] = [KPIS[k].unit if k in KPIS else "%" for k in sbs["external_kpi"]]
    return sbs


def _twin_rows(lang: str) -> list[dict]:
    """Côte à côte's rows for the organisation's KPIs declared with a twin in the other world (one row per pair,
    external first), named by their funnel stage when they have one."""
    stages = {s.code: s.label(lang) for s in FUNNEL}
    rows, seen = [], set()
    for code, k in KPIS.items():
        if not k.custom or k.twin not in KPIS or frozenset((code, k.twin)) in seen:
            continue
        seen.add(frozenset((code, k.twin)))
        external, internal = (code, k.twin) if set(k.segments) <= set(EXTERNAL_SEGMENTS) else (k.twin, code)
        stage = k.stage or KPIS[k.twin].stage
        label = f"{stages[stage]} — {KPIS[external].label(lang)}" if stage in stages else KPIS[external].label(lang)
        rows.append({"stage": f"twin:{external}", "stage_label": label, "external_kpi": external,
                     "external_label": KPIS[external].label(lang), "internal_kpi": internal,
                     "internal_label": KPIS[internal].label(lang)})
    return rows


# --- breakdowns and trends -----------------------------------------------------------------


def _window_values(native: pd.DataFrame, flt: Filter, dims: tuple[str, ...], lang: str) -> pd.DataFrame | None:
    """Every KPI over the selection's window, per member of ``dims`` (None when the selection is empty)."""
    nat = _native(native, flt, dims)
    win = _selection_window(nat, flt)
    if win is None:
        return None
    out = _compute(nat, win, {}, lang)
    return out[out["kpi"].isin(flt.kpis)] if flt.kpis else out


def breakdown(native_by: pd.DataFrame, dimension: str, flt: Filter = Filter(), n: int = 5,
              lang: str = "fr") -> pd.DataFrame:
    """Top and bottom ``n`` members of a dimension per segment and KPI, over the selection.

        >>> two = replace(flt, kpis=("clicks", "active_users"))
        >>> breakdown(store.native_totals(two, by=("channel",)), "channel", two, n=3, lang="en")
          segment           kpi   channel  value   unit  rank position  share
        0     B2C        clicks    search  540.0  count     1      top    1.0
        1     B2E  active_users  intranet  700.0  count     1      top    NaN

    ``native_by`` is ``native_totals(flt, by=(dimension,))``. ``share`` =
    value / sum of the members' values, for additive KPIs only (flows; stocks
    and distinct counts by entity), else NaN; ``rank`` 1 is the largest
    value; ``position`` is "top" (rank ≤ n) or "bottom" (the n smallest).
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {DIMENSIONS}")
    cols = ("segment", "kpi", dimension, "value", "unit", "rank", "position", "share")
    out = _window_values(native_by, flt, (dimension,), lang)
    out = out[out["value"].notna()] if out is not None else None
    if out is None or out.empty:
        return _empty(cols)
    kind = out["kpi"].map(_AGGREGATION)
    additive = kind.eq("flow") | (kind.isin(["stock", "distinct"]) & (dimension == "entity"))
    total = out.groupby(["segment", "kpi"])["value"].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(additive & (total != 0), out["value"] / total, np.nan)
    rank = out.groupby(["segment", "kpi"])["value"].rank(method="first", ascending=False).astype(int)
    size = out.groupby(["segment", "kpi"])["value"].transform("size")
    position = np.where(rank <= n, "top", np.where(rank > size - n, "bottom", _NONE))
    out = out.assign(share=share, rank=rank, position=position, unit=out["kpi"].map(_UNIT),
                     _s=out["segment"].map(_SEGMENT_ORDER), _k=out["kpi"].map(_KPI_ORDER))
    out = out[out["position"].notna()].sort_values(["_s", "_k", "rank"]).reset_index(drop=True)
    return out[list(cols)]


def series_of(frame: pd.DataFrame, kpis: tuple[str, ...] = (), segments: tuple[str, ...] = ()) -> pd.DataFrame:
    """The rows of ``frame`` (a KPI table or indexed trends) for ``kpis`` and ``segments`` (all when empty)."""
    if kpis:
        frame = frame[frame["kpi"].isin(kpis)]
    if segments:
        frame = frame[frame["segment"].isin(segments)]
    return frame


def indexed_trends(table: pd.DataFrame, kpis: tuple[str, ...] = (), segments: tuple[str, ...] = ()) -> pd.DataFrame:
    """Base 100 at each series' first bucket with a (non-zero) value, from a ``kpi_table``.

        >>> trends = indexed_trends(kpi_table(native, flt), ("clicks", "active_users"), ("B2C", "B2E"))
        >>> trends[["period", "segment", "kpi", "value", "index"]]
            period segment           kpi  value       index
        0  2026-07     B2C        clicks  160.0  100.000000
        1  2026-07     B2E  active_users  600.0  100.000000
        2  2026-08     B2C        clicks  180.0  112.500000
        3  2026-08     B2E  active_users  700.0  116.666667
        4  2026-09     B2C        clicks  200.0  125.000000
        5  2026-09     B2E  active_users  800.0  133.333333
    """
    cols = ["period", "period_start", "segment", "kpi", "value", "index"]
    t = series_of(table, kpis, segments)
    t = t[t["value"].notna()]
    if t.empty:
        return _empty(cols)
    t = t.sort_values("period_start", kind="stable")
    usable = t["value"].where(t["value"] != 0)
    base = usable.groupby([t["segment"], t["kpi"]]).transform("first")
    started = usable.notna().astype(int).groupby([t["segment"], t["kpi"]]).cumsum() > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        index = t["value"] / base * 100
    t = t.assign(index=index.where(np.isfinite(index) & started, np.nan))
    return t[cols].reset_index(drop=True)


SOURCE_COLUMNS = ("segment", "kpi", "origin", "source_name", "value", "unit", "basis", "reason", "reference")


def by_source(native: pd.DataFrame, flt: Filter = Filter(), lang: str = "fr") -> pd.DataFrame:
    """The window's value of each KPI per origin, for the KPIs more than one origin holds in a segment.

    ``reference`` marks the origin behind the headline of a stock, distinct count or ratio of stocks (the
    scorecard's ``source``); flows add their origins up, so each origin's part is shown without a mark.
    ``native`` must carry origins (``fetch``).
    """
    if "origin" not in native.columns:
        return _empty(SOURCE_COLUMNS)
    out = _window_values(native, flt, ("origin",), lang)
    if out is None:
        return _empty(SOURCE_COLUMNS)
    out = out[out["value"].notna().to_numpy() | out["reason"].notna().to_numpy()]
    several = out.groupby(["segment", "kpi"])["origin"].transform("nunique").to_numpy() > 1
    out = out[several]
    if out.empty:
        return _empty(SOURCE_COLUMNS)
    _, sources = _reference(_selection(native, flt), flt)
    pick = dict(zip(sources["segment"] + "|" + sources["kpi"], sources["source"], strict=True))
    chosen = (out["segment"].astype(object) + "|" + out["kpi"].astype(object)).map(pick)
    out = out.assign(reference=(chosen == out["origin"]).to_numpy(dtype=bool),
                     source_name=out["origin"].map(source_name), unit=out["kpi"].map(_UNIT),
                     _s=out["segment"].map(_SEGMENT_ORDER), _k=out["kpi"].map(_KPI_ORDER))
    out = out.sort_values(["_s", "_k", "reference", "origin"], ascending=[True, True, False, True])
    return _nulls(out[list(SOURCE_COLUMNS)].reset_index(drop=True), ("basis", "reason"))


# --- reading the store, the CDO view -----------------------------------------------------


def widen(flt: Filter, grain: str = "month", fiscal_start: int = 1) -> Filter:
    """The filter to fetch native totals with: one year (and a bucket) before ``start`` for the
    comparisons, ``MAX_NATIVE_DAYS`` after ``end`` for flows straddling it, and the components of
    any derived KPI asked for.

        >>> widen(Filter(start=date(2026, 9, 1), end=date(2026, 9, 30))).start
        datetime.date(2025, 7, 25)
    """
    start = end = None
    if flt.start:  # a year before, or the previous window when the window is longer than a year
        span = (flt.end - flt.start).days + 1 if flt.end else 0
        start = bucket_bounds(flt.start, grain, fiscal_start)[0] - timedelta(days=max(372, span) + 31)
    if flt.end:
        end = pd.Timestamp(flt.end).date() + timedelta(days=MAX_NATIVE_DAYS)
    kpis = flt.kpis
    if kpis:
        kpis = tuple(dict.fromkeys(c for k in kpis
                                   for c in (KPIS[k].components if k in KPIS and not KPIS[k].base else (k,))))
    return replace(flt, start=start, end=end, kpis=kpis)


def fetch(store, flt: Filter, grain: str = "month", fiscal_start: int = 1, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Native totals for ``flt`` and its comparisons (see ``widen``), from a store-like object, per origin and
    with the ratios' matched parts (``Store.native_totals(..., sources=True)``)."""
    return store.native_totals(widen(flt, grain, fiscal_start), by=by, sources=True)


@dataclass(frozen=True)
class CdoView:
    """Everything the Vue CDO page shows, computed in one call."""

    table: pd.DataFrame
    scorecard: pd.DataFrame
    funnel: pd.DataFrame
    targets: pd.DataFrame
    trends: pd.DataFrame
    side_by_side: pd.DataFrame
    grain: str = "month"
    fiscal_start: int = 1
    period_start: date | None = None
    period_end: date | None = None
    meta: dict = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.table.empty


def _with_window_targets(sc: pd.DataFrame, status: pd.DataFrame) -> pd.DataFrame:
    """The scorecard's target, attainment and status taken from ``targets_status`` (one rule, one place: a card
    and the status table cannot disagree)."""
    if sc.empty:
        return sc
    keyed = status.set_index(["segment", "kpi"]) if len(status) else None
    out = sc.copy()
    if "target" not in out.columns:
        out = out.assign(target=np.nan, attainment=np.nan, status=None)
    for col in ("target", "attainment", "status"):
        if keyed is None:
            out[col] = np.nan if col != "status" else None
            continue
        index = pd.MultiIndex.from_arrays([sc["segment"], sc["kpi"]])
        values = keyed[col].reindex(index).to_numpy(dtype=object)
        out[col] = values if col == "status" else values.astype(float)
    return _nulls(out, ("status",))


def cdo_view(store, flt: Filter = Filter(), grain: str = "month", fiscal_start: int = 1, lang: str = "fr",
             native: pd.DataFrame | None = None) -> CdoView:
    """One store read, then the table, scorecard, funnel, targets, trends and side by side.

        >>> view = cdo_view(store, flt, grain="month", lang="fr")
        >>> view.targets[["segment", "kpi", "actual", "target", "status"]]
          segment     kpi  actual  target status
        0     B2C  clicks   540.0   500.0  green

    ``native`` (what ``fetch`` returns) skips the store read; ``store`` may
    then be None. Targets come from ``store.targets()``.
    """
    _check_grain(grain, fiscal_start)
    if native is None:
        native = fetch(store, flt, grain, fiscal_start)
    targets = store.targets() if store is not None else None
    nat = _native(native, flt)
    table = kpi_table(nat, flt, grain, fiscal_start, lang)
    sc = scorecard(nat, flt, grain, fiscal_start, None, lang)
    computed = _selection_values(nat, replace(flt, kpis=()), lang)
    fun = _funnel_from(computed[0], _selected(flt), lang)
    tgt = (targets_status(native, targets, flt, grain, fiscal_start, lang, _computed=computed)
           if targets is not None else _empty(TARGET_COLUMNS))
    sc = _with_window_targets(sc, tgt)  # the cards' status is the status table's
    headline = tuple(dict.fromkeys(k for st in FUNNEL for k in (st.external, st.internal)))
    trends = indexed_trends(table, headline)
    sbs = side_by_side(nat, flt, lang, _computed=computed)
    win = computed[1]
    return CdoView(table, sc, fun, tgt, trends, sbs, grain, fiscal_start,
                   _as_date(win.start[0]) if win is not None else None,
                   _as_date(win.end[0]) if win is not None else None)


# --- the store contract in pandas (tests, baselines, previews) -------------------------------


def native_totals_from_observations(obs: pd.DataFrame, flt: Filter = Filter(),
                                    by: tuple[str, ...] = (), sources: bool = False) -> pd.DataFrame:
    """What ``Store.native_totals`` returns, computed in pandas from observations (``OBS_COLUMNS``).

        >>> b2e = Filter(segments=("B2E",), kpis=("active_users",))
        >>> native_totals_from_observations(store.observations(), b2e, by=("channel",))
          period_start period_end segment           kpi   channel  value  n
        0   2026-07-01 2026-07-31     B2E  active_users  intranet  600.0  1
        1   2026-08-01 2026-08-31     B2E  active_users  intranet  700.0  1
        2   2026-09-01 2026-09-30     B2E  active_users  intranet  800.0  1

    Flows are summed over everything not in ``by``; stocks and distinct counts
    take per (period, segment, KPI, entity) the maximum over channels and
    initiatives (unless in ``by``), then sum over entities (unless in ``by``).
    ``sources=True`` needs an ``origin`` column: origins stay apart and the ratios' matched parts
    (``catalog.MATCHED``) are added, as the store does (``preferred`` is always False here).
    """
    sel = obs
    mask = np.ones(len(obs), dtype=bool)
    if flt.start:
        mask &= (obs["period_end"] >= pd.Timestamp(flt.start)).to_numpy()
    if flt.end:
        mask &= (obs["period_end"] <= pd.Timestamp(flt.end)).to_numpy()
    kpis = flt.kpis
    if sources and kpis:
        kpis = (*kpis, *(c for c, (r, p) in MATCHED_PARTS.items() if r in kpis or p in kpis))
    for col, values in (("segment", flt.segments), ("entity", flt.entities), ("channel", flt.channels),
                        ("initiative", flt.initiatives)):
        if values:
            mask &= obs[col].isin(values).to_numpy()
    if not mask.all():
        sel = obs[mask]
    if sources:
        sel = pd.concat([sel, _matched_parts(sel)], ignore_index=True)
    if kpis:
        sel = sel[sel["kpi"].isin(kpis).to_numpy()]
    keys = ["period_start", "period_end", "segment", "kpi", *by, *(["origin"] if sources else [])]
    inner = list(dict.fromkeys([*keys, "entity"]))
    per = sel.groupby(inner, observed=True, sort=False)["value"].agg(["sum", "max", "size"]).reset_index()
    kind = per["kpi"].map(lambda c: KPIS[MATCHED_PARTS.get(c, (None, c))[1]].aggregation if c in KPIS
                          or c in MATCHED_PARTS else None)
    level = kind.isin(["stock", "distinct"]).to_numpy()
    per = per.assign(v=per["max"].where(level, per["sum"]))
    out = per.groupby(keys, observed=True, sort=True).agg(value=("v", "sum"), n=("size", "sum")).reset_index()
    out["n"] = out["n"].astype("int64")
    if sources:
        out["preferred"] = False
    return out


def _matched_parts(obs: pd.DataFrame) -> pd.DataFrame:
    """The ratios' matched parts of observations with an ``origin`` (the store's ``_matched_parts_sql`` in
    pandas): a component's rows, renamed to the part, where its series holds every component of the ratio."""
    components = sorted({p for parts in MATCHED.values() for p in parts})
    bit = {c: 1 << i for i, c in enumerate(components)}
    comp = obs[obs["kpi"].isin(components).to_numpy()]
    comp = comp.assign(bit=comp["kpi"].map(bit).astype("int64"))
    fine = ["origin", "segment", "entity", "channel", "initiative", "period_start", "period_end"]
    coarse = ["origin", "segment", "entity", "period_start", "period_end"]
    masks = {}
    for name, keys in (("fine", fine), ("coarse", coarse)):
        held = comp.drop_duplicates([*keys, "kpi"]).groupby(keys, observed=True)["bit"].sum().rename(name)
        masks[name] = comp.join(held, on=keys)[name].to_numpy(dtype=np.int64)
    frames = []
    for ratio, parts in MATCHED.items():  # a dozen ratios, not rows
        need = sum(bit[c] for c in parts)
        held = masks["fine" if ratio in MATCH_BY_CHANNEL else "coarse"]
        for part, code in parts.items():
            rows = (comp["kpi"].to_numpy() == part) & ((held & need) == need)
            frames.append(comp[rows].assign(kpi=code))
    out = pd.concat(frames, ignore_index=True) if frames else comp.iloc[:0]
    return out.drop(columns="bit")
