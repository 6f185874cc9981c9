"""Cell helpers shared by the reading stages: blanks, total labels, per-distinct-cell work, row codes.

    >>> spread(distinct(["Total", "A", "Total"]), is_total_label, bool).tolist()
    [True, False, True]
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from kpis import catalog
from kpis.catalog import fold, match_header
from kpis.ingest import parsing
from kpis.ingest.columnar import CellColumn, cell_types

TOTAL_LABELS = frozenset(fold(t) for t in ("total", "totaux", "grand total", "total general", "sous total",
                                          "sous-total", "subtotal", "sub total", "somme", "sum", "ensemble"))
TOTAL_PREFIX = re.compile(
    r"^\s*(?:(?:grand\s+)?total(?:e|es|aux)?\s*(?:[:(\-–]|$)|(?:sous|sub)[\s-]?totals?\b)", re.IGNORECASE)
"""``Total: Account``, ``Total : compte``, ``Sous-total France`` — but not a campaign named ``Total Store``."""

cell_text = parsing.cell_text


def is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def is_total_label(cell: object) -> bool:
    if not isinstance(cell, str) or not cell.strip():
        return False
    return fold(cell) in TOTAL_LABELS or bool(TOTAL_PREFIX.match(cell))


def distinct(cells: Sequence) -> tuple[np.ndarray, list]:
    """The column's codes and distinct cells (pandas.factorize; None and NaN are values too)."""
    if isinstance(cells, CellColumn):  # coded by the reader already
        return cells.factorize()
    arr = np.empty(len(cells), dtype=object)
    arr[:] = cells
    codes, uniques = pd.factorize(arr, use_na_sentinel=False)
    return codes, list(uniques)


def spread(distinct: tuple[np.ndarray, list], fn, dtype=object) -> np.ndarray:
    """``fn`` applied once per distinct cell, spread back over the column.

        >>> spread(distinct(["Total", "A", "Total"]), is_total_label, bool).tolist()
        [True, False, True]
    """
    codes, uniques = distinct
    return np.array([fn(u) for u in uniques], dtype=dtype)[codes] if uniques else np.array([], dtype=dtype)


def has_strings(cells: Sequence) -> bool:
    return str in cell_types(cells)


def group_codes(arrays: Iterable[np.ndarray], n: int) -> np.ndarray:
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


def column_convention(cells: Sequence) -> str | None:
    return parsing.number_convention(cells) if has_strings(cells) else None


def kpi_of_name(name: object) -> tuple[str | None, str]:
    """A long or crosstab KPI cell → (code, what): what is ``kpi``, ``ratio``, ``total`` or ``unknown``."""
    if is_total_label(name):
        return None, "total"
    m = match_header(name) if isinstance(name, str) else None
    if m is not None and m.role in ("kpi", "ratio"):
        return m.kpi, m.role
    return None, "unknown"


def segment_cell(cell: object) -> str:
    """A segment cell → ``B2C``/``B2B``/``B2E``, ``""`` when blank, ``"?"`` when not understood."""
    if is_blank(cell):
        return ""
    return catalog.segment_of(cell) or "?"
