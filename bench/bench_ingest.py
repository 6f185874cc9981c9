"""Ingestion and import of a 200,000-row × 10-column workbook, as whole processes.

    $ python bench/bench_ingest.py

Prints, in one run and as medians of several runs:
- ``python -m kpis check`` on the workbook, beside a raw fastexcel read into
  Arrow (the fastest reader of the field: header row given, typed columns),
  a raw python-calamine read and pandas.read_excel(openpyxl) of the same file
  (targets: ≤ 1.5× fastexcel, ≥ 8× faster than pandas + openpyxl);
- ``python -m kpis import`` into a fresh store (target ≤ 2× calamine), with
  its peak memory.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import CACHE, PYTHON, report, run_process  # noqa: E402

ROWS = 200_000
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
"""Runs per figure (the machines are shared and noisy: medians); pandas has its own, it takes 30 s a run."""
HEADERS = ["Jour", "Campagne", "Canal", "Pays", "Impressions", "Clics", "Conversions", "Coût (€)",
           "Chiffre d'affaires (€)", "CTR"]


def workbook() -> Path:
    """The benchmark workbook, generated once and cached (xlsxwriter, constant memory)."""
    path = CACHE / f"ingest_{ROWS}x10.xlsx"
    if path.exists():
        return path
    import random

    import xlsxwriter

    CACHE.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261126)
    tmp = path.with_suffix(".tmp.xlsx")
    book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    sheet = book.add_worksheet("Campagnes")
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["Rapport de campagnes (benchmark)"])
    sheet.write_row(2, 0, HEADERS)
    campaigns = [f"Campagne {i:03d}" for i in range(200)]
    channels = ["Search", "Social", "Display", "Email", "Video"]
    countries = ["France", "Belgique", "Suisse", "Canada"]
    start = dt.date(2021, 1, 1)
    # one row per day × campaign × channel × country combination: unique keys
    combos = [(c, ch, co) for c in campaigns for ch in channels for co in countries]
    for i in range(ROWS):
        day = start + dt.timedelta(days=i // len(combos))
        campaign, channel, country = combos[i % len(combos)]
        impressions = rng.randint(1_000, 50_000)
        clicks = rng.randint(10, impressions // 20)
        conversions = rng.randint(0, clicks // 10 + 1)
        cost = round(clicks * rng.uniform(0.3, 2.5), 2)
        row = 3 + i
        sheet.write_datetime(row, 0, dt.datetime.combine(day, dt.time()), date_format)
        sheet.write_row(row, 1, [campaign, channel, country, impressions, clicks, conversions, cost,
                                 round(conversions * rng.uniform(20, 90), 2), clicks / impressions])
    book.close()
    tmp.rename(path)
    return path


def main() -> None:
    path = workbook()
    print(f"# ingestion: {path.name} ({path.stat().st_size / 1e6:.1f} MB), medians of {REPEAT} runs, whole processes")
    calamine, calamine_mem = run_process(
        [PYTHON, "-c", "import sys; from python_calamine import CalamineWorkbook as W; "
                       "W.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()", str(path)], repeat=REPEAT)
    fastexcel, fastexcel_mem = run_process(
        [PYTHON, "-c", "import sys, fastexcel; "
                       "fastexcel.read_excel(sys.argv[1]).load_sheet(0, header_row=2).to_arrow()",
         str(path)], repeat=REPEAT)
    check, check_mem = run_process([PYTHON, "-m", "kpis", "check", str(path), "--segment", "B2C", "--format", "json"],
                                   repeat=REPEAT)
    report("kpis check (whole process)", check, "raw fastexcel read to Arrow (process)", fastexcel, "≤ 1.5x")
    report("kpis check (whole process)", check, "raw calamine read (process)", calamine)
    pandas_t, pandas_mem = run_process(
        [PYTHON, "-c", "import sys, pandas; pandas.read_excel(sys.argv[1], engine='openpyxl', header=2)", str(path)],
        repeat=int(os.environ.get("BENCH_PANDAS_REPEAT", "3")))
    report("kpis check (whole process)", check, "pandas.read_excel openpyxl (process)", pandas_t,
           "≤ 0.125x (8x faster)")
    with tempfile.TemporaryDirectory() as tmp:
        times, mems = [], []
        for k in range(REPEAT):
            store = Path(tmp) / f"s{k}.duckdb"
            t, mem = run_process([PYTHON, "-m", "kpis", "import", str(path), "--segment", "B2C", "--store", str(store)],
                                 repeat=1)
            times.append(t)
            mems.append(mem)
        report("kpis import into a new store (process)", statistics.median(times), "raw calamine read (process)",
               calamine, "≤ 2x")
    print(f"peak memory: check {check_mem:.0f} MiB, import {max(mems):.0f} MiB, calamine {calamine_mem:.0f} MiB, "
          f"fastexcel {fastexcel_mem:.0f} MiB, pandas+openpyxl {pandas_mem:.0f} MiB")


if __name__ == "__main__":
    main()
