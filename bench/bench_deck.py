"""The committee deck of the demo data's twelve months (November 2025 → October 2026, every segment).

    $ .venv/bin/python bench/bench_deck.py

1. ``python -m kpis pack`` as a user runs it, a whole process (Python start, the store read, the charts'
   first render by vl-convert, the file written), beside ``python -m kpis report --view scorecard`` of the
   same selection (target ≤ 5 s).
2. In the app's process, warm: ``deck.Pack.of(...).pptx()`` beside the Vue CDO's Excel download of the
   same view (``dashboard.view_workbook``), medians.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import PYTHON, median_seconds, report, run_process  # noqa: E402
from kpis import deck, demo, metrics  # noqa: E402
from kpis.dashboard import view_workbook  # noqa: E402
from kpis.model import Filter  # noqa: E402
from kpis.store import Store  # noqa: E402

YEAR = Filter(segments=("B2C", "B2B", "B2E"), start=date(2025, 11, 1), end=date(2026, 10, 31))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.duckdb"
        store = Store(path)
        demo.seed(store)
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        window = ["--store", str(path), "--from", "2025-11-01", "--to", "2026-10-31", "--segments", "B2C,B2B,B2E"]
        pack_s, pack_mib = run_process([PYTHON, "-m", "kpis", "pack", *window, "--out", str(Path(tmp) / "p.pptx")],
                                       env=env)
        report_s, _ = run_process([PYTHON, "-m", "kpis", "report", *window, "--view", "scorecard"], env=env)
        report("pack, demo 12 months (whole process)", pack_s, "report --view scorecard (process)", report_s,
               target="≤ 5000 ms")
        print(f"{'':48} peak memory of the pack process: {pack_mib:.0f} MiB", flush=True)

        warm = median_seconds(lambda: deck.Pack.of(store, YEAR, "month", lang="fr").pptx(), repeat=3)
        view = metrics.cdo_view(store, YEAR, "month", lang="fr")
        excel = median_seconds(lambda: view_workbook(metrics.cdo_view(store, YEAR, "month", lang="fr"), "fr"),
                               repeat=3)
        report("pack, demo 12 months (in process, warm)", warm, "Vue CDO Excel download (view + workbook)",
               excel, target="≤ 5000 ms")
        assert not view.empty


if __name__ == "__main__":
    main()
