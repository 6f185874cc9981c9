"""Exports write user strings as text, never as formulas."""

import csv
import io

import openpyxl
import pandas as pd
import pytest

from kpis.export import EXCEL_CELL_LIMIT, to_csv, to_excel

HOSTILE = ["=HYPERLINK(\"http://x\",\"clic\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "Normal"]


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_strings_starting_like_formulas_stay_text():
    frame = pd.DataFrame({"Campagne": HOSTILE, "Clics": range(len(HOSTILE))})
    ws = _book(to_excel({"Campagnes": frame}))["Campagnes"]
    cells = [ws.cell(row=r, column=1) for r in range(2, 2 + len(HOSTILE))]
    assert [c.data_type for c in cells] == ["s"] * len(HOSTILE)
    assert cells[0].value == HOSTILE[0]  # kept as written, not evaluated
    assert [ws.cell(row=r, column=2).value for r in range(2, 2 + len(HOSTILE))] == list(range(len(HOSTILE)))


def test_control_characters_removed_and_long_cells_cut():
    frame = pd.DataFrame({"Nom": ["a\x00b\x07c", "x" * (EXCEL_CELL_LIMIT + 10)]})
    ws = _book(to_excel({"Bloc": frame}))["Bloc"]
    assert ws["A2"].value == "abc"
    assert len(ws["A3"].value) == EXCEL_CELL_LIMIT and ws["A3"].value.endswith("…")


def test_one_sheet_per_block_with_safe_unique_names_and_formats():
    frame = pd.DataFrame({"KPI": ["CTR"], "Valeur": [0.0231]})
    book = _book(to_excel({"Vue CDO: cartes": frame, "Vue CDO: cartes ": frame, "x" * 40: frame},
                          formats={"Valeur": "percent"}, notes={"x" * 40: "Filtre : B2C"}))
    assert book.sheetnames == ["Vue CDO- cartes", "Vue CDO- cartes (2)", "x" * 31]
    ws = book["Vue CDO- cartes"]
    assert ws["B2"].value == pytest.approx(0.0231) and ws["B2"].number_format == "0.0%"
    assert ws["A1"].font.bold and ws.freeze_panes == "A2"
    assert book["x" * 31]["A1"].value == "Filtre : B2C" and book["x" * 31]["A3"].value == "KPI"


def test_csv_neutralises_formula_prefixes():
    text = to_csv(pd.DataFrame({"Campagne": HOSTILE, "Coût": [1.5] * len(HOSTILE)})).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == ["Campagne", "Coût"]
    assert [r[0] for r in rows[1:]] == ["'" + h for h in HOSTILE[:-1]] + ["Normal"]
    assert {r[1] for r in rows[1:]} == {"1,5"}


def test_urls_and_mail_addresses_are_plain_text_not_links():
    frame = pd.DataFrame({"Source": ["https://exemple.fr/campagne?x=1", "mailto:cdo@exemple.fr", "www.exemple.fr"]})
    ws = _book(to_excel({"Liens": frame}))["Liens"]
    assert [ws.cell(row=r, column=1).hyperlink for r in (2, 3, 4)] == [None, None, None]
    assert ws["A2"].value == "https://exemple.fr/campagne?x=1" and ws["A2"].data_type == "s"


def test_numbers_are_written_with_twelve_significant_digits():
    # two orders of the same sum: 7206745.239999999 and 7206745.24 are one number at 12 digits, and so are
    # 0.1 + 0.2 (0.30000000000000004) and 0.3; an integer stays an integer, a 13th digit is rounded off
    frame = pd.DataFrame({"Coût (€)": [7206745.239999999, 7206745.24, 0.1 + 0.2, 123456789012.5],
                          "Clics": [1, 2, 3, 4]})
    ws = _book(to_excel({"Bloc": frame}))["Bloc"]
    assert [ws.cell(row=r, column=1).value for r in range(2, 6)] == [7206745.24, 7206745.24, 0.3, 123456789012.0]
    assert [ws.cell(row=r, column=2).value for r in range(2, 6)] == [1, 2, 3, 4]
    rows = to_csv(frame).decode("utf-8-sig").splitlines()
    assert rows[1:4] == ["7206745,24;1", "7206745,24;2", "0,3;3"]
