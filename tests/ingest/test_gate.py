"""Tests for kpis.ingest.gate (checks before any parser) and kpis.ingest.sandbox (the limited child process)."""

from __future__ import annotations

import datetime as dt
import io
import os
import pickle
import re
import tomllib
import zipfile
from array import array
from pathlib import Path

import hostile
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from same_cells import same as _same

from kpis.errors import FileRejected, UsageError
from kpis.ingest import gate, sandbox
from kpis.ingest.columnar import Rows
from kpis.ingest.gate import Limits, inspect
from kpis.ingest.issues import Issue, column_letter
from kpis.ingest.readers import _non_blank, read_file
from kpis.ingest.sandbox import Sandbox, read_file_safely

ROOT = Path(__file__).resolve().parents[2]
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
    assert [(n.code, n.row, n.column) for n in found.notes] == [
        ("formula_no_value", r, "A") for r in range(2, 6)]


def test_a_formula_returning_empty_text_is_not_flagged():
    rows = '<row r="1"><c r="A1" t="str"><f>IF(1,"","")</f><v></v></c><c r="B1"><f>1</f><v>0</v></c></row>'
    notes = inspect(hostile.xlsx(hostile.sheet_xml(rows)), "x.xlsx").notes
    assert [(n.code, n.column) for n in notes] == [("formula_cached_zero", "B")]


def test_renamed_xlsx_is_read_as_xlsx_with_a_note():
    [sheet] = read_file_safely(hostile.xlsx(NORMAL), "old.xls")
    assert len(sheet.rows) == 4
    assert [w.code for w in sheet.meta["warnings"]] == ["file_type_mismatch"]


def test_csv_long_numbers_are_warned_but_not_decimals():
    [sheet] = read_file_safely("id;ctr\n1234567890123456789;0.12345678901234567\n12;3\n".encode(), "x.csv")
    assert [(w.code, w.row) for w in sheet.meta["warnings"]] == [("long_number", 2)]


def test_notes_are_issues_located_with_the_shared_column_letters():
    rows = '<row r="1"><c r="AB1"><f>1</f></c></row>'
    cols = '<cols><col min="28" max="30" hidden="1"/></cols>'
    [formula, hidden] = inspect(hostile.xlsx(hostile.sheet_xml(rows, dimension="AB1", after=cols)), "x.xlsx").notes
    assert isinstance(formula, Issue) and (formula.code, formula.sheet, formula.row, formula.column) == \
        ("formula_no_value", "Data", 1, "AB")
    assert (hidden.code, hidden.column, formula["code"]) == ("hidden_column", "AB", "formula_no_value")
    assert "AB:AD" in hidden.message_en


def test_notes_are_capped_per_kind():
    rows = "".join(f'<row r="{r}"><c r="A{r}"><f>1</f></c></row>' for r in range(1, 121))
    notes = inspect(hostile.xlsx(hostile.sheet_xml(rows)), "x.xlsx").notes
    assert [n.code for n in notes].count("formula_no_value") == 50
    assert notes[-1].code == "formula_no_value_more" and "70" in notes[-1].message_en


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10 ** 8), st.integers(0, 10 ** 8))
def test_greater_than_regex(n, m):
    """Every number above n matches; so do numbers written with a leading zero (int() then decides)."""
    assert bool(re.fullmatch(gate._greater_than(n), str(m).encode())) == (m > n or m == 0)
    assert re.fullmatch(gate._greater_than(n), b"0%d" % m)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3000), st.integers(1, 800)), min_size=1, max_size=30))
def test_fast_and_exact_scans_agree(cells):
    rows = "".join(f'<row r="{r}"><c r="{column_letter(c - 1)}{r}"><v>1</v></c></row>' for r, c in cells)
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


# --- the hand-off from the child: columns, checked --------------------------------------------------

CELL = st.one_of(
    st.sampled_from(["", " ", "\u00a0", "Search", None, True, False, 0, 7, dt.time(8, 30), dt.timedelta(hours=3),
                     dt.date(2026, 9, 1), dt.datetime(2026, 9, 1, 8), float("nan"), -0.0, 1e300]),
    st.floats(allow_nan=False), st.text(max_size=5), st.dates())




def _handed_over(rows, first, first_col):
    frame = sandbox._encode_chunk(rows, first, first_col)
    if frame is None:
        return [], []
    frame = sandbox._SafeUnpickler(io.BytesIO(pickle.dumps(frame, protocol=5))).load()
    if frame[0] == "rows":
        return sandbox._decode_rows(frame)
    columns, numbers = sandbox._decode_columns(frame)
    return list(Rows(columns)), numbers


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4).flatmap(lambda w: st.lists(
    st.one_of(st.lists(CELL, min_size=w, max_size=w), st.lists(st.floats(), min_size=w, max_size=w)), max_size=25)),
    st.integers(1, 9), st.integers(0, 2))
def test_columns_from_the_child_rebuild_exactly_the_rows(rows, first, first_col):
    got_rows, got_numbers = _handed_over(rows, first, first_col)
    kept, numbers = _non_blank(rows, first)
    assert got_numbers == numbers
    expected = [[""] * first_col + row for row in kept]
    assert len(got_rows) == len(expected)
    assert all(len(g) == len(e) and all(map(_same, g, e)) for g, e in zip(got_rows, expected, strict=True))


def test_columns_are_compact_and_typed_by_the_parent():
    rows = [[dt.date(2026, 9, 1 + i % 3), "Campagne", float(i), i * 0.5 if i else "n/a", True] for i in range(100)]
    _, n, numbers, columns = sandbox._encode_chunk(rows, 4, 0)
    assert n == 100 and [c[0] for c in columns] == ["codes", "codes", "float", "floats+", "cells"]
    assert columns[0][2] == [dt.date(2026, 9, 1), dt.date(2026, 9, 2), dt.date(2026, 9, 3)]
    assert columns[1][2] == ["Campagne"] and numbers == bytes(array("q", range(4, 104)))


@pytest.mark.parametrize("frame", [
    ("columns", 2, b"\x01" + b"\0" * 15, [("float", b"\0" * 16)]),                       # row number 1, then 0
    ("columns", 2, (1).to_bytes(8, "little") * 2, [("float", b"\0" * 15)]),             # a short buffer
    ("columns", 2, (1).to_bytes(8, "little") * 2, [("codes", b"\0" * 4 + b"\x01\0\0\0", ["a"])]),  # code 1 of 1
    ("columns", 2, (1).to_bytes(8, "little") * 2, [("cells", ["a", {"b": 1}])]),       # not a cell
    ("columns", 2, (1).to_bytes(8, "little") * 2, [("floats+", b"\0" * 16, (5).to_bytes(8, "little"), ["x"])]),
    ("columns", 3, (1).to_bytes(8, "little") * 3,                                       # positions out of order
     [("floats+", b"\0" * 24, (2).to_bytes(8, "little") + (1).to_bytes(8, "little"), ["x", "y"])]),
    ("columns", 2, (1).to_bytes(8, "little") * 2, [("codes", b"\0" * 8, [1.5])]),       # a float coded
    ("columns", 2, (1).to_bytes(8, "little") * 2, [("codes", b"\0" * 4 + b"\x01\0\0\0", ["a", "a"])]),  # twice
    ("columns", 2, (1).to_bytes(8, "little") * 2, [("object", "numpy.dtype('O')")]),  # a kind the parent ignores
    ("columns", 10 ** 9, b"", []),
    ("rows", [["a"]], [0]),
])
def test_a_malformed_frame_from_the_child_is_refused(frame):
    decode = sandbox._decode_columns if frame[0] == "columns" else sandbox._decode_rows
    with pytest.raises(sandbox._Bad):
        decode(frame)


def test_the_child_talks_through_checked_frames(monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_FRAME", 10)  # the parent refuses a frame larger than this: the read fails
    with pytest.raises(FileRejected) as info:
        read_file_safely(_big_book(), "big.xlsx")
    assert "could not be read" in info.value.message_en


def _big_book() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet("Data")
    for i in range(60_000):
        sheet.write_row(i, 0, [f"ligne {i}", i * 1.5, i])
    book.close()
    data = out.getvalue()
    assert len(data) > sandbox.IN_PROCESS_MAX_BYTES
    return data


def test_start_reading_then_result_once_and_close_stops_the_child():
    data = _big_book()
    reading = sandbox.start_reading(data, "big.xlsx")
    child = reading._child
    assert child is not None and child.proc.poll() is None  # parsing already
    [sheet] = reading.result()
    assert len(sheet.rows) == 60_000 and child.proc.returncode == 0
    with pytest.raises(RuntimeError):
        reading.result()
    with sandbox.start_reading(data, "big.xlsx") as early:
        proc = early._child.proc
    assert proc.returncode is not None  # closed unread: killed and reaped
    rejected = sandbox.start_reading(b"", "empty.xlsx")  # the cheap checks' verdict waits for result()
    for _ in range(2):
        with pytest.raises(FileRejected):
            rejected.result()


def test_read_ahead_starts_one_file_ahead_and_stops_what_is_left(tmp_path):
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"f{i}.xlsx")
        paths[-1].write_bytes(_big_book())
    with sandbox.ReadAhead([*paths, tmp_path / "missing.xlsx"]) as files:
        seen = []
        for path, reading in files:
            seen.append((path.name, reading is None, sorted(files.pending)))
            if reading is not None and path.name == "f0.xlsx":
                assert len(reading.result()[0].rows) == 60_000
            if path.name == "f1.xlsx":
                left = files.pending[2]
                break
    assert seen == [("f0.xlsx", False, [1]), ("f1.xlsx", False, [2])]
    assert left._child is None and files.pending == {}  # closed on the way out


def test_long_number_regex_matches_the_plain_reference():
    reference = re.compile(
        rb'<v>-?(?:[0-9]{16,}(?:\.[0-9]*)?|[0-9](?:\.[0-9]+)?[eE]\+?(?:1[5-9]|[2-9][0-9]|[0-9]{3}))</v>')

    @settings(max_examples=2000, deadline=None)
    @given(st.lists(st.sampled_from([b"<v>", b"</v>", b"-", b"+", b".", b"e", b"E", b"0", b"1", b"5", b"9",
                                     b"1234567890123456", b"<", b"x"]), max_size=14))
    def check(parts):
        text = b"".join(parts)
        assert [m.span() for m in gate._LONG_NUMBER.finditer(text)] == [m.span() for m in reference.finditer(text)]

    check()


# --- the RE2 pre-pass skips work, never a finding ------------------------------------------------------


def _scan(data: bytes, quick: bool):
    """``inspect`` with tiny chunks, with or without the RE2 pre-pass: cells and notes, or the rejection."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gate, "CHUNK", 256)
        mp.setattr(gate, "QUICK_MIN_BYTES", -1 if quick else 1 << 62)
        quiet = []
        original = gate._SheetScan._quiet
        mp.setattr(gate._SheetScan, "_quiet", lambda self, chunk: quiet.append(original(self, chunk)) or quiet[-1])
        try:
            found = inspect(data, "x.xlsx")
            return ("read", found.cells, found.notes), quiet
        except FileRejected as exc:
            return ("rejected", exc.message_en), quiet


PIECES = [
    '<c r="{c}{r}"><v>{n}</v></c>', '<c r="{c}{r}" t="s"><v>0</v></c>', '<c r="{c}{r}"><f>A1</f><v>0</v></c>',
    '<c r="{c}{r}"><f>A1</f></c>', '<c r="{c}{r}" t="e"><v>#N/A</v></c>', '<c r="{c}{r}"><v>12345678901234567</v></c>',
    '<c r="{c}{r}"><v>1.5E+20</v></c>', '<c r="{c}{r}"><v>0.0286844400149495</v></c>', '<c><v>1</v></c>',
    '<c r="{c}{r}" s="1"><v>44197</v></c>', '<c  r="{c}{r}"><v>1</v></c>',
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 400), st.lists(st.tuples(st.integers(1, 40), st.sampled_from(PIECES)),
                                                         max_size=6),
                          st.sampled_from(["", ' hidden="1"', ' spans="1:3"', "x"])), min_size=1, max_size=60),
       st.sampled_from(["", "A1:C400", "A1:AD9"]),
       st.sampled_from(["", '<mergeCells><mergeCell ref="A1:B2"/></mergeCells>',
                        '<cols><col min="2" max="3" hidden="1"/></cols>']))
def test_the_re2_pre_pass_changes_no_verdict_and_no_note(rows, dimension, after):
    xml_rows = []
    for r, cells, attrs in sorted(rows, key=lambda x: x[0] if x[2] != "x" else -x[0]):  # "x": out of order
        row = f'<row r="{r}"{attrs if attrs != "x" else ""}>'
        row += "".join(p.format(c=column_letter(c - 1), r=r if c % 7 else r + 3, n=c * 1.5) for c, p in cells)
        xml_rows.append(row + "</row>")
    data = hostile.xlsx(hostile.sheet_xml("".join(xml_rows), dimension=dimension, after=after))
    (quick, _), (plain, _) = _scan(data, True), _scan(data, False)
    assert quick == plain


def test_the_re2_pre_pass_is_taken_on_plain_chunks_and_not_elsewhere():
    plain = hostile.xlsx(hostile.sheet_xml(hostile.HEADER_ROW + hostile.data_rows(300), dimension="A1:B301"))
    (quick, quiet), (exact, _) = _scan(plain, True), _scan(plain, False)
    assert quick == exact and quiet.count(True) > 10
    for case in ("formulas_cached_zero", "error_cells", "long_numbers", "hidden_sheet_and_rows", "far_apart_cells",
                 "understated_dimension", "merged_cell_bomb"):
        data = hostile.CASES[case].build()
        assert _scan(data, True)[0] == _scan(data, False)[0], case


# --- reading from disk: only regular files, never more than the limit + 1 bytes ---------------------------


def test_read_bounded_reads_a_file_of_exactly_the_limit(tmp_path):
    path = tmp_path / "limit.csv"
    path.write_bytes(b"a;b\n" * 25)  # 100 bytes, the limit below
    assert gate.read_bounded(path, Limits(max_bytes=100)) == b"a;b\n" * 25


def test_read_bounded_refuses_one_byte_over_the_limit(tmp_path):
    path = tmp_path / "over.csv"
    path.write_bytes(b"x" * 101)
    with pytest.raises(FileRejected) as info:
        gate.read_bounded(path, Limits(max_bytes=100))
    assert "above the 0 MB limit" in info.value.message_en  # 100 bytes shown in MiB, rounded: 0
    assert "au-delà de la limite" in info.value.message_fr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_read_bounded_refuses_a_device_without_reading_it():
    with pytest.raises(UsageError) as info:
        gate.read_bounded("/dev/zero")  # endless: reading it would never stop
    assert info.value.message_en == "/dev/zero is not a regular file (a device, a pipe, a folder...): give a file."


def test_read_bounded_refuses_a_pipe_without_blocking(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)  # nobody writes to it: opening it to read would wait forever
    with pytest.raises(UsageError) as info:
        gate.read_bounded(pipe)
    assert "is not a regular file" in info.value.message_en and "fichier ordinaire" in info.value.message_fr


def test_read_bounded_refuses_a_folder_and_a_missing_file(tmp_path):
    with pytest.raises(UsageError, match="is not a regular file"):
        gate.read_bounded(tmp_path)
    with pytest.raises(UsageError, match="Cannot read .*missing.csv: No such file or directory"):
        gate.read_bounded(tmp_path / "missing.csv")
