"""Hostile corpus and gate overhead: ``python bench/bench_hostile.py``.

Prints, for each file of tests/ingest/hostile.py, what ``python -m kpis check`` makes
of it (outcome, wall time, peak RSS of the whole process tree from wait4),
then the cost of the gate and the sandbox on a normal 200,000 x 10 workbook
against a raw calamine read (``kpis.ingest.readers.read_file``) in the same run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent),
                str(Path(__file__).resolve().parent.parent / "tests" / "ingest")]

import hostile  # noqa: E402
from harness import CACHE, PYTHON, ROOT, median_seconds, report  # noqa: E402


def check(path: Path) -> tuple[str, float, float]:
    args = ["-m", "kpis"]
    t0 = time.perf_counter()
    proc = subprocess.Popen([PYTHON, *args, "check", str(path), "--segment", "B2C", "--format", "json"], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    try:
        [file] = json.loads(out)["files"]
        if file["issues"]:
            issue = file["issues"][0]
            outcome = f"{issue['code']}: {issue['message_en'][:58]}"
        else:
            outcome = f"read, {sum(s['rows']['kept'] for s in file['sheets'])} rows kept"
    except (ValueError, KeyError):
        outcome = f"NO JSON ({err[-80:]!r})"
    if b"Traceback" in err:
        outcome += " + TRACEBACK"
    return f"exit {code}  {outcome}", seconds, usage.ru_maxrss / 1024


def normal_workbook() -> Path:
    path = CACHE / "ingest_200000x10.xlsx"
    if path.exists():
        return path
    import datetime as dt

    import xlsxwriter

    path = Path(tempfile.gettempdir()) / "hostile_bench_200000x10.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Data")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["Jour", "Campagne", "Canal", "Pays", "Impressions", "Clics", "Conversions", "Coût",
                           "CA", "CTR"])
    for i in range(1, 200_001):
        sheet.write_datetime(i, 0, dt.datetime(2021, 1, 1) + dt.timedelta(days=i % 900), dates)
        sheet.write_row(i, 1, [f"Campagne {i % 300:03d}", "Search", "France", i * 7, i % 997, i % 13, i * 0.31,
                               i * 0.11, (i % 997) / (i * 7)])
    book.close()
    return path


def main() -> None:
    from kpis.ingest import gate
    from kpis.ingest.readers import read_file
    from kpis.ingest.sandbox import read_file_safely

    with tempfile.TemporaryDirectory() as tmp:
        paths = hostile.write_corpus(Path(tmp))
        print(f"{'input':<24} {'bytes':>9}  {'outcome':<80} {'time':>7} {'peak RSS':>9}")
        for name, path in paths.items():
            outcome, seconds, peak = check(path)
            print(f"{name:<24} {path.stat().st_size:>9}  {outcome:<80} {seconds:6.2f}s {peak:7.0f} MiB", flush=True)

    path = normal_workbook()
    data = path.read_bytes()
    print(f"\nnormal workbook: {path} ({len(data) / 2 ** 20:.1f} MB), medians of 3 runs")
    raw = median_seconds(lambda: read_file(data, path.name), repeat=3)
    safe = median_seconds(lambda: read_file_safely(data, path.name), repeat=3)
    scan = median_seconds(lambda: gate.inspect(data, path.name), repeat=3)
    report("read_file_safely (gate + child, scan overlapped)", safe, "read_file (raw calamine)", raw, "<= 1.5x")
    report("gate.inspect alone (zip directory + XML scan)", scan, "read_file (raw calamine)", raw)


if __name__ == "__main__":
    main()
