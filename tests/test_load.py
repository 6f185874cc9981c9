"""Load: 20 sessions browsing while 2 processes import into the same store, on loopback, bounded in time.

Sessions drive the real server through Streamlit's agent API (HTTP, one session per client, no browser);
the importers are ``python -m kpis import`` processes. Every request must succeed, every import must land,
and the store's totals must be exactly the demo data plus the imported files. Median and worst response
times are printed.
"""

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import openpyxl
import pytest
from test_browser import free_port

from conftest import ROOT
from kpis.model import Filter
from kpis.store import Store

SESSIONS = 20
STEPS = [{"page": "externe"}, {"widget_state": {"grain": "Trimestre"}}, {"page": "interne"},
         {"widget_state": {"seg": ["B2E"]}}, {"page": "historique"}, {"page": ""}]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    store = tmp_path_factory.mktemp("load") / "store.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
         "--server.enableAgentApi", "true"],
        cwd=ROOT, env={**os.environ, "PASSERELLE_STORE": str(store)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.2)
    yield url, store
    proc.terminate()
    proc.wait(timeout=30)


def interact(url: str, payload: dict) -> tuple[float, dict]:
    """One request to the agent API, waiting out a still-running rerun (bounded)."""
    started = time.perf_counter()
    body = payload
    for _ in range(60):
        request = urllib.request.Request(f"{url}/_stcore/agent/interact", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{exc.code} for {body}: {exc.read()[:500]!r}") from None
        still_running = answer.get("status") == "running" or answer.get("error", {}).get("code") == "wait_timed_out"
        if not still_running:
            return time.perf_counter() - started, answer
        body = {"session_id": answer["session_id"]}  # the API's own advice: wait without starting over
    raise AssertionError("a rerun never finished")


def problems(tree) -> list[str]:
    found = []
    if isinstance(tree, dict):
        if tree.get("type") in ("exception", "error"):
            found.append(json.dumps(tree.get("props", {}))[:300])
        for child in tree.get("children") or []:
            found += problems(child)
    return found


def browse(url: str) -> list[float]:
    times = []
    elapsed, answer = interact(url, {})
    times.append(elapsed)
    assert answer["status"] == "ready" and not problems(answer["tree"])
    for step in STEPS:
        session = answer["session_id"]
        elapsed, answer = interact(url, {"session_id": session, **step})
        times.append(elapsed)
        assert answer.get("status") == "ready", json.dumps(answer)[:500]
        assert not problems(answer["tree"]), problems(answer["tree"])
    return times


def workbook(path, entity: str, day0: dt.date, clicks: int) -> int:
    wb = openpyxl.Workbook()
    wb.active.append(["Jour", "Pays", "Impressions", "Clics"])
    total = 0
    for d in range(28):
        wb.active.append([day0 + dt.timedelta(days=d), entity, 10 * (clicks + d), clicks + d])
        total += clicks + d
    wb.save(path)
    return total


def test_twenty_sessions_browse_while_two_processes_import(server, tmp_path):
    url, store_path = server
    interact(url, {})  # the first session seeds the demo data; the others find it there
    demo_clicks = Store(store_path).observations(Filter(kpis=("clicks",)))["value"].sum()
    files, expected = [], 0
    for k in range(2):
        mine = []
        for month in range(3):
            path = tmp_path / f"importer{k}_{month}.xlsx"
            expected += workbook(path, f"Charge {k}", dt.date(2026, 6 + month, 1), 100 * (k + 1) + month)
            mine.append(str(path))
        files.append(mine)
    started = time.perf_counter()
    importers = [subprocess.Popen([sys.executable, "-m", "kpis", "import", *mine, "--segment", "B2C", "--store",
                                   str(store_path)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for mine in files]
    with ThreadPoolExecutor(SESSIONS) as pool:
        times = [t for session in pool.map(lambda _: browse(url), range(SESSIONS)) for t in session]
    outputs = [p.communicate(timeout=300) for p in importers]
    wall = time.perf_counter() - started
    print(f"\n{len(times)} requests from {SESSIONS} sessions while 2 processes imported 6 files: "
          f"median {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms, wall {wall:.1f} s")
    assert [p.returncode for p in importers] == [0, 0], outputs
    assert len(times) == SESSIONS * (len(STEPS) + 1)
    batches = Store(store_path).batches()
    assert len(batches) == 4 + 6  # the 4 demo files and every imported file, once
    total = Store(store_path).observations(Filter(kpis=("clicks",)))["value"].sum()
    assert total == pytest.approx(demo_clicks + expected)  # consistent: nothing lost, nothing twice
    assert wall < 600
