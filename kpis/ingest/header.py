"""Stage 1: where the table starts, and its layout (wide, long or crosstab).

    >>> rows = [["Rapport septembre"], [], ["Date", "Clics", "Campagne"], ["01/09/2026", "3", "A"]]
    >>> found = find_header(rows, {}, [])
    >>> found.index, found.layout
    (2, 'wide')

The header is the row, among the first ``HEADER_SEARCH_ROWS``, whose cells
mean the most (catalog synonyms, ``--map`` targets, long-layout headers); a
row whose header set was remembered wins at once and brings its mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from kpis.catalog import fold, match_header
from kpis.ingest import parsing
from kpis.ingest.cells import is_blank, kpi_of_name
from kpis.ingest.mapping import LONG_KPI_HEADERS, LONG_VALUE_HEADERS, Target, header_key, map_keys, parse_target

__all__ = ["HEADER_SEARCH_ROWS", "Header", "find_header", "meaning", "crosstab_periods"]

HEADER_SEARCH_ROWS = 30
"""The header is looked for in the first rows of a sheet (title rows above it)."""

CROSSTAB_LOOKAHEAD = 40
"""A crosstab's KPI names are looked for in the first column of the rows below its header of periods."""


@dataclass(frozen=True)
class Header:
    """The header row (an index into the sheet's rows, None without a table), the layout, and the forced
    meanings to apply: the caller's, plus a remembered mapping's when the header set was recognised."""

    index: int | None
    layout: str | None
    forced: dict[str, Target] = field(default_factory=dict)


def meaning(cell: object, forced: dict[str, Target]) -> Target | None:
    """What a header cell means: forced first, then the catalog, then the long layout's headers."""
    if not isinstance(cell, str) or not cell.strip():
        return None
    folded = fold(cell)
    if folded in forced:
        return forced[folded]
    m = match_header(cell)
    if m is not None:
        return Target(m.role, m.kpi)
    if folded in LONG_KPI_HEADERS:
        return Target("long_kpi")
    if folded in LONG_VALUE_HEADERS:
        return Target("long_value")
    return None


def find_header(rows: list[list], forced: dict[str, Target], remembered: list) -> Header:
    """The header of a sheet whose rows are ``rows``; ``remembered`` holds objects with ``headers`` (a
    ``header_key``) and ``mapping`` (header text → ``--map`` target)."""
    top = rows[:HEADER_SEARCH_ROWS]
    best, best_score = None, 0
    for i, row in enumerate(top):
        if sum(isinstance(c, str) and bool(c.strip()) for c in row) < 2:
            continue
        mapping = _remembered_for(row, remembered)
        if mapping is not None:
            more = dict(forced)
            for h, t in mapping.items():
                for key in map_keys(h):
                    more.setdefault(key, parse_target(t))
            return Header(i, "wide", more)
        score = sum(meaning(c, forced) is not None for c in row)
        if score > best_score:
            best, best_score = i, score
    roles = {getattr(meaning(c, forced), "role", None) for c in top[best]} if best is not None else set()
    if "kpi" in roles or {"long_kpi", "long_value"} <= roles:
        return Header(best, "long" if {"long_kpi", "long_value"} <= roles else "wide", forced)
    crosstab = _find_crosstab(rows)
    if crosstab is not None:
        return Header(crosstab, "crosstab", forced)
    if best is not None:
        return Header(best, "wide", forced)
    plausible = _plausible_header(top)
    return Header(plausible, None if plausible is None else "wide", forced)


def _remembered_for(row: list, remembered: list) -> dict[str, str] | None:
    key = header_key(row)
    for mapping in remembered:
        if tuple(mapping.headers) == key:
            return mapping.mapping
    return None


def _find_crosstab(rows: list[list]) -> int | None:
    """A row of periods across (a ``Total`` column allowed), with KPI names down the first column below."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if len(crosstab_periods(row)[0]) < 2:
            continue
        below = [r[0] for r in rows[i + 1:i + CROSSTAB_LOOKAHEAD] if r]
        if any(kpi_of_name(c)[1] == "kpi" for c in below):
            return i
    return None


def crosstab_periods(row: list) -> tuple[list[int], list[int]]:
    """Indexes of the period cells of a candidate crosstab header, and of its other non-blank cells.

        >>> crosstab_periods(["KPI", "janv. 2026", "févr. 2026", "Total"])
        ([1, 2], [3])
    """
    idx = [j for j in range(1, len(row)) if not is_blank(row[j])]
    if not idx or any(isinstance(row[j], (int, float)) and not isinstance(row[j], bool)
                      and not 1900 <= row[j] <= 2100 for j in idx):
        return [], idx  # plain numbers are data, not a header of periods
    cells = [row[j] for j in idx]
    periods = parsing.parse_periods(cells, order=parsing.date_order(cells) or "dmy")
    ok = ~periods.bad & ~np.isnat(periods.start)
    pairs = list(zip(idx, ok, strict=True))
    return [j for j, good in pairs if good], [j for j, good in pairs if not good]


def _plausible_header(rows: list[list]) -> int | None:
    """The first row of two or more texts followed by a row holding numbers (for error reports)."""
    for i, row in enumerate(rows[:-1]):
        strings = [c for c in row if isinstance(c, str) and c.strip()]
        if len(strings) >= 2 and len(strings) == sum(not is_blank(c) for c in row):
            nxt = rows[i + 1]
            if any(isinstance(c, (int, float)) and not isinstance(c, bool) for c in nxt) or any(
                    isinstance(c, str) and re.fullmatch(r"[\d\s.,%€$£+-]+", c.strip()) for c in nxt):
                return i
    return None
