"""Tiny benchmark harness: medians of repeated runs, printed beside a baseline.

    >>> t = median_seconds(lambda: sum(range(1000)), repeat=5)
    >>> report("sum 1k", t, "baseline", t)   # prints both and the ratio

Benchmarks are scripts (``python bench/bench_x.py``), not timed tests: these
machines are shared and noisy, so every figure is a median of several runs and
is printed beside a baseline measured in the same run.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"  # git-ignored: generated inputs kept between runs


def median_seconds(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run_process(args: list[str], repeat: int = 3, env: dict | None = None) -> tuple[float, float]:
    """Median wall time (s) and max peak RSS (MiB) of a whole child process.

    Peak memory is read per run from ``wait4``'s rusage, so it belongs to this
    child alone.
    """
    times, peaks = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = _wait4(proc)
        times.append(time.perf_counter() - t0)
        peaks.append(usage.ru_maxrss / 1024)
        if status != 0 and status != 256:  # exit 1 (not importable) is still a measured run
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"{args} failed with status {status}: {err[-2000:]}")
    return statistics.median(times), max(peaks)


def _wait4(proc: subprocess.Popen):
    import os

    pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return pid, status, usage


def report(name: str, seconds: float, baseline_name: str, baseline_seconds: float, target: str = "") -> None:
    """Print one figure beside its baseline and the ratio figure / baseline."""
    ratio = seconds / baseline_seconds if baseline_seconds else float("nan")
    line = (f"{name:<48} {seconds * 1000:10.1f} ms | {baseline_name:<36} {baseline_seconds * 1000:10.1f} ms"
            f" | ratio {ratio:5.2f}x")
    if target:
        line += f" | target {target}"
    print(line, flush=True)


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


PYTHON = sys.executable
