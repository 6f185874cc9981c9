"""Columns of arrays stand for lists of cells exactly: cells, slices, types, codes, dates, rows."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from same_cells import same as _same

from kpis.ingest import cells as cells_module
from kpis.ingest.columnar import CodedColumn, FloatColumn, ListColumn, Rows, as_floats, blank, cell_types, concat
from kpis.ingest.periods import date_cells

KEYED = st.one_of(st.sampled_from(["", " ", "Search", "Total", dt.date(2026, 9, 1), dt.datetime(2026, 9, 1),
                                   dt.datetime(2026, 9, 1, 8), dt.time(8, 30), dt.timedelta(hours=3)]),
                  st.text(max_size=3), st.dates())
OTHER = st.one_of(KEYED, st.sampled_from([True, False, 0, 7, float("nan"), -0.0]), st.floats())




def _coded(cells: list) -> CodedColumn:
    index = dict.fromkeys(cells)
    for i, value in enumerate(index):
        index[value] = i
    return CodedColumn(np.array([index[c] for c in cells], dtype=np.intp), list(index))


def _floats(cells: list) -> FloatColumn:
    where = [i for i, c in enumerate(cells) if type(c) is not float]
    values = np.array([0.0 if i in where else c for i, c in enumerate(cells)], dtype=np.float64)
    return FloatColumn(values, np.array(where, dtype=np.int64), [cells[i] for i in where])


def _pieces(draw_cells: list[list], kind) -> list:
    return [kind(part) for part in draw_cells]


CHUNKS = st.lists(st.lists(KEYED, max_size=6), min_size=1, max_size=4)
FLOAT_CHUNKS = st.lists(st.lists(st.one_of(st.floats(), OTHER), max_size=6), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(st.one_of(CHUNKS.map(lambda c: (c, _coded)), FLOAT_CHUNKS.map(lambda c: (c, _floats)),
                 FLOAT_CHUNKS.map(lambda c: (c, ListColumn))), st.integers(0, 30), st.integers(0, 30))
def test_a_column_is_the_list_it_stands_for(chunks_kind, a, b):
    chunks, kind = chunks_kind
    column = concat([kind(list(part)) for part in chunks])
    cells = [c for part in chunks for c in part]
    assert len(column) == len(cells) and all(map(_same, column.tolist(), cells))
    part, expected = column.slice(a, b), cells[a:b]
    assert all(map(_same, part.tolist(), expected)) and len(part) == len(expected)
    assert all(_same(part[i], expected[i]) for i in range(len(expected)))
    assert all(map(_same, column[a:b], expected))
    assert cell_types(part) == set(map(type, expected))
    floats = as_floats(part)
    if set(map(type, expected)) <= {float, int}:
        assert floats is not None and np.array_equal(floats, np.array(expected, dtype=np.float64), equal_nan=True)
    else:
        assert floats is None
    codes, uniques = cells_module.distinct(part)
    want_codes, want_uniques = cells_module.distinct(list(expected))
    assert np.array_equal(codes, want_codes) and all(map(_same, uniques, want_uniques))
    days, want_days = date_cells(part), date_cells(list(expected))
    assert (days is None and want_days is None) or np.array_equal(days, want_days)


def test_rows_are_built_on_demand_and_equal_the_list():
    columns = [CodedColumn(np.array([0, 1, 1]), ["Jour", dt.date(2026, 9, 1)]),
               FloatColumn(np.array([0.0, 3.0, 4.5]), np.array([0]), ["Clics"]), blank(3)]
    rows = Rows(columns)
    expected = [["Jour", "Clics", ""], [dt.date(2026, 9, 1), 3.0, ""], [dt.date(2026, 9, 1), 4.5, ""]]
    assert rows == expected and list(rows) == expected and len(rows) == 3
    assert rows[1:] == expected[1:] and rows[-1] == expected[-1] and rows[:0] == [] and rows[::2] == expected[::2]
    body = rows[1:]
    assert [len(c) for c in body.columns(4)] == [2, 2, 2, 2] and body.columns(4)[3].tolist() == ["", ""]
    assert body.columns(2)[0].uniques == [dt.date(2026, 9, 1)]  # the header is not a value of the body
    with pytest.raises(IndexError):
        rows[3]


def test_a_coded_column_factorizes_like_pandas():
    cells = ["b", "a", "b", dt.date(2026, 9, 1), dt.datetime(2026, 9, 1)]
    codes, uniques = _coded(cells).slice(1, 5).factorize()
    want_codes, want_uniques = pd.factorize(np.array(cells[1:], dtype=object), use_na_sentinel=False)
    assert codes.tolist() == want_codes.tolist() and uniques == list(want_uniques)
