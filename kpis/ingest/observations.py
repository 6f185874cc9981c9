"""The conclusion of a sheet: the kept values become tidy observations (``OBS_COLUMNS``) and checksums."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpis import catalog
from kpis.catalog import KPIS
from kpis.ingest.results import empty_observations
from kpis.model import DIMENSIONS, OBS_COLUMNS


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
    return np.array([catalog.world_variant(k, s) for k, s in zip(kpis, segments)], dtype=object)


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
