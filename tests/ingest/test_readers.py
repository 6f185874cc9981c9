"""Tests for kpis.ingest.readers: real files written at test time, read back from bytes."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import os
import zipfile

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
import xlwt
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis.errors import FileRejected
from kpis.ingest.readers import RawSheet, _non_blank, read_file, stream_workbook, workbook_chunks


def by_name(sheets: list[RawSheet]) -> dict[str, RawSheet]:
    return {sheet.name: sheet for sheet in sheets}


# --- workbooks ----------------------------------------------------------------


def test_openpyxl_xlsx_title_blank_row_column_c_and_hidden_sheet(tmp_path):
    book = openpyxl.Workbook()
    data = book.active
    data.title = "Données"
    data["C2"] = "Rapport Google Ads"  # title row 2, row 3 blank
    data["C4"], data["D4"] = "Date", "Clics"
    data["C5"], data["D5"] = dt.date(2026, 9, 1), 12
    data["D6"] = "   "  # whitespace only: a blank row
    data["C7"], data["D7"] = dt.date(2026, 9, 2), 13.5
    hidden = book.create_sheet("Paramètres")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "secret"
    path = tmp_path / "report.xlsx"
    book.save(path)

    sheets = by_name(read_file(path.read_bytes(), "report.xlsx"))

    sheet = sheets["Données"]
    assert sheet.row_numbers == [2, 4, 5, 7]
    assert sheet.rows[0] == ["", "", "Rapport Google Ads", ""]  # rows[i][0] is column A
    assert sheet.rows[1][2:] == ["Date", "Clics"]
    assert sheet.rows[2][2] == dt.date(2026, 9, 1)
    assert sheet.rows[2][3] == 12
    assert sheet.rows[3][3] == 13.5
    assert not sheet.hidden and sheet.comments == [] and sheet.meta == {}
    assert sheets["Paramètres"].hidden
    assert sheets["Paramètres"].rows == [["secret"]]


def test_xlsxwriter_xlsx_keeps_order_types_and_very_hidden_sheet(tmp_path):
    path = tmp_path / "m365.xlsx"
    book = xlsxwriter.Workbook(str(path))
    summary = book.add_worksheet("Synthèse")
    summary.write("A1", "Report Refresh Date")
    summary.write_datetime("B1", dt.datetime(2026, 9, 30, 8, 30), book.add_format({"num_format": "yyyy-mm-dd hh:mm"}))
    detail = book.add_worksheet("Detail")
    detail.write_row("C3", ["Mois", "Actifs", "Licence"])
    detail.write_row("C4", ["sept. 2026", 700, True])
    detail.write_row("C10", ["oct. 2026", 720, False])
    secret = book.add_worksheet("Hidden")
    secret.write("A1", 1)
    secret.very_hidden()
    book.close()

    sheets = read_file(path.read_bytes(), "m365.xlsx")

    assert [s.name for s in sheets] == ["Synthèse", "Detail", "Hidden"]
    assert sheets[0].rows == [["Report Refresh Date", dt.datetime(2026, 9, 30, 8, 30)]]
    assert sheets[1].row_numbers == [3, 4, 10]
    assert sheets[1].rows[1] == ["", "", "sept. 2026", 700, True]
    assert sheets[1].rows[2][4] is False
    assert [s.hidden for s in sheets] == [False, False, True]


def test_xls_written_by_xlwt(tmp_path):
    book = xlwt.Workbook()
    sheet = book.add_sheet("Export")
    sheet.write(0, 1, "Campagne")
    sheet.write(0, 2, "Coût")
    sheet.write(2, 1, "Rentrée")  # row 2 blank
    sheet.write(2, 2, 1234.5)
    other = book.add_sheet("Caché")
    other.write(0, 0, "x")
    other.visibility = 1  # hidden
    path = tmp_path / "old.xls"
    book.save(str(path))

    sheets = by_name(read_file(path.read_bytes(), "old.xls"))

    assert sheets["Export"].rows == [["", "Campagne", "Coût"], ["", "Rentrée", 1234.5]]
    assert sheets["Export"].row_numbers == [1, 3]
    assert sheets["Caché"].hidden


def test_ods_written_by_pandas(tmp_path):
    path = tmp_path / "intranet.ods"
    frame = pd.DataFrame({"Mois": ["2026-09", "2026-10"], "Pages vues": [1500, 1700]})
    frame.to_excel(path, engine="odf", sheet_name="Intranet", index=False, startrow=2, startcol=1)

    sheet = read_file(path.read_bytes(), "intranet.ods")[0]

    assert sheet.name == "Intranet"
    assert sheet.row_numbers == [3, 4, 5]  # startrow=2 → header on row 3
    assert sheet.rows[0] == ["", "Mois", "Pages vues"]
    assert sheet.rows[2][1:] == ["2026-10", 1700]


def test_workbook_detected_by_magic_bytes_not_name(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"] = "ok"
    path = tmp_path / "x.xlsx"
    book.save(path)
    assert read_file(path.read_bytes(), "export.csv")[0].rows == [["ok"]]


def test_empty_sheet_has_no_rows(tmp_path):
    book = openpyxl.Workbook()
    book.create_sheet("Vide")
    book.active["A1"] = 1
    path = tmp_path / "x.xlsx"
    book.save(path)
    assert by_name(read_file(path.read_bytes(), "x.xlsx"))["Vide"].rows == []


# --- CSV ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, encoding, expected_encoding",
    [
        ("Date,Clicks\n2026-09-01,12\n", "utf-8", "utf-8"),
        ("Date,Clicks\n2026-09-01,12\n", "utf-8-sig", "utf-8-sig"),
        ("Date,Clicks\r\n2026-09-01,12\r\n", "utf-16", "utf-16"),  # BOM + LE
    ],
)
def test_csv_encodings(text, encoding, expected_encoding):
    sheet = read_file(text.encode(encoding), "export.csv")[0]
    assert sheet.rows == [["Date", "Clicks"], ["2026-09-01", "12"]]
    assert sheet.meta == {"encoding": expected_encoding, "delimiter": ","}


def test_google_ads_utf16_tab_file_with_title_lines():
    text = (
        "Campaign performance\r\n"
        "1 September 2026 - 30 September 2026\r\n"
        "Campaign\tClicks\tCost\tCTR\r\n"
        "Rentrée\t1,103\t2,144.69\t0.49%\r\n"
        "Total\t1,103\t2,144.69\t0.49%\r\n"
    )
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    sheet = read_file(data, "Campaign report.csv")[0]
    assert sheet.name == "Campaign report"
    assert sheet.meta == {"encoding": "utf-16", "delimiter": "\t"}
    assert sheet.row_numbers == [1, 2, 3, 4, 5]
    assert sheet.rows[3] == ["Rentrée", "1,103", "2,144.69", "0.49%"]


def test_cp1252_semicolon_file_with_decimal_commas():
    text = 'Entité;Coût;Taux\r\nSiège;"1 234,5";12,5 %\r\nUsine;"1,5";3,0 %\r\n'
    sheet = read_file(text.encode("cp1252"), "coûts.csv")[0]
    assert sheet.meta == {"encoding": "cp1252", "delimiter": ";"}
    assert sheet.rows == [["Entité", "Coût", "Taux"], ["Siège", "1 234,5", "12,5 %"], ["Usine", "1,5", "3,0 %"]]


def test_sep_line_counts_as_line_one():
    data = b"sep=;\r\nA;B\r\n1,5;2\r\n"
    sheet = read_file(data, "x.csv")[0]
    assert sheet.meta["delimiter"] == ";"
    assert sheet.rows == [["A", "B"], ["1,5", "2"]]
    assert sheet.row_numbers == [2, 3]


def test_ga4_comment_block_goes_to_comments_and_counts_in_numbering():
    text = (
        "# ----------------------------------------\n"
        "# Pages and screens\n"
        "# Start date: 20260901\n"
        "# End date: 20260930\n"
        "# ----------------------------------------\n"
        "\n"
        "Date,Views,Active users\n"
        "20260901,1500,300\n"
        "#hashtag,2,1\n"  # a data row: same field count as the file
    )
    sheet = read_file(text.encode(), "ga4.csv")[0]
    assert sheet.comments == ["----------------------------------------", "Pages and screens",
                              "Start date: 20260901", "End date: 20260930",
                              "----------------------------------------"]
    assert sheet.rows == [["Date", "Views", "Active users"], ["20260901", "1500", "300"], ["#hashtag", "2", "1"]]
    assert sheet.row_numbers == [7, 8, 9]


def test_quoted_multiline_field_row_number_is_where_record_starts():
    text = 'Space,Comment,Reactions\nRH,"first line\nsecond line\nthird",4\nIT,ok,5\n'
    sheet = read_file(text.encode(), "x.csv")[0]
    assert sheet.rows[1] == ["RH", "first line\nsecond line\nthird", "4"]
    assert sheet.row_numbers == [1, 2, 5]


def test_multiline_field_with_comments_present():
    text = '# export\nA,B\n"x\n#not a comment",1\n'
    sheet = read_file(text.encode(), "x.csv")[0]
    assert sheet.comments == ["export"]
    assert sheet.rows == [["A", "B"], ["x\n#not a comment", "1"]]
    assert sheet.row_numbers == [2, 3]


def test_cells_are_stripped_and_blank_rows_dropped():
    text = "A ; B\n\n  ;  \n 1 ;\u00a02\u00a0\n"
    sheet = read_file(text.encode(), "x.txt")[0]
    assert sheet.rows == [["A", "B"], ["1", "2"]]
    assert sheet.row_numbers == [1, 4]


def test_bom_less_utf16_is_recognised():
    data = "Date\tClics\n01/09/2026\t3\n".encode("utf-16-le")
    sheet = read_file(data, "x.csv")[0]
    assert sheet.rows[1] == ["01/09/2026", "3"]
    assert sheet.meta["delimiter"] == "\t"


def test_delimiter_chosen_by_consistency_not_count():
    # ',' appears more often, but only ';' splits every line the same way.
    text = "Nom;Valeur\n\"a,b,c\";1,5\n\"d,e\";2,5\n"
    assert read_file(text.encode(), "x.csv")[0].meta["delimiter"] == ";"


# --- rejections ---------------------------------------------------------------


def _xlsx_bytes(tmp_path) -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = 1
    path = tmp_path / "x.xlsx"
    book.save(path)
    return path.read_bytes()


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "make, name, words_en",
    [
        (lambda tmp: os.urandom(4096), "report.xlsx", "not a valid workbook"),
        (lambda tmp: _xlsx_bytes(tmp)[:1500], "report.xlsx", "incomplete or damaged"),
        (lambda tmp: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512 + "EncryptedPackage".encode("utf-16-le"),
         "secret.xlsx", "Remove the password"),
        (lambda tmp: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "broken.xls", "cannot be read"),
        (lambda tmp: b"", "empty.csv", "empty"),
        (lambda tmp: bytes(range(256)) * 20, "random.csv", "Unsupported file type"),
        (lambda tmp: b"<html><table><tr><td>1</td></tr></table></html>", "export.xls", "web page"),
        (lambda tmp: _docx_bytes(), "notes.xlsx", "Unsupported file type"),
    ],
)
def test_unreadable_files_are_rejected_with_both_messages(tmp_path, make, name, words_en):
    with pytest.raises(FileRejected) as caught:
        read_file(make(tmp_path), name)
    assert words_en in caught.value.message_en
    assert caught.value.message_fr and caught.value.message_fr != caught.value.message_en


# --- blank rows and chunks (the sandbox's child reads through these) ------------------------------


def _non_blank_reference(rows, first_number):
    """The first, cell-by-cell version of readers._non_blank."""
    kept, numbers = [], []
    for i, row in enumerate(rows):
        for value in row:
            if value == "" or value is None:
                continue
            if value.__class__ is str and not value.strip():
                continue
            kept.append(row)
            numbers.append(first_number + i)
            break
    return kept, numbers


CELLS = ["", " ", "\t", "\u00a0", "x", " y ", 0.0, 1.5, 0, 3, True, False, None, dt.date(2026, 9, 1),
         dt.datetime(2026, 9, 1, 8, 30), dt.time(8, 30), dt.timedelta(hours=2)]


@given(st.lists(st.lists(st.sampled_from(CELLS), min_size=0, max_size=4), max_size=30), st.integers(1, 5))
@settings(max_examples=300, deadline=None)
def test_non_blank_drops_the_same_rows_as_a_cell_by_cell_loop(rows, first):
    assert _non_blank(rows, first) == _non_blank_reference(rows, first)


def test_workbook_chunks_give_calamines_rows_and_stream_workbook_what_read_file_gives():
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet("Data")
    sheet.write_row(2, 1, ["Date", "Clics"])  # starts at B3
    for i in range(3, 30):
        if i % 7:
            sheet.write_row(i, 1, [f"j{i}", i])
    book.add_worksheet("Vide")
    book.close()
    data = out.getvalue()
    items = list(workbook_chunks(data, 10))
    assert [i[0] for i in items] == ["sheet", "cells", "cells", "cells", "sheet"]
    assert items[1][2:] == (3, 1) and items[1][1][0] == ["Date", "Clics"] and len(items[1][1]) == 10
    streamed = [i for i in stream_workbook(data, chunk_cells=20) if i[0] == "rows"]
    [direct] = [s for s in read_file(data, "x.xlsx") if s.name == "Data"]
    assert [r for i in streamed for r in i[1]] == direct.rows
    assert [n for i in streamed for n in i[2]] == direct.row_numbers
    assert [len(i[1]) for i in workbook_chunks(data, chunk_cells=20) if i[0] == "cells"] == [10, 10, 8]  # 2 columns
