"""One sheet of a file → a ``SheetResult``: header, columns, layout, periods, segments, values."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import partial
from typing import Iterable

import numpy as np
import pandas as pd

from kpis import catalog
from kpis.catalog import KPIS, fold, match_header
from kpis.ingest import parsing
from kpis.ingest.cells import (
    cell_text,
    column_convention,
    distinct,
    group_codes,
    has_strings,
    is_blank,
    is_total_label,
    kpi_of_name,
    segment_cell,
    spread,
)
from kpis.ingest.columns import Rows, as_floats, object_array
from kpis.ingest.issues import Issue, column_letter
from kpis.ingest.mapping import LONG_KPI_HEADERS, LONG_VALUE_HEADERS, Target, parse_target
from kpis.ingest.observations import Units, build_observations, totals_of
from kpis.ingest.periods import grain_of, read_periods
from kpis.ingest.readers import RawSheet
from kpis.ingest.results import Column, SheetResult
from kpis.model import ALL, DIMENSIONS, SEGMENTS

HEADER_SEARCH_ROWS = 30
"""The header is looked for in the first rows of a sheet (title rows above it)."""

REPORTING_CURRENCY = "EUR"
"""Amounts in another currency are kept as they are, with a warning."""

ENTITY_JOIN = " · "

RATIO_REASON = "ratio recomputed from its components"
SPLIT_ROLES = ("unknown", "ignored")
"""Columns that may tell apart rows sharing a period and every dimension."""


# --- one sheet --------------------------------------------------------------------------------


class SheetReader:
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
            self.issue(w.code, w.severity, w.message_fr, w.message_en, w.row, w.column)
        if raw.hidden:
            self.issue("hidden_sheet", "info", "Feuille masquée : lue comme les autres.",
                       "Hidden sheet: read like the others.")
        header_idx, layout = self._find_header()
        if header_idx is None:
            return self._no_header()
        res.header_row = raw.row_numbers[header_idx]
        res.layout = layout
        header = raw.rows[header_idx]
        res.headers = [cell_text(h) for h in header]
        body, numbers = raw.rows[header_idx + 1:], raw.row_numbers[header_idx + 1:]
        if layout == "crosstab":
            return self._read_crosstab(header, body, numbers)
        self._map_columns(header, body)
        return self._read_table(body, numbers)

    def _load(self, body: list[list], numbers: list[int], width: int) -> None:
        """Turn body rows into columns (lists of cells), padding short rows and cutting long ones."""
        if isinstance(body, Rows):  # a sheet the sandbox sent as columns: taken as they are, no row is built
            self.cells = body.columns(width)
            self.numbers = np.asarray(numbers, dtype=np.int64)
            self.n = len(body)
            self.result.rows["read"] = self.n
            return
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
            self._distinct_cache[j] = distinct(self.cells[j])
        return spread(self._distinct_cache[j], fn, dtype)

    def column_labels(self, j: int, fn) -> tuple[np.ndarray, np.ndarray]:
        """``column_map(j, fn)`` and a code per row, equal when the labels are."""
        if j not in self._distinct_cache:
            self._distinct_cache[j] = distinct(self.cells[j])
        codes, uniques = self._distinct_cache[j]
        labels = np.array([fn(u) for u in uniques], dtype=object)
        label_codes = pd.factorize(labels)[0] if len(labels) else np.array([], dtype=np.int64)
        return labels[codes], label_codes[codes]

    def has_strings(self, j: int) -> bool:
        if j not in self._strings_cache:
            self._strings_cache[j] = has_strings(self.cells[j])
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
            if any(kpi_of_name(c)[1] == "kpi" for c in below):
                return i
        return None

    @staticmethod
    def _crosstab_periods(row: list) -> tuple[list[int], list[int]]:
        """Indexes of the period cells of a candidate crosstab header, and of its other non-blank cells."""
        idx = [j for j in range(1, len(row)) if not is_blank(row[j])]
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
            if len(strings) >= 2 and len(strings) == sum(not is_blank(c) for c in row):
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
            text = cell_text(header[idx]) if idx < len(header) else ""
            if text:
                res.columns.append(self._column(idx, text))
            elif any(idx < len(r) and not is_blank(r[idx]) for r in body[:200]):
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
        res.grain = grain_of(grains[live])
        self._currency()
        picks = self._picks(live, codes)
        if split:
            self._report_split(split, split_rows, picks)
        self._conclude(picks, Units(self.numbers, key, starts, ends, seg_values, dims), sum_flows=bool(split))
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
        return dims, group_codes(by, self.n)

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
                dropped |= self.column_map(j, is_total_label, bool)
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
        found = self.column_map(col.index, kpi_of_name)
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
        starts, ends, grains, bad = read_periods(self.cells[c.index], self._date_order(c), grain, live)
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
        values = self.column_map(c.index, segment_cell)
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
            return self.column_labels(dcols[0].index, lambda v: cell_text(v) or ALL)
        joined = self.column_map(dcols[0].index, cell_text)
        for c in dcols[1:]:
            more = self.column_map(c.index, cell_text)
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
            found += sorted(set(self.column_map(c.index, lambda v: cell_text(v).upper())) - {""})
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
        conventions = {j: None if isinstance(cells, np.ndarray) else column_convention(cells)
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
        floats = as_floats(self.cells[j])
        if floats is not None:
            return np.arange(self.n), floats
        column = object_array(self.cells[j])
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
            by = [c for c in splitters if len({cell_text(self.cells[c.index][i]) for i in distinct}) > 1]
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
            signature = tuple(cell_text(self.cells[c.index][i]) for c in self.result.columns)
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
    def _conclude(self, picks: list, units: Units, sum_flows: bool = False) -> None:
        """Warnings, totals, period and segments from the kept values; observations built when asked for."""
        res = self.result
        self._plausibility(picks, units)
        res.totals = totals_of(picks, units)
        used = np.zeros(len(units.key), dtype=bool)
        for _, idx, _ in picks:
            used[idx] = True
        if used.any():
            res.period = {"start": str(units.starts[used].min()), "end": str(units.ends[used].max())}
            res.segments = sorted(set(units.segments[used]), key=SEGMENTS.index)
        res.build = partial(build_observations, picks, units, sum_flows)

    def _plausibility(self, picks: list, units: Units) -> None:
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
        res.columns = [Column(0, cell_text(header[0]), "long_kpi", match="exact")]
        res.columns += [Column(j, cell_text(header[j]), "period", match="exact") for j in period_idx]
        res.columns += [Column(j, cell_text(header[j]), "ignored", reason="total column") for j in other_idx
                        if is_total_label(header[j])]
        res.columns.sort(key=lambda c: c.index)
        cells = [header[j] for j in period_idx]
        everywhere = np.ones(len(cells), dtype=bool)
        starts, ends, grains, _ = read_periods(cells, parsing.date_order(cells) or "dmy", None, everywhere)
        res.grain = grain_of(grains)
        found = [kpi_of_name(name) for name in self.cells[0]]
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
        units = Units(np.repeat(self.numbers, width), np.tile(np.arange(width), self.n), np.tile(starts, self.n),
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
        votes = [v for v in (column_convention(c) for c in cells.values()) if v]
        sheet = max(set(votes), key=votes.count) if votes else None
        picks = []
        for i in rows:
            values, bad = parsing.parse_numbers(cells[i], column_convention(cells[i]) or sheet)
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
