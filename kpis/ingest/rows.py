"""Stage 3: rows that are not data (totals, a description line), a long sheet's KPI per row, and rows that
share a period and every dimension (repeats rejected, conflicts rejected, flows split by an unused column
summed).

    >>> from kpis.ingest.results import Column
    >>> t = SheetTable.from_rows([["A", 1], ["Total", 1]], [2, 3], width=2)
    >>> non_data_rows(t, [Column(0, "Campagne", "initiative"), Column(1, "Clics", "kpi", "clicks")]).tolist()
    [False, True]
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from kpis.catalog import KPIS
from kpis.ingest import parsing
from kpis.ingest.cells import cell_text, is_blank, is_total_label, kpi_of_name
from kpis.ingest.columns import RATIO_REASON, SPLIT_ROLES, roles
from kpis.ingest.issues import IssueLog
from kpis.ingest.results import Column
from kpis.ingest.table import SheetTable

__all__ = ["non_data_rows", "long_codes", "shared_rows", "report_split"]

_LABEL_ROLES = ("period", "entity", "channel", "initiative", "segment", "unknown", "long_kpi", "ignored")


def non_data_rows(table: SheetTable, columns: list[Column]) -> np.ndarray:
    """Totals and subtotals (a total label where a label or the first cell is), a description row, and a
    footer: rows without any value below the last total (``Confidential Information``, a copyright line)."""
    dropped = np.zeros(table.n, dtype=bool)
    if not table.n:
        return dropped
    labels = {c.index for c in roles(columns, *_LABEL_ROLES)} | {0}
    for j in sorted(labels):
        if j < len(table.cells) and table.has_strings(j):
            dropped |= table.column_map(j, is_total_label, bool)
    if dropped.any():
        dropped |= _footer(table, columns, int(np.flatnonzero(dropped)[-1]))
    dropped[0] |= _is_description_row(table, columns)
    return dropped


def _footer(table: SheetTable, columns: list[Column], last_total: int) -> np.ndarray:
    """The rows below ``last_total`` when none of them holds a value: notes under the grand total."""
    footer = np.zeros(table.n, dtype=bool)
    below = range(last_total + 1, table.n)
    values = [table.cells[c.index] for c in roles(columns, "kpi", "long_value") if c.index < len(table.cells)]
    if not len(below) or not values or any(not is_blank(v[i]) for v in values for i in below):
        return footer
    footer[last_total + 1:] = True
    return footer


def _is_description_row(table: SheetTable, columns: list[Column]) -> bool:
    """Text where the first row's numbers and period are expected: a description under the header."""
    values = [table.cells[c.index][0] for c in roles(columns, "kpi", "long_value")]
    if not values or not all(isinstance(v, str) and v.strip() for v in values):
        return False
    if not (parsing.parse_numbers(values, "en")[1].all() and parsing.parse_numbers(values, "fr")[1].all()):
        return False
    period = [table.cells[c.index][0] for c in roles(columns, "period", "period_start", "period_end")]
    return not period or bool(parsing.parse_periods(period).bad.all())


def long_codes(table: SheetTable, columns: list[Column], dropped: np.ndarray,
               log: IssueLog) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(KPI code per row, dropped, rejected) of a long sheet: ratio and total rows dropped, unknown KPIs
    rejected."""
    col = roles(columns, "long_kpi")[0]
    found = table.column_map(col.index, kpi_of_name)
    codes = np.array([f[0] for f in found], dtype=object)
    what = np.array([f[1] for f in found], dtype=object)
    dropped = dropped | (what == "ratio") | (what == "total")
    rejected = log.reject((what == "unknown") & ~dropped, table.numbers, "kpi_unknown",
                          "Indicateur inconnu du catalogue : ligne rejetée.",
                          "KPI not in the catalog: row rejected.", col.letter)
    return codes, dropped, rejected


def shared_rows(table: SheetTable, columns: list[Column], key: np.ndarray, live: np.ndarray,
                log: IssueLog) -> tuple[np.ndarray, list[Column], np.ndarray]:
    """Rows sharing a key (period × segment × dimensions): (rejected repeats and conflicts, the unmapped
    columns that tell the others apart, the rows they split)."""
    rejected, split_rows = np.zeros(table.n, dtype=bool), np.zeros(table.n, dtype=bool)
    idx = np.flatnonzero(live)
    shared = idx[pd.Series(key[idx]).duplicated(keep=False).to_numpy()]
    if not len(shared):
        return rejected, [], split_rows
    groups: dict[int, list[int]] = defaultdict(list)
    for i in shared:
        groups[key[i]].append(int(i))
    splitters = [c for c in columns if c.role in SPLIT_ROLES and c.reason != RATIO_REASON]
    split: dict[int, Column] = {}
    for rows in groups.values():
        distinct = _reject_repeats(table, columns, rows, rejected, log)
        if len(distinct) < 2:
            continue
        by = [c for c in splitters if len({cell_text(table.cells[c.index][i]) for i in distinct}) > 1]
        if by:
            split.update((c.index, c) for c in by)
            split_rows[distinct] = True
        else:
            log.reject(np.isin(np.arange(table.n), distinct[1:]), table.numbers, "conflicting_rows",
                       "Même période et mêmes dimensions qu'une ligne précédente, avec d'autres valeurs : "
                       "ligne rejetée.", "Same period and dimensions as an earlier row, with other "
                       "values: row rejected.")
            rejected[distinct[1:]] = True
    return rejected, list(split.values()), split_rows


def _reject_repeats(table: SheetTable, columns: list[Column], rows: list[int], rejected: np.ndarray,
                    log: IssueLog) -> list[int]:
    """Rows identical in every column to an earlier one are rejected (in place); the distinct rows returned."""
    seen: dict[tuple, int] = {}
    for i in rows:
        signature = tuple(cell_text(table.cells[c.index][i]) for c in columns)
        if signature in seen:
            rejected[i] = True
            first = int(table.numbers[seen[signature]])
            log.add("duplicate_row", "error", f"Ligne identique à la ligne {first} : répétition rejetée.",
                    f"Same as row {first}: repeat rejected.", table.numbers[i])
        else:
            seen[signature] = i
    return list(seen.values())


def report_split(split: list[Column], split_rows: np.ndarray, picks: list, log: IssueLog) -> None:
    """Flows split by an unmapped column are summed (info); stocks and distinct counts cannot be (error)."""
    names = ", ".join(f"{c.letter} ({c.header or '?'})" for c in split)
    kinds = {kpi: KPIS[kpi].aggregation for kpi, idx, _ in picks if split_rows[idx].any()}
    not_flows = sorted(k for k, kind in kinds.items() if kind != "flow")
    if not_flows:
        log.add("split_by_unmapped_column", "error",
                f"Des stocks ou comptes distincts ({', '.join(not_flows)}) sont répartis par la colonne "
                f"{names} : associez-la (entity, channel, initiative) avec --map \"EN-TÊTE=channel\" ou "
                "dans l'écran d'import, car ces valeurs ne s'additionnent pas.",
                f"Stocks or distinct counts ({', '.join(not_flows)}) are split by column {names}: map it "
                "(entity, channel, initiative) with --map \"HEADER=channel\" or on the import screen, as "
                "these values cannot be added.")
    if len(not_flows) < len(kinds):
        log.add("summed_over_column", "info",
                f"Des lignes ne diffèrent que par la colonne {names}, non utilisée : leurs flux (clics, "
                "coûts…) sont additionnés.",
                f"Some rows differ only by column {names}, which is not used: their flows (clicks, cost…) "
                "are summed.")
