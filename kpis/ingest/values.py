"""Stage 6: the numbers of each KPI column, in French or English conventions, with what could not be read.

Each column's convention comes from its own strings (``1 234,5`` French,
``1,234.5`` English), else from the sheet's majority, else a forced one
(``clicks:fr``); an ambiguous cell (``1,103``) is reported, never guessed.
"""

from __future__ import annotations

import numpy as np

from kpis.ingest import parsing
from kpis.ingest.cells import column_convention
from kpis.ingest.columns import roles
from kpis.ingest.issues import IssueLog
from kpis.ingest.results import Column
from kpis.ingest.table import SheetTable

__all__ = ["Pick", "picks"]

Pick = tuple[str, np.ndarray, np.ndarray]
"""(KPI code, kept body rows (or crosstab cells), their values)."""


def picks(table: SheetTable, columns: list[Column], live: np.ndarray, codes: np.ndarray | None,
          log: IssueLog) -> list[Pick]:
    """(KPI, rows, values) of the kept, non-missing values of each KPI; ``codes`` is a long sheet's KPI per row."""
    found = [(kpi, np.flatnonzero(live & ~np.isnan(v)), v) for kpi, v in _values(table, columns, live, codes, log)]
    return [(kpi, idx, v[idx]) for kpi, idx, v in found if len(idx)]


def _values(table: SheetTable, columns: list[Column], live: np.ndarray, codes: np.ndarray | None,
            log: IssueLog) -> list[tuple[str, np.ndarray]]:
    """(KPI code, values with NaN where missing, rejected or not that KPI) for each KPI of the sheet."""
    value_cols = roles(columns, "long_value")[:1] if codes is not None else roles(columns, "kpi")
    filled = {c.index: table.filled(c.index) for c in value_cols}
    conventions = {j: None if isinstance(cells, np.ndarray) else column_convention(cells)
                   for j, (_, cells) in filled.items()}
    conventions |= {c.index: c.convention for c in value_cols if c.convention}
    votes = [v for v in conventions.values() if v]
    sheet = max(set(votes), key=votes.count) if votes else None
    parsed = {c.index: _numbers(table, c, filled[c.index], conventions[c.index] or sheet, live, log)
              for c in value_cols}
    if codes is None:
        return [(c.kpi, parsed[c.index]) for c in value_cols if c.kpi]  # a KPI column always has its code
    values = parsed[value_cols[0].index]
    return [(code, np.where(codes == code, values, np.nan)) for code in sorted(set(codes[live]) - {None})]


def _numbers(table: SheetTable, col: Column, filled: tuple[np.ndarray, list | np.ndarray], convention: str | None,
             live: np.ndarray, log: IssueLog) -> np.ndarray:
    rows, cells = filled
    if isinstance(cells, np.ndarray):
        return cells
    values, bad = np.full(table.n, np.nan), np.zeros(table.n, dtype=bool)
    values[rows], bad[rows] = parsing.parse_numbers(cells, convention)
    bad &= live
    _not_available(table, col, rows, cells, live, log)
    if not bad.any():
        return values
    ambiguous = np.zeros(table.n, dtype=bool)
    if convention is None:
        ambiguous[rows] = parsing.ambiguous_mask(cells)
    fix = f'--map "{col.header}={col.kpi}:' if col.kpi else None
    for i in np.flatnonzero(bad):
        if ambiguous[i]:
            log.add("number_ambiguous", "error",
                    "Nombre ambigu (1,103 vaut 1103 en anglais, 1,103 en français) : valeur ignorée ; "
                    + (f"précisez la convention, par exemple {fix}fr\"." if fix else
                       "précisez la convention dans l'écran d'import."),
                    "Ambiguous number (1,103 is 1103 in English, 1.103 in French): value dropped; "
                    + (f"say which convention, e.g. {fix}en\"." if fix else
                       "say which convention on the import screen."), table.numbers[i], col.letter)
        else:
            log.add("number_unparseable", "error", "Nombre illisible : valeur ignorée, le reste de la "
                    "ligne est gardé.", "Unreadable number: value dropped, the rest of the row is kept.",
                    table.numbers[i], col.letter)
    return np.where(bad, np.nan, values)


def _not_available(table: SheetTable, col: Column, rows: np.ndarray, cells: list, live: np.ndarray,
                   log: IssueLog) -> None:
    """Cells that say "no value" (N/A, --, n.d.) are missing values, never zeros: say how many."""
    marked = [r for r, c in zip(rows, cells, strict=False) if isinstance(c, str) and c.strip()
              and c.strip().lower() in parsing.MISSING_TOKENS and live[r]]
    if marked:
        first = table.numbers[marked[0]]
        log.add("not_available", "info",
                f"{len(marked)} cellule(s) « N/A », « -- » ou équivalent lues comme « pas de valeur » "
                f"(ni zéro, ni erreur), la première ligne {first}.",
                f"{len(marked)} cell(s) saying 'N/A', '--' or the like read as 'no value' (neither zero "
                f"nor an error), the first on row {first}.", None, col.letter)
