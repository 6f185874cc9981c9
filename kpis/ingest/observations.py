"""Stage 7, the conclusion of a sheet: plausibility warnings, checksums, the period and segments of the kept
values, and the tidy observations (``OBS_COLUMNS``) they become, built only when asked for."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np
import pandas as pd

from kpis import catalog
from kpis.catalog import KPIS
from kpis.ingest.issues import IssueLog
from kpis.ingest.results import empty_observations
from kpis.model import DIMENSIONS, OBS_COLUMNS, SEGMENTS


@dataclass(frozen=True)
class Units:
    """What kept values hang on: body rows (wide, long) or cells (crosstab), each with its row number,
    group key (period × segment × dimensions, a small int), period, segment and dimension labels."""

    numbers: np.ndarray
    key: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    segments: np.ndarray
    dims: dict[str, np.ndarray]


def kpi_per_value(picks: list, units: Units) -> np.ndarray:
    """The KPI code of every kept value, in pick order; NPS parts of a B2E sheet are eNPS parts."""
    kpis = np.repeat(np.array([kpi for kpi, _, _ in picks], dtype=object), [len(idx) for _, idx, _ in picks])
    if not any(kpi.startswith(("nps_", "enps_")) for kpi, _, _ in picks):
        return kpis
    segments = np.concatenate([units.segments[idx] for _, idx, _ in picks])
    return np.array([catalog.world_variant(k, s) for k, s in zip(kpis, segments, strict=False)], dtype=object)


def totals_of(picks: list, units: Units) -> dict[str, float]:
    """The plain sum of the kept values of each KPI (a checksum of what was read)."""
    totals: dict[str, float] = defaultdict(float)
    for kpi, idx, values in picks:
        segments = units.segments[idx]
        for segment in set(segments) if kpi.startswith(("nps_", "enps_")) else (None,):
            chosen = values if segment is None else values[segments == segment]
            totals[kpi if segment is None else catalog.world_variant(kpi, segment)] += float(chosen.sum())
    return {k: totals[k] for k in sorted(totals)}


def build_observations(picks: list, units: Units, sum_flows: bool) -> pd.DataFrame:
    """One observation per kept value (``OBS_COLUMNS``); flows split by an unmapped column summed."""
    if not picks:
        return empty_observations()
    idx = np.concatenate([i for _, i, _ in picks])
    # labels as categoricals: each distinct label is built once, a million values are small-int codes
    labels = {name: categorical(column, idx) for name, column in (("segment", units.segments),
                                                                   *((d, units.dims[d]) for d in DIMENSIONS))}
    labels["kpi"] = pd.Categorical(kpi_per_value(picks, units))
    frame = pd.DataFrame({
        "period_start": units.starts[idx].astype("datetime64[s]"),
        "period_end": units.ends[idx].astype("datetime64[s]"),
        **labels,
        "value": np.concatenate([values for _, _, values in picks]).astype(np.float64),
    }, copy=False)
    return sum_split_flows(frame, units.key[idx]) if sum_flows else frame


def categorical(column: np.ndarray, idx: np.ndarray) -> pd.Categorical:
    """``column[idx]`` as a categorical, factorising the (smaller) unit-level column once."""
    codes, uniques = pd.factorize(column)
    return pd.Categorical.from_codes(codes[idx], categories=pd.Index(uniques, dtype=object))


def sum_split_flows(frame: pd.DataFrame, key: np.ndarray) -> pd.DataFrame:
    """Flows sharing a period, segment, every dimension and KPI (rows split by an unmapped column) summed."""
    flow = frame["kpi"].map(lambda k: KPIS[k].aggregation == "flow").to_numpy(dtype=bool)
    shared = flow & frame.assign(_key=key).duplicated(["_key", "kpi"], keep=False).to_numpy()
    if not shared.any():
        return frame
    firsts = {c: "first" for c in OBS_COLUMNS if c not in ("kpi", "value")}
    summed = frame[shared].assign(_key=key[shared]).groupby(["_key", "kpi"], sort=False, as_index=False).agg(
        {**firsts, "value": "sum"})
    return pd.concat([frame[~shared], summed[list(OBS_COLUMNS)]], ignore_index=True)


PLAUSIBILITY_RULES = (
    ("clicks", "impressions", "clicks_over_impressions", "Plus de clics que d'impressions.",
     "More clicks than impressions."),
    ("active_users", "population", "active_over_population", "Plus d'utilisateurs actifs que de population cible.",
     "More active users than target population."),
)
"""(numerator, denominator, code, French, English): the numerator above its denominator for one row key."""


@dataclass(frozen=True)
class Conclusion:
    """What the kept values say: checksums per KPI, the period they cover, their segments, and how to build
    their observations (deferred: ``check`` never needs them)."""

    totals: dict[str, float]
    period: dict | None
    segments: list[str] | None
    build: Callable[[], pd.DataFrame]


def conclude(picks: list, units: Units, log: IssueLog, sum_flows: bool = False) -> Conclusion:
    """Warnings, totals, period and segments from the kept values; observations built when asked for."""
    plausibility(picks, units, log)
    used = np.zeros(len(units.key), dtype=bool)
    for _, idx, _ in picks:
        used[idx] = True
    period = segments = None
    if used.any():
        period = {"start": str(units.starts[used].min()), "end": str(units.ends[used].max())}
        segments = sorted(set(units.segments[used]), key=SEGMENTS.index)
    return Conclusion(totals_of(picks, units), period, segments, partial(build_observations, picks, units, sum_flows))


def plausibility(picks: list, units: Units, log: IssueLog) -> None:
    """Warnings, values kept: negative counts, clicks > impressions, active users > population."""
    negative = np.zeros(len(units.key), dtype=bool)
    for kpi, idx, values in picks:
        if KPIS[kpi].unit == "count":
            negative[idx[values < 0]] = True
    for number in np.unique(units.numbers[negative]):
        log.add("negative_count", "warning", "Valeur négative pour un comptage : gardée telle quelle.",
                "Negative value for a count: kept as it is.", number)
    by_kpi = {kpi: (idx, values) for kpi, idx, values in picks}
    size = int(units.key.max()) + 1 if len(units.key) else 0
    for num, den, code, fr, en in PLAUSIBILITY_RULES:
        if num not in by_kpi or den not in by_kpi:
            continue
        (ia, va), (ib, vb) = by_kpi[num], by_kpi[den]
        given = np.bincount(units.key[ib], minlength=size) > 0
        over = given & (np.bincount(units.key[ia], va, size) > np.bincount(units.key[ib], vb, size))
        for number in np.unique(units.numbers[ia[over[units.key[ia]]]]):
            log.add(code, "warning", fr + " Valeurs gardées.", en + " Values kept.", number)
