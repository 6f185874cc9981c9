"""The child's typed read of .xlsx gives, cell for cell, what python-calamine gives; or leaves the sheet to it."""

from __future__ import annotations

import datetime as dt
import io
import pickle
import zipfile

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from same_cells import same as _same

from kpis.ingest import sandbox, xlsx_columns
from kpis.ingest.readers import read_file


@pytest.fixture(autouse=True)
def small_head(monkeypatch):
    monkeypatch.setattr(xlsx_columns, "HEAD_ROWS", 3)  # a body below the third row, even in a small sheet




def _through_the_child(data: bytes) -> list[tuple]:
    """What the parent builds from the child's frames (the child's side run here, in this process)."""
    child = sandbox._Child.__new__(sandbox._Child)
    child.sheets, child.building = [], None
    for frame in sandbox._stream(data):
        frame = sandbox._SafeUnpickler(io.BytesIO(pickle.dumps(frame, protocol=5))).load()
        if frame[0] == "sheet":
            child._finish_sheet()
            child.building = sandbox._Building(sandbox.RawSheet(frame[1], [], [], frame[2], frame[3], frame[4]))
        elif frame[0] == "columns":
            child.building.add_columns(*sandbox._decode_columns(frame))
        else:
            child.building.add_rows(*sandbox._decode_rows(frame))
    child._finish_sheet()
    return [(s.name, s.hidden, list(s.rows), s.row_numbers) for s in child.sheets]


def _direct(data: bytes) -> list[tuple]:
    return [(s.name, s.hidden, s.rows, s.row_numbers) for s in read_file(data, "x.xlsx")]


def _assert_same_sheets(got, want):
    assert [(n, h, nums) for n, h, _, nums in got] == [(n, h, nums) for n, h, _, nums in want]
    for (_, _, rows, _), (_, _, expected, _) in zip(got, want, strict=False):
        assert [len(r) for r in rows] == [len(r) for r in expected]
        for r, e in zip(rows, expected, strict=False):
            assert all(map(_same, r, e)), (r, e)


def _exact(data: bytes) -> list[bool]:
    return [s.exact for s in xlsx_columns.read_workbook(data)]


DATE = "dd/mm/yyyy"


def _book(write, **options) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, **options})
    write(book)
    book.close()
    return out.getvalue()


def _campaigns(book, first_row=0, first_col=0, odd=None):
    sheet = book.add_worksheet("Campagnes")
    date, stamp, clock, elapsed = (book.add_format({"num_format": f}) for f in
                                   (DATE, "dd/mm/yyyy hh:mm:ss", "hh:mm", "[h]:mm"))
    sheet.write(first_row, first_col, "Rapport")
    sheet.write_row(first_row + 2, first_col, ["Jour", "Campagne", "Clics", "Heure", "Durée", "Vu"])
    for i in range(40):
        r = first_row + 3 + i
        if i == 17:
            continue  # a blank row
        sheet.write_datetime(r, first_col, dt.datetime(2026, 9, 1 + i % 28, 0 if i % 5 else 13, i % 60),
                             date if i % 5 else stamp)
        sheet.write_string(r, first_col + 1, ["Été", " ", "", "n/a", 'a "b"\n\tc'][i % 5])
        sheet.write_number(r, first_col + 2, [i * 1.5, -0.0, 1e300, 12, 0.1 + 0.2][i % 5])
        sheet.write_number(r, first_col + 3, (i % 24) / 24, clock)
        sheet.write_number(r, first_col + 4, 1 + i / 7, elapsed)
        sheet.write_boolean(r, first_col + 5, bool(i % 2))
    if odd:
        odd(sheet, first_row + 3, first_col)


def test_a_clean_body_is_read_typed_and_exact():
    data = _book(lambda b: _campaigns(b, 2, 2))
    assert _exact(data) == [True]
    _assert_same_sheets(_through_the_child(data), _direct(data))


@pytest.mark.parametrize("odd, exact", [
    (lambda s, r, c: s.write_string(r + 30, c + 2, "n/a"), True),              # missing-like text among numbers
    (lambda s, r, c: s.write_formula(r + 30, c + 2, "=1/0", None, "#DIV/0!"), True),  # an error cell
    (lambda s, r, c: s.write_formula(r + 30, c, "=1/0", None, "#DIV/0!"), True),  # ... among dates
    (lambda s, r, c: s.write_string(r + 30, c, "NULL"), True),                  # missing-like text among dates
    (lambda s, r, c: s.write_string(r + 30, c + 2, "12"), False),               # numeric text among numbers
    (lambda s, r, c: s.write_string(r + 30, c + 2, "NaN"), False),              # "NaN" would become a number
    (lambda s, r, c: s.write_boolean(r + 30, c + 2, True), False),              # TRUE would become 1.0
    (lambda s, r, c: s.write_number(r + 30, c + 1, 3), False),                  # a number among texts
    (lambda s, r, c: s.write_string(r + 39, c, "Total"), False),                # a total row under the dates
])
def test_odd_cells_are_exact_or_leave_the_sheet_to_python_calamine(odd, exact):
    data = _book(lambda b: _campaigns(b, odd=odd))
    assert _exact(data) == [exact]
    _assert_same_sheets(_through_the_child(data), _direct(data))


def test_sheets_in_workbook_order_hidden_small_and_left_to_python_calamine():
    def write(book):
        _campaigns(book)
        book.add_worksheet("Vide")
        small = book.add_worksheet("Petite")
        small.write_row(0, 0, ["a", 1])
        chart = book.add_chartsheet("Graphique")
        series = book.add_chart({"type": "line"})
        series.add_series({"values": "=Campagnes!$C$4:$C$9"})
        chart.set_chart(series)
        mixed = book.add_worksheet("Mélange")
        mixed.hide()
        for r in range(10):
            mixed.write_row(r, 0, [r, "x" if r % 2 else 2.5])
    data = _book(write)
    assert _exact(data) == [True, True, True, False]
    got = _through_the_child(data)
    assert [(n, h) for n, h, _, _ in got] == [("Campagnes", False), ("Vide", False), ("Petite", False),
                                              ("Mélange", True)]
    _assert_same_sheets(got, _direct(data))


@pytest.mark.parametrize("read", [1, 7, 4096])
def test_the_head_is_cut_after_its_rows_whatever_the_reads(monkeypatch, read):
    monkeypatch.setattr(xlsx_columns, "_READ", read)
    data = _book(lambda b: _campaigns(b, 2, 2))
    assert _exact(data) == [True]
    [sheet] = xlsx_columns.read_workbook(data)
    assert sheet.head_numbers == [3, 5, 6] and sheet.numbers[0] == 7  # blank row 4 dropped, the body from row 7
    _assert_same_sheets(_through_the_child(data), _direct(data))


def test_a_huge_head_or_copy_leaves_the_workbook_to_python_calamine(monkeypatch):
    data = _book(_campaigns)
    monkeypatch.setattr(xlsx_columns, "MAX_HEAD_BYTES", 100)
    assert _exact(data) == [False]
    monkeypatch.setattr(xlsx_columns, "MAX_COPIED_BYTES", 100)
    assert xlsx_columns.read_workbook(data) is None
    _assert_same_sheets(_through_the_child(data), _direct(data))


def test_a_body_wider_or_narrower_than_the_head():
    def write(book):
        sheet = book.add_worksheet("Data")
        sheet.write(0, 5, "Titre à droite")
        sheet.write_row(1, 1, ["Jour", "Clics"])
        for r in range(2, 30):
            far = [None] * 8 + ["loin"] if r == 20 else []
            sheet.write_row(r, 1, [f"j{r}", r] + ([r * 0.5] if r > 10 else []) + far)
    data = _book(write)
    assert _exact(data) == [True]
    got, want = _through_the_child(data), _direct(data)
    assert len(want[0][2][0]) == 13  # absolute columns A…M
    _assert_same_sheets(got, want)


def test_a_1904_workbook_is_left_to_python_calamine():
    data = _book(_campaigns, date_1904=True)
    assert xlsx_columns.read_workbook(data) is None
    _assert_same_sheets(_through_the_child(data), _direct(data))


def test_a_sheet_xml_with_a_namespace_prefix_is_left_to_python_calamine():
    data = _book(_campaigns)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(
                    b"</worksheet>", b"</x:worksheet>")
                part = part.replace(b"<", b"<x:").replace(b"<x:/", b"</x:").replace(b"<x:?", b"<?").replace(
                    b"<x:x:", b"<x:")
            dst.writestr(info, part)
    data = out.getvalue()
    assert _exact(data) == [False]
    _assert_same_sheets(_through_the_child(data), _direct(data))


def test_dates_are_made_as_python_calamine_makes_them():
    assert xlsx_columns._excel_datetime(xlsx_columns._ms(2026, 9, 1)) == dt.date(2026, 9, 1)
    assert xlsx_columns._excel_datetime(xlsx_columns._ms(2026, 9, 1, 8, 30, 0, 250000)) == \
        dt.datetime(2026, 9, 1, 8, 30, 0, 250000)
    assert xlsx_columns._excel_datetime(xlsx_columns._ms(1899, 12, 31, 6)) == dt.time(6)
    for early in (xlsx_columns._ms(1900, 1, 1), xlsx_columns._ms(1900, 2, 28)):
        with pytest.raises(xlsx_columns._NotExact):
            xlsx_columns._excel_datetime(early)


@pytest.mark.parametrize("detail, cell", [
    ("Expected float but got 'String(\"n/a\")'", "n/a"),
    ("Expected float but got 'SharedString(\"l'été \\\"2026\\\"\\n\\u{1f}\")'", "l'été \"2026\"\n\x1f"),
    ("Expected boolean but got 'String(\"x\")", "x"),
    ("Expected datetime but got 'Error(Div0)'", ""),
])
def test_cells_fastexcel_could_not_convert_are_read_back_exactly(detail, cell):
    assert xlsx_columns._cell_of(detail) == cell


@pytest.mark.parametrize("detail", ["Expected float but got 'Bool(true)'", "Expected float but got 'Float(1.5)'",
                                    "Expected float but got 'String(\"a\\qb\")'", "something else"])
def test_any_other_conversion_error_leaves_the_sheet_to_python_calamine(detail):
    with pytest.raises(xlsx_columns._NotExact):
        xlsx_columns._cell_of(detail)


TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"), max_size=6)
CELL = {
    "text": TEXT,
    "number": st.floats(allow_nan=False, allow_infinity=False, width=64),
    "date": st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2100, 1, 1)).map(lambda d: d.replace(microsecond=0)),
    "bool": st.booleans(),
    "blank": st.none(),
}
COLUMN = st.sampled_from(["text", "number", "date", "bool", "blank"]).flatmap(
    lambda kind: st.lists(st.one_of(CELL[kind], CELL[kind], CELL[kind], *CELL.values()), min_size=4, max_size=9))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(st.lists(COLUMN, min_size=1, max_size=4), st.booleans())
def test_any_workbook_reads_as_python_calamine_reads_it(columns, constant_memory):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": constant_memory,
                                     "strings_to_numbers": False, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    sheet, date = book.add_worksheet("Data"), book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    for r in range(max(map(len, columns))):
        for c, column in enumerate(columns):
            value = column[r] if r < len(column) else None
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, date)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    data = out.getvalue()
    _assert_same_sheets(_through_the_child(data), _direct(data))


def test_the_child_reads_without_pandas(tmp_path):
    """The child stays small: numpy, pyarrow and fastexcel when a sheet has a body, never pandas."""
    import subprocess
    import sys

    path = tmp_path / "book.xlsx"
    path.write_bytes(_book(_campaigns))
    code = ("import sys; from kpis.ingest import sandbox, xlsx_columns; xlsx_columns.HEAD_ROWS = 3; "
            "frames = list(sandbox._stream(open(sys.argv[1], 'rb').read())); "
            "print(len(frames), 'pyarrow' in sys.modules, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], check=False, capture_output=True, text=True,
                         cwd=str(sandbox._ROOT), env={"PYTHONPATH": sandbox._ROOT, "PATH": "/usr/bin:/bin"})
    assert out.stdout.split() == ["3", "True", "False"], out.stderr
