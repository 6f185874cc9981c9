"""Ingestion: a team's export (xlsx, xlsm, xls, ods, csv) → tidy observations + a report.

    >>> result = check_file("campagnes.xlsx", segment="B2C")
    >>> result.importable, result.rows_kept
    (True, 118)
    >>> result.observations.columns.tolist()[:3]
    ['period_start', 'period_end', 'segment']

For each sheet: find the header below title rows, drop totals and description
rows, map every column to a KPI or a dimension (catalog synonyms, ``--map``,
remembered mappings), read the layout (wide, long or crosstab), parse numbers
and dates in French or English conventions, decide the segment, validate.
Every problem becomes an ``Issue`` with its sheet, row and column; a file that
cannot be read at all raises nothing here: it yields a file-level issue.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from kpis import catalog, formats, parsing
from kpis.catalog import KPIS, fold, match_header
from kpis.errors import FileRejected, UsageError
from kpis.model import ALL, DIMENSIONS, OBS_COLUMNS, SEGMENTS
from kpis.readers import RawSheet
from kpis.sandbox import Reading, read_file_safely

__all__ = [
    "PARSER_VERSION",
    "Issue",
    "Column",
    "SheetResult",
    "FileResult",
    "check_file",
    "check_bytes",
    "parse_target",
    "column_letter",
]

PARSER_VERSION = "2"
HEADER_SEARCH_ROWS = 30
"""The header is looked for in the first rows of a sheet (title rows above it)."""

LONG_KPI_HEADERS = frozenset(fold(h) for h in ("kpi", "indicateur", "indicator", "metric", "metrique", "mesure",
                                               "measure", "nom du kpi", "kpi name", "libelle indicateur"))
LONG_VALUE_HEADERS = frozenset(fold(h) for h in ("value", "valeur", "valeurs", "values", "realise", "actual"))

TOTAL_LABELS = frozenset(fold(t) for t in ("total", "totaux", "grand total", "total general", "sous total",
                                          "sous-total", "subtotal", "sub total", "somme", "sum", "ensemble"))
_TOTAL_PREFIX = re.compile(
    r"^\s*(?:(?:grand\s+)?total(?:e|es|aux)?\s*(?:[:(\-–]|$)|(?:sous|sub)[\s-]?totals?\b)", re.IGNORECASE)
"""``Total: Account``, ``Total : compte``, ``Sous-total France`` — but not a campaign named ``Total Store``."""

DIMENSION_TARGETS = ("period", "period_start", "period_end", "segment", "entity", "channel", "initiative", "currency")
GRAIN_TARGETS = {f"period:{g}": g for g in ("day", "week", "month", "quarter", "year")}

EARLIEST_PERIOD = np.datetime64("1990-01-01", "D")
"""Earlier dates are refused: a month number (1–12) without its year would read as January 1900."""

REPORTING_CURRENCY = "EUR"
"""Amounts in another currency are kept as they are, with a warning."""

ENTITY_JOIN = " · "
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
"""Several entity (or channel, initiative) columns, such as brand and country, are joined."""


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One problem, located as Excel or a text editor shows it. Never quotes personal data."""

    code: str
    severity: str  # "error", "warning" or "info"
    message_fr: str
    message_en: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def message(self, lang: str = "fr") -> str:
        return self.message_fr if lang == "fr" else self.message_en

    def to_json(self) -> dict:
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet, "row": self.row,
                "column": self.column, "message_fr": self.message_fr, "message_en": self.message_en}


@dataclass
class Column:
    """What one column of a sheet was understood to be."""

    index: int
    header: str
    role: str  # "kpi", a dimension role, "ignored" or "unknown"
    kpi: str | None = None
    match: str | None = None  # "exact", "partial", "mapped", "remembered"
    reason: str | None = None
    total: bool = False
    grain: str | None = None  # forced with period:month
    convention: str | None = None  # forced with clicks:fr

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    def to_json(self) -> dict:
        out = {"column": self.letter, "header": self.header, "role": self.role}
        if self.role == "kpi":
            out |= {"kpi": self.kpi, "match": self.match}
        elif self.match not in (None, "exact"):  # a dimension says only when it was partial or mapped
            out["match"] = self.match
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass
class SheetResult:
    sheet: str
    status: str = "read"  # "read" or "skipped"
    header_row: int | None = None
    layout: str | None = None  # "wide", "long" or "crosstab"
    format: str | None = None
    currency: str | None = None
    columns: list[Column] = field(default_factory=list)
    unknown_columns: list[dict] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    grain: str | None = None
    period: dict | None = None
    rows: dict = field(default_factory=lambda: {"read": 0, "kept": 0, "rejected": 0, "dropped": 0})
    totals: dict = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # the header row's texts (remembered mappings)
    build: Callable[[], pd.DataFrame] | None = field(default=None, repr=False, compare=False)
    _observations: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def observations(self) -> pd.DataFrame:
        """The tidy observations (``OBS_COLUMNS``), built on first use: ``check`` never needs them."""
        if self._observations is None:
            self._observations = self.build() if self.build is not None else _empty_observations()
            self.build = None
        return self._observations

    @property
    def has_error(self) -> bool:
        return any(i.severity == "error" and i.row is None for i in self.issues)

    @property
    def usable(self) -> bool:
        return self.status == "read" and not self.has_error and self.rows["kept"] > 0 and bool(self.segments)

    def to_json(self) -> dict:
        return {
            "sheet": self.sheet, "status": self.status, "header_row": self.header_row, "layout": self.layout,
            "format": self.format, "currency": self.currency,
            "columns": [c.to_json() for c in self.columns if c.role != "unknown"],
            "unknown_columns": self.unknown_columns, "segments": self.segments, "grain": self.grain,
            "period": self.period, "rows": dict(self.rows), "totals": self.totals,
            "issues": [_issue_json(i) for i in self.issues],
        }


@dataclass
class FileResult:
    file: str
    sha256: str
    sheets: list[SheetResult] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # file-level

    @property
    def importable(self) -> bool:
        if any(i.severity == "error" for i in self.issues):
            return False
        return any(s.usable for s in self.sheets)

    @property
    def origin(self) -> str | None:
        formats = [s.format for s in self.sheets if s.usable and s.format]
        return formats[0] if formats else None

    @property
    def observations(self) -> pd.DataFrame:
        frames = [s.observations for s in self.sheets if s.usable]
        if not frames:
            return _empty_observations()
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def _rows(self, key: str) -> int:
        return sum(s.rows[key] for s in self.sheets if s.status == "read")

    @property
    def rows_read(self) -> int:
        return self._rows("read")

    @property
    def rows_kept(self) -> int:
        return sum(s.rows["kept"] for s in self.sheets if s.usable)

    @property
    def rows_rejected(self) -> int:
        return self._rows("rejected")

    @property
    def all_issues(self) -> list[Issue]:
        return self.issues + [i for s in self.sheets for i in s.issues]

    def to_json(self) -> dict:
        return {"file": self.file, "importable": self.importable,
                "issues": [_issue_json(i) for i in self.issues],
                "sheets": [s.to_json() for s in self.sheets]}

    def batch(self, *, origin: str | None = None, **extra) -> dict:
        """The arguments of ``Store.import_batch`` for this file: its observations and bookkeeping.

            >>> store.import_batch(**result.batch(imported_by="cdo"))

        ``origin`` defaults to the recognised format, else ``"manual"``.
        """
        return dict(observations=self.observations, file_name=self.file,
                    sheets=[s.sheet for s in self.sheets if s.usable], origin=origin or self.origin or "manual",
                    sha256=self.sha256, rows_read=self.rows_read, rows_kept=self.rows_kept,
                    rows_rejected=self.rows_rejected, parser_version=PARSER_VERSION, **extra)


def _issue_json(issue: Issue) -> dict:
    out = issue.to_json()
    out.pop("sheet")
    return out


def _empty_observations() -> pd.DataFrame:
    return pd.DataFrame({
        "period_start": pd.Series([], dtype="datetime64[s]"), "period_end": pd.Series([], dtype="datetime64[s]"),
        **{c: pd.Series([], dtype=object) for c in ("segment", *DIMENSIONS, "kpi")},
        "value": pd.Series([], dtype="float64"),
    })


def column_letter(index: int) -> str:
    """0 → ``A``, 27 → ``AB``."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- entry points -----------------------------------------------------------------------------


def check_file(path: str | Path, **options) -> FileResult:
    """Read a file from disk; see ``check_bytes`` for the options."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"Impossible de lire {path} : {exc.strerror}", f"Cannot read {path}: {exc.strerror}") from None
    return check_bytes(data, path.name, **options)


def check_bytes(
    data: bytes,
    name: str,
    *,
    segment: str | None = None,
    maps: dict[str, str] | None = None,
    remembered: Iterable | None = None,
    reading: Reading | None = None,
) -> FileResult:
    """Understand one uploaded file. Nothing is stored.

    ``segment`` is the caller's choice when the file does not say; ``maps``
    forces columns (header text → target, as ``--map``); ``remembered`` holds
    mappings saved by the app (objects with ``headers`` and ``mapping``), used
    when a sheet's headers are exactly a remembered set. ``reading`` is
    ``kpis.sandbox.start_reading(data, name)`` started earlier by the caller
    (the command line starts the parse before importing this module).
    """
    if reading is not None and reading.data is not data:
        raise ValueError("check_bytes: reading was started on other bytes")
    if segment is not None and segment not in SEGMENTS:
        raise UsageError(f"Segment inconnu : {segment}", f"Unknown segment: {segment}")
    forced = {fold(h): parse_target(t) for h, t in (maps or {}).items()}
    result = FileResult(file=name, sha256=hashlib.sha256(data).hexdigest())
    try:
        # the gate, then a limited child for workbooks
        raw_sheets = reading.result() if reading is not None else read_file_safely(data, name)
    except FileRejected as exc:
        result.issues.append(Issue("file_rejected", "error", exc.message_fr, exc.message_en))
        return result
    remembered = list(remembered or ())
    for raw in raw_sheets:
        found = formats.recognise(raw)  # a vendor export read as it is: its own meanings, user maps win
        if found is None:
            result.sheets.append(_SheetReader(raw, segment, forced, remembered).read())
            continue
        own = {fold(h): parse_target(t) for h, t in found.maps.items()}
        sheet = _SheetReader(found.sheet, segment, own | forced, remembered).read()
        sheet.format = found.format
        sheet.issues[:0] = found.issues
        result.sheets.append(sheet)
    if not result.sheets:
        result.issues.append(Issue("empty_file", "error", "Le fichier ne contient aucune feuille.",
                                   "The file holds no sheet."))
    elif not any(s.status == "read" for s in result.sheets):
        result.issues.append(Issue("no_table", "error", "Aucun tableau de données trouvé dans le fichier.",
                                   "No data table found in the file."))
    return result


@dataclass(frozen=True)
class Target:
    """A parsed ``--map`` target: a role, maybe a KPI, a forced grain or number convention."""

    role: str
    kpi: str | None = None
    grain: str | None = None
    convention: str | None = None


def parse_target(text: str) -> Target:
    """``"clicks"``, ``"clicks:fr"``, ``"period:month"``, ``"entity"``, ``"ignore"`` → a Target.

        >>> parse_target("period:month")
        Target(role='period', kpi=None, grain='month', convention=None)
    """
    t = text.strip()
    low = t.lower()
    if low in GRAIN_TARGETS:
        return Target("period", grain=GRAIN_TARGETS[low])
    if low in DIMENSION_TARGETS:
        return Target(low)
    if low in ("ignore", "ignorer"):
        return Target("ignored")
    code, _, conv = t.partition(":")
    if code in KPIS and KPIS[code].base and conv in ("", "fr", "en"):
        return Target("kpi", kpi=code, convention=conv or None)
    raise UsageError(
        f"Cible inconnue « {text} » : un code KPI de base, period, period:month, period_start, period_end, "
        "segment, entity, channel, initiative ou ignore.",
        f"Unknown target '{text}': a base KPI code, period, period:month, period_start, period_end, segment, "
        "entity, channel, initiative or ignore.",
    )


# --- cells ------------------------------------------------------------------------------------

RATIO_REASON = "ratio recomputed from its components"
SPLIT_ROLES = ("unknown", "ignored")
"""Columns that may tell apart rows sharing a period and every dimension."""


def _is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


_text = parsing.cell_text


def _is_total_label(cell: object) -> bool:
    if not isinstance(cell, str) or not cell.strip():
        return False
    return fold(cell) in TOTAL_LABELS or bool(_TOTAL_PREFIX.match(cell))


def _distinct(cells: Sequence) -> tuple[np.ndarray, list]:
    """The column's codes and distinct cells (pandas.factorize; None and NaN are values too)."""
    arr = np.empty(len(cells), dtype=object)
    arr[:] = cells
    codes, uniques = pd.factorize(arr, use_na_sentinel=False)
    return codes, list(uniques)


def _spread(distinct: tuple[np.ndarray, list], fn, dtype=object) -> np.ndarray:
    """``fn`` applied once per distinct cell, spread back over the column.

        >>> _spread(_distinct(["Total", "A", "Total"]), _is_total_label, bool).tolist()
        [True, False, True]
    """
    codes, uniques = distinct
    return np.array([fn(u) for u in uniques], dtype=dtype)[codes] if uniques else np.array([], dtype=dtype)


def _has_strings(cells: Sequence) -> bool:
    return str in set(map(type, cells))


def _group_codes(arrays: Iterable[np.ndarray], n: int) -> np.ndarray:
    """One code per row for the combination of the arrays' values (rows with equal codes match), below n."""
    key = np.zeros(n, dtype=np.int64)
    size = 1
    for values in arrays:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        if len(uniques) < 2:
            continue
        if size * len(uniques) > 2 ** 62:
            key, compact = pd.factorize(key)
            size = len(compact)
        key = key * len(uniques) + codes
        size *= len(uniques)
    return pd.factorize(key)[0] if size > n else key


def _read_periods(cells: list, order: str, grain: str | None, live: np.ndarray):
    """(starts, ends, grains, bad): periods as written, widened to a grain their regularity shows."""
    days = _date_cells(cells)
    if days is None:
        periods = parsing.parse_periods(cells, order=order, grain=grain)
        starts, ends, grains, bad = periods.start, periods.end, periods.grain, periods.bad | np.isnat(periods.start)
    else:
        starts, ends = _widen(days, grain or "day")
        grains, bad = np.full(len(days), grain or "day", dtype=object), np.zeros(len(days), dtype=bool)
    bad = bad | (starts < EARLIEST_PERIOD)
    day_rows = live & ~bad & (grains == "day")
    if grain is None and day_rows.any():
        inferred = parsing.infer_grain(starts[day_rows])
        if inferred != "day":
            ends = np.where(day_rows, _widen(starts, inferred)[1], ends)
            grains = np.where(day_rows, inferred, grains)
    return starts.astype("datetime64[D]"), ends.astype("datetime64[D]"), grains, bad


def _date_cells(cells: list) -> np.ndarray | None:
    """A column holding only date or datetime cells (a typed Excel date column) as datetime64[D], else None.

    Fast path: the days are computed from ordinals (``np.array(dates, "datetime64[D]")`` is 20× slower).
    """
    kinds = set(map(type, cells))
    if not kinds or not all(issubclass(k, date) for k in kinds):
        return None
    ordinals = np.array([d.toordinal() for d in cells], dtype=np.int64)
    return (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]")


def _widen(days: np.ndarray, grain: str) -> tuple[np.ndarray, np.ndarray]:
    """Start and inclusive end of the period of ``grain`` holding each day.

        >>> _widen(np.array(["2026-09-09"], "datetime64[D]"), "week")[0].tolist()
        [datetime.date(2026, 9, 7)]
    """
    one = np.timedelta64(1, "D")
    if grain == "day":
        return days, days
    if grain == "week":
        start = days - (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        return start, start + 6 * one
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    index = days.astype("datetime64[M]").astype(np.int64)
    first = (index - index % months).astype("datetime64[M]")
    return first.astype("datetime64[D]"), (first + months).astype("datetime64[D]") - one


def _grain(grains: np.ndarray) -> str | None:
    kinds = set(grains)
    kinds.discard(None)
    return kinds.pop() if len(kinds) == 1 else ("range" if kinds else None)


def _column_convention(cells: Sequence) -> str | None:
    return parsing.number_convention(cells) if _has_strings(cells) else None


def _kpi_of_name(name: object) -> tuple[str | None, str]:
    """A long or crosstab KPI cell → (code, what): what is ``kpi``, ``ratio``, ``total`` or ``unknown``."""
    if _is_total_label(name):
        return None, "total"
    m = match_header(name) if isinstance(name, str) else None
    if m is not None and m.role in ("kpi", "ratio"):
        return m.kpi, m.role
    return None, "unknown"


# --- one sheet --------------------------------------------------------------------------------


class _SheetReader:
    """Reads one RawSheet into a SheetResult. One instance per sheet, used once.

    ``cells[j]`` is column j of the body (the rows below the header) and
    ``numbers[i]`` the row number Excel or a text editor shows for body row i.
    Row masks (``dropped``, ``rejected``) are numpy arrays over the body rows.
    """

    def __init__(self, raw: RawSheet, segment: str | None, forced: dict[str, Target], remembered: list):
        self.raw = raw
        self.caller_segment = segment
        self.forced = dict(forced)
        self.remembered = remembered
        self.result = SheetResult(sheet=raw.name)
        self.cells: list[list] = []
        self.table = np.empty((0, 0), dtype=object)
        self.numbers = np.array([], dtype=np.int64)
        self.n = 0
        self._distinct_cache: dict[int, tuple[np.ndarray, list]] = {}
        self._strings_cache: dict[int, bool] = {}

    def issue(self, code, severity, fr, en, row=None, column=None):
        row = None if row is None else int(row)
        self.result.issues.append(Issue(code, severity, fr, en, self.raw.name, row, column))

    def reject_rows(self, mask: np.ndarray, code: str, fr: str, en: str, column: str | None = None) -> np.ndarray:
        """Report each row of ``mask`` as rejected (error) and return the mask."""
        for i in np.flatnonzero(mask):
            self.issue(code, "error", fr, en, self.numbers[i], column)
        return mask

    def read(self) -> SheetResult:
        raw, res = self.raw, self.result
        for w in raw.meta.get("warnings", ()):  # what the gate and the reader noticed: formulas, errors, hidden rows
            self.issue(w["code"], w["severity"], w["message_fr"], w["message_en"], w.get("row"), w.get("column"))
        if raw.hidden:
            self.issue("hidden_sheet", "info", "Feuille masquée : lue comme les autres.",
                       "Hidden sheet: read like the others.")
        header_idx, layout = self._find_header()
        if header_idx is None:
            return self._no_header()
        res.header_row = raw.row_numbers[header_idx]
        res.layout = layout
        header = raw.rows[header_idx]
        res.headers = [_text(h) for h in header]
        body, numbers = raw.rows[header_idx + 1:], raw.row_numbers[header_idx + 1:]
        if layout == "crosstab":
            return self._read_crosstab(header, body, numbers)
        self._map_columns(header, body)
        return self._read_table(body, numbers)

    def _load(self, body: list[list], numbers: list[int], width: int) -> None:
        """Turn body rows into columns (lists of cells), padding short rows and cutting long ones."""
        if len(set(map(len, body))) > 1 or (body and len(body[0]) < width):
            body = [r[:width] + [""] * (width - len(r)) for r in body]
        table = np.array(body, dtype=object).reshape(len(body), -1) if body else np.empty((0, width), dtype=object)
        self.table = table
        self.cells = [table[:, j].tolist() if j < table.shape[1] else [""] * len(body) for j in range(width)]
        self.numbers = np.asarray(numbers, dtype=np.int64)
        self.n = len(body)
        self.result.rows["read"] = self.n

    def column_map(self, j: int, fn, dtype=object) -> np.ndarray:
        """``fn`` of each cell of column j, computed once per distinct cell (the factorisation is cached)."""
        if j not in self._distinct_cache:
            self._distinct_cache[j] = _distinct(self.cells[j])
        return _spread(self._distinct_cache[j], fn, dtype)

    def column_labels(self, j: int, fn) -> tuple[np.ndarray, np.ndarray]:
        """``column_map(j, fn)`` and a code per row, equal when the labels are."""
        if j not in self._distinct_cache:
            self._distinct_cache[j] = _distinct(self.cells[j])
        codes, uniques = self._distinct_cache[j]
        labels = np.array([fn(u) for u in uniques], dtype=object)
        label_codes = pd.factorize(labels)[0] if len(labels) else np.array([], dtype=np.int64)
        return labels[codes], label_codes[codes]

    def has_strings(self, j: int) -> bool:
        if j not in self._strings_cache:
            self._strings_cache[j] = _has_strings(self.cells[j])
        return self._strings_cache[j]

    def _count(self, dropped: np.ndarray, rejected: np.ndarray) -> SheetResult:
        rows = self.result.rows
        rows["dropped"] = int(dropped.sum())
        rows["rejected"] = int((rejected & ~dropped).sum())
        rows["kept"] = self.n - rows["dropped"] - rows["rejected"]
        return self.result

    # -- header --
    def _meaning(self, cell: object) -> Target | None:
        if not isinstance(cell, str) or not cell.strip():
            return None
        folded = fold(cell)
        if folded in self.forced:
            return self.forced[folded]
        m = match_header(cell)
        if m is not None:
            return Target(m.role, m.kpi)
        if folded in LONG_KPI_HEADERS:
            return Target("long_kpi")
        if folded in LONG_VALUE_HEADERS:
            return Target("long_value")
        return None

    def _remembered_for(self, row: list) -> dict[str, str] | None:
        key = tuple(sorted(fold(c) for c in row if isinstance(c, str) and c.strip()))
        for mapping in self.remembered:
            if tuple(mapping.headers) == key:
                return mapping.mapping
        return None

    def _find_header(self) -> tuple[int | None, str | None]:
        """The header row (index into raw.rows) and the layout; (None, None) for a sheet without a table."""
        rows = self.raw.rows[:HEADER_SEARCH_ROWS]
        best, best_score = None, 0
        for i, row in enumerate(rows):
            if sum(isinstance(c, str) and bool(c.strip()) for c in row) < 2:
                continue
            remembered = self._remembered_for(row)
            if remembered is not None:
                for h, t in remembered.items():
                    self.forced.setdefault(fold(h), parse_target(t))
                return i, "wide"
            score = sum(self._meaning(c) is not None for c in row)
            if score > best_score:
                best, best_score = i, score
        roles = {getattr(self._meaning(c), "role", None) for c in rows[best]} if best is not None else set()
        if "kpi" in roles or {"long_kpi", "long_value"} <= roles:
            return best, "long" if {"long_kpi", "long_value"} <= roles else "wide"
        crosstab = self._find_crosstab(rows)
        if crosstab is not None:
            return crosstab, "crosstab"
        if best is not None:
            return best, "wide"
        plausible = self._plausible_header(rows)
        return plausible, None if plausible is None else "wide"

    def _find_crosstab(self, rows: list[list]) -> int | None:
        """A row of periods across (a ``Total`` column allowed), with KPI names down the first column below."""
        for i, row in enumerate(rows):
            if len(self._crosstab_periods(row)[0]) < 2:
                continue
            below = [r[0] for r in self.raw.rows[i + 1:i + 40] if r]
            if any(_kpi_of_name(c)[1] == "kpi" for c in below):
                return i
        return None

    @staticmethod
    def _crosstab_periods(row: list) -> tuple[list[int], list[int]]:
        """Indexes of the period cells of a candidate crosstab header, and of its other non-blank cells."""
        idx = [j for j in range(1, len(row)) if not _is_blank(row[j])]
        if not idx or any(isinstance(row[j], (int, float)) and not isinstance(row[j], bool)
                          and not 1900 <= row[j] <= 2100 for j in idx):
            return [], idx  # plain numbers are data, not a header of periods
        cells = [row[j] for j in idx]
        periods = parsing.parse_periods(cells, order=parsing.date_order(cells) or "dmy")
        ok = ~periods.bad & ~np.isnat(periods.start)
        return [j for j, good in zip(idx, ok) if good], [j for j, good in zip(idx, ok) if not good]

    def _plausible_header(self, rows: list[list]) -> int | None:
        """The first row of two or more texts followed by a row holding numbers (for error reports)."""
        for i, row in enumerate(rows[:-1]):
            strings = [c for c in row if isinstance(c, str) and c.strip()]
            if len(strings) >= 2 and len(strings) == sum(not _is_blank(c) for c in row):
                nxt = rows[i + 1]
                if any(isinstance(c, (int, float)) and not isinstance(c, bool) for c in nxt) or any(
                        isinstance(c, str) and re.fullmatch(r"[\d\s.,%€$£+-]+", c.strip()) for c in nxt):
                    return i
        return None

    def _no_header(self) -> SheetResult:
        res = self.result
        res.status = "skipped"
        self.issue("no_table", "info", "Aucun tableau reconnu dans cette feuille : ignorée.",
                   "No table found in this sheet: skipped.")
        return res

    # -- columns --
    def _map_columns(self, header: list, body: list[list]) -> None:
        res = self.result
        width = max([len(header)] + [len(r) for r in body[:200]]) if body else len(header)
        for idx in range(width):
            text = _text(header[idx]) if idx < len(header) else ""
            if text:
                res.columns.append(self._column(idx, text))
            elif any(idx < len(r) and not _is_blank(r[idx]) for r in body[:200]):
                res.columns.append(Column(idx, "", "unknown"))
        self._resolve_conflicts(res.columns)
        res.unknown_columns = [{"column": c.letter, "header": c.header,
                                "closest": catalog.closest(c.header) if c.header else []}
                               for c in res.columns if c.role == "unknown"]

    def _column(self, idx: int, text: str) -> Column:
        folded = fold(text)
        if folded in self.forced:
            t = self.forced[folded]
            return Column(idx, text, t.role, t.kpi, "mapped", grain=t.grain, convention=t.convention,
                          reason="ignored on request" if t.role == "ignored" else None)
        m = match_header(text)
        if m is None:
            role = {True: "long_kpi"}.get(folded in LONG_KPI_HEADERS) or (
                "long_value" if folded in LONG_VALUE_HEADERS else "unknown")
            return Column(idx, text, role, match="exact" if role != "unknown" else None)
        if m.role == "ratio":
            return Column(idx, text, "ignored", match=m.match, reason=RATIO_REASON)
        return Column(idx, text, m.role, m.kpi, m.match, total=m.total)

    def _resolve_conflicts(self, columns: list[Column]) -> None:
        """Several columns for one KPI or dimension: exact beats partial, then ``total``; a tie is an error."""
        groups: dict[str, list[Column]] = defaultdict(list)
        for c in columns:
            if c.role in ("kpi", "period", "period_start", "period_end", "segment", "currency", "long_kpi",
                          "long_value"):
                groups[c.kpi or c.role].append(c)
        rank = {"mapped": 3, "remembered": 3, "exact": 2, "partial": 1}
        for target, group in groups.items():
            if len(group) < 2:
                continue
            best = max((rank.get(c.match or "", 0), c.total) for c in group)
            winners = [c for c in group if (rank.get(c.match or "", 0), c.total) == best]
            if len(winners) > 1:
                letters = ", ".join(c.letter for c in winners)
                self.issue("ambiguous_columns", "error",
                           f"Plusieurs colonnes ({letters}) donnent « {target} » : précisez laquelle avec --map "
                           f"\"EN-TÊTE=ignore\" ou dans l'écran d'import. Rien n'est additionné en silence.",
                           f"Several columns ({letters}) give '{target}': say which one with --map "
                           f"\"HEADER=ignore\" or on the import screen. Nothing is summed silently.")
            for c in group:
                if len(winners) > 1 or c is not winners[0]:
                    reason = "ambiguous: choose with --map" if len(winners) > 1 else \
                        f"column {winners[0].letter} gives {target}"
                    c.role, c.kpi, c.reason = "ignored", None, reason

    def _roles(self, *roles: str) -> list[Column]:
        return [c for c in self.result.columns if c.role in roles]

    # -- rows (wide and long) --
    def _read_table(self, body: list[list], numbers: list[int]) -> SheetResult:
        res = self.result
        width = max([c.index + 1 for c in res.columns] + [0])
        self._load(body, numbers, width)
        long_ok = bool(self._roles("long_kpi")) and bool(self._roles("long_value"))
        res.layout = "long" if res.layout == "long" and long_ok else "wide"
        if not self._roles("kpi") and res.layout != "long":
            self._no_kpi_column()
            return self._count(np.zeros(self.n, bool), np.zeros(self.n, bool))
        dropped = self._non_data_rows()
        rejected = np.zeros(self.n, dtype=bool)
        codes = None
        if res.layout == "long":
            codes, dropped, rejected = self._long_codes(dropped)
        periods = self._periods(~dropped)
        if periods is None:
            return self._count(dropped, rejected)
        starts, ends, grains, bad, letter = periods
        rejected |= self._reject_periods(bad & ~dropped & ~rejected, letter)
        segments = self._segments(dropped | rejected, codes)
        if segments is None:
            return self._count(dropped, rejected)
        seg_values, seg_bad = segments
        rejected |= seg_bad
        dims, key = self._dimensions_and_key(starts, ends, seg_values, codes)
        repeats, split, split_rows = self._shared_rows(key, ~(dropped | rejected))
        rejected |= repeats
        live = ~(dropped | rejected)
        res.grain = _grain(grains[live])
        self._currency()
        picks = self._picks(live, codes)
        if split:
            self._report_split(split, split_rows, picks)
        self._conclude(picks, _Units(self.numbers, key, starts, ends, seg_values, dims), sum_flows=bool(split))
        return self._count(dropped, rejected)

    def _dimensions_and_key(self, starts, ends, segments, codes) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Entity, channel and initiative labels, and a group key per row: period × segment × dimensions
        (× KPI in a long sheet). Rows with the same key share a period and every dimension."""
        dims, by = {}, [starts, ends]
        for d in DIMENSIONS:
            dims[d], code = self._dimension(d)
            by.append(code)
        if len(self.result.segments) > 1:
            by.append(segments)
        if codes is not None:
            by.append(codes)
        return dims, _group_codes(by, self.n)

    def _picks(self, live: np.ndarray, codes: np.ndarray | None) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """(KPI, rows, values) of the kept, non-missing values of each KPI."""
        picks = [(kpi, np.flatnonzero(live & ~np.isnan(v)), v) for kpi, v in self._values(live, codes)]
        return [(kpi, idx, v[idx]) for kpi, idx, v in picks if len(idx)]

    def _no_kpi_column(self) -> None:
        unknown = [u for u in self.result.unknown_columns if u["closest"]]
        hint = "; ".join(f"{u['header']} → {', '.join(u['closest'])}" for u in unknown)
        self.issue("no_kpi_column", "error",
                   "Aucune colonne d'indicateur reconnue dans cette feuille."
                   + (f" Noms proches : {hint}." if hint else "")
                   + " Associez les colonnes avec --map \"EN-TÊTE=code_kpi\" ou dans l'écran d'import.",
                   "No KPI column recognised in this sheet."
                   + (f" Closest names: {hint}." if hint else "")
                   + " Map the columns with --map \"HEADER=kpi_code\" or on the import screen.")

    def _non_data_rows(self) -> np.ndarray:
        """Totals and subtotals (a total label where a label or the first cell is), and a description row."""
        dropped = np.zeros(self.n, dtype=bool)
        if not self.n:
            return dropped
        labels = {c.index for c in self._roles("period", "entity", "channel", "initiative", "segment", "unknown",
                                               "long_kpi", "ignored")} | {0}
        for j in sorted(labels):
            if j < len(self.cells) and self.has_strings(j):
                dropped |= self.column_map(j, _is_total_label, bool)
        dropped[0] |= self._is_description_row()
        return dropped

    def _is_description_row(self) -> bool:
        """Text where the first row's numbers and period are expected: a description under the header."""
        values = [self.cells[c.index][0] for c in self._roles("kpi", "long_value")]
        if not values or not all(isinstance(v, str) and v.strip() for v in values):
            return False
        if not (parsing.parse_numbers(values, "en")[1].all() and parsing.parse_numbers(values, "fr")[1].all()):
            return False
        period = [self.cells[c.index][0] for c in self._roles("period", "period_start", "period_end")]
        return not period or bool(parsing.parse_periods(period).bad.all())

    def _long_codes(self, dropped: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """KPI code per row of a long sheet; ratio and total rows dropped, unknown KPIs rejected."""
        col = self._roles("long_kpi")[0]
        found = self.column_map(col.index, _kpi_of_name)
        codes = np.array([f[0] for f in found], dtype=object)
        what = np.array([f[1] for f in found], dtype=object)
        dropped = dropped | (what == "ratio") | (what == "total")
        rejected = self.reject_rows((what == "unknown") & ~dropped, "kpi_unknown",
                                    "Indicateur inconnu du catalogue : ligne rejetée.",
                                    "KPI not in the catalog: row rejected.", col.letter)
        return codes, dropped, rejected

    # -- periods --
    def _periods(self, live: np.ndarray):
        """(starts, ends, grains, bad, column letter), or None with a sheet error when there is no period."""
        period, start, end = self._roles("period"), self._roles("period_start"), self._roles("period_end")
        if start and end:
            for c in period:
                c.role, c.reason = "ignored", "period given by the start and end columns"
            return self._ranges(start[0], end[0])
        period = period or start or end
        if not period:
            self.issue("no_period", "error",
                       "Aucune colonne de période (Date, Jour, Mois, Semaine…) : impossible de dater les valeurs. "
                       "Ajoutez une colonne de date ou associez-en une avec --map \"EN-TÊTE=period\".",
                       "No period column (Date, Day, Month, Week…): the values cannot be dated. Add a date "
                       "column or map one with --map \"HEADER=period\".")
            return None
        c = period[0]
        c.role = "period"
        grain = c.grain or parsing.header_grain(c.header)
        starts, ends, grains, bad = _read_periods(self.cells[c.index], self._date_order(c), grain, live)
        return starts, ends, grains, bad, c.letter

    def _ranges(self, start: Column, end: Column):
        order = self._date_order(start)
        ps, bs = parsing.parse_dates(self.cells[start.index], order=order)
        pe, be = parsing.parse_dates(self.cells[end.index], order=order)
        bad = bs | be | np.isnat(ps) | np.isnat(pe)
        bad |= ~bad & (pe < ps)
        grains = np.full(self.n, "range", dtype=object)
        return ps.astype("datetime64[D]"), pe.astype("datetime64[D]"), grains, bad, start.letter

    def _date_order(self, column: Column) -> str:
        """Day/month order: the column's own, else the other date columns', else French (dmy)."""
        others = [c for c in self._roles("period", "period_start", "period_end") if c is not column]
        for c in (column, *others):
            order = parsing.date_order(self.cells[c.index]) if self.has_strings(c.index) else None
            if order:
                return order
        return "dmy"

    def _reject_periods(self, bad: np.ndarray, letter: str) -> np.ndarray:
        return self.reject_rows(bad, "date_unparseable",
                                "Date ou période illisible ou absente : ligne rejetée.",
                                "Unreadable or missing date or period: row rejected.", letter)

    # -- segments --
    def _segments(self, excluded: np.ndarray, codes: np.ndarray | None):
        """(segment per row, rows rejected for an unknown segment), or None with a sheet error."""
        res = self.result
        kpis = set(codes[~excluded]) - {None} if codes is not None else {c.kpi for c in self._roles("kpi")}
        fallback = self.caller_segment or self._segment_by_kpis(kpis)
        seg_cols = self._roles("segment")
        if not seg_cols:
            if fallback is None:
                return self._segment_undecided()
            res.segments = [fallback]
            return np.full(self.n, fallback, dtype=object), np.zeros(self.n, dtype=bool)
        c = seg_cols[0]
        values = self.column_map(c.index, _segment_cell)
        live = ~excluded
        blank, unknown = live & (values == ""), live & (values == "?")
        found = set(values[live & ~blank & ~unknown])
        caller = self.caller_segment
        if caller and found - {caller}:
            others = ", ".join(sorted(found - {caller}))
            self.issue("segment_conflict", "error",
                       f"La colonne {c.letter} ({c.header}) indique {others} alors que le segment choisi est {caller} "
                       ": retirez --segment ou corrigez la colonne.",
                       f"Column {c.letter} ({c.header}) says {others} while the chosen segment is {caller}: drop "
                       "--segment or correct the column.")
            return None
        bad = self.reject_rows(unknown, "segment_unknown",
                               "Segment non reconnu (attendu B2C, B2B ou B2E, ou Grand public, Professionnels, "
                               "Collaborateurs…) : ligne rejetée.",
                               "Unknown segment (expected B2C, B2B or B2E, or consumer, business, employees…): "
                               "row rejected.", c.letter)
        if blank.any() and not self._fill_blank_segments(c, blank, fallback):
            return None
        values = np.where(blank, fallback, values)
        res.segments = sorted(set(values[live & ~bad]), key=SEGMENTS.index)
        return values, bad

    def _fill_blank_segments(self, c: Column, blank: np.ndarray, fallback: str | None) -> bool:
        count = int(blank.sum())
        if fallback is None:
            self.issue("segment_missing", "error",
                       f"{count} ligne(s) sans segment en colonne {c.letter} : choisissez le segment (--segment ou "
                       "l'écran d'import) ou complétez la colonne.",
                       f"{count} row(s) without a segment in column {c.letter}: choose the segment (--segment or "
                       "the import screen) or fill in the column.", None, c.letter)
            return False
        self.issue("segment_blank", "warning", f"{count} ligne(s) sans segment : {fallback} appliqué.",
                   f"{count} row(s) without a segment: {fallback} applied.", None, c.letter)
        return True

    def _segment_undecided(self) -> None:
        self.issue("segment_undecided", "error",
                   "Le fichier ne dit pas s'il s'agit de B2C, B2B ou B2E : choisissez le segment (--segment ou "
                   "l'écran d'import) ou ajoutez une colonne Segment.",
                   "The file does not say whether it is B2C, B2B or B2E: choose the segment (--segment or the "
                   "import screen) or add a Segment column.")
        return None

    @staticmethod
    def _segment_by_kpis(kpis: Iterable[str]) -> str | None:
        """B2E when the KPIs include internal-only ones and no external-only one (B2C/B2B never guessed)."""
        worlds = {catalog.exclusive_world(k) for k in kpis if not k.startswith("nps_")}
        return "B2E" if "internal" in worlds and "external" not in worlds else None

    # -- dimensions, currency --
    def _dimension(self, role: str) -> tuple[np.ndarray, np.ndarray]:
        """Labels of a dimension, several columns joined (brand · country), ``(all)`` when blank; and a code
        per row, equal when the labels are (cheap to group on)."""
        dcols = self._roles(role)
        if not dcols:
            return np.full(self.n, ALL, dtype=object), np.zeros(self.n, dtype=np.int64)
        if len(dcols) == 1:
            return self.column_labels(dcols[0].index, lambda v: _text(v) or ALL)
        joined = self.column_map(dcols[0].index, _text)
        for c in dcols[1:]:
            more = self.column_map(c.index, _text)
            joined = np.where(joined == "", more, np.where(more == "", joined, joined + ENTITY_JOIN + more))
        names = " + ".join(c.header for c in dcols)
        self.issue("dimension_joined", "info",
                   f"{len(dcols)} colonnes décrivent « {role} » ({names}) : valeurs jointes par « · ».",
                   f"{len(dcols)} columns describe '{role}' ({names}): values joined with ' · '.")
        labels = np.where(joined == "", ALL, joined).astype(object)
        return labels, pd.factorize(labels)[0]

    def _currency(self) -> None:
        found = []
        for c in self._roles("currency"):
            found += sorted(set(self.column_map(c.index, lambda v: _text(v).upper())) - {""})
        for c in self._roles("kpi"):
            if KPIS[c.kpi].unit == "€":
                found.append(parsing.currency_of([c.header]) or parsing.currency_of(self.cells[c.index][:500]))
        found = [f for f in dict.fromkeys(found) if f]
        if len(found) > 1:
            self.issue("several_currencies", "warning",
                       f"Plusieurs devises dans la feuille ({', '.join(found)}) : les montants sont gardés tels quels.",
                       f"Several currencies in the sheet ({', '.join(found)}): amounts are kept as they are.")
        if found:
            self.result.currency = found[0]
            if found[0] != REPORTING_CURRENCY:
                self.issue("currency_not_eur", "warning",
                           f"Montants en {found[0]}, pas en EUR : ils sont gardés tels quels (pas de conversion).",
                           f"Amounts in {found[0]}, not EUR: they are kept as they are (no conversion).")

    # -- values --
    def _values(self, live: np.ndarray, codes: np.ndarray | None) -> list[tuple[str, np.ndarray]]:
        """(KPI code, values with NaN where missing, rejected or not that KPI) for each KPI of the sheet."""
        value_cols = self._roles("long_value")[:1] if codes is not None else self._roles("kpi")
        filled = {c.index: self._filled(c.index) for c in value_cols}
        conventions = {j: None if isinstance(cells, np.ndarray) else _column_convention(cells)
                       for j, (_, cells) in filled.items()}
        conventions |= {c.index: c.convention for c in value_cols if c.convention}
        votes = [v for v in conventions.values() if v]
        sheet = max(set(votes), key=votes.count) if votes else None
        parsed = {c.index: self._numbers(c, filled[c.index], conventions[c.index] or sheet, live)
                  for c in value_cols}
        if codes is None:
            return [(c.kpi, parsed[c.index]) for c in value_cols]
        values = parsed[value_cols[0].index]
        return [(code, np.where(codes == code, values, np.nan)) for code in sorted(set(codes[live]) - {None})]

    def _filled(self, j: int) -> tuple[np.ndarray, list | np.ndarray]:
        """The non-empty cells of column j and their rows (parsers are fast on columns of numbers only);
        a column holding only numbers comes back as a float array, nothing left to parse."""
        if set(map(type, self.cells[j])) <= {float, int}:
            return np.arange(self.n), np.array(self.cells[j], dtype=np.float64)
        column = self.table[:, j] if j < self.table.shape[1] else np.full(self.n, "", dtype=object)
        rows = np.flatnonzero((column != "") & (column != None))  # noqa: E711 (elementwise)
        return rows, column[rows].tolist()

    def _numbers(self, col: Column, filled: tuple[np.ndarray, list], convention: str | None,
                 live: np.ndarray) -> np.ndarray:
        rows, cells = filled
        if isinstance(cells, np.ndarray):
            return cells
        values, bad = np.full(self.n, np.nan), np.zeros(self.n, dtype=bool)
        values[rows], bad[rows] = parsing.parse_numbers(cells, convention)
        bad &= live
        self._not_available(col, rows, cells, live)
        if not bad.any():
            return values
        ambiguous = np.zeros(self.n, dtype=bool)
        if convention is None:
            ambiguous[rows] = parsing.ambiguous_mask(cells)
        fix = f'--map "{col.header}={col.kpi}:' if col.kpi else None
        for i in np.flatnonzero(bad):
            if ambiguous[i]:
                self.issue("number_ambiguous", "error",
                           "Nombre ambigu (1,103 vaut 1103 en anglais, 1,103 en français) : valeur ignorée ; "
                           + (f"précisez la convention, par exemple {fix}fr\"." if fix else
                              "précisez la convention dans l'écran d'import."),
                           "Ambiguous number (1,103 is 1103 in English, 1.103 in French): value dropped; "
                           + (f"say which convention, e.g. {fix}en\"." if fix else
                              "say which convention on the import screen."), self.numbers[i], col.letter)
            else:
                self.issue("number_unparseable", "error", "Nombre illisible : valeur ignorée, le reste de la "
                           "ligne est gardé.", "Unreadable number: value dropped, the rest of the row is kept.",
                           self.numbers[i], col.letter)
        return np.where(bad, np.nan, values)

    def _not_available(self, col: Column, rows, cells: list, live: np.ndarray) -> None:
        """Cells that say "no value" (N/A, --, n.d.) are missing values, never zeros: say how many."""
        marked = [r for r, c in zip(rows, cells) if isinstance(c, str) and c.strip()
                  and c.strip().lower() in parsing.MISSING_TOKENS and live[r]]
        if marked:
            first = self.numbers[marked[0]]
            self.issue("not_available", "info",
                       f"{len(marked)} cellule(s) « N/A », « -- » ou équivalent lues comme « pas de valeur » "
                       f"(ni zéro, ni erreur), la première ligne {first}.",
                       f"{len(marked)} cell(s) saying 'N/A', '--' or the like read as 'no value' (neither zero "
                       f"nor an error), the first on row {first}.", None, col.letter)

    # -- rows sharing a period and every dimension --
    def _shared_rows(self, key: np.ndarray, live: np.ndarray) -> tuple[np.ndarray, list[Column], np.ndarray]:
        """Reject repeated and conflicting rows; return them, the unmapped columns splitting others, those rows."""
        rejected, split_rows = np.zeros(self.n, dtype=bool), np.zeros(self.n, dtype=bool)
        idx = np.flatnonzero(live)
        shared = idx[pd.Series(key[idx]).duplicated(keep=False).to_numpy()]
        if not len(shared):
            return rejected, [], split_rows
        groups: dict[int, list[int]] = defaultdict(list)
        for i in shared:
            groups[key[i]].append(int(i))
        splitters = [c for c in self.result.columns if c.role in SPLIT_ROLES and c.reason != RATIO_REASON]
        split: dict[int, Column] = {}
        for rows in groups.values():
            distinct = self._reject_repeats(rows, rejected)
            if len(distinct) < 2:
                continue
            by = [c for c in splitters if len({_text(self.cells[c.index][i]) for i in distinct}) > 1]
            if by:
                split.update((c.index, c) for c in by)
                split_rows[distinct] = True
            else:
                self.reject_rows(np.isin(np.arange(self.n), distinct[1:]), "conflicting_rows",
                                 "Même période et mêmes dimensions qu'une ligne précédente, avec d'autres valeurs : "
                                 "ligne rejetée.", "Same period and dimensions as an earlier row, with other "
                                 "values: row rejected.")
                rejected[distinct[1:]] = True
        return rejected, list(split.values()), split_rows

    def _reject_repeats(self, rows: list[int], rejected: np.ndarray) -> list[int]:
        """Rows identical in every column to an earlier one are rejected; the distinct rows are returned."""
        seen: dict[tuple, int] = {}
        for i in rows:
            signature = tuple(_text(self.cells[c.index][i]) for c in self.result.columns)
            if signature in seen:
                rejected[i] = True
                first = int(self.numbers[seen[signature]])
                self.issue("duplicate_row", "error", f"Ligne identique à la ligne {first} : répétition rejetée.",
                           f"Same as row {first}: repeat rejected.", self.numbers[i])
            else:
                seen[signature] = i
        return list(seen.values())

    def _report_split(self, split: list[Column], split_rows: np.ndarray, picks: list) -> None:
        """Flows split by an unmapped column are summed (info); stocks and distinct counts cannot be (error)."""
        names = ", ".join(f"{c.letter} ({c.header or '?'})" for c in split)
        kinds = {kpi: KPIS[kpi].aggregation for kpi, idx, _ in picks if split_rows[idx].any()}
        not_flows = sorted(k for k, kind in kinds.items() if kind != "flow")
        if not_flows:
            self.issue("split_by_unmapped_column", "error",
                       f"Des stocks ou comptes distincts ({', '.join(not_flows)}) sont répartis par la colonne "
                       f"{names} : associez-la (entity, channel, initiative) avec --map \"EN-TÊTE=channel\" ou "
                       "dans l'écran d'import, car ces valeurs ne s'additionnent pas.",
                       f"Stocks or distinct counts ({', '.join(not_flows)}) are split by column {names}: map it "
                       "(entity, channel, initiative) with --map \"HEADER=channel\" or on the import screen, as "
                       "these values cannot be added.")
        if len(not_flows) < len(kinds):
            self.issue("summed_over_column", "info",
                       f"Des lignes ne diffèrent que par la colonne {names}, non utilisée : leurs flux (clics, "
                       "coûts…) sont additionnés.",
                       f"Some rows differ only by column {names}, which is not used: their flows (clicks, cost…) "
                       "are summed.")

    # -- conclusion, shared by every layout --
    def _conclude(self, picks: list, units: _Units, sum_flows: bool = False) -> None:
        """Warnings, totals, period and segments from the kept values; observations built when asked for."""
        res = self.result
        self._plausibility(picks, units)
        res.totals = _totals(picks, units)
        used = np.zeros(len(units.key), dtype=bool)
        for _, idx, _ in picks:
            used[idx] = True
        if used.any():
            res.period = {"start": str(units.starts[used].min()), "end": str(units.ends[used].max())}
            res.segments = sorted(set(units.segments[used]), key=SEGMENTS.index)
        res.build = partial(_build_observations, picks, units, sum_flows)

    def _plausibility(self, picks: list, units: _Units) -> None:
        """Warnings, values kept: negative counts, clicks > impressions, active users > population."""
        negative = np.zeros(len(units.key), dtype=bool)
        for kpi, idx, values in picks:
            if KPIS[kpi].unit == "count":
                negative[idx[values < 0]] = True
        for number in np.unique(units.numbers[negative]):
            self.issue("negative_count", "warning", "Valeur négative pour un comptage : gardée telle quelle.",
                       "Negative value for a count: kept as it is.", number)
        by_kpi = {kpi: (idx, values) for kpi, idx, values in picks}
        size = int(units.key.max()) + 1 if len(units.key) else 0
        for num, den, code, fr, en in PLAUSIBILITY_RULES:
            if num not in by_kpi or den not in by_kpi:
                continue
            (ia, va), (ib, vb) = by_kpi[num], by_kpi[den]
            given = np.bincount(units.key[ib], minlength=size) > 0
            over = given & (np.bincount(units.key[ia], va, size) > np.bincount(units.key[ib], vb, size))
            for number in np.unique(units.numbers[ia[over[units.key[ia]]]]):
                self.issue(code, "warning", fr + " Valeurs gardées.", en + " Values kept.", number)

    # -- crosstab --
    def _read_crosstab(self, header: list, body: list[list], numbers: list[int]) -> SheetResult:
        """KPI names down column A, periods across the header row; each KPI row becomes observations."""
        res = self.result
        period_idx, other_idx = self._crosstab_periods(header)
        self._load(body, numbers, max([len(header)] + [len(r) for r in body[:200]]))
        res.columns = [Column(0, _text(header[0]), "long_kpi", match="exact")]
        res.columns += [Column(j, _text(header[j]), "period", match="exact") for j in period_idx]
        res.columns += [Column(j, _text(header[j]), "ignored", reason="total column") for j in other_idx
                        if _is_total_label(header[j])]
        res.columns.sort(key=lambda c: c.index)
        cells = [header[j] for j in period_idx]
        everywhere = np.ones(len(cells), dtype=bool)
        starts, ends, grains, _ = _read_periods(cells, parsing.date_order(cells) or "dmy", None, everywhere)
        res.grain = _grain(grains)
        found = [_kpi_of_name(name) for name in self.cells[0]]
        what = np.array([f[1] for f in found], dtype=object)
        dropped = (what == "total") | (what == "ratio")
        rejected = self.reject_rows(what == "unknown", "kpi_unknown", "Indicateur inconnu du catalogue : ligne "
                                    "rejetée.", "KPI not in the catalog: row rejected.", "A")
        codes = [f[0] for f in found]
        segment = self.caller_segment or self._segment_by_kpis({c for c in codes if c})
        if segment is None:
            self._segment_undecided()
            return self._count(dropped, rejected)
        res.segments = [segment]
        rejected |= self._crosstab_repeats(codes, ~(dropped | rejected))
        width = len(period_idx)
        cells_total = self.n * width  # one unit per (row, period column) cell
        units = _Units(np.repeat(self.numbers, width), np.tile(np.arange(width), self.n), np.tile(starts, self.n),
                       np.tile(ends, self.n), np.full(cells_total, segment, dtype=object),
                       {d: np.full(cells_total, ALL, dtype=object) for d in DIMENSIONS})
        rows = np.flatnonzero(~(dropped | rejected))
        self._conclude(self._crosstab_picks(codes, rows, period_idx), units)
        return self._count(dropped, rejected)

    def _crosstab_repeats(self, codes: list, live: np.ndarray) -> np.ndarray:
        """A KPI given on two rows: the later row is rejected."""
        rejected = np.zeros(self.n, dtype=bool)
        first: dict[str, int] = {}
        for i in np.flatnonzero(live):
            if codes[i] in first:
                rejected[i] = True
                self.issue("duplicate_row", "error", f"Indicateur déjà donné ligne {self.numbers[first[codes[i]]]} "
                           ": ligne rejetée.", f"KPI already given on row {self.numbers[first[codes[i]]]}: row "
                           "rejected.", self.numbers[i], "A")
            else:
                first[codes[i]] = i
        return rejected

    def _crosstab_picks(self, codes: list, rows: np.ndarray, period_idx: list[int]) -> list:
        """(KPI, cell units, values) for each kept KPI row; a cell is unit ``row × width + period``."""
        width = len(period_idx)
        cells = {i: [self.cells[j][i] for j in period_idx] for i in rows}
        votes = [v for v in (_column_convention(c) for c in cells.values()) if v]
        sheet = max(set(votes), key=votes.count) if votes else None
        picks = []
        for i in rows:
            values, bad = parsing.parse_numbers(cells[i], _column_convention(cells[i]) or sheet)
            for k in np.flatnonzero(bad):
                self.issue("number_unparseable", "error", "Nombre illisible ou ambigu : valeur ignorée.",
                           "Unreadable or ambiguous number: value dropped.", self.numbers[i],
                           column_letter(period_idx[k]))
            ok = np.flatnonzero(~np.isnan(values))
            if len(ok):
                picks.append((codes[i], i * width + ok, values[ok]))
        return picks


PLAUSIBILITY_RULES = (
    ("clicks", "impressions", "clicks_over_impressions", "Plus de clics que d'impressions.",
     "More clicks than impressions."),
    ("active_users", "population", "active_over_population", "Plus d'utilisateurs actifs que de population cible.",
     "More active users than target population."),
)


def _segment_cell(cell: object) -> str:
    """A segment cell → ``B2C``/``B2B``/``B2E``, ``""`` when blank, ``"?"`` when not understood."""
    if _is_blank(cell):
        return ""
    return catalog.segment_of(cell) or "?"


@dataclass(frozen=True)
class _Units:
    """What kept values hang on: body rows (wide, long) or cells (crosstab), each with its row number,
    group key (period × segment × dimensions, a small int), period, segment and dimension labels."""

    numbers: np.ndarray
    key: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    segments: np.ndarray
    dims: dict[str, np.ndarray]


def _kpi_per_value(picks: list, units: _Units) -> np.ndarray:
    """The KPI code of every kept value, in pick order; NPS parts of a B2E sheet are eNPS parts."""
    kpis = np.repeat(np.array([kpi for kpi, _, _ in picks], dtype=object), [len(idx) for _, idx, _ in picks])
    if not any(kpi.startswith(("nps_", "enps_")) for kpi, _, _ in picks):
        return kpis
    segments = np.concatenate([units.segments[idx] for _, idx, _ in picks])
    return np.array([catalog.world_variant(k, s) for k, s in zip(kpis, segments)], dtype=object)


def _totals(picks: list, units: _Units) -> dict[str, float]:
    """The plain sum of the kept values of each KPI (a checksum of what was read)."""
    totals: dict[str, float] = defaultdict(float)
    for kpi, idx, values in picks:
        segments = units.segments[idx]
        for segment in set(segments) if kpi.startswith(("nps_", "enps_")) else (None,):
            chosen = values if segment is None else values[segments == segment]
            totals[kpi if segment is None else catalog.world_variant(kpi, segment)] += float(chosen.sum())
    return {k: totals[k] for k in sorted(totals)}


def _build_observations(picks: list, units: _Units, sum_flows: bool) -> pd.DataFrame:
    """One observation per kept value (``OBS_COLUMNS``); flows split by an unmapped column summed."""
    if not picks:
        return _empty_observations()
    idx = np.concatenate([i for _, i, _ in picks])
    # labels as categoricals: each distinct label is built once, a million values are small-int codes
    labels = {name: _categorical(column, idx) for name, column in (("segment", units.segments),
                                                                   *((d, units.dims[d]) for d in DIMENSIONS))}
    labels["kpi"] = pd.Categorical(_kpi_per_value(picks, units))
    frame = pd.DataFrame({
        "period_start": units.starts[idx].astype("datetime64[s]"),
        "period_end": units.ends[idx].astype("datetime64[s]"),
        **labels,
        "value": np.concatenate([values for _, _, values in picks]).astype(np.float64),
    }, copy=False)
    return _sum_flows(frame, units.key[idx]) if sum_flows else frame


def _categorical(column: np.ndarray, idx: np.ndarray) -> pd.Categorical:
    """``column[idx]`` as a categorical, factorising the (smaller) unit-level column once."""
    codes, uniques = pd.factorize(column)
    return pd.Categorical.from_codes(codes[idx], categories=pd.Index(uniques, dtype=object))


def _sum_flows(frame: pd.DataFrame, key: np.ndarray) -> pd.DataFrame:
    """Flows sharing a period, segment, every dimension and KPI (rows split by an unmapped column) summed."""
    flow = frame["kpi"].map(lambda k: KPIS[k].aggregation == "flow").to_numpy(dtype=bool)
    shared = flow & frame.assign(_key=key).duplicated(["_key", "kpi"], keep=False).to_numpy()
    if not shared.any():
        return frame
    firsts = {c: "first" for c in OBS_COLUMNS if c not in ("kpi", "value")}
    summed = frame[shared].assign(_key=key[shared]).groupby(["_key", "kpi"], sort=False, as_index=False).agg(
        {**firsts, "value": "sum"})
    return pd.concat([frame[~shared], summed[list(OBS_COLUMNS)]], ignore_index=True)
