"""Faults: a full disk during an import leaves a clear message and no partial batch."""

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd

from conftest import ROOT
from kpis.store import TABLES, Store


def frame(n: int, seed: int) -> pd.DataFrame:
    days = pd.to_datetime("2026-01-01") + pd.to_timedelta(np.arange(n) % 365, "D")
    return pd.DataFrame({"period_start": days, "period_end": days, "segment": "B2C",
                         "entity": [f"E{i % 500}" for i in range(n)], "channel": "search",
                         "initiative": [f"C{i // 365}" for i in range(n)], "kpi": "clicks",
                         "value": np.random.default_rng(seed).random(n)})


CHILD = textwrap.dedent("""
    import resource, signal, sys
    import pandas as pd
    from kpis.errors import KpiError
    from kpis.store import Store
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as a full disk would
    limit = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        Store(sys.argv[1]).import_batch(pd.read_parquet(sys.argv[3]), file_name="big.xlsx", sha256="big")
    except KpiError as exc:
        print(exc.message_en)
        sys.exit(1)
""")


def test_full_disk_during_an_import_is_a_clear_error_and_changes_nothing(tmp_path):
    path = tmp_path / "store.duckdb"
    store = Store(path)
    store.import_batch(frame(1000, 1), file_name="small.xlsx", sha256="small")
    before = {t: store.table_rows(t) for t in TABLES}
    big = tmp_path / "big.parquet"
    frame(600_000, 2).to_parquet(big)
    # files may not grow past the store's current size plus 256 KB: the big batch cannot fit
    limit = path.stat().st_size + 256 * 1024
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(limit), str(big)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stderr[-2000:]
    assert "Traceback" not in out.stderr
    assert "disk of the store store.duckdb is full" in out.stdout
    after = Store(path)
    for table in TABLES:
        expected, got = before[table], after.table_rows(table)
        if table == "counters":  # the data version may not move either: nothing was committed
            assert got.equals(expected)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    # the store still works once space is available again
    assert after.import_batch(frame(50, 3), file_name="later.xlsx", sha256="later").batch_id == 2
