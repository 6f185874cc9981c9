"""The crosstab layout: KPI names down column A, periods across the header row (a hand-made monthly
dashboard). Each KPI row becomes one observation per period cell; a ``Total`` column is ignored."""

from __future__ import annotations

import numpy as np

from kpis.ingest import parsing
from kpis.ingest.cells import cell_text, column_convention, is_total_label, kpi_of_name
from kpis.ingest.header import crosstab_periods
from kpis.ingest.issues import IssueLog, column_letter
from kpis.ingest.observations import Units, conclude
from kpis.ingest.periods import grain_of, read_periods
from kpis.ingest.results import Column, SheetResult
from kpis.ingest.segments import segment_by_kpis, segment_undecided
from kpis.ingest.table import SheetTable
from kpis.model import ALL, DIMENSIONS

__all__ = ["read_crosstab"]


def read_crosstab(res: SheetResult, header: list, table: SheetTable, caller: str | None,
                  log: IssueLog) -> SheetResult:
    """Fill ``res`` from a crosstab whose header row is ``header`` and body ``table``."""
    period_idx, other_idx = crosstab_periods(header)
    res.columns = [Column(0, cell_text(header[0]), "long_kpi", match="exact")]
    res.columns += [Column(j, cell_text(header[j]), "period", match="exact") for j in period_idx]
    res.columns += [Column(j, cell_text(header[j]), "ignored", reason="total column") for j in other_idx
                    if is_total_label(header[j])]
    res.columns.sort(key=lambda c: c.index)
    cells = [header[j] for j in period_idx]
    everywhere = np.ones(len(cells), dtype=bool)
    starts, ends, grains, _ = read_periods(cells, parsing.date_order(cells) or "dmy", None, everywhere)
    res.grain = grain_of(grains)
    found = [kpi_of_name(name) for name in table.cells[0]]
    what = np.array([f[1] for f in found], dtype=object)
    dropped = (what == "total") | (what == "ratio")
    rejected = log.reject(what == "unknown", table.numbers, "kpi_unknown",
                          "Indicateur inconnu du catalogue : ligne rejetée.", "KPI not in the catalog: row rejected.",
                          "A")
    codes = [f[0] for f in found]
    segment = caller or segment_by_kpis({c for c in codes if c})
    if segment is None:
        segment_undecided(log)
        return res.count_rows(table.n, dropped, rejected)
    res.segments = [segment]
    rejected |= _repeats(table, codes, ~(dropped | rejected), log)
    width, n = len(period_idx), table.n
    units = Units(np.repeat(table.numbers, width), np.tile(np.arange(width), n), np.tile(starts, n),
                  np.tile(ends, n), np.full(n * width, segment, dtype=object),  # one unit per (row, period) cell
                  {d: np.full(n * width, ALL, dtype=object) for d in DIMENSIONS})
    rows = np.flatnonzero(~(dropped | rejected))
    res.conclude(conclude(_picks(table, codes, rows, period_idx, log), units, log))
    return res.count_rows(table.n, dropped, rejected)


def _repeats(table: SheetTable, codes: list, live: np.ndarray, log: IssueLog) -> np.ndarray:
    """A KPI given on two rows: the later row is rejected."""
    rejected = np.zeros(table.n, dtype=bool)
    first: dict[str, int] = {}
    for i in np.flatnonzero(live):
        if codes[i] in first:
            rejected[i] = True
            earlier = table.numbers[first[codes[i]]]
            log.add("duplicate_row", "error", f"Indicateur déjà donné ligne {earlier} : ligne rejetée.",
                    f"KPI already given on row {earlier}: row rejected.", table.numbers[i], "A")
        else:
            first[codes[i]] = int(i)
    return rejected


def _picks(table: SheetTable, codes: list, rows: np.ndarray, period_idx: list[int], log: IssueLog) -> list:
    """(KPI, cell units, values) for each kept KPI row; a cell is unit ``row × width + period``."""
    width = len(period_idx)
    cells = {i: [table.cells[j][i] for j in period_idx] for i in rows}
    votes = [v for v in (column_convention(c) for c in cells.values()) if v]
    sheet = max(set(votes), key=votes.count) if votes else None
    picks = []
    for i in rows:
        values, bad = parsing.parse_numbers(cells[i], column_convention(cells[i]) or sheet)
        for k in np.flatnonzero(bad):
            log.add("number_unparseable", "error", "Nombre illisible ou ambigu : valeur ignorée.",
                    "Unreadable or ambiguous number: value dropped.", table.numbers[i], column_letter(period_idx[k]))
        ok = np.flatnonzero(~np.isnan(values))
        if len(ok):
            picks.append((codes[i], i * width + ok, values[ok]))
    return picks
