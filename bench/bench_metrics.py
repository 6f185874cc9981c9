"""Metrics benchmark: everything the Vue CDO needs, on a store of 5 million observations.

    $ .venv/bin/python bench/bench_metrics.py

Uses the store generated (once, cached under bench/.cache/) by
``bench/bench_store.py``: 3 segments × 36 months × 30 entities × 6 channels ×
20 initiatives × 13 KPIs. A copy of it gets yearly and monthly targets, then
prints medians of:

1. ``metrics.cdo_view`` for all segments over the 36 months (KPI table,
   scorecard, funnel, targets, trends, side by side), from the store: one
   ``native_totals`` query (aggregation in SQL) + ``targets()`` + pandas/numpy
   on the few thousand native totals (target ≤ 150 ms), beside the same
   computation done naively in pandas from the full in-memory DataFrame of
   current observations (native totals by groupby, then the same functions);
2. its two parts: the store read alone, and the pure metrics alone;
3. the KPI table at weekly and quarterly grains, and an initiative breakdown.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_store import STORE, generate  # noqa: E402
from bench.harness import CACHE, median_seconds, report  # noqa: E402
from kpis import metrics  # noqa: E402
from kpis.model import Filter  # noqa: E402
from kpis.store import Store  # noqa: E402

WORK = CACHE / "metrics_store_5m.duckdb"
FLT = Filter(start=date(2024, 1, 1), end=date(2026, 12, 31))
REPEAT = 9


def prepare() -> Store:
    generate()
    if not WORK.exists() or WORK.stat().st_mtime < STORE.stat().st_mtime:
        for p in WORK.parent.glob(WORK.name + "*"):
            p.unlink()
        shutil.copy(STORE, WORK)
        store = Store(WORK)
        rows = []
        for seg, kpis in (("B2C", ("clicks", "conversions", "cost")), ("B2B", ("clicks", "revenue")),
                          ("B2E", ("active_users", "population", "contributions"))):
            for kpi in kpis:
                for year in (2024, 2025, 2026):
                    rows.append((kpi, seg, f"{year}-01-01", f"{year}-12-31", 1e6))
        rows += [("ctr", "B2C", "2026-01-01", "2026-12-31", 1.0),
                 ("adoption_rate", "B2E", "2026-12-01", "2026-12-31", 0.5)]
        store.set_targets(pd.DataFrame(rows, columns=["kpi", "segment", "period_start", "period_end", "value"]))
    return Store(WORK)


def main() -> None:
    store = prepare()
    native = metrics.fetch(store, FLT, "month")
    view = metrics.cdo_view(store, FLT, "month", lang="fr")
    print(f"native totals: {len(native):,} rows from {int(native['n'].sum()):,} observations; "
          f"table {len(view.table):,} rows, scorecard {len(view.scorecard)}, targets {len(view.targets)}", flush=True)

    current = store.observations(Filter())  # the naive baseline holds every observation in memory
    origins = {b["id"]: b["origin"] for b in store.batches()}
    current["origin"] = current["batch_id"].map(origins)
    targets = store.targets()

    class InMemory:
        """The same entry point fed by pandas groupbys over the full DataFrame."""

        def native_totals(self, flt, by=(), sources=False):
            return metrics.native_totals_from_observations(current, flt, by, sources)

        def targets(self):
            return targets

    naive = metrics.cdo_view(InMemory(), FLT, "month", lang="fr")
    cols = ["period", "segment", "kpi"]
    a = view.table.sort_values(cols).reset_index(drop=True)
    b = naive.table.sort_values(cols).reset_index(drop=True)
    assert a[cols].equals(b[cols]) and np.allclose(a["value"], b["value"], equal_nan=True), "store and pandas disagree"

    t_view = median_seconds(lambda: metrics.cdo_view(store, FLT, "month", lang="fr"), repeat=REPEAT)
    t_naive = median_seconds(lambda: metrics.cdo_view(InMemory(), FLT, "month", lang="fr"), repeat=5)
    report("cdo_view 3 segments × 36 months (store)", t_view, "naive pandas on 5M rows in memory", t_naive,
           "<= 150 ms")
    t_read = median_seconds(lambda: (metrics.fetch(store, FLT, "month"), store.targets()), repeat=REPEAT)
    t_pure = median_seconds(lambda: metrics.cdo_view(None, FLT, "month", lang="fr", native=native), repeat=REPEAT)
    report("  of which native_totals + targets (SQL)", t_read, "cdo_view above", t_view)
    report("  of which metrics on native totals (pandas)", t_pure, "cdo_view above", t_view)
    for grain in ("week", "quarter"):
        t = median_seconds(lambda grain=grain: metrics.kpi_table(native, FLT, grain), repeat=REPEAT)
        report(f"kpi_table {grain} on native totals", t, "cdo_view above", t_view)
    flt12 = replace(FLT, start=date(2026, 1, 1), segments=("B2C",))
    t_bd = median_seconds(lambda: metrics.breakdown(metrics.fetch(store, flt12, by=("initiative",)), "initiative",
                                                    flt12, n=5), repeat=REPEAT)
    report("breakdown by initiative, B2C 12 months (store)", t_bd, "cdo_view above", t_view)


if __name__ == "__main__":
    main()
