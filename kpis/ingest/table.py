"""The body of a sheet as columns, the small table every reading stage works on.

    >>> t = SheetTable.from_rows([["01/09/2026", "Total", 3], ["02/09/2026", "A"]], [5, 6], width=3)
    >>> t.n, t.cells[2], t.numbers.tolist()
    (2, [3, ''], [5, 6])
    >>> t.column_map(1, lambda cell: cell == "Total", bool).tolist()
    [True, False]

``cells[j]`` is column j of the body (the rows below the header) and
``numbers[i]`` the row number Excel or a text editor shows for body row i.
Row masks (``dropped``, ``rejected``) are numpy boolean arrays over the body
rows. Work per distinct cell (``column_map``) is cached per column. A sheet
the sandbox sent as columns (``kpis.ingest.columnar``) is taken as it is: its
columns answer ``filled`` and ``column_map`` without building a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from kpis.ingest.cells import distinct, has_strings, spread
from kpis.ingest.columnar import Rows, as_floats, object_array

__all__ = ["SheetTable"]


@dataclass
class SheetTable:
    cells: list  # of lists of cells, or of kpis.ingest.columnar columns
    numbers: np.ndarray
    _distinct: dict[int, tuple[np.ndarray, list]] = field(default_factory=dict, repr=False)
    _strings: dict[int, bool] = field(default_factory=dict, repr=False)

    @classmethod
    def from_rows(cls, body: list[list] | Rows, numbers: list[int], width: int) -> SheetTable:
        """Body rows turned into columns, short rows padded with ``""`` and long ones cut to ``width``."""
        if isinstance(body, Rows):  # a sheet the sandbox sent as columns: taken as they are, no row is built
            return cls(body.columns(width), np.asarray(numbers, dtype=np.int64))
        if len(set(map(len, body))) > 1 or (body and len(body[0]) < width):
            body = [r[:width] + [""] * (width - len(r)) for r in body]
        table = np.array(body, dtype=object).reshape(len(body), -1) if body else np.empty((0, width), dtype=object)
        cells = [table[:, j].tolist() if j < table.shape[1] else [""] * len(body) for j in range(width)]
        return cls(cells, np.asarray(numbers, dtype=np.int64))

    @property
    def n(self) -> int:
        return len(self.numbers)

    def _factorised(self, j: int) -> tuple[np.ndarray, list]:
        if j not in self._distinct:
            self._distinct[j] = distinct(self.cells[j])
        return self._distinct[j]

    def column_map(self, j: int, fn: Callable, dtype=object) -> np.ndarray:
        """``fn`` of each cell of column j, computed once per distinct cell."""
        return spread(self._factorised(j), fn, dtype)

    def column_labels(self, j: int, fn: Callable) -> tuple[np.ndarray, np.ndarray]:
        """``column_map(j, fn)`` and a code per row, equal when the labels are (cheap to group on)."""
        codes, uniques = self._factorised(j)
        labels = np.array([fn(u) for u in uniques], dtype=object)
        label_codes = pd.factorize(labels)[0] if len(labels) else np.array([], dtype=np.int64)
        return labels[codes], label_codes[codes]

    def has_strings(self, j: int) -> bool:
        if j not in self._strings:
            self._strings[j] = has_strings(self.cells[j])
        return self._strings[j]

    def filled(self, j: int) -> tuple[np.ndarray, list | np.ndarray]:
        """The non-empty cells of column j and their rows (parsers are fast on columns of numbers only);
        a column holding only numbers comes back as a float array, nothing left to parse."""
        floats = as_floats(self.cells[j])
        if floats is not None:
            return np.arange(self.n), floats
        column = object_array(self.cells[j])
        rows = np.flatnonzero((column != "") & (column != None))  # noqa: E711 (elementwise)
        return rows, column[rows].tolist()
