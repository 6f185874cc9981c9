"""Read uploads where a crash, a memory blow-up or a hang becomes a clean rejection.

    sheets = read_file_safely(data, "campagnes.xlsx")   # list[RawSheet], as read_file
    [(w.code, w.row, w.column) for w in sheets[0].meta.get("warnings", [])][:1]   # kpis.ingest.issues.Issue
    [('formula_cached_zero', 4, 'D')]

    reading = start_reading(data, "campagnes.xlsx")   # the child starts parsing now...
    import pandas                                       # ...while this process does something else
    sheets = reading.result()                           # the same as read_file_safely(data, name)

``read_file_safely`` = :func:`kpis.ingest.gate.check_container` (size, type, zip
directory, encryption: milliseconds), then

- CSV, and .xlsx/.xlsm of at most ``IN_PROCESS_MAX_BYTES`` whose sheets the
  gate's XML scan bounded to ``IN_PROCESS_MAX_CELLS``: the scan first, then
  :func:`kpis.ingest.readers.read_file` in this process (a 4.6 KB file with two cells
  far apart is refused here before calamine sees it);
- everything else (larger workbooks, .xls, .ods, .xlsb): parsed by
  ``python -m kpis.ingest.sandbox``, a child that imports only the readers, caps its
  own address space (``RLIMIT_AS``), CPU time, core dumps and file writes, and
  is killed after ``PARSE_TIMEOUT`` seconds. An .xlsx sheet's rows below its
  first ``xlsx_columns.HEAD_ROWS`` are read there by fastexcel into typed
  columns when that is exact (:mod:`kpis.ingest.xlsx_columns`), else by
  python-calamine like the rest. For .xlsx the gate's XML scan runs
  here *while* the child parses, and its verdict wins: the scan costs nothing
  on the clock, and the child could not hurt anyway.

``start_reading`` does the cheap checks and starts that child at once, so that
a caller (the command line) can import pandas while the child parses;
``Reading.result()`` runs the scan and waits. ``read_file_safely`` is
``start_reading(...).result()``.

A child killed by a signal (SIGABRT from a failed Rust allocation, SIGSEGV),
out of memory or out of time becomes ``FileRejected("Fichier rejeté…")``.

The child parses hostile bytes: its output is not trusted. It sends
length-prefixed frames (at most ``MAX_FRAME`` bytes each, ``Sandbox.memory``
in all), each a pickle read through an unpickler that only builds plain values
and dates. Rows travel by columns, about ``CHUNK_CELLS`` cells a frame: a
column of floats as the raw bytes of a float64 array (and the few cells that
are not floats, with their positions), a column of text or dates as distinct
values and a uint32 code per row, anything else as a plain list. The parent
reads those bytes with ``np.frombuffer`` and a dtype of its own (never one the
child names), checks every length, position, code and cell type, and keeps
the columns as they came (:mod:`kpis.ingest.columnar`): the sheet's ``rows``
are a view built on demand, and the sheet stage reads the columns directly.
A thread drains the pipe while this process scans, so the child never waits.

The gate's notes are put in ``RawSheet.meta["warnings"]``: a note about a sheet
on that sheet, a note about the whole file (macros, renamed type) on the first.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import enum
import gc
import io
import os
import pickle
import signal
import struct
import sys
import threading
from array import array
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final, cast

from kpis.errors import FileRejected, KpiError
from kpis.ingest import gate
from kpis.ingest.gate import DEFAULT_LIMITS, Limits
from kpis.ingest.issues import Issue
from kpis.ingest.readers import RawSheet, _is_blank_row, _non_blank, read_file, workbook_chunks

if TYPE_CHECKING:
    from collections.abc import Sequence

    from kpis.ingest.columnar import CellColumn

__all__ = ["read_file_safely", "start_reading", "Reading", "ReadAhead", "Sandbox", "DEFAULT_SANDBOX",
           "IN_PROCESS_MAX_BYTES", "IN_PROCESS_MAX_CELLS"]

IN_PROCESS_MAX_BYTES = 1024 * 1024
"""Workbooks up to this size may skip the child (after the XML scan): a process start costs ~0.1 s."""
IN_PROCESS_MAX_CELLS = 1_000_000
"""...if no sheet spans more cells than this (calamine then allocates at most ~32 MB here)."""
CHUNK_CELLS = 200_000
"""Cells per frame of rows (20,000 rows of 10 columns): the parent decodes one while the next is encoded."""
PIPE_BYTES = 1024 * 1024
"""Buffer asked for the child's output pipe (Linux's default ceiling, /proc/sys/fs/pipe-max-size)."""
MAX_FRAME = 256 * 1024 ** 2
"""Largest frame the parent accepts from the child, bytes."""

_ROOT = str(Path(__file__).resolve().parents[2])
"""The project root: the child runs there, so that ``-m kpis.ingest.sandbox`` finds this very package."""


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
    return start_reading(data, name, limits=limits, sandbox=sandbox).result()


def start_reading(data: bytes, name: str, *, limits: Limits = DEFAULT_LIMITS,
                  sandbox: Sandbox = DEFAULT_SANDBOX) -> Reading:
    """Start ``read_file_safely(data, name)``: the cheap checks now, the child (if any) now, the rest in ``result()``.

    Never raises: a rejection is raised by ``result()``. Call ``result()`` or
    ``close()`` (or use it as a context manager): until then a child may be running.
    """
    return Reading(data, name, limits, sandbox)


class _Taken(enum.Enum):
    """The sentinel of an outcome already handed over (an enum: its one value narrows with ``is``)."""

    TAKEN = "taken"


_TAKEN: Final = _Taken.TAKEN


class Reading:
    """A ``read_file_safely`` under way; ``result()`` gives its sheets, once (this object keeps no rows)."""

    def __init__(self, data: bytes, name: str, limits: Limits = DEFAULT_LIMITS, sandbox: Sandbox = DEFAULT_SANDBOX):
        self.data, self.name = data, name
        self.limits, self.sandbox = limits, sandbox
        self._child: _Child | None = None
        self._outcome: list[RawSheet] | FileRejected | _Taken | None = None
        try:
            self._found = gate.check_container(data, name, limits)
        except FileRejected as exc:
            self._outcome = exc
            return
        if self._found.kind != "csv" and not (self._found.kind == "xlsx" and len(data) <= IN_PROCESS_MAX_BYTES):
            self._child = _Child(data, name, sandbox, limits)

    def result(self) -> list[RawSheet]:
        """The sheets, as ``read_file`` gives them, with the gate's notes; raises ``FileRejected``.

        Call it once: the sheets are handed over, not kept (a rejection is raised again).
        """
        if self._outcome is None:
            try:
                self._outcome = self._read()
            except FileRejected as exc:
                self._outcome = exc
            finally:
                self.close()
        outcome = self._outcome
        if isinstance(outcome, FileRejected):
            raise outcome
        if outcome is _TAKEN:
            raise RuntimeError("Reading.result() was already called")
        self._outcome = _TAKEN
        return outcome

    def close(self) -> None:
        """Stop the child if it still runs (its result is then lost)."""
        child, self._child = self._child, None
        if child is not None:
            child.close()

    def __enter__(self) -> Reading:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read(self) -> list[RawSheet]:
        found, data, name, limits = self._found, self.data, self.name, self.limits
        if found.kind == "csv":
            sheets = read_file(data, name)
        elif self._child is None:  # a small .xlsx: the scan decides whether calamine may run here
            gate.scan_sheets(data, found, limits)
            if found.cells <= IN_PROCESS_MAX_CELLS:
                sheets = read_file(data, name)
            else:
                self._child = _Child(data, name, self.sandbox, limits)
                sheets = self._child.result()
        else:
            gate.scan_sheets(data, found, limits)  # a rejection here: close() kills the child
            sheets = self._child.result()
        _attach(sheets, found.notes)
        return sheets


class ReadAhead:
    """Files read one ahead: each file's parse starts before the previous file is processed.

        with ReadAhead(["a.xlsx", "b.xlsx"]) as files:   # a.xlsx's child starts here
            for path, reading in files:                  # b.xlsx's child when a.xlsx is handed out
                sheets = reading.result() if reading is not None else None

    At most two readings run at once; one handed out is closed when the next is
    asked for, and leaving the ``with`` closes any still running. ``reading`` is
    None for a path that cannot be read: the caller says why (``check_file``).
    """

    def __init__(self, paths, *, limits: Limits = DEFAULT_LIMITS, sandbox: Sandbox = DEFAULT_SANDBOX):
        self.paths = [Path(p) for p in paths]
        self.limits, self.sandbox = limits, sandbox
        self.pending: dict[int, Reading | None] = {}
        self.current: Reading | None = None
        self._start(0)

    def _start(self, i: int) -> None:
        if i >= len(self.paths) or i in self.pending:
            return
        try:
            data = gate.read_bounded(self.paths[i], self.limits)
        except KpiError:  # not a regular file, unreadable or too large: check_file says which
            self.pending[i] = None
            return
        self.pending[i] = start_reading(data, self.paths[i].name, limits=self.limits, sandbox=self.sandbox)

    def __iter__(self):
        for i, path in enumerate(self.paths):
            self._start(i)
            self._start(i + 1)
            self._close_current()
            self.current = self.pending.pop(i)
            yield path, self.current

    def _close_current(self) -> None:
        current, self.current = self.current, None
        if current is not None:
            current.close()

    def close(self) -> None:
        self._close_current()
        for reading in self.pending.values():
            if reading is not None:
                reading.close()
        self.pending.clear()

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _attach(sheets: list[RawSheet], notes: list[Issue]) -> None:
    by_name = {s.name: s for s in sheets}
    for item in notes:
        target = by_name.get(item.sheet) if item.sheet else (sheets[0] if sheets else None)
        if target is not None:
            target.meta.setdefault("warnings", []).append(item)


# --- the parent's side ------------------------------------------------------------------------


def _rejected(why_fr: str, why_en: str) -> FileRejected:
    return FileRejected(
        f"Fichier rejeté : {why_fr}. Ouvrez-le dans Excel, enregistrez-le au format .xlsx "
        "(ou découpez-le) puis importez-le à nouveau.",
        f"File rejected: {why_en}. Open it in Excel, save it as .xlsx (or split it) and upload it again.")


class _SafeUnpickler(pickle.Unpickler):
    """Builds lists, strings, numbers, bytes and dates; refuses any other global."""

    ALLOWED = {("datetime", n): getattr(_dt, n) for n in ("date", "datetime", "time", "timedelta", "timezone")}

    def find_class(self, module, name):
        try:
            return self.ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed") from None


_CELL_TYPES = frozenset({str, float, int, bool, _dt.date, _dt.datetime, _dt.time, _dt.timedelta, type(None)})
"""What a cell may be once decoded: anything else from the child is a protocol error."""
_HEADER = struct.Struct("<Q")


class _Bad(Exception):
    """The child wrote something it should not have."""


class _Child:
    """``python -m kpis.ingest.sandbox`` started at once; a thread decodes its frames; ``result()`` waits for them."""

    def __init__(self, data: bytes, name: str, sandbox: Sandbox, limits: Limits):
        import subprocess  # here, not above: the child imports this module too, and starts faster without
        import tempfile

        self.sandbox, self.limits = sandbox, limits
        self.timed_out = self.closed = False
        self.sheets: list[RawSheet] = []
        self.building: _Building | None = None
        self.outcome: object = None
        self.stderr = tempfile.TemporaryFile()
        # no PYTHONPATH: ``-m`` puts the working directory, the project root, first on the child's path
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8",
               "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1"}  # (numpy's thread buffers: 40 MB)
        self.proc = subprocess.Popen(
            [sys.executable, "-s", "-m", "kpis.ingest.sandbox", str(sandbox.memory), str(int(sandbox.timeout) + 1)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, cwd=_ROOT, env=env,
            close_fds=True)
        stdin, stdout = self.proc.stdin, self.proc.stdout
        if stdin is None or stdout is None:  # never: both are PIPE above (the stubs make them Optional)
            self.proc.kill()
            self.proc.wait()
            self.stderr.close()
            raise RuntimeError("subprocess.Popen gave the sandbox child no pipe")
        self.stdin: IO[bytes] = stdin
        self.stdout: IO[bytes] = stdout
        _widen_pipe(self.stdout)
        _widen_pipe(self.stdin)
        self.timer = threading.Timer(sandbox.timeout, self._expire)
        self.timer.daemon = True
        self.timer.start()
        self.writer = threading.Thread(target=self._write, args=(pickle.dumps((name, data), protocol=5),),
                                       daemon=True)
        self.writer.start()
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _write(self, payload: bytes) -> None:
        try:
            self.stdin.write(payload)
            self.stdin.close()
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

    def close(self) -> None:
        """Kill the child if it runs and release everything (idempotent)."""
        if self.closed:
            return
        self.closed = True
        self.timer.cancel()
        if self.outcome == "done":  # it exits as soon as it has flushed its last frame (else: killed below)
            import subprocess

            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=1)
        self.kill()
        self.proc.wait()
        self.reader.join()
        self.writer.join(timeout=5)
        self.stdout.close()
        self.stderr.close()

    def result(self) -> list[RawSheet]:
        self.reader.join()  # ends at the child's last frame, its death, or a protocol error (then killed)
        self.close()
        sheets, self.sheets = self.sheets, []  # the timer refers to this object until collected: keep no rows
        if self.outcome == "done":
            return sheets
        if isinstance(self.outcome, FileRejected):
            raise self.outcome
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

    # -- the reader thread

    def _drain(self) -> None:
        try:
            self.outcome = self._frames()
        except Exception:  # noqa: BLE001 - whatever the child wrote, it is only a failed read
            self.outcome = None
        if self.outcome is None or isinstance(self.outcome, FileRejected):
            self.sheets = []
        if self.outcome != "done":
            self.kill()

    def _frames(self) -> object:
        stream, budget, cells = self.stdout, self.sandbox.memory, 0
        while True:
            head = stream.read(_HEADER.size)
            if len(head) != _HEADER.size:
                return None  # died or was killed
            (size,) = _HEADER.unpack(head)
            budget -= size
            if size > MAX_FRAME or budget < 0:
                return None
            payload = stream.read(size)
            if len(payload) != size:
                return None
            try:
                with _collector_paused():
                    frame = _SafeUnpickler(io.BytesIO(payload)).load()
                    kind = frame[0] if type(frame) is tuple and frame else None
                    if kind in ("columns", "rows") and self.building is not None:
                        if kind == "columns":
                            columns, numbers = _decode_columns(frame)
                            cells += len(numbers) * len(columns)
                            self.building.add_columns(columns, numbers)
                        else:
                            rows, numbers = _decode_rows(frame)
                            cells += sum(map(len, rows))
                            self.building.add_rows(rows, numbers)
                        if cells > 2 * self.limits.max_cells:
                            return None
                        continue
                if kind == "sheet":
                    _, name, hidden, comments, meta = frame
                    if type(meta) is not dict or type(comments) is not list:
                        return None
                    self._finish_sheet()
                    self.building = _Building(
                        RawSheet(str(name), [], [], bool(hidden), [str(c) for c in comments], meta))
                elif kind == "done":
                    self._finish_sheet()
                    return "done"
                elif kind == "rejected":
                    return FileRejected(str(frame[1]), str(frame[2]))
                else:
                    return None
            except (_Bad, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError,
                    KeyError, OverflowError, MemoryError):
                return None


    def _finish_sheet(self) -> None:
        if self.building is not None:
            self.sheets.append(self.building.finish())
            self.building = None


class _Building:
    """One sheet while its frames arrive: column pieces, assembled by ``finish`` (rows for frames of rows)."""

    def __init__(self, sheet: RawSheet):
        self.sheet = sheet
        self.pieces: list[list[CellColumn]] = []
        self.rows: list[list] | None = None
        self.numbers: list[int] = []

    def add_columns(self, columns: list[CellColumn], numbers: list[int]) -> None:
        if self.rows is not None:
            # every column of a frame has its n rows (_decode_columns checks): a mismatch is a ValueError, a bad frame
            self.rows.extend(map(list, zip(*(c.tolist() for c in columns), strict=True)))
        elif not self.pieces:
            self.pieces = [[c] for c in columns]
        elif len(columns) != len(self.pieces):
            raise _Bad  # every frame of a sheet has its width
        else:
            for parts, c in zip(self.pieces, columns, strict=True):  # same width: checked just above
                parts.append(c)
        self.numbers.extend(numbers)

    def add_rows(self, rows: list[list], numbers: list[int]) -> None:
        from kpis.ingest.columnar import concat

        if self.rows is None:  # never from calamine (its rows all have the sheet's width): rows, as they came
            built = [concat(parts).tolist() for parts in self.pieces]
            # every frame's columns have its n rows: all columns have the same length
            self.rows, self.pieces = [list(r) for r in zip(*built, strict=True)], []
        self.rows.extend(rows)
        self.numbers.extend(numbers)

    def finish(self) -> RawSheet:
        from kpis.ingest.columnar import Rows, concat

        sheet = self.sheet
        # A Rows stands for the list of rows it equals (see RawSheet), which RawSheet.rows does not spell out.
        sheet.rows = self.rows if self.rows is not None else (
            cast("list[list[object]]", Rows([concat(parts) for parts in self.pieces])) if self.pieces else [])
        sheet.row_numbers = self.numbers
        return sheet


def _widen_pipe(stream) -> None:
    """Give a pipe to the child 1 MiB instead of 64 KiB (Linux; elsewhere nothing changes).

    The reader thread needs the GIL after every read, and the scan holds it for
    milliseconds at a time: with 64 KiB the child would wait, blocked on a full
    pipe, for most of the scan (14 MB took 1.4 s to cross instead of 0.02 s).
    """
    try:
        import fcntl

        fcntl.fcntl(stream.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError, ValueError):
        pass


class _collector_paused:
    """No garbage collection while one frame becomes rows: 20,000 new lists and no cycle among them.

    The collector then runs once per frame instead of every 700 lists (0.1 s saved on 2 million cells).
    """

    def __enter__(self):
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was:
            gc.enable()


def _numbers(raw: object, n: int) -> list[int]:
    import numpy as np

    if type(raw) is not bytes or len(raw) != 8 * n:
        raise _Bad
    numbers = np.frombuffer(raw, dtype=np.int64)
    if n and (numbers.min() < 1 or numbers.max() > 2 ** 40):
        raise _Bad
    return numbers.tolist()


def _check_cells(values: object) -> list:
    if type(values) is not list or not set(map(type, values)) <= _CELL_TYPES:
        raise _Bad
    return values


def _decode_rows(frame: tuple) -> tuple[list[list], list[int]]:
    """``("rows", rows, numbers)``: rows as plain lists of cells (a sheet whose rows differ in length)."""
    _, rows, numbers = frame
    if type(rows) is not list or type(numbers) is not list or len(rows) != len(numbers):
        raise _Bad
    for row in rows:
        _check_cells(row)
    if not all(type(n) is int and n >= 1 for n in numbers):
        raise _Bad
    return rows, numbers


def _decode_columns(frame: tuple) -> tuple[list[CellColumn], list[int]]:
    """``("columns", n, numbers, columns)`` → n rows as columns; see ``_encode_column`` for what a column holds."""
    _, n, numbers, columns = frame
    if type(n) is not int or not 0 < n <= CHUNK_CELLS or type(columns) is not list \
            or not 0 < len(columns) <= gate.EXCEL_MAX_COLUMNS:
        raise _Bad
    numbers = _numbers(numbers, n)
    return [_decode_column(spec, n) for spec in columns], numbers


def _decode_column(spec: object, n: int) -> CellColumn:
    import numpy as np

    from kpis.ingest.columnar import CodedColumn, FloatColumn, ListColumn, blank

    if type(spec) is not tuple or not spec:
        raise _Bad
    kind = spec[0]
    if kind == "blank" and len(spec) == 1:
        return blank(n)
    if kind == "float" and len(spec) == 2 and type(spec[1]) is bytes and len(spec[1]) == 8 * n:
        return FloatColumn(np.frombuffer(spec[1], dtype=np.float64).copy())
    if kind == "floats+" and len(spec) == 4 and type(spec[1]) is bytes and len(spec[1]) == 8 * n \
            and type(spec[2]) is bytes and len(spec[2]) % 8 == 0:
        values = np.frombuffer(spec[1], dtype=np.float64).copy()
        where = np.frombuffer(spec[2], dtype=np.int64)
        others = _check_cells(spec[3])
        if len(where) != len(others) or (len(where) and (where[0] < 0 or where[-1] >= n
                                                          or not (np.diff(where) > 0).all())):
            raise _Bad
        return FloatColumn(values, where, others)
    if kind == "codes" and len(spec) == 3 and type(spec[1]) is bytes and len(spec[1]) == 4 * n:
        codes = np.frombuffer(spec[1], dtype=np.uint32)
        distinct = _check_cells(spec[2])
        if not distinct or int(codes.max()) >= len(distinct) or not set(map(type, distinct)) <= _KEYED \
                or len({(v.__class__, v) for v in distinct}) != len(distinct):
            raise _Bad
        return CodedColumn(codes.astype(np.intp), distinct)
    if kind == "cells" and len(spec) == 2 and len(_check_cells(spec[1])) == n:
        return ListColumn(spec[1])
    raise _Bad


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


_KEYED = frozenset({str, _dt.date, _dt.datetime, _dt.time, _dt.timedelta, type(None)})
"""Cell types sent as distinct values and codes: no two of them compare equal across types (1 == 1.0 == True do)."""


def _encode_column(col: list, kinds: set) -> tuple:
    """One column of a chunk, as few Python objects as possible (``_decode_column`` reverses it)."""
    if kinds == {float}:
        return "float", array("d", col).tobytes()
    if kinds <= _KEYED:  # (datetimes differing only by fold would merge: calamine sets no fold)
        code = dict.fromkeys(col, 0)  # (every value is set just below)
        for i, value in enumerate(code):
            code[value] = i
        return "codes", array("I", map(code.__getitem__, col)).tobytes(), list(code)
    if float in kinds:
        where = [i for i, value in enumerate(col) if value.__class__ is not float]
        if 4 * len(where) <= len(col):
            others = [col[i] for i in where]
            values = list(col)
            for i in where:
                values[i] = 0.0
            return "floats+", array("d", values).tobytes(), array("q", where).tobytes(), others
    return "cells", list(col)


def _encode_chunk(rows: list[list], first_number: int, first_col: int) -> tuple | None:
    """Calamine's rows ``first_number...`` as a frame, blank rows dropped (None if all are)."""
    width = len(rows[0]) if rows else 0
    if not width or len(set(map(len, rows))) != 1:  # never from calamine: the plain way
        kept_rows, kept_numbers = _non_blank(rows, first_number)
        return ("rows", [[""] * first_col + row for row in kept_rows], kept_numbers) if kept_rows else None
    cols = [list(map(itemgetter(j), rows)) for j in range(width)]
    kinds = [set(map(type, col)) for col in cols]
    n = len(rows)
    blank = []
    if str in kinds[0] or type(None) in kinds[0]:  # only rows starting with a blank cell may be blank
        blank = [i for i, value in enumerate(cols[0])
                 if (value is None or (value.__class__ is str and not value.strip())) and _is_blank_row(rows[i])]
    if blank:
        if len(blank) == n:
            return None
        gone = set(blank)
        kept = [i for i in range(n) if i not in gone]
        cols = [[col[i] for i in kept] for col in cols]
        kinds = [set(map(type, col)) for col in cols]
        numbers: Sequence[int] = [first_number + i for i in kept]
        n = len(kept)
    else:
        numbers = range(first_number, first_number + n)
    columns = [("blank",)] * first_col + [_encode_column(col, k) for col, k in zip(cols, kinds, strict=True)]
    return "columns", n, array("q", numbers).tobytes(), columns


def _child_main(argv: list[str]) -> int:
    memory, cpu = int(argv[0]), int(argv[1])
    _limit(memory, cpu)
    gc.disable()  # millions of cells and no reference cycle: the collector would only walk them (~10 %)
    out = sys.stdout.buffer

    def send(frame: tuple) -> None:
        payload = pickle.dumps(frame, protocol=5)
        out.write(_HEADER.pack(len(payload)))
        out.write(payload)

    try:
        name, data = pickle.load(sys.stdin.buffer)
        if data.startswith((*gate.ZIP_MAGIC, gate.OLE_MAGIC)):
            sheets = _stream(data)
        else:
            sheets = _whole(read_file(data, name))
        for frame in sheets:  # the parent decodes a frame while the next is encoded
            send(frame)
        send(("done",))
    except FileRejected as exc:
        send(("rejected", exc.message_fr, exc.message_en))
    except MemoryError:
        os._exit(_EXIT_MEMORY)
    out.flush()
    return 0


def _stream(data: bytes):
    """A workbook's frames: an .xlsx through ``xlsx_columns`` (typed columns), sheet by sheet where it is exact;
    everything else, and the sheets it cannot read exactly, through python-calamine."""
    typed = _typed_workbook(data) if data.startswith(gate.ZIP_MAGIC) else None
    if typed is None:
        yield from _calamine_frames(data)
        return
    for sheet in typed:
        yield from (_typed_frames(sheet) if sheet.exact else _calamine_frames(data, sheet.name))


def _typed_workbook(data: bytes):
    from kpis.ingest import xlsx_columns

    try:
        return xlsx_columns.read_workbook(data)
    except (KeyboardInterrupt, SystemExit, MemoryError, GeneratorExit):
        raise
    except BaseException:  # noqa: BLE001 - a damaged file, a Rust panic: python-calamine reads it and says why
        return None


def _calamine_frames(data: bytes, name: str | None = None):
    for item in workbook_chunks(data, chunk_cells=CHUNK_CELLS, names=None if name is None else {name}):
        if item[0] == "sheet":
            sheet = item[1]
            yield "sheet", sheet.name, sheet.hidden, sheet.comments, sheet.meta
        else:
            frame = _encode_chunk(*item[1:])
            if frame is not None:
                yield frame


def _typed_frames(sheet):
    """A ``TypedSheet``: its head rows as one frame, then its body's typed columns, ``CHUNK_CELLS`` cells a frame."""
    yield "sheet", sheet.name, sheet.hidden, [], {}
    width = sheet.width
    if sheet.head:
        rows = [row + [""] * (width - len(row)) for row in sheet.head]
        cols = [list(map(itemgetter(j), rows)) for j in range(width)]
        yield ("columns", len(rows), array("q", sheet.head_numbers).tobytes(),
               [_encode_column(col, set(map(type, col))) for col in cols])
    n = len(sheet.numbers) if sheet.columns else 0
    columns = sheet.columns + [("codes", None, [""])] * (width - len(sheet.columns))
    step = max(1, CHUNK_CELLS // max(1, width))
    for a in range(0, n, step):
        b = min(n, a + step)
        yield "columns", b - a, sheet.numbers[a:b].tobytes(), [_typed_part(c, a, b) for c in columns]


def _typed_part(column: tuple, a: int, b: int) -> tuple:
    """Rows a…b of one of ``TypedSheet.columns``, as ``_encode_column`` would have sent them."""
    import numpy as np

    kind = column[0]
    if kind == "float":
        _, values, where, others = column
        lo, hi = np.searchsorted(where, [a, b])
        if lo == hi:
            return "float", values[a:b].tobytes()
        return "floats+", values[a:b].tobytes(), (where[lo:hi] - a).astype(np.int64).tobytes(), others[lo:hi]
    if kind == "codes":
        _, codes, distinct = column
        if codes is None:  # columns right of the body (the head is wider)
            return "codes", np.zeros(b - a, dtype=np.uint32).tobytes(), [""]
        used, part = np.unique(codes[a:b], return_inverse=True)
        return "codes", part.astype(np.uint32).tobytes(), [distinct[k] for k in used.tolist()]
    return "cells", column[1][a:b]


def _whole(sheets: list[RawSheet]):
    for sheet in sheets:
        yield "sheet", sheet.name, sheet.hidden, sheet.comments, sheet.meta
        width = max(map(len, sheet.rows), default=1) or 1
        step = max(1, CHUNK_CELLS // width)
        for i in range(0, len(sheet.rows), step):
            yield "rows", sheet.rows[i:i + step], sheet.row_numbers[i:i + step]


if __name__ == "__main__":
    code = _child_main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)  # every frame is written: no teardown of the readers' objects (fastexcel, Arrow: ~0.1 s)
