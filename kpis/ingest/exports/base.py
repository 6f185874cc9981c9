"""What every export recogniser shares: the ``Recognised`` result and the rewritten sheet.

A recogniser finds its header with ``find_header``, copies the rows below it
into a ``Rewrite`` (the source is never mutated), maps the columns it knows
with ``map_kpis`` and appends the constant columns the format implies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Sequence

import numpy as np

from kpis.catalog import fold, match_header
from kpis.ingest import parsing
from kpis.ingest.issues import Issue, column_letter
from kpis.ingest.readers import RawSheet
from kpis.model import ALL, OTHER

MIN_GROUP_SIZE = 5
"""A breakdown of per-user rows describing fewer people is folded into ``"(other)"``."""

HEADER_SEARCH_ROWS = 12
"""A format's header is looked for in the first rows (title lines, note rows above it)."""

CONVENTION_SAMPLE = 5000
"""Cells per KPI column that vote on the number convention (exports write every row the same way)."""

START_HEADER, END_HEADER, CHANNEL_HEADER, SEGMENT_HEADER = "Date de début", "Date de fin", "Canal", "Segment"

@dataclass
class Recognised:
    """A sheet recognised as a known export, rewritten so that ingestion reads it without a mapping."""

    format: str
    sheet: RawSheet
    maps: dict[str, str]
    segment: str | None = None  # "B2E" for Microsoft 365 (also a Segment column); None: the user is asked
    channels: tuple[str, ...] = ()  # channels the sheet carries ("search", "display"…; "ESN"); () for GA4's own
    number_convention: str | None = None  # "en"/"fr", applied as ":en"/":fr" on the KPI maps
    date_order: str | None = None  # "mdy"/"dmy", applied by rewriting text dates
    period: tuple[date, date] | None = None  # the file-level period (title line, comment block, report window)
    issues: list = field(default_factory=list)  # kpis.ingest.Issue, original row numbers, no personal data
    esn: dict | None = None  # a social network export's topics and profiles: Store.import_batch(esn=...)


# --- headers and cells ------------------------------------------------------------------------


def header_index(row: Sequence) -> dict[str, int]:
    """Folded header text → its first column."""
    out: dict[str, int] = {}
    for j, cell in enumerate(row):
        if isinstance(cell, str) and cell.strip():
            out.setdefault(fold(cell), j)
    return out


def first_of(index: dict[str, int], *names: str) -> int | None:
    for name in names:
        if name in index:
            return index[name]
    return None


def find_header(sheet: RawSheet, required: Sequence[Sequence[str]], rows: int = HEADER_SEARCH_ROWS):
    """(row index, folded index) of the first row holding one of each group of folded headers."""
    for i, row in enumerate(sheet.rows[:rows]):
        index = header_index(row)
        if all(any(name in index for name in group) for group in required):
            return i, index
    return None


cell_text = parsing.cell_text


def is_blank(cell: object) -> bool:
    return parsing.is_missing(cell) or (isinstance(cell, str) and not cell.strip())


def unique_name(header: list, name: str) -> str:
    """``name``, or ``name (format)`` when the file already has a column of that name."""
    taken = {fold(h) for h in header if isinstance(h, str)}
    return name if fold(name) not in taken else f"{name} (format)"


def sheet_issue(sheet: RawSheet, code: str, severity: str, fr: str, en: str, row=None, column: int | None = None):
    return Issue(code, severity, fr, en, sheet.name, None if row is None else int(row),
                        None if column is None else column_letter(column))


# --- privacy of per-person rows -------------------------------------------------------------------


def fold_small(labels: list[tuple], people: np.ndarray, windows: list) -> list[tuple]:
    """Labels of groups describing fewer than MIN_GROUP_SIZE people become (other), per window.

    When (other) is itself too small, the next smallest groups join it, so that no published group —
    (other) included — describes fewer than MIN_GROUP_SIZE people (unless the whole window does).
    """
    out = list(labels)
    if not labels or all(all(v == ALL for v in lab) for lab in labels):
        return out
    width = len(labels[0])
    other = (OTHER,) * width
    for w in set(windows):
        rows = [i for i, x in enumerate(windows) if x == w]
        sizes: dict[tuple, float] = {}
        for i in rows:
            sizes[out[i]] = sizes.get(out[i], 0) + people[i]
        small = {lab for lab, n in sizes.items() if n < MIN_GROUP_SIZE}
        folded = sum(sizes[lab] for lab in small)
        rest = sorted((n, lab) for lab, n in sizes.items() if lab not in small)
        while small and folded < MIN_GROUP_SIZE and rest:
            n, lab = rest.pop(0)
            small.add(lab)
            folded += n
        for i in rows:
            if out[i] in small:
                out[i] = other
    return out


# --- the rewritten sheet ----------------------------------------------------------------------


class Rewrite:
    """The rows from the header down, copied (the source is never mutated), with constant columns added."""

    def __init__(self, sheet: RawSheet, header_idx: int):
        self.source = sheet
        self.header: list[Any] = list(sheet.rows[header_idx])
        body = sheet.rows[header_idx + 1:]
        self.width = max([len(self.header)] + [len(r) for r in body])
        self.header += [""] * (self.width - len(self.header))
        self.body = [r[:] if len(r) == self.width else list(r) + [""] * (self.width - len(r)) for r in body]
        self.numbers = list(sheet.row_numbers[header_idx:])
        self.maps: dict[str, str] = {}

    def column(self, j: int) -> list:
        return [r[j] for r in self.body]

    def replace(self, j: int, values: Sequence) -> None:
        for row, value in zip(self.body, values, strict=False):
            row[j] = value

    def add(self, name: str, target: str, values) -> None:
        """Append a column (a constant or one value per body row) mapped to ``target``."""
        name = unique_name(self.header, name)
        self.header.append(name)
        per_row = isinstance(values, (list, tuple, np.ndarray))
        for i, row in enumerate(self.body):
            row.append(values[i] if per_row else values)
        self.maps[name] = target

    def keep(self, mask: Sequence[bool] | np.ndarray) -> None:
        self.body = [r for r, k in zip(self.body, mask, strict=False) if k]
        self.numbers = self.numbers[:1] + [n for n, k in zip(self.numbers[1:], mask, strict=False) if k]

    def sheet(self) -> RawSheet:
        return RawSheet(self.source.name, [self.header] + self.body, self.numbers, self.source.hidden,
                        [], dict(self.source.meta))


def empty_sheet(sheet: RawSheet) -> RawSheet:
    return RawSheet(sheet.name, [], [], sheet.hidden, [], dict(sheet.meta))


def map_kpis(rw: Rewrite, kpis: Sequence[tuple[str, str]], convention: str | None) -> None:
    """Map the format's KPI columns (the first header found per KPI wins) and ignore every other KPI-like one.

    ``kpis`` lists (folded header, KPI code) in order of preference.
    """
    index = header_index(rw.header)
    taken: set[str] = set()
    for name, kpi in kpis:
        j = index.get(name)
        if j is None or kpi in taken or rw.header[j] in rw.maps:
            continue
        taken.add(kpi)
        rw.maps[rw.header[j]] = f"{kpi}:{convention}" if convention else kpi
    for h in rw.header:
        if isinstance(h, str) and h.strip() and h not in rw.maps:
            m = match_header(h)
            if m is not None and m.role == "kpi":
                rw.maps[h] = "ignore"


def locale_convention(rw: Rewrite, kpis: Sequence[tuple[str, str]], default: str | None) -> str | None:
    """What the KPI columns' strings say (``2,144.69`` en, ``12,5`` fr; a sample of each), else the locale's."""
    index = header_index(rw.header)
    cells = [c for name, _ in kpis if name in index for c in rw.column(index[name])[:CONVENTION_SAMPLE]
             if isinstance(c, str)]
    return parsing.number_convention(cells) or default


def rewrite_dates(rw: Rewrite, j: int, order: str) -> None:
    """Text dates of column j read in ``order`` become dates; unreadable cells stay for ingestion to report."""
    cells = rw.column(j)
    days, bad = parsing.parse_dates(cells, order=order)
    days_ = days.astype(object).tolist()
    rw.replace(j, [c if (b or d is None) else d for c, d, b in zip(cells, days_, bad, strict=True)])


def unlabelled_total_rows(rw: Rewrite, label_cols: list[int], metric_cols: list[int]) -> np.ndarray:
    """Rows with every label blank and a number: a grand-total row without a label."""
    out = np.zeros(len(rw.body), dtype=bool)
    if not label_cols:
        return out
    for i, row in enumerate(rw.body):
        out[i] = all(is_blank(row[j]) for j in label_cols) and any(not is_blank(row[j]) for j in metric_cols)
    return out


