"""Stage 3b: group labels printed once per group (a "formatted report"), filled down inside their block.

    >>> from kpis.ingest.results import Column
    >>> body = [["Octobre 2026", "Web", 120], ["", "Salon", 30], ["Sous-total", "", 150],
    ...         ["Novembre 2026", "Web", 140], ["", "Salon", 25], ["Total Novembre 2026", "", 165]]
    >>> t = SheetTable.from_rows(body, [5, 6, 7, 8, 9, 10], width=3)
    >>> cols = [Column(0, "Mois", "period"), Column(1, "Canal", "channel"), Column(2, "Leads", "kpi", "leads")]
    >>> filled = fill_group_labels(t, cols, np.array([False, False, True, False, False, False]), IssueLog("CRM"))
    >>> filled.table.cells[0], filled.dropped.tolist()[-1], filled.cells_filled
    (['Octobre 2026', 'Octobre 2026', 'Sous-total', 'Novembre 2026', 'Novembre 2026', 'Total Novembre 2026'], True, 2)

A CRM report (Salesforce's formatted export, an Excel pivot in tabular form
without repeated labels) prints a month, an entity or a channel only on the
first row of its group; the rows below leave it blank until the next label or
a subtotal row. Read as it is, every such row lacks its date (rejected) or its
entity (silently ``(all)``).

The rule, per period, entity, channel or initiative column (left to right):

- **Blocks.** A block of a column runs down from a label and ends at the next
  label, at a subtotal or total row, at an entirely empty row, or at a new
  label in a group column to its left (an outer level). A total label in
  another label column to the right of this one is an inner level's subtotal
  and does not end the block. ``Total Octobre 2026``, ``Octobre 2026 Total``
  or ``Sous-total Octobre 2026`` under the label ``Octobre 2026`` is that
  group's subtotal row: dropped like the other totals.
- **Group column.** Among the data rows (rows holding a value in a KPI
  column, not totals), the column is a group column when (1) some blank cell
  sits inside a block, (2) no label repeats the label above it in the same
  block (a label is printed once per group, where an ordinary file repeats a
  date or an entity on consecutive rows), (3) at least half of its labels are
  followed by a blank, or every group ends at a subtotal or total row (a
  report whose groups are often of one row), and (4) two groups or more have
  blanks, or a subtotal or total row ends the blank rows (one label followed
  by blanks and no total: a blank may mean "all entities"). A daily file with
  a few genuinely missing dates fails (3), even with a total at the bottom:
  those rows stay rejected.
- **Not a heading.** When a label sits on a row that holds values but leaves
  blank another label column every row of its group fills (an outline
  report's group heading, carrying the group's subtotal), nothing is filled,
  a warning says why and the rows below the headings are rejected: neither
  counted twice nor left as "all entities".
- **Fill.** In a group column, a blank cell of a data row inside a block takes
  the block's label; a blank cell outside any block (below a subtotal, before
  the first label) is not guessed: the row is rejected, named. An info note
  per filled column says how many cells were filled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from kpis.catalog import fold
from kpis.ingest.cells import cell_text, is_blank, is_total_label
from kpis.ingest.columnar import cell_types, object_array
from kpis.ingest.columns import roles
from kpis.ingest.issues import IssueLog
from kpis.ingest.results import Column
from kpis.ingest.table import SheetTable

__all__ = ["GROUP_ROLES", "GroupFill", "fill_group_labels"]

GROUP_ROLES = ("period", "entity", "channel", "initiative")
"""The columns whose labels a grouped report prints once per group."""

_GROUP_TOTAL = re.compile(r"^(?:(?:sous|sub)\s*totals?|totals?|totaux)(?:\s+(?:de|du|des|d|for|of))?\s+(.+)$"
                          r"|^(.+?)\s+(?:(?:sous|sub)\s*)?totals?$")
"""A folded ``Total Octobre 2026`` / ``Octobre 2026 Total`` / ``Sous-total Web`` → the group it closes."""


@dataclass(frozen=True)
class GroupFill:
    """The table with group labels filled down, the rows dropped (now with the group subtotals) and the
    rows rejected for a blank group label outside any block, and how many cells were filled."""

    table: SheetTable
    dropped: np.ndarray
    rejected: np.ndarray
    cells_filled: int = 0


def fill_group_labels(table: SheetTable, columns: list[Column], dropped: np.ndarray, log: IssueLog) -> GroupFill:
    """Fill down the labels of the group columns (see the module docstring); ``dropped`` are the total and
    description rows found so far. Nothing is changed in place: a new table comes back when a column is filled."""
    n = table.n
    rejected = np.zeros(n, dtype=bool)
    candidates = [c for c in roles(columns, *GROUP_ROLES) if c.index < len(table.cells)]
    values = roles(columns, "kpi", "long_value")
    if not n or not candidates or not values:
        return GroupFill(table, dropped, rejected)
    blank = {c.index: _blanks(table, c.index) for c in candidates}
    dropped, subtotals = _group_subtotals(table, candidates, blank, dropped)
    _note_subtotals(table, subtotals, log)
    if not any((blank[c.index] & ~dropped).any() for c in candidates):
        return GroupFill(table, dropped, rejected)  # no blank label (most files): nothing to fill
    has_value = _non_empty(table, [c.index for c in values])
    empty = ~_non_empty(table, range(len(table.cells)))
    totals = {c.index: _total_labels(table, c.index, dropped) | subtotals[c.index] for c in candidates}
    other_totals = np.zeros(n, dtype=bool)
    for j in _label_columns(columns, table) - set(totals):
        other_totals |= _total_labels(table, j, dropped)
    data = has_value & ~dropped
    cells, outer, filled_total = list(table.cells), np.zeros(n, dtype=bool), 0
    for c in sorted(candidates, key=lambda c: c.index):
        j = c.index
        if not (blank[j] & data).any():
            continue  # nothing to fill: not a group column either
        inner = np.zeros(n, dtype=bool)  # a total label further right: an inner level's subtotal
        for k, mask in totals.items():
            if k > j:
                inner |= mask
        closers = empty | other_totals | (dropped & ~inner) | outer | totals[j]
        labels = ~blank[j] & ~totals[j] & ~dropped
        codes = table.column_labels(j, lambda v: fold(cell_text(v)))[1]
        found = _groups(labels, closers, blank[j] & data, codes, closers & ~empty & ~outer)
        if found is None:
            continue
        follow, orphans, source = found
        heads = _heads_with_values(follow, source, j, blank, has_value)
        if heads.any():
            first = int(table.numbers[heads][0])
            log.add("group_heads_with_values", "warning",
                    f"Colonne « {c.header} » : chaque libellé de groupe est sur une ligne d'en-tête qui porte déjà "
                    f"des valeurs (un sous-total en tête de groupe ?), la première ligne {first} : libellés non "
                    "complétés, pour ne pas compter ces valeurs deux fois. Répétez le libellé sur chaque ligne ou "
                    "retirez les lignes d'en-tête de groupe.",
                    f"Column '{c.header}': each group label sits on a heading row that already holds values (a "
                    f"subtotal at the top of its group?), the first on row {first}: labels not filled down, so as "
                    "not to count those values twice. Repeat the label on every row or remove the group heading "
                    "rows.", None, c.letter)
            rejected |= log.reject(follow, table.numbers, "group_heading_above",
                                   f"Colonne « {c.header} » vide sous un en-tête de groupe qui porte des valeurs : "
                                   "ligne rejetée.", f"Column '{c.header}' blank below a group heading that holds "
                                   "values: row rejected.", c.letter)
            continue
        column = object_array(cells[j])
        column[follow] = column[source[follow]]
        cells[j] = column.tolist()
        filled_total += int(follow.sum())
        rejected |= log.reject(orphans, table.numbers, "group_label_missing",
                               f"Colonne « {c.header} » vide sous un sous-total (ou avant le premier libellé) d'un "
                               "rapport groupé : aucun groupe à compléter, ligne rejetée.",
                               f"Column '{c.header}' blank below a subtotal (or before the first label) of a "
                               "grouped report: no group to fill from, row rejected.", c.letter)
        log.add("group_labels_filled", "info",
                f"Colonne « {c.header} » : {int(follow.sum())} cellules vides complétées par le libellé du "
                "groupe au-dessus (rapport groupé).",
                f"Column '{c.header}': {int(follow.sum())} blank cells filled with the group label above "
                "(grouped report).", None, c.letter)
        outer = outer | labels
    if not filled_total:
        return GroupFill(table, dropped, rejected)
    return GroupFill(SheetTable(cells, table.numbers), dropped, rejected, filled_total)


def _groups(labels: np.ndarray, closers: np.ndarray, blanks: np.ndarray, codes: np.ndarray,
            totals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(rows to fill, blank rows outside any block, the label row of each row) when the column is a group
    column, else None. ``blanks`` are the blank cells of data rows; ``codes`` equal when the labels are;
    ``totals`` the (sub)total rows among the closers."""
    rows = np.arange(len(labels))
    last_closer = np.maximum.accumulate(np.where(closers, rows, -1))
    last_label = np.maximum.accumulate(np.where(labels, rows, -1))
    inside = (last_label >= 0) & (last_label >= last_closer)  # a label above (or on a row opening a block)
    follow, orphans = blanks & inside, blanks & ~inside
    if not follow.any():
        return None
    label_rows = np.flatnonzero(labels)
    above = np.concatenate(([-1], last_label[:-1]))[label_rows]  # the label above each label
    same_block = above > last_closer[label_rows]
    repeats = same_block & (codes[np.maximum(above, 0)] == codes[label_rows])
    if repeats.any():
        return None
    n = len(labels)
    next_event = np.minimum.accumulate(np.where(labels | closers, rows, n)[::-1])[::-1]
    below = np.concatenate((next_event[1:], [n]))  # the first label or closer strictly below each row
    ends_at_total = (below < n) & totals[np.minimum(below, n - 1)]
    with_followers = len(np.unique(last_label[follow]))
    if 2 * with_followers < len(label_rows) and not ends_at_total[label_rows].all():
        return None  # labels mostly followed by labels, and groups not closed by their subtotals
    if with_followers < 2 and not ends_at_total[follow].all():
        return None  # one label and blanks, no subtotal: blanks may mean "all" (France, then the group's total)
    return follow, orphans, last_label


def _heads_with_values(follow: np.ndarray, source: np.ndarray, j: int, blank: dict[int, np.ndarray],
                       has_value: np.ndarray) -> np.ndarray:
    """Label rows holding values but blank in another label column that every row of their group fills
    (``Octobre | | 162`` above ``| Web | 120`` and ``| Salon | 42``): an outline report's group heading,
    whose values are the group's subtotal."""
    rows = np.flatnonzero(follow)
    groups = source[rows]
    heads = np.unique(groups)
    found = np.zeros(len(follow), dtype=bool)
    for k, empty in blank.items():
        if k == j:
            continue
        gaps = np.zeros(len(follow), dtype=np.int64)
        np.add.at(gaps, groups, empty[rows])  # the group's rows blank in column k
        found[heads] |= empty[heads] & (gaps[heads] == 0)
    return found & has_value


def _group_subtotals(table: SheetTable, candidates: list[Column], blank: dict[int, np.ndarray],
                     dropped: np.ndarray) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """``Total Octobre 2026`` under the label ``Octobre 2026``: (dropped with them, the rows per column)."""
    found = {}
    rows = np.arange(table.n)
    for c in candidates:
        cells = table.cells[c.index]
        found[c.index] = np.zeros(table.n, dtype=bool)
        if not table.has_strings(c.index):
            continue
        maybe = table.column_map(c.index, _says_total, bool) & ~dropped
        closes = {int(i): _closed_group(cells[i]) for i in np.flatnonzero(maybe)}
        maybe[[i for i, group in closes.items() if group is None]] = False
        if not maybe.any():
            continue
        labels = ~blank[c.index] & ~maybe & ~dropped
        above = np.concatenate(([-1], np.maximum.accumulate(np.where(labels, rows, -1))[:-1]))
        for i in map(int, np.flatnonzero(maybe)):
            found[c.index][i] = above[i] >= 0 and fold(cell_text(cells[above[i]])) == closes[i]
        dropped = dropped | found[c.index]
    return dropped, found


def _says_total(cell: object) -> bool:
    """A cheap first look (a fold per distinct cell is not): ``total``, ``totaux``, ``Subtotal``…"""
    return isinstance(cell, str) and "tota" in cell.lower()


def _total_labels(table: SheetTable, j: int, dropped: np.ndarray) -> np.ndarray:
    """The dropped rows whose cell in column j is a total label (only those are looked at)."""
    found = np.zeros(table.n, dtype=bool)
    cells = table.cells[j]
    for i in np.flatnonzero(dropped):
        found[i] = is_total_label(cells[i])
    return found


def _note_subtotals(table: SheetTable, subtotals: dict[int, np.ndarray], log: IssueLog) -> None:
    found = np.zeros(table.n, dtype=bool)
    for mask in subtotals.values():
        found |= mask
    if found.any():
        numbers = list(dict.fromkeys(table.numbers[found].tolist()))  # a flattened sheet repeats its rows
        rows = ", ".join(str(r) for r in numbers[:5]) + ("…" if len(numbers) > 5 else "")
        log.add("group_subtotals", "info",
                f"{int(found.sum())} ligne(s) de sous-total d'un groupe (« Total » suivi du libellé au-dessus) "
                f"écartée(s), ligne(s) {rows}.",
                f"{int(found.sum())} group subtotal row(s) ('Total' and the label above) left out, row(s) {rows}.")


def _closed_group(cell: object) -> str | None:
    """The folded group a ``Total …`` cell closes, None when it is not one."""
    if not isinstance(cell, str) or not cell.strip():
        return None
    m = _GROUP_TOTAL.match(fold(cell))
    return (m.group(1) or m.group(2)) if m else None


def _label_columns(columns: list[Column], table: SheetTable) -> set[int]:
    """Where a total label ends every block: the first column and the other text columns."""
    return {c.index for c in columns if c.role not in ("kpi", "long_value") and c.index < len(table.cells)} | {0}


def _non_empty(table: SheetTable, columns) -> np.ndarray:
    """Rows with a cell in one of ``columns`` (computed on whole columns, not per cell)."""
    found = np.zeros(table.n, dtype=bool)
    for j in columns:
        found[table.filled(j)[0]] = True
    return found


def _blanks(table: SheetTable, j: int) -> np.ndarray:
    """The blank cells of column j; a column of dates or numbers only (most period columns) has none."""
    if not cell_types(table.cells[j]) & {str, float, type(None)}:
        return np.zeros(table.n, dtype=bool)
    return table.column_map(j, _blank, bool)


def _blank(cell: object) -> bool:
    return is_blank(cell) or (isinstance(cell, float) and cell != cell)
