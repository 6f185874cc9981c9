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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from kpis import catalog, parsing
from kpis.catalog import KPIS, fold, match_header
from kpis.errors import FileRejected, UsageError
from kpis.model import ALL, DIMENSIONS, OBS_COLUMNS, SEGMENTS
from kpis.readers import RawSheet, read_file

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

PARSER_VERSION = "1"
HEADER_SEARCH_ROWS = 30
"""The header is looked for in the first rows of a sheet (title rows above it)."""

LONG_KPI_HEADERS = frozenset(fold(h) for h in ("kpi", "indicateur", "indicator", "metric", "metrique", "mesure",
                                               "measure", "nom du kpi", "kpi name", "libelle indicateur"))
LONG_VALUE_HEADERS = frozenset(fold(h) for h in ("value", "valeur", "valeurs", "values", "realise", "actual"))

TOTAL_LABELS = frozenset(fold(t) for t in ("total", "totaux", "grand total", "total general", "sous total",
                                          "sous-total", "subtotal", "sub total", "somme", "sum", "ensemble"))
_TOTAL_PREFIX = re.compile(r"^\s*(?:grand\s+|sous[\s-]?|sub[\s-]?)?total(?:e|es|aux)?\s*(?:[:(\-–]|$)", re.IGNORECASE)

DIMENSION_TARGETS = ("period", "period_start", "period_end", "segment", "entity", "channel", "initiative", "currency")
GRAIN_TARGETS = {f"period:{g}": g for g in ("day", "week", "month", "quarter", "year")}

ENTITY_JOIN = " · "
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
        elif self.match:
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
    observations: pd.DataFrame = field(default_factory=lambda: _empty_observations())
    headers: list[str] = field(default_factory=list)  # the header row's texts (remembered mappings)

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
) -> FileResult:
    """Understand one uploaded file. Nothing is stored.

    ``segment`` is the caller's choice when the file does not say; ``maps``
    forces columns (header text → target, as ``--map``); ``remembered`` holds
    mappings saved by the app (objects with ``headers`` and ``mapping``), used
    when a sheet's headers are exactly a remembered set.
    """
    if segment is not None and segment not in SEGMENTS:
        raise UsageError(f"Segment inconnu : {segment}", f"Unknown segment: {segment}")
    forced = {fold(h): _parse_map_target(h, t) for h, t in (maps or {}).items()}
    result = FileResult(file=name, sha256=hashlib.sha256(data).hexdigest())
    try:
        raw_sheets = read_file(data, name)
    except FileRejected as exc:
        result.issues.append(Issue("file_rejected", "error", exc.message_fr, exc.message_en))
        return result
    remembered = list(remembered or ())
    for raw in raw_sheets:
        result.sheets.append(_SheetReader(raw, segment, forced, remembered).read())
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


def _parse_map_target(header: str, target: str) -> Target:
    return parse_target(target)


# --- one sheet --------------------------------------------------------------------------------


def _is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _is_total_label(cell: object) -> bool:
    if not isinstance(cell, str) or not cell.strip():
        return False
    return fold(cell) in TOTAL_LABELS or bool(_TOTAL_PREFIX.match(cell))


class _SheetReader:
    """Reads one RawSheet into a SheetResult. One instance per sheet, used once."""

    def __init__(self, raw: RawSheet, segment: str | None, forced: dict[str, Target], remembered: list):
        self.raw = raw
        self.caller_segment = segment
        self.forced = forced
        self.remembered = remembered
        self.result = SheetResult(sheet=raw.name)
        self.issues = self.result.issues

    # -- helpers --
    def issue(self, code, severity, fr, en, row=None, column=None):
        self.issues.append(Issue(code, severity, fr, en, self.raw.name, row, column))

    def read(self) -> SheetResult:
        raw, res = self.raw, self.result
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
        body = raw.rows[header_idx + 1:]
        numbers = raw.row_numbers[header_idx + 1:]
        if layout == "crosstab":
            return self._read_crosstab(header, body, numbers)
        self._map_columns(header, body)
        return self._read_table(body, numbers)

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
        rows = self.raw.rows[:HEADER_SEARCH_ROWS]
        best, best_score = None, 0
        for i, row in enumerate(rows):
            strings = [c for c in row if isinstance(c, str) and c.strip()]
            if len(strings) < 2:
                continue
            remembered = self._remembered_for(row)
            if remembered is not None:
                for h, t in remembered.items():
                    self.forced.setdefault(fold(h), parse_target(t))
                return i, "wide"
            score = sum(1 for c in row if self._meaning(c) is not None)
            if score > best_score:
                best, best_score = i, score
        if best is not None:
            roles = {getattr(self._meaning(c), "role", None) for c in rows[best]}
            if "kpi" in roles or "long_kpi" in roles:
                return best, "long" if {"long_kpi", "long_value"} <= roles else "wide"
        crosstab = self._find_crosstab(rows)
        if crosstab is not None:
            return crosstab, "crosstab"
        if best is not None:
            return best, "wide"
        return self._plausible_header(rows), "wide"

    def _find_crosstab(self, rows: list[list]) -> int | None:
        """A row of periods across, with KPI names down the first column below it."""
        for i, row in enumerate(rows):
            cells = [c for c in row[1:] if not _is_blank(c)]
            if len(cells) < 2:
                continue
            periods = parsing.parse_periods(cells)
            if periods.bad.any() or np.isnat(periods.start).any():
                continue
            if any(isinstance(c, (int, float)) and not isinstance(c, bool) and not 1900 <= c <= 2100 for c in cells):
                continue  # plain numbers are data, not a header of periods
            below = [r[0] for r in self.raw.rows[i + 1:i + 40] if r]
            if any(catalog.kpi_for_name(c) for c in below if isinstance(c, str)):
                return i
        return None

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
        columns: list[Column] = []
        for idx in range(width):
            cell = header[idx] if idx < len(header) else ""
            text = _text(cell)
            if not text:
                if any(idx < len(r) and not _is_blank(r[idx]) for r in body[:200]):
                    columns.append(Column(idx, "", "unknown"))
                continue
            folded = fold(text)
            if folded in self.forced:
                t = self.forced[folded]
                columns.append(Column(idx, text, t.role, t.kpi, "mapped", grain=t.grain, convention=t.convention,
                                      reason="ignored on request" if t.role == "ignored" else None))
                continue
            m = match_header(text)
            if m is None:
                if folded in LONG_KPI_HEADERS:
                    columns.append(Column(idx, text, "long_kpi", match="exact"))
                elif folded in LONG_VALUE_HEADERS:
                    columns.append(Column(idx, text, "long_value", match="exact"))
                else:
                    columns.append(Column(idx, text, "unknown"))
            elif m.role == "ratio":
                columns.append(Column(idx, text, "ignored", match=m.match,
                                      reason="ratio recomputed from its components"))
            else:
                columns.append(Column(idx, text, m.role, m.kpi, m.match, total=m.total))
        self._resolve_conflicts(columns)
        res.columns = columns
        for c in columns:
            if c.role == "unknown":
                res.unknown_columns.append({"column": c.letter, "header": c.header,
                                            "closest": catalog.closest(c.header) if c.header else []})

    def _resolve_conflicts(self, columns: list[Column]) -> None:
        """Several columns for one KPI or dimension: exact beats partial, then ``total``; a tie is an error."""
        groups: dict[str, list[Column]] = {}
        for c in columns:
            if c.role in ("kpi", "period", "period_start", "period_end", "segment", "currency",
                          "long_kpi", "long_value"):
                groups.setdefault(c.kpi or c.role, []).append(c)
        for target, group in groups.items():
            if len(group) < 2:
                continue
            rank = {"mapped": 3, "remembered": 3, "exact": 2, "partial": 1}

            def key(c: Column) -> tuple[int, int]:
                return rank.get(c.match or "", 0), int(c.total)

            best = max(key(c) for c in group)
            winners = [c for c in group if key(c) == best]
            if len(winners) > 1:
                letters = ", ".join(c.letter for c in winners)
                self.issue("ambiguous_columns", "error",
                           f"Plusieurs colonnes ({letters}) donnent « {target} » : précisez laquelle avec --map "
                           "ou dans l'écran d'import. Rien n'est additionné en silence.",
                           f"Several columns ({letters}) give '{target}': say which one with --map or on the "
                           "import screen. Nothing is summed silently.")
                continue
            for c in group:
                if c is not winners[0]:
                    c.role, c.reason = "ignored", f"column {winners[0].letter} gives {target}"
                    c.kpi = None

    # -- rows --
    def _read_table(self, body: list[list], numbers: list[int]) -> SheetResult:
        res = self.result
        cols = res.columns
        kpi_cols = [c for c in cols if c.role == "kpi"]
        long_kpi = [c for c in cols if c.role == "long_kpi"]
        long_val = [c for c in cols if c.role == "long_value"]
        if res.layout == "long" and not (long_kpi and long_val):
            res.layout = "wide"
        if not kpi_cols and res.layout != "long":
            unknown = [u for u in res.unknown_columns if u["header"]]
            hint_fr = "; ".join(f"{u['header']} → {', '.join(u['closest'])}" for u in unknown if u["closest"])
            self.issue("no_kpi_column", "error",
                       "Aucune colonne d'indicateur reconnue dans cette feuille."
                       + (f" Noms proches : {hint_fr}." if hint_fr else "")
                       + " Associez les colonnes avec --map ou dans l'écran d'import.",
                       "No KPI column recognised in this sheet."
                       + (f" Closest names: {hint_fr}." if hint_fr else "")
                       + " Map the columns with --map or on the import screen.")
            res.rows["read"] = len(body)
            res.rows["rejected"] = 0
            return res
        width = max(c.index for c in cols) + 1 if cols else 0
        rows = [r + [""] * (width - len(r)) if len(r) < width else r for r in body]
        columns = list(zip(*rows)) if rows else [()] * width
        n = len(rows)
        res.rows["read"] = n
        dropped = np.zeros(n, dtype=bool)
        rejected = np.zeros(n, dtype=bool)

        dim_cols = [c for c in cols if c.role in ("period", "entity", "channel", "initiative", "segment")]
        label_cols = [c for c in cols if c.role in ("entity", "channel", "initiative", "segment", "unknown",
                                                    "long_kpi", "ignored")]
        # description row directly under the header: text where numbers are expected
        value_cols = kpi_cols or long_val
        if n and all(isinstance(columns[c.index][0], str) for c in value_cols) and all(
                not _is_blank(columns[c.index][0]) and np.isnan(parsing.parse_numbers([columns[c.index][0]], "en")[0][0])
                for c in value_cols):
            dropped[0] = True
        # totals and subtotals: a total label where a dimension or the first cell is, and no usable period
        first_cells = [c.index for c in dim_cols + label_cols] or [0]
        for i in range(n):
            if not dropped[i] and any(_is_total_label(columns[j][i]) for j in first_cells if j < width):
                dropped[i] = True
        period = self._periods(columns, cols, n, dropped)
        if period is None:
            res.rows["dropped"] = int(dropped.sum())
            return res
        starts, ends, grains, bad_period = period
        for i in np.flatnonzero(bad_period & ~dropped):
            rejected[i] = True
            pcol = next((c for c in cols if c.role in ("period", "period_start", "period_end")), None)
            self.issue("date_unparseable", "error", "Date illisible : ligne rejetée.",
                       "Unreadable date: row rejected.", numbers[i], pcol.letter if pcol else None)

        segments = self._segments(columns, cols, n, dropped | rejected, numbers)
        if segments is None:
            res.rows["dropped"] = int(dropped.sum())
            res.rows["rejected"] = int(rejected.sum())
            res.rows["kept"] = res.rows["read"] - res.rows["dropped"] - res.rows["rejected"]
            return res
        seg_values, seg_bad = segments
        rejected |= seg_bad & ~dropped

        dims = {d: self._dimension(columns, cols, d, n) for d in DIMENSIONS}
        self._currency(columns, cols, kpi_cols)
        sheet_convention = self._sheet_convention(columns, value_cols)

        live = ~(dropped | rejected)
        frames = []
        if res.layout == "long":
            frames = self._long_values(columns, long_kpi[0], long_val[0], n, live, numbers, sheet_convention)
        else:
            for c in kpi_cols:
                values, bad = self._numbers(columns[c.index], c, sheet_convention, live, numbers)
                frames.append((c.kpi, values, bad))

        obs = self._assemble(frames, starts, ends, seg_values, dims, live)
        obs, rejected_dupes = self._deduplicate(obs, columns, cols, numbers)
        rejected[rejected_dupes] = True
        live = ~(dropped | rejected)
        obs = obs[live[obs["_row"].to_numpy()]] if len(obs) else obs
        self._plausibility(obs, numbers)

        res.rows["dropped"] = int(dropped.sum())
        res.rows["rejected"] = int(rejected.sum())
        res.rows["kept"] = n - res.rows["dropped"] - res.rows["rejected"]
        self._finish(obs, grains[live] if n else grains)
        return res

    def _periods(self, columns, cols, n, dropped):
        """(starts, ends, grains, bad) per row, or None with a sheet error when the sheet has no period."""
        res = self.result
        period_cols = [c for c in cols if c.role == "period"]
        start_cols = [c for c in cols if c.role == "period_start"]
        end_cols = [c for c in cols if c.role == "period_end"]
        if start_cols and end_cols:
            s, e = start_cols[0], end_cols[0]
            order = self._date_order([columns[s.index], columns[e.index]])
            ps, bs = parsing.parse_dates(list(columns[s.index]), order=order)
            pe, be = parsing.parse_dates(list(columns[e.index]), order=order)
            bad = bs | be | np.isnat(ps) | np.isnat(pe)
            swapped = ~bad & (pe < ps)
            if swapped.any():
                bad |= swapped
            for c in period_cols:
                c.role, c.reason = "ignored", "period given by the start and end columns"
            grains = np.full(n, "range", dtype=object)
            res.grain = "range"
            return ps.astype("datetime64[D]"), pe.astype("datetime64[D]"), grains, bad
        if not period_cols:
            self.issue("no_period", "error",
                       "Aucune colonne de période (Date, Jour, Mois, Semaine…) : impossible de dater les valeurs. "
                       "Ajoutez une colonne de date ou associez-en une avec --map \"EN-TÊTE=period\".",
                       "No period column (Date, Day, Month, Week…): the values cannot be dated. Add a date "
                       "column or map one with --map \"HEADER=period\".")
            return None
        c = period_cols[0]
        cells = list(columns[c.index])
        grain = c.grain or parsing.header_grain(c.header)
        order = self._date_order([cells])
        periods = parsing.parse_periods(cells, order=order, grain=grain)
        starts, ends, grains, bad = periods.start, periods.end, periods.grain, periods.bad.copy()
        bad |= np.isnat(starts) & ~dropped
        if grain is None:
            ok = ~bad & ~dropped
            day_rows = ok & (grains == "day")
            if day_rows.any():
                inferred = parsing.infer_grain(np.unique(starts[day_rows]))
                if inferred != "day":
                    widened = parsing.parse_periods(cells, order=order, grain=inferred)
                    starts = np.where(day_rows, widened.start, starts)
                    ends = np.where(day_rows, widened.end, ends)
                    grains = np.where(day_rows, inferred, grains)
        kinds = set(grains[~bad & ~dropped])
        res.grain = kinds.pop() if len(kinds) == 1 else ("range" if kinds else None)
        return starts.astype("datetime64[D]"), ends.astype("datetime64[D]"), grains, bad

    def _date_order(self, column_groups: list[Sequence]) -> str:
        for cells in column_groups:
            order = parsing.date_order(list(cells))
            if order:
                return order
        return "dmy"  # French reading when nothing settles it

    def _segments(self, columns, cols, n, excluded, numbers):
        """Per-row segments and a mask of rows rejected for an unknown segment, or None (sheet error)."""
        res = self.result
        seg_cols = [c for c in cols if c.role == "segment"]
        caller = self.caller_segment
        values = np.full(n, None, dtype=object)
        bad = np.zeros(n, dtype=bool)
        if seg_cols:
            c = seg_cols[0]
            cells = columns[c.index]
            cache: dict = {}
            blank_rows = []
            for i in range(n):
                if excluded[i]:
                    continue
                cell = cells[i]
                if _is_blank(cell):
                    blank_rows.append(i)
                    continue
                if cell not in cache:
                    cache[cell] = catalog.segment_of(cell) or (str(cell).strip().upper() if str(cell).strip().upper() in SEGMENTS else None)
                seg = cache[cell]
                if seg is None:
                    bad[i] = True
                    self.issue("segment_unknown", "error",
                               "Segment non reconnu (attendu B2C, B2B ou B2E, ou Grand public, Professionnels, "
                               "Collaborateurs…) : ligne rejetée.",
                               "Unknown segment (expected B2C, B2B or B2E, or consumer, business, employees…): "
                               "row rejected.", numbers[i], c.letter)
                else:
                    values[i] = seg
            found = {v for v in values if v}
            if caller and found and found != {caller}:
                others = ", ".join(sorted(found - {caller}))
                self.issue("segment_conflict", "error",
                           f"La colonne {c.letter} indique {others} alors que le segment choisi est {caller}.",
                           f"Column {c.letter} says {others} while the chosen segment is {caller}.")
                return None
            if blank_rows:
                fill = caller or (found.pop() if len(found) == 1 else None)
                if fill is None:
                    for i in blank_rows:
                        bad[i] = True
                    self.issue("segment_missing", "error",
                               f"{len(blank_rows)} ligne(s) sans segment : choisissez le segment du fichier.",
                               f"{len(blank_rows)} row(s) without a segment: choose the file's segment.",
                               None, c.letter)
                else:
                    for i in blank_rows:
                        values[i] = fill
                    self.issue("segment_blank", "warning",
                               f"{len(blank_rows)} ligne(s) sans segment : {fill} appliqué.",
                               f"{len(blank_rows)} row(s) without a segment: {fill} applied.", None, c.letter)
        else:
            decided = caller or self._segment_by_kpis(cols)
            if decided is None:
                self.issue("segment_undecided", "error",
                           "Le fichier ne dit pas s'il s'agit de B2C, B2B ou B2E : choisissez le segment "
                           "(--segment ou l'écran d'import) ou ajoutez une colonne Segment.",
                           "The file does not say whether it is B2C, B2B or B2E: choose the segment (--segment "
                           "or the import screen) or add a Segment column.")
                return None
            values[:] = decided
        res.segments = sorted({v for v in values[~(excluded | bad)] if v}, key=SEGMENTS.index)
        return values, bad

    def _segment_by_kpis(self, cols) -> str | None:
        """B2E when the KPIs include internal-only ones and no external-only one (B2C/B2B never guessed)."""
        worlds = set()
        for c in cols:
            if c.role == "kpi" and not c.kpi.startswith("nps_"):
                worlds.add(catalog.exclusive_world(c.kpi))
        if "internal" in worlds and "external" not in worlds:
            return "B2E"
        return None

    def _dimension(self, columns, cols, role: str, n: int) -> np.ndarray:
        dcols = [c for c in cols if c.role == role]
        if not dcols:
            return np.full(n, ALL, dtype=object)
        parts = []
        for c in dcols:
            parts.append([_text(v) for v in columns[c.index]])
        if len(parts) == 1:
            joined = parts[0]
        else:
            joined = [ENTITY_JOIN.join(p for p in ps if p) for ps in zip(*parts)]
            names = " + ".join(c.header for c in dcols)
            self.issue("dimension_joined", "info",
                       f"{len(dcols)} colonnes décrivent « {role} » ({names}) : valeurs jointes par « · ».",
                       f"{len(dcols)} columns describe '{role}' ({names}): values joined with ' · '.")
        return np.array([v if v else ALL for v in joined], dtype=object)

    def _currency(self, columns, cols, kpi_cols) -> None:
        res = self.result
        found = []
        for c in cols:
            if c.role == "currency":
                codes = {str(v).strip().upper() for v in columns[c.index] if not _is_blank(v)}
                found += sorted(codes)
        for c in kpi_cols:
            if KPIS[c.kpi].unit == "€":
                cur = parsing.currency_of([c.header]) or parsing.currency_of(list(columns[c.index][:500]))
                if cur:
                    found.append(cur)
        found = list(dict.fromkeys(found))
        if len(found) > 1:
            self.issue("several_currencies", "warning",
                       f"Plusieurs devises dans la feuille ({', '.join(found)}) : les montants sont gardés tels quels.",
                       f"Several currencies in the sheet ({', '.join(found)}): amounts are kept as they are.")
        if found:
            res.currency = found[0]
            if found[0] != "EUR":
                self.issue("currency_not_eur", "warning",
                           f"Montants en {found[0]}, pas en EUR : ils sont gardés tels quels (pas de conversion).",
                           f"Amounts in {found[0]}, not EUR: they are kept as they are (no conversion).")

    def _sheet_convention(self, columns, value_cols) -> str | None:
        votes = [parsing.number_convention(list(columns[c.index])) for c in value_cols]
        votes = [v for v in votes if v]
        if not votes:
            return None
        return max(set(votes), key=votes.count)

    def _numbers(self, cells, col: Column, sheet_convention, live, numbers):
        cells = list(cells)
        convention = col.convention or parsing.number_convention(cells) or sheet_convention
        values, bad = parsing.parse_numbers(cells, convention)
        bad = bad & live
        if bad.any():
            ambiguous = parsing.ambiguous_mask(cells) & bad if convention is None else np.zeros_like(bad)
            for i in np.flatnonzero(bad):
                if ambiguous[i]:
                    self.issue("number_ambiguous", "error",
                               "Nombre ambigu (1,103 peut valoir 1103 ou 1,103) : précisez la convention, "
                               f"par exemple --map \"{col.header}={col.kpi}:fr\".",
                               "Ambiguous number (1,103 may be 1103 or 1.103): say which convention, e.g. "
                               f"--map \"{col.header}={col.kpi}:en\".", numbers[i], col.letter)
                else:
                    self.issue("number_unparseable", "error", "Nombre illisible : valeur ignorée, le reste de la "
                               "ligne est gardé.", "Unreadable number: value dropped, the rest of the row is kept.",
                               numbers[i], col.letter)
        values = np.where(bad, np.nan, values)
        return values, bad

    def _long_values(self, columns, kcol: Column, vcol: Column, n, live, numbers, sheet_convention):
        names = columns[kcol.index]
        cache: dict = {}
        codes = np.empty(n, dtype=object)
        for i in range(n):
            name = names[i]
            if name not in cache:
                m = match_header(name) if isinstance(name, str) else None
                cache[name] = m
            m = cache[name]
            if m is not None and m.role == "kpi":
                codes[i] = self.forced[fold(name)].kpi if fold(str(name)) in self.forced else m.kpi
            elif live[i]:
                codes[i] = None
                if m is not None and m.role == "ratio":
                    continue
                self.issue("kpi_unknown", "warning", "Indicateur inconnu du catalogue : ligne ignorée.",
                           "KPI not in the catalog: row ignored.", numbers[i], kcol.letter)
        values, bad = self._numbers(columns[vcol.index], vcol, sheet_convention, live, numbers)
        frames = []
        for code in sorted({c for c in codes if c}):
            mask = codes == code
            frames.append((code, np.where(mask, values, np.nan), bad & mask))
        return frames

    def _assemble(self, frames, starts, ends, segments, dims, live) -> pd.DataFrame:
        parts = []
        for kpi, values, _ in frames:
            ok = live & ~np.isnan(values)
            idx = np.flatnonzero(ok)
            if not len(idx):
                continue
            seg = segments[idx]
            kpi_codes = np.array([catalog.world_variant(kpi, s) for s in seg], dtype=object) if kpi.startswith(
                ("nps_", "enps_")) else np.full(len(idx), kpi, dtype=object)
            parts.append(pd.DataFrame({
                "_row": idx, "period_start": starts[idx], "period_end": ends[idx], "segment": seg,
                "entity": dims["entity"][idx], "channel": dims["channel"][idx],
                "initiative": dims["initiative"][idx], "kpi": kpi_codes, "value": values[idx],
            }))
        if not parts:
            frame = _empty_observations()
            frame.insert(0, "_row", pd.Series([], dtype="int64"))
            return frame
        return pd.concat(parts, ignore_index=True)

    def _deduplicate(self, obs: pd.DataFrame, columns, cols, numbers) -> tuple[pd.DataFrame, np.ndarray]:
        """Repeated rows are rejected; rows split by an unmapped column are summed (flows) or refused."""
        n = len(numbers)
        rejected = np.zeros(n, dtype=bool)
        if obs.empty:
            return obs, rejected
        key = ["period_start", "period_end", "segment", "entity", "channel", "initiative", "kpi"]
        dup = obs.duplicated(key, keep=False)
        if not dup.any():
            return obs, rejected
        clash = obs[dup]
        other_cols = [c for c in cols if c.role in ("unknown", "ignored") and c.reason != "ratio recomputed from its components"]
        rows = np.unique(clash["_row"].to_numpy())
        # rows identical in every mapped column (and in unmapped ones) are plain repeats
        mapped_idx = [c.index for c in cols if c.role not in ("unknown", "ignored")]
        all_idx = [c.index for c in cols]
        seen: dict = {}
        repeats = set()
        for r in rows:
            sig = tuple(_text(columns[j][r]) for j in all_idx)
            if sig in seen:
                repeats.add(r)
            else:
                seen[sig] = r
        for r in sorted(repeats):
            rejected[r] = True
            self.issue("duplicate_row", "warning", f"Ligne identique à la ligne {numbers[seen[tuple(_text(columns[j][r]) for j in all_idx)]]} : répétition rejetée.",
                       f"Same as row {numbers[seen[tuple(_text(columns[j][r]) for j in all_idx)]]}: repeat rejected.", numbers[r])
        obs = obs[~obs["_row"].isin(repeats)]
        dup = obs.duplicated(key, keep=False)
        if not dup.any():
            return obs, rejected
        clash = obs[dup]
        splitting = [c for c in other_cols if len({_text(columns[c.index][r]) for r in clash["_row"].unique()}) > 1]
        kinds = clash["kpi"].map(lambda k: KPIS[k].aggregation)
        flows = clash[kinds == "flow"]
        others = clash[kinds != "flow"]
        if splitting:
            names = ", ".join(f"{c.letter} ({c.header or '?'})" for c in splitting)
            if not flows.empty:
                self.issue("summed_over_column", "info",
                           f"Des lignes ne diffèrent que par la colonne {names}, non utilisée : leurs flux "
                           "(clics, coûts…) sont additionnés.",
                           f"Some rows differ only by column {names}, which is not used: their flows (clicks, "
                           "cost…) are summed.")
            if not others.empty:
                self.issue("split_by_unmapped_column", "error",
                           f"Des stocks ou comptes distincts ({', '.join(sorted(set(others['kpi'])))}) sont "
                           f"répartis par la colonne {names} : associez-la (entité, canal, initiative) avec --map "
                           "ou dans l'écran d'import, car ces valeurs ne s'additionnent pas.",
                           f"Stocks or distinct counts ({', '.join(sorted(set(others['kpi'])))}) are split by "
                           f"column {names}: map it (entity, channel, initiative) with --map or on the import "
                           "screen, as these values cannot be added.")
                obs = obs.drop(others.index)
        else:
            first = clash.drop_duplicates(key)
            later = clash.drop(first.index)
            for r in sorted(later["_row"].unique()):
                rejected[r] = True
                self.issue("conflicting_rows", "error",
                           "Même période et mêmes dimensions qu'une ligne précédente, avec d'autres valeurs : "
                           "ligne rejetée.", "Same period and dimensions as an earlier row, with other values: "
                           "row rejected.", numbers[r])
            obs = obs.drop(later.index)
            return obs, rejected
        group = obs.groupby(key, sort=False, as_index=False).agg(value=("value", "sum"), _row=("_row", "min"))
        return group, rejected

    def _plausibility(self, obs: pd.DataFrame, numbers) -> None:
        if obs.empty:
            return
        neg = obs[(obs["value"] < 0) & obs["kpi"].map(lambda k: KPIS[k].unit == "count")]
        for r in sorted(neg["_row"].unique())[:50]:
            self.issue("negative_count", "warning", "Valeur négative pour un comptage : gardée telle quelle.",
                       "Negative value for a count: kept as it is.", numbers[r])
        key = ["_row", "period_start", "period_end", "segment", "entity", "channel", "initiative"]
        for num, den, code, fr, en in (
                ("clicks", "impressions", "clicks_over_impressions", "Plus de clics que d'impressions.",
                 "More clicks than impressions."),
                ("active_users", "population", "active_over_population",
                 "Plus d'utilisateurs actifs que de population cible.", "More active users than target population.")):
            a = obs[obs["kpi"] == num].set_index(key)["value"]
            b = obs[obs["kpi"] == den].set_index(key)["value"]
            both = a.to_frame("a").join(b.to_frame("b"), how="inner")
            for r in sorted(both[both["a"] > both["b"]].index.get_level_values("_row").unique())[:50]:
                self.issue(code, "warning", fr + " Valeurs gardées.", en + " Values kept.", numbers[r])

    def _finish(self, obs: pd.DataFrame, grains) -> None:
        res = self.result
        obs = obs.drop(columns="_row").reset_index(drop=True) if "_row" in obs else obs
        obs = obs.astype({"period_start": "datetime64[s]", "period_end": "datetime64[s]", "value": "float64"})
        res.observations = obs[list(OBS_COLUMNS)]
        res.totals = {k: float(v) for k, v in obs.groupby("kpi", sort=True)["value"].sum().items()}
        if not obs.empty:
            res.period = {"start": str(obs["period_start"].min().date()), "end": str(obs["period_end"].max().date())}
            res.segments = sorted(set(obs["segment"]), key=SEGMENTS.index)

    # -- crosstab --
    def _read_crosstab(self, header: list, body: list[list], numbers: list[int]) -> SheetResult:
        res = self.result
        period_idx = [j for j in range(1, len(header)) if not _is_blank(header[j])]
        order = parsing.date_order([header[j] for j in period_idx]) or "dmy"
        periods = parsing.parse_periods([header[j] for j in period_idx], order=order)
        res.columns = [Column(0, _text(header[0]), "long_kpi", match="exact")]
        for k, j in enumerate(period_idx):
            res.columns.append(Column(j, _text(header[j]), "period", match="exact"))
        kinds = set(periods.grain)
        res.grain = kinds.pop() if len(kinds) == 1 else "range"
        caller = self.caller_segment
        kpi_rows = []
        dropped = rejected = 0
        for r, row in zip(numbers, body):
            name = row[0] if row else ""
            m = match_header(name) if isinstance(name, str) else None
            if _is_total_label(name) or (m is not None and m.role == "ratio"):
                dropped += 1
                continue
            code = m.kpi if m is not None and m.role == "kpi" else None
            if code is None:
                rejected += 1
                self.issue("kpi_unknown", "warning", "Indicateur inconnu du catalogue : ligne ignorée.",
                           "KPI not in the catalog: row ignored.", r, "A")
                continue
            kpi_rows.append((r, code, row))
        res.rows.update(read=len(body), dropped=dropped, rejected=rejected, kept=len(kpi_rows))
        segment = caller or self._segment_by_kpis([Column(0, "", "kpi", code) for _, code, _ in kpi_rows])
        if segment is None:
            self.issue("segment_undecided", "error",
                       "Le fichier ne dit pas s'il s'agit de B2C, B2B ou B2E : choisissez le segment.",
                       "The file does not say whether it is B2C, B2B or B2E: choose the segment.")
            return res
        res.segments = [segment]
        cells = [row[j] if j < len(row) else "" for _, _, row in kpi_rows for j in period_idx]
        convention = parsing.number_convention(cells)
        records = []
        for r, code, row in kpi_rows:
            values, bad = parsing.parse_numbers([row[j] if j < len(row) else "" for j in period_idx], convention)
            for k, j in enumerate(period_idx):
                if bad[k]:
                    self.issue("number_unparseable", "error", "Nombre illisible : valeur ignorée.",
                               "Unreadable number: value dropped.", r, column_letter(j))
                elif not np.isnan(values[k]) and not periods.bad[k]:
                    records.append((0, periods.start[k], periods.end[k], segment, ALL, ALL, ALL,
                                    catalog.world_variant(code, segment), values[k]))
        obs = pd.DataFrame.from_records(records, columns=["_row", *OBS_COLUMNS]) if records else None
        if obs is None:
            return res
        self._finish(obs, None)
        return res
