"""A sheet kept as columns of arrays: what the sandbox's child sends, handed to the sheet stage without rows.

    >>> col = FloatColumn(np.array([3.0, 0.0, 5.0]), np.array([1]), ["n/a"])
    >>> col[1], col.tolist(), col.slice(2, 3).as_floats().tolist()
    ('n/a', [3.0, 'n/a', 5.0], [5.0])
    >>> rows = Rows([CodedColumn(np.array([0, 1, 0]), ["Jour", "x"]), col])
    >>> rows[1:] == [["x", "n/a"], ["Jour", 5.0]]
    True

A column holds the same cells as a list would (``col[i]``, ``col[a:b]``, ``len``,
iteration, ``np.asarray(col)``), stored the cheap way:

- ``FloatColumn``: a float64 array, and the few cells that are not floats with
  their positions (the header above a column of numbers, an ``n/a``);
- ``CodedColumn``: a code per row into its distinct cells (text, dates), in
  order of first appearance, as ``pandas.factorize`` gives them;
- ``ListColumn``: a plain list, for anything else.

The sheet stage asks a column what it would otherwise compute cell by cell:
``cell_types``, ``as_floats`` (a column of numbers as float64), ``factorize``
and ``date_days`` (a column of dates as datetime64[D]). ``Rows`` shows columns
as the rows ``RawSheet.rows`` always held, built only when a row is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

__all__ = ["CellColumn", "CodedColumn", "FloatColumn", "ListColumn", "Rows", "as_floats", "blank", "cell_types",
           "concat", "object_array"]

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def object_array(cells: Sequence) -> np.ndarray:
    """The cells as a 1-d object array (never a nested one, whatever the cells are)."""
    if isinstance(cells, CellColumn):
        return cells.to_objects()
    out = np.empty(len(cells), dtype=object)
    out[:] = cells
    return out


class CellColumn(Sequence):
    """n cells of one column (see the module docstring); subclasses say how they are stored.

    (Not ``results.Column``, which is what a column of a sheet was understood to mean.)
    """

    # what each subclass provides
    def __len__(self) -> int:
        raise NotImplementedError

    def _cell(self, i: int):
        raise NotImplementedError

    def tolist(self) -> list:
        raise NotImplementedError

    def slice(self, a: int, b: int) -> CellColumn:
        raise NotImplementedError

    def types(self) -> set:
        raise NotImplementedError

    def as_floats(self) -> np.ndarray | None:
        raise NotImplementedError

    def __getitem__(self, i):
        if isinstance(i, slice):
            a, b, step = i.indices(len(self))
            return self.slice(a, max(a, b)).tolist() if step == 1 else self.tolist()[i]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(i)
        return self._cell(i % n)

    def __iter__(self):
        return iter(self.tolist())

    def __array__(self, dtype=None, copy=None):
        out = self.to_objects()
        return out if dtype is None else out.astype(dtype)

    def __eq__(self, other):
        if isinstance(other, (list, CellColumn)):
            return self.tolist() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a list, so unhashable like one

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.tolist()[:5]!r}{'…' if len(self) > 5 else ''}, n={len(self)})"

    def to_objects(self) -> np.ndarray:
        return object_array(self.tolist())

    def factorize(self) -> tuple[np.ndarray, list]:
        """Codes and distinct cells, as ``pd.factorize(object cells, use_na_sentinel=False)``."""
        codes, uniques = pd.factorize(self.to_objects(), use_na_sentinel=False)
        return codes, list(uniques)

    def date_days(self) -> np.ndarray | None:
        """The column as datetime64[D] when every cell is a date or datetime (and there is one), else None."""
        kinds = self.types()
        if not kinds or not all(issubclass(k, date) for k in kinds):
            return None
        ordinals = np.array([d.toordinal() for d in self.tolist()], dtype=np.int64)
        return (ordinals - EPOCH_ORDINAL).astype("datetime64[D]")


class FloatColumn(CellColumn):
    """float64 ``values``; the cells at ``where`` (sorted) are ``others`` instead (their value there is unused)."""

    def __init__(self, values: np.ndarray, where: np.ndarray | None = None, others: list | None = None):
        self.values = values
        self.where = np.zeros(0, dtype=np.int64) if where is None else where
        self.others = others or []

    def __len__(self) -> int:
        return len(self.values)

    def _cell(self, i: int):
        k = int(np.searchsorted(self.where, i))
        if k < len(self.where) and self.where[k] == i:
            return self.others[k]
        return float(self.values[i])

    def tolist(self) -> list:
        cells = self.values.tolist()
        for i, value in zip(self.where.tolist(), self.others, strict=False):
            cells[i] = value
        return cells

    def slice(self, start: int, stop: int) -> FloatColumn:
        lo, hi = np.searchsorted(self.where, [start, stop])
        return FloatColumn(self.values[start:stop], self.where[lo:hi] - start, self.others[lo:hi])

    def types(self) -> set:
        kinds = set(map(type, self.others))
        return kinds | {float} if len(self.where) < len(self.values) else kinds

    def as_floats(self) -> np.ndarray | None:
        if not self.others:
            return self.values
        if not set(map(type, self.others)) <= {float, int}:
            return None
        values = self.values.copy()
        values[self.where] = self.others
        return values

    def factorize(self) -> tuple[np.ndarray, list]:
        if self.others:
            return super().factorize()
        codes, uniques = pd.factorize(self.values, use_na_sentinel=False)
        return codes, uniques.tolist()


class CodedColumn(CellColumn):
    """``uniques[codes[i]]`` is cell i; ``uniques`` are in order of first appearance and all appear."""

    def __init__(self, codes: np.ndarray, uniques: list):
        self.codes, self.uniques = codes, uniques

    def __len__(self) -> int:
        return len(self.codes)

    def _cell(self, i: int):
        return self.uniques[self.codes[i]]

    def _table(self) -> np.ndarray:
        return object_array(self.uniques)

    def tolist(self) -> list:
        return self._table()[self.codes].tolist()

    def to_objects(self) -> np.ndarray:
        return self._table()[self.codes]

    def slice(self, start: int, stop: int) -> CodedColumn:
        codes, kept = pd.factorize(self.codes[start:stop])
        return CodedColumn(codes, [self.uniques[k] for k in kept.tolist()])

    def types(self) -> set:
        return set(map(type, self.uniques))

    def as_floats(self) -> np.ndarray | None:
        if not set(map(type, self.uniques)) <= {float, int}:
            return None
        return np.array(self.uniques, dtype=np.float64)[self.codes] if self.uniques else np.zeros(0)

    def factorize(self) -> tuple[np.ndarray, list]:
        return self.codes, list(self.uniques)

    def date_days(self) -> np.ndarray | None:
        kinds = self.types()
        if not kinds or not all(issubclass(k, date) for k in kinds):
            return None
        ordinals = np.array([d.toordinal() for d in self.uniques], dtype=np.int64) - EPOCH_ORDINAL
        return ordinals[self.codes].astype("datetime64[D]")


class ListColumn(CellColumn):
    """A plain list of cells."""

    def __init__(self, cells: list):
        self.cells = cells

    def __len__(self) -> int:
        return len(self.cells)

    def _cell(self, i: int):
        return self.cells[i]

    def tolist(self) -> list:
        return self.cells

    def slice(self, start: int, stop: int) -> ListColumn:
        return ListColumn(self.cells[start:stop])

    def types(self) -> set:
        return set(map(type, self.cells))

    def as_floats(self) -> np.ndarray | None:
        return np.array(self.cells, dtype=np.float64) if self.types() <= {float, int} else None


def blank(n: int) -> CodedColumn:
    """n empty cells (``""``), as calamine gives them."""
    return CodedColumn(np.zeros(n, dtype=np.intp), [""] if n else [])


def cell_types(cells: Sequence) -> set:
    """``set(map(type, cells))``, without a pass over the cells of a column."""
    return cells.types() if isinstance(cells, CellColumn) else set(map(type, cells))


def as_floats(cells: Sequence) -> np.ndarray | None:
    """The cells as float64 when they are all floats or ints (not bools), else None."""
    if isinstance(cells, CellColumn):
        return cells.as_floats()
    return np.array(cells, dtype=np.float64) if set(map(type, cells)) <= {float, int} else None


def concat(parts: list[CellColumn]) -> CellColumn:
    """One column from consecutive pieces (the chunks the child sent), kept typed when they agree."""
    if len(parts) == 1:
        return parts[0]
    floats = [p for p in parts if isinstance(p, FloatColumn)]
    coded = [p for p in parts if isinstance(p, CodedColumn)]
    if len(floats) == len(parts):
        starts = np.cumsum([0] + [len(p) for p in floats[:-1]])
        return FloatColumn(np.concatenate([p.values for p in floats]),
                           np.concatenate([p.where + s for p, s in zip(floats, starts, strict=True)]),
                           [o for p in floats for o in p.others])
    if len(coded) == len(parts):
        index: dict = {}  # the child codes only cells that never compare equal across types (see sandbox._KEYED)
        codes = []
        for c in coded:
            remap = np.array([index.setdefault((u.__class__, u), len(index)) for u in c.uniques], dtype=np.intp)
            codes.append(remap[c.codes] if len(remap) else np.zeros(0, dtype=np.intp))
        return CodedColumn(np.concatenate(codes), [u for _, u in index])
    return ListColumn([cell for p in parts for cell in p.tolist()])


class Rows(Sequence):
    """Rows ``start…stop`` of a sheet stored as columns, each row built when it is read.

    Equal to the list of rows it stands for; ``rows[a:b]`` is another view.
    """

    def __init__(self, columns: list[CellColumn], start: int = 0, stop: int | None = None):
        self._columns = columns
        size = len(columns[0]) if columns else 0
        self.start = start
        self.stop = size if stop is None else stop

    def __len__(self) -> int:
        return max(0, self.stop - self.start)

    def __getitem__(self, i):
        if isinstance(i, slice):
            a, b, step = i.indices(len(self))
            if step != 1:
                return list(self)[i]
            return Rows(self._columns, self.start + a, self.start + max(a, b))
        n = len(self)
        if not -n <= i < n:
            raise IndexError(i)
        row = self.start + i % n
        return [c._cell(row) for c in self._columns]

    def __iter__(self):
        cols = [c.slice(self.start, self.stop).tolist() for c in self._columns]
        return (list(row) for row in zip(*cols, strict=False)) if cols else iter(())

    def __eq__(self, other):
        if isinstance(other, (list, Rows)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a list, so unhashable like one

    def __repr__(self) -> str:
        return f"Rows({len(self)} rows × {len(self._columns)} columns)"

    def columns(self, width: int) -> list[CellColumn]:
        """The first ``width`` columns of these rows (blank ones added on the right if the sheet is narrower)."""
        cols = [c.slice(self.start, self.stop) for c in self._columns[:width]]
        return cols + [blank(len(self)) for _ in range(width - len(cols))]
