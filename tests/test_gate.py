"""Tests for kpis.gate (checks before any parser) and kpis.sandbox (the limited child process)."""

from __future__ import annotations

import io
import pickle
import re
import tomllib
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

import hostile
from kpis import gate, sandbox
from kpis.errors import FileRejected
from kpis.gate import Limits, inspect
from kpis.readers import read_file
from kpis.sandbox import Sandbox, read_file_safely

ROOT = Path(__file__).resolve().parent.parent
NORMAL = hostile.sheet_xml(hostile.HEADER_ROW + hostile.data_rows(3))


def rejected(data: bytes, name: str = "x.xlsx", **kw) -> str:
    with pytest.raises(FileRejected) as info:
        inspect(data, name, **kw)
    assert info.value.message_fr != info.value.message_en
    return info.value.message_en


def test_upload_limit_matches_streamlit_config():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == gate.MAX_UPLOAD_MB


@pytest.mark.parametrize("data, name, words", [
    (b"", "x.csv", "empty"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "x.xlsx", None),  # not zip/OLE: left to the CSV reader
    (b"PK\x03\x04garbage", "x.xlsx", "incomplete or damaged"),
    (hostile.ole_file({"WordDocument": b"x" * 4096}), "x.doc", "Unsupported file type"),
])
def test_magic_bytes(data, name, words):
    if words is None:
        assert inspect(data, name).kind == "csv"
    else:
        assert words in rejected(data, name)


def test_size_entries_and_declared_size_limits():
    book = hostile.xlsx(NORMAL)
    assert "above the 0 MB limit" in rejected(book, limits=Limits(max_bytes=1000))
    assert "entries (limit 3)" in rejected(book, limits=Limits(max_entries=3))
    assert "expands to" in rejected(book, limits=Limits(max_uncompressed=1000))
    assert "compressed" in rejected(book, limits=Limits(ratio_floor=100, max_ratio=1))


@pytest.mark.parametrize("rows, words", [
    ('<row r="1"><c r="XFE1"><v>1</v></c></row>', "beyond Excel's limits"),
    ('<row r="1048577"><c r="A1048577"><v>1</v></c></row>', "beyond Excel's limits"),
    ('<row r="1"><c r="A1"><v>1</v></c><c r="A2000000"><v>1</v></c></row>', "beyond Excel's limits"),  # row tag lies
    ('<row r="1"><c r="A1"><v>1</v></c><c r="Z1000000"><v>1</v></c></row>', "cells far apart"),
])
def test_cell_references_bounded(rows, words):
    assert words in rejected(hostile.xlsx(hostile.sheet_xml(rows)))


def test_namespace_prefix_and_implicit_positions_take_the_exact_scan():
    prefixed = (f'<?xml version="1.0"?><x:worksheet xmlns:x="{hostile.MAIN_NS}"><x:sheetData>'
                '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
                '<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    assert "cells far apart" in rejected(hostile.xlsx(prefixed))
    implicit = hostile.sheet_xml("<row>" + "<c><v>1</v></c>" * 300 + "</row>" + "<row><c><f>A1</f></c></row>" * 4)
    found = inspect(hostile.xlsx(implicit), "x.xlsx")
    assert found.cells == 5 * 300
    assert [(n["code"], n["row"], n["column"]) for n in found.notes] == [("formula_no_value", r, "A") for r in range(2, 6)]


def test_a_formula_returning_empty_text_is_not_flagged():
    rows = '<row r="1"><c r="A1" t="str"><f>IF(1,"","")</f><v></v></c><c r="B1"><f>1</f><v>0</v></c></row>'
    notes = inspect(hostile.xlsx(hostile.sheet_xml(rows)), "x.xlsx").notes
    assert [(n["code"], n["column"]) for n in notes] == [("formula_cached_zero", "B")]


def test_renamed_xlsx_is_read_as_xlsx_with_a_note():
    [sheet] = read_file_safely(hostile.xlsx(NORMAL), "old.xls")
    assert len(sheet.rows) == 4
    assert [w["code"] for w in sheet.meta["warnings"]] == ["file_type_mismatch"]


def test_csv_long_numbers_are_warned_but_not_decimals():
    [sheet] = read_file_safely("id;ctr\n1234567890123456789;0.12345678901234567\n12;3\n".encode(), "x.csv")
    assert [(w["code"], w["row"]) for w in sheet.meta["warnings"]] == [("long_number", 2)]


def test_notes_are_capped_per_kind():
    rows = "".join(f'<row r="{r}"><c r="A{r}"><f>1</f></c></row>' for r in range(1, 121))
    notes = inspect(hostile.xlsx(hostile.sheet_xml(rows)), "x.xlsx").notes
    assert [n["code"] for n in notes].count("formula_no_value") == 50
    assert notes[-1]["code"] == "formula_no_value_more" and "70" in notes[-1]["message_en"]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10 ** 8), st.integers(0, 10 ** 8))
def test_greater_than_regex(n, m):
    """Every number above n matches; so do numbers written with a leading zero (int() then decides)."""
    assert bool(re.fullmatch(gate._greater_than(n), str(m).encode())) == (m > n or m == 0)
    assert re.fullmatch(gate._greater_than(n), b"0%d" % m)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3000), st.integers(1, 800)), min_size=1, max_size=30))
def test_fast_and_exact_scans_agree(cells):
    rows = "".join(f'<row r="{r}"><c r="{gate._letters(c)}{r}"><v>1</v></c></row>' for r, c in cells)
    zf = zipfile.ZipFile(io.BytesIO(hostile.xlsx(hostile.sheet_xml(rows, dimension="A1"))))
    fast, exact = gate._SheetScan("Data", Limits()), gate._SheetScan("Data", Limits())
    assert fast._fast(zf, "xl/worksheets/sheet1.xml")
    exact._slow(zf, "xl/worksheets/sheet1.xml")
    assert (fast.max_row, fast.max_col) == (exact.max_row, exact.max_col) == (max(r for r, _ in cells),
                                                                              max(c for _, c in cells))


# --- the sandbox ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sparse_16m() -> bytes:
    """A1 and P1000000: 16 million cells for calamine (~500 MB), inside the gate's limit."""
    return hostile.xlsx(hostile.sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'
                                          '<row r="1000000"><c r="P1000000"><v>2</v></c></row>', dimension="A1"))


def test_child_reads_what_the_gate_lets_through(sparse_16m):
    [sheet] = read_file_safely(sparse_16m, "sparse.xlsx")
    assert sheet.row_numbers == [1, 1000000] and sheet.rows[1][15] == 2


def test_child_out_of_memory_is_a_clean_rejection(sparse_16m):
    with pytest.raises(FileRejected) as info:
        read_file_safely(sparse_16m, "sparse.xlsx", sandbox=Sandbox(memory=300 * 1024 ** 2))
    assert info.value.message_en.startswith("File rejected: reading it needed too much memory")


def test_child_timeout_is_a_clean_rejection(sparse_16m):
    with pytest.raises(FileRejected) as info:
        read_file_safely(sparse_16m, "sparse.xlsx", sandbox=Sandbox(timeout=0.05))
    assert "took more than" in info.value.message_en


def test_child_and_in_process_reads_are_identical(tmp_path):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet("Data")
    sheet.write_row(2, 2, ["Date", "Campagne", "Clics", "Coût"])  # from C3, blank rows inside
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    import datetime as dt
    for i in range(3, 40_000):
        if i % 1000 == 0:
            continue
        sheet.write_datetime(i, 2, dt.datetime(2026, 1, 1) + dt.timedelta(days=i % 365), dates)
        sheet.write_row(i, 3, [f"Campagne {i % 97}", i, i * 0.37])
    book.add_worksheet("Vide")
    book.close()
    data = out.getvalue()
    assert len(data) > sandbox.IN_PROCESS_MAX_BYTES  # so it goes to the child
    child, direct = read_file_safely(data, "big.xlsx"), read_file(data, "big.xlsx")
    assert [(s.name, s.rows, s.row_numbers, s.hidden) for s in child] == \
        [(s.name, s.rows, s.row_numbers, s.hidden) for s in direct]
    assert child[0].row_numbers[:2] == [3, 4] and child[0].rows[0][:3] == ["", "", "Date"]


def test_the_parent_unpickles_only_plain_values():
    with pytest.raises(pickle.UnpicklingError):
        sandbox._SafeUnpickler(io.BytesIO(pickle.dumps(print))).load()
