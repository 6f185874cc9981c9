"""Store benchmarks: a 5-million-observation store, read and written the way the app does.

    $ .venv/bin/python bench/bench_store.py

Generates (once, cached under bench/.cache/) a store of 5,054,400 current
observations: 3 segments × 36 months × 30 entities × 6 channels × 20
initiatives × 13 KPIs per segment (flows, stocks and distinct counts), imported
as 9 batches through ``Store.import_batch``. Then prints, as medians:

1. a filtered monthly aggregation (one segment, 12 months, all entities) through
   ``Store.native_totals`` with a connection opened and closed per call, beside
   pandas doing the same on an in-memory DataFrame (target ≤ 100 ms);
2. the import of a 1.4-million-observation correction batch (15 months of B2C
   and B2B re-exported: every older row it covers is superseded) into a copy of
   that store, current data recomputed included, as a whole child process,
   beside a child that only loads the same frame; and their peak memory;
3. deleting that correction again (1.4M older rows become current: the
   SQL re-evaluation path), one run;
4. ``data_version()`` (what the app calls on every rerun).
"""

from __future__ import annotations

import shutil
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import CACHE, PYTHON, median_seconds, report, run_process  # noqa: E402
from kpis.model import Filter  # noqa: E402
from kpis.store import Store  # noqa: E402

STORE = CACHE / "store_5m.duckdb"
CORRECTION = CACHE / "store_correction_1_4m.parquet"
MONTHS = pd.date_range("2024-01-01", periods=36, freq="MS")
ENTITIES = [f"E{i:02d}" for i in range(30)]
CHANNELS = {"ext": ["search", "social", "display", "email", "web", "app"],
            "int": ["intranet", "esn", "teams", "sharepoint", "email", "app"]}
INITIATIVES = [f"I{i:02d}" for i in range(20)]
EXTERNAL_KPIS = ["impressions", "clicks", "conversions", "cost", "revenue", "sessions", "page_views",
                 "leads", "engaged_sessions", "comments", "reactions", "followers", "unique_visitors"]
INTERNAL_KPIS = ["contributions", "comments", "reactions", "page_views", "sessions", "new_followers",
                 "mentions", "population", "spaces", "active_users", "contributors", "readers", "active_spaces"]
ORIGIN = {"B2C": "ga4_web", "B2B": "ga4_web", "B2E": "m365_usage"}


def frame(segment: str, months: pd.DatetimeIndex, seed: int) -> pd.DataFrame:
    """Every series of one segment for the given months, values random but reproducible."""
    kpis = INTERNAL_KPIS if segment == "B2E" else EXTERNAL_KPIS
    channels = CHANNELS["int" if segment == "B2E" else "ext"]
    idx = pd.MultiIndex.from_product([months, ENTITIES, channels, INITIATIVES, kpis],
                                     names=["period_start", "entity", "channel", "initiative", "kpi"])
    df = idx.to_frame(index=False)
    df["period_end"] = df["period_start"] + pd.offsets.MonthEnd(0)
    df["segment"] = segment
    df["value"] = np.random.default_rng(seed).integers(1, 10_000, len(df)).astype("float64")
    return df[["period_start", "period_end", "segment", "entity", "channel", "initiative", "kpi", "value"]]


def generate() -> None:
    if STORE.exists() and CORRECTION.exists():
        return
    t0 = time.perf_counter()
    CACHE.mkdir(parents=True, exist_ok=True)
    for p in STORE.parent.glob(STORE.name + "*"):
        p.unlink()
    store = Store(STORE)
    seed = 0
    for year in range(3):
        for segment in ("B2C", "B2B", "B2E"):
            seed += 1
            df = frame(segment, MONTHS[12 * year: 12 * year + 12], seed)
            store.import_batch(df, file_name=f"{segment}_{2024 + year}.xlsx", origin=ORIGIN[segment],
                               sha256=f"bench-{segment}-{year}", rows_read=len(df) // 13, rows_kept=len(df) // 13,
                               rows_rejected=0, parser_version="bench")
    last15 = MONTHS[-15:]
    correction = pd.concat([frame("B2C", last15, 100), frame("B2B", last15, 101)], ignore_index=True)
    correction.to_parquet(CORRECTION)
    n = store.native_totals(Filter())["n"].sum()
    print(f"generated {n:,} current observations in {time.perf_counter() - t0:.1f} s -> {STORE}", flush=True)


IMPORT_CHILD = """
import sys, pandas as pd
from kpis.store import Store
df = pd.read_parquet(sys.argv[1])
if sys.argv[2] != "-":
    out = Store(sys.argv[2]).import_batch(df, file_name="correction.xlsx", origin="ga4_web", sha256="bench-correction",
                                          rows_read=len(df) // 13, rows_kept=len(df) // 13, rows_rejected=0,
                                          parser_version="bench")
    assert out.rows_superseded == len(df), out
"""


def bench_query() -> None:
    store = Store(STORE)
    flt = Filter(segments=("B2C",), start=date(2025, 1, 1), end=date(2025, 12, 31))
    result = store.native_totals(flt)
    assert len(result) == 12 * 13, len(result)

    current = store.observations(Filter())  # the pandas baseline holds the data in memory
    levels = ["followers", "unique_visitors", "population", "spaces", "active_users", "contributors", "readers",
              "active_spaces"]

    def pandas_totals() -> pd.DataFrame:
        sel = current[(current["segment"] == "B2C") & (current["period_end"] >= "2025-01-01")
                      & (current["period_end"] <= "2025-12-31")]
        keys = ["period_start", "period_end", "segment", "kpi"]
        per_entity = sel.groupby([*keys, "entity"], observed=True)["value"].agg(["sum", "max", "size"]).reset_index()
        per_entity["v"] = per_entity["max"].where(per_entity["kpi"].isin(levels), per_entity["sum"])
        return per_entity.groupby(keys, observed=True).agg(value=("v", "sum"), n=("size", "sum")).reset_index()

    expected = pandas_totals()
    assert np.allclose(expected["value"].to_numpy(), result["value"].to_numpy()), "SQL and pandas disagree"
    t_sql = median_seconds(lambda: store.native_totals(flt), repeat=15)
    t_pd = median_seconds(pandas_totals, repeat=5)
    report("native_totals B2C 12 months (open+query+close)", t_sql, "pandas in memory (5M rows)", t_pd, "<= 100 ms")
    t_cold = median_seconds(lambda: Store(STORE).native_totals(flt), repeat=9)
    report("same incl. Store() construction", t_cold, "pandas in memory (5M rows)", t_pd, "<= 100 ms")
    t_obs = median_seconds(lambda: store.observations(flt), repeat=5)
    report("observations() B2C 12 months (561,600 rows)", t_obs, "pandas filter in memory", median_seconds(
        lambda: current[(current["segment"] == "B2C") & (current["period_end"] >= "2025-01-01")
                        & (current["period_end"] <= "2025-12-31")], repeat=5))
    t_batches = median_seconds(store.batches, repeat=9)
    report("batches() (status from 5M current flags)", t_batches, "native_totals above", t_sql)
    t_version = median_seconds(lambda: [store.data_version() for _ in range(1000)], repeat=5) / 1000
    report("data_version() (no DuckDB)", t_version, "native_totals above", t_sql)


def bench_import(runs: int = 5) -> None:
    work = CACHE / "work"
    times, peaks = [], []
    for _ in range(runs):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        target = work / STORE.name
        shutil.copy(STORE, target)
        t, peak = run_process([PYTHON, "-c", IMPORT_CHILD, str(CORRECTION), str(target)], repeat=1)
        times.append(t)
        peaks.append(peak)
    t0 = time.perf_counter()
    out = Store(target).delete_batch(10)  # the correction: 1.4M older rows become current again
    t_delete = time.perf_counter() - t0
    assert out.rows_restored == out.rows_removed == len(pd.read_parquet(CORRECTION)), out
    t_base, peak_base = run_process([PYTHON, "-c", IMPORT_CHILD, str(CORRECTION), "-"], repeat=runs)
    report("import 1.4M-row correction into 5M store", float(np.median(times)),
           "child that only loads the frame", t_base)
    print(f"{'peak memory of the import process':<48} {max(peaks):10.0f} MiB | {'loading the frame only':<36} "
          f"{peak_base:10.0f} MiB", flush=True)
    print(f"{'delete that batch (1.4M rows restored), 1 run':<48} {t_delete * 1000:10.1f} ms", flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    generate()
    bench_import()  # first: a child's peak RSS starts from its parent's, so keep the parent small
    bench_query()
