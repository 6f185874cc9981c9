"""The app on a 5-million-observation store: rerun after a filter change, and first load in a browser.

    $ .venv/bin/python bench/bench_app.py

1. Server-side time of a Vue CDO rerun after a filter change (AppTest, each
   change a new selection so nothing comes from the cache), median, beside the
   rerun of a bare "hello" page (target ≤ 300 ms).
2. First load of Vue CDO in Debian's Chromium (until the first KPI card is
   drawn), cold (new server) and warm (new session), beside a bare "hello"
   Streamlit page served the same way (target ≤ 4 s).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_metrics import WORK, prepare  # noqa: E402
from bench.harness import PYTHON, ROOT, report  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
HELLO = 'import streamlit as st\nst.title("hello")\nst.metric("hello", 1)\n'
FILTER_CHANGES = [  # (widget kind, key, value): every step is a selection not seen before
    ("segmented_control", "grain", "quarter"), ("segmented_control", "grain", "year"),
    ("pills", "seg", ["B2C", "B2E"]), ("pills", "period", "ytd"), ("pills", "period", "lq"),
    ("pills", "seg", ["B2B"]), ("segmented_control", "grain", "month"), ("pills", "period", "lm"),
    ("pills", "seg", ["B2E"]),
]


def _timed_runs(at, changes) -> list[float]:
    times = []
    for kind, key, value in changes:
        widget = getattr(at, kind)(key=key)
        widget.set_value(value)
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, [e.value for e in at.exception]
    return times


def bench_rerun() -> None:
    from streamlit.testing.v1 import AppTest

    os.environ["PASSERELLE_STORE"] = str(WORK)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception and len(at.metric) > 0
    times = _timed_runs(at, FILTER_CHANGES)
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO)
        h = AppTest.from_file(str(hello)).run()
        hello_times = []
        for _ in range(len(FILTER_CHANGES)):
            t0 = time.perf_counter()
            h.run()
            hello_times.append(time.perf_counter() - t0)
    report("Vue CDO rerun after a filter change (AppTest)", statistics.median(times), "bare hello page rerun",
           statistics.median(hello_times), "≤ 300 ms")
    print(f"  reruns: {', '.join(f'{t * 1000:.0f}' for t in times)} ms")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(script: Path, store: Path | None) -> tuple[subprocess.Popen, str]:
    port = _port()
    env = {**os.environ, **({"PASSERELLE_STORE": str(store)} if store else {})}
    proc = subprocess.Popen([PYTHON, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--server.fileWatcherType", "none"], cwd=script.parent, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"streamlit did not start for {script}")


def _loads(browser, url: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        t0 = time.perf_counter()
        page.goto(url)
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=120_000)
        times.append(time.perf_counter() - t0)
        page.close()
    return times


def bench_first_load(runs: int = 3) -> None:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        print("first load: skipped (no /usr/bin/chromium)")
        return
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        cold, warm, hello_cold, hello_warm = [], [], [], []
        for _ in range(runs):
            for script, store, cold_list, warm_list in ((ROOT / "app.py", WORK, cold, warm),
                                                        (hello, None, hello_cold, hello_warm)):
                proc, url = _serve(script, store)
                try:
                    first, *rest = _loads(browser, url, 3)
                    cold_list.append(first)
                    warm_list.extend(rest)
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
        browser.close()
    report("Vue CDO first load, new server (browser)", statistics.median(cold), "bare hello page, new server",
           statistics.median(hello_cold), "≤ 4 s")
    report("Vue CDO first load, new session (browser)", statistics.median(warm), "bare hello page, new session",
           statistics.median(hello_warm), "≤ 4 s")


def main() -> None:
    store = prepare()
    print(f"# app on {WORK.name}: {len(store.batches())} batches, 5,054,400 observations")
    bench_rerun()
    bench_first_load()


if __name__ == "__main__":
    main()
