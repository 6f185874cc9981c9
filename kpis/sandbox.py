"""Read uploads where a crash, a memory blow-up or a hang becomes a clean rejection.

    >>> sheets = read_file_safely(data, "campagnes.xlsx")   # list[RawSheet], as read_file
    >>> sheets[0].meta.get("warnings", [])[:1]
    [{'code': 'formula_cached_zero', 'severity': 'warning', 'sheet': 'Data', 'row': 4, 'column': 'D', ...}]

``read_file_safely`` = :func:`kpis.gate.check_container` (size, type, zip
directory, encryption: milliseconds), then

- CSV, and .xlsx/.xlsm of at most ``IN_PROCESS_MAX_BYTES`` whose sheets the
  gate's XML scan bounded to ``IN_PROCESS_MAX_CELLS``: the scan first, then
  :func:`kpis.readers.read_file` in this process (a 4.6 KB file with two cells
  far apart is refused here before calamine sees it);
- everything else (larger workbooks, .xls, .ods, .xlsb): parsed by
  ``python -m kpis.sandbox``, a child that imports only the readers, caps its
  own address space (``RLIMIT_AS``), CPU time, core dumps and file writes, and
  is killed after ``PARSE_TIMEOUT`` seconds. For .xlsx the gate's XML scan runs
  here *while* the child parses, and its verdict wins: the scan costs nothing
  on the clock, and the child could not hurt anyway.

A child killed by a signal (SIGABRT from a failed Rust allocation, SIGSEGV),
out of memory or out of time becomes ``FileRejected("Fichier rejeté…")``.
Rows come back as pickles of 20,000 rows, read through an unpickler that only
builds plain values and dates (the child parses hostile bytes: its output is
not trusted).

The gate's notes are put in ``RawSheet.meta["warnings"]``: a note about a sheet
on that sheet, a note about the whole file (macros, renamed type) on the first.
"""

from __future__ import annotations

import datetime as _dt
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from kpis import gate
from kpis.errors import FileRejected
from kpis.gate import DEFAULT_LIMITS, Limits
from kpis.readers import RawSheet, read_file, stream_workbook

__all__ = ["read_file_safely", "Sandbox", "DEFAULT_SANDBOX", "IN_PROCESS_MAX_BYTES", "IN_PROCESS_MAX_CELLS"]

IN_PROCESS_MAX_BYTES = 1024 * 1024
"""Workbooks up to this size may skip the child (after the XML scan): a process start costs ~0.1 s."""
IN_PROCESS_MAX_CELLS = 1_000_000
"""...if no sheet spans more cells than this (calamine then allocates at most ~32 MB here)."""
CHUNK_ROWS = 20_000

_ROOT = str(Path(__file__).resolve().parent.parent)


@dataclass(frozen=True)
class Sandbox:
    """Limits of the child process that parses workbooks."""

    memory: int = 1024 ** 3
    """Address space of the child (RLIMIT_AS), bytes: far under the 1.5 GB budget of the whole process."""
    timeout: float = 60.0
    """Wall-clock seconds before the child is killed (2 million cells take ~3 s)."""


DEFAULT_SANDBOX = Sandbox()


def read_file_safely(data: bytes, name: str, *, limits: Limits = DEFAULT_LIMITS,
                     sandbox: Sandbox = DEFAULT_SANDBOX) -> list[RawSheet]:
    """``read_file`` behind the gate and, for workbooks, in a limited child process.

    Raises ``FileRejected`` for whatever cannot be read safely, never anything else.
    """
    found = gate.check_container(data, name, limits)
    if found.kind == "csv":
        sheets = read_file(data, name)
    elif found.kind == "xlsx" and len(data) <= IN_PROCESS_MAX_BYTES:
        gate.scan_sheets(data, found, limits)
        if found.cells <= IN_PROCESS_MAX_CELLS:
            sheets = read_file(data, name)
        else:
            sheets = _Child(data, name, sandbox, limits).result()
    else:
        child = _Child(data, name, sandbox, limits)
        try:
            gate.scan_sheets(data, found, limits)
        except BaseException:
            child.kill()
            raise
        sheets = child.result()
    _attach(sheets, found.notes)
    return sheets


def _attach(sheets: list[RawSheet], notes: list[dict]) -> None:
    by_name = {s.name: s for s in sheets}
    for item in notes:
        target = by_name.get(item["sheet"]) if item["sheet"] else (sheets[0] if sheets else None)
        if target is not None:
            target.meta.setdefault("warnings", []).append(item)


# --- the parent's side ------------------------------------------------------------------------


def _rejected(why_fr: str, why_en: str) -> FileRejected:
    return FileRejected(
        f"Fichier rejeté : {why_fr}. Ouvrez-le dans Excel, enregistrez-le au format .xlsx "
        "(ou découpez-le) puis importez-le à nouveau.",
        f"File rejected: {why_en}. Open it in Excel, save it as .xlsx (or split it) and upload it again.")


class _SafeUnpickler(pickle.Unpickler):
    """Builds lists, strings, numbers and dates; refuses any other global."""

    ALLOWED = {("datetime", n): getattr(_dt, n) for n in ("date", "datetime", "time", "timedelta", "timezone")}

    def find_class(self, module, name):
        try:
            return self.ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed") from None


class _Child:
    """``python -m kpis.sandbox`` started at once; ``result()`` waits for its sheets."""

    def __init__(self, data: bytes, name: str, sandbox: Sandbox, limits: Limits):
        self.sandbox, self.limits = sandbox, limits
        self.timed_out = False
        self.stderr = tempfile.TemporaryFile()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": _ROOT, "LC_ALL": "C.UTF-8",
               "PYTHONDONTWRITEBYTECODE": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-s", "-m", "kpis.sandbox", str(sandbox.memory), str(int(sandbox.timeout) + 1)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, cwd=_ROOT, env=env,
            close_fds=True)
        self.timer = threading.Timer(sandbox.timeout, self._expire)
        self.timer.daemon = True
        self.timer.start()
        self.writer = threading.Thread(target=self._write, args=(pickle.dumps((name, data), protocol=5),),
                                       daemon=True)
        self.writer.start()

    def _write(self, payload: bytes) -> None:
        try:
            self.proc.stdin.write(payload)
            self.proc.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass  # the child died or was killed: result() says why

    def _expire(self) -> None:
        self.timed_out = True
        self.kill()

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass

    def result(self) -> list[RawSheet]:
        try:
            sheets, outcome = self._read()
        finally:
            self.timer.cancel()
            self.kill()
            self.proc.wait()
            self.writer.join(timeout=5)
            self.proc.stdout.close()
            self.stderr.close()
        if outcome == "done":
            return sheets
        if isinstance(outcome, FileRejected):
            raise outcome
        if self.timed_out:
            raise _rejected(f"sa lecture a dépassé {self.sandbox.timeout:.0f} s",
                            f"reading it took more than {self.sandbox.timeout:.0f} s")
        code = self.proc.returncode
        if code == _EXIT_MEMORY or code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
            raise _rejected("sa lecture demandait trop de mémoire ou a échoué (classeur trop grand, "
                            "trop complexe ou endommagé)",
                            "reading it needed too much memory or crashed (workbook too large, "
                            "too complex or damaged)")
        if code == -signal.SIGXCPU:
            raise _rejected("sa lecture a pris trop de temps", "reading it took too long")
        raise _rejected("il n'a pas pu être lu", "it could not be read")

    def _read(self) -> tuple[list[RawSheet], object]:
        sheets: list[RawSheet] = []
        cells = 0
        while True:
            try:
                frame = _SafeUnpickler(self.proc.stdout).load()  # one pickle per frame: a fresh memo
            except (EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, IndexError):
                return sheets, None  # died, was killed, or wrote something it should not have
            kind = frame[0] if isinstance(frame, tuple) and frame else None
            if kind == "sheet":
                _, name, hidden, comments, meta = frame
                sheets.append(RawSheet(str(name), [], [], bool(hidden), list(comments), dict(meta)))
            elif kind == "rows" and sheets:
                _, rows, numbers = frame
                cells += sum(map(len, rows))
                if cells > 2 * self.limits.max_cells or len(rows) != len(numbers):
                    return sheets, None
                sheets[-1].rows.extend(rows)
                sheets[-1].row_numbers.extend(numbers)
            elif kind == "done":
                return sheets, "done"
            elif kind == "rejected":
                return sheets, FileRejected(str(frame[1]), str(frame[2]))
            else:
                return sheets, None


# --- the child's side -------------------------------------------------------------------------

_EXIT_MEMORY = 3


def _limit(memory: int, cpu_seconds: int) -> None:
    """Lower this process's limits (never raise them: a hard limit already lower stays)."""
    import resource

    def lower(which, value):
        soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))

    lower(resource.RLIMIT_AS, memory)
    lower(resource.RLIMIT_CPU, cpu_seconds)
    lower(resource.RLIMIT_CORE, 0)
    lower(resource.RLIMIT_FSIZE, 0)


def _child_main(argv: list[str]) -> int:
    memory, cpu = int(argv[0]), int(argv[1])
    _limit(memory, cpu)
    out = sys.stdout.buffer
    try:
        name, data = pickle.load(sys.stdin.buffer)
        if data.startswith((*gate.ZIP_MAGIC, gate.OLE_MAGIC)):
            for item in stream_workbook(data, CHUNK_ROWS):  # the parent unpickles a chunk while the next is read
                if item[0] == "sheet":
                    sheet = item[1]
                    item = ("sheet", sheet.name, sheet.hidden, sheet.comments, sheet.meta)
                pickle.dump(item, out, protocol=5)
        else:
            for sheet in read_file(data, name):
                pickle.dump(("sheet", sheet.name, sheet.hidden, sheet.comments, sheet.meta), out, protocol=5)
                pickle.dump(("rows", sheet.rows, sheet.row_numbers), out, protocol=5)
        pickle.dump(("done",), out, protocol=5)
    except FileRejected as exc:
        pickle.dump(("rejected", exc.message_fr, exc.message_en), out, protocol=5)
    except MemoryError:
        os._exit(_EXIT_MEMORY)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
