"""Exports write user strings as text, never as formulas."""

import csv
import io
import re
from dataclasses import replace
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from kpis import dashboard, demo, metrics, reports
from kpis.catalog import KPIS
from kpis.export import EXCEL_CELL_LIMIT, sheet_name, to_csv, to_excel
from kpis.ingest import check_bytes
from kpis.model import Filter
from kpis.store import Store
from kpis.targets import read_targets

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


# --- the downloads of the pages, opened as a committee member would ------------------------------------------

EXPORTED = datetime(2026, 11, 30, 9, 5)
WINDOW = Filter(start=date(2025, 11, 1), end=date(2026, 10, 31))  # the demo's last twelve months
FORMATTED_AS_TEXT = re.compile(r"^[−+±-]?\d[\d\u202f\u00a0 ]*([.,]\d+)?\s?(%|€|×|pt)$")
"""A number written as text ("2,0 %", "106,71 €"): never in an export."""


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("store") / "passerelle.duckdb")
    demo.seed(store)
    return store


def _sheet(ws) -> tuple[list[str], int]:
    """The title block (column A above the first blank row) and the row number of the table's header."""
    lines = []
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, 1).value is None:
            return lines, row + 1
        lines.append(ws.cell(row, 1).value)
    raise AssertionError(f"no table under the title block of {ws.title}")


def _table(ws) -> tuple[list[str], list[list]]:
    _, top = _sheet(ws)
    while ws.cell(top, 1).font.italic:  # a block's note (the file a report is about) and its blank line
        top += 2
    header = [c.value for c in ws[top]]
    return header, [list(r) for r in ws.iter_rows(min_row=top + 1)]


def _row(ws, **match) -> dict:
    header, rows = _table(ws)
    found = [r for r in rows if all(r[header.index(k)].value == v for k, v in match.items())]
    assert len(found) == 1, (ws.title, match, len(found))
    return {h: c for h, c in zip(header, found[0], strict=True)}


def _no_number_as_text(book) -> None:
    for ws in book.worksheets:
        header, rows = _table(ws)
        assert not [h for h in header if h and ("_" in h or h != h.strip())], (ws.title, header)  # no batch_id
        texts = [c.value for r in rows for c in r if isinstance(c.value, str) and FORMATTED_AS_TEXT.match(c.value)]
        assert texts == [], (ws.title, texts[:5])
        assert len(ws.title) <= 31 and ws.freeze_panes == f"A{_sheet(ws)[1] + 1}"
        assert all(ws.column_dimensions[get_column_letter(j)].width >= 8 for j in range(1, len(header) + 1))


def test_the_internal_page_workbook_states_the_screen_period_and_writes_numbers_by_unit(demo_store):
    flt = replace(WINDOW, segments=("B2E",))
    view = metrics.cdo_view(demo_store, flt, "month", lang="fr")
    detail = dashboard.detail_frame(demo_store.observations(flt), demo_store.batches(), "fr")
    context = dashboard.ExportContext("Digital interne", segments=("B2E",), batches=tuple(demo_store.batches()),
                                      exported=EXPORTED, author="c.martin")
    book = _book(dashboard.view_workbook(view, "fr", {"Détail des valeurs et lot d'origine": detail}, context))
    assert book.sheetnames == ["Synthèse", "Objectifs", "Entonnoir", "Indicateurs", "Détail des valeurs et lot"]
    for ws in book.worksheets:  # the window is the view's, the one the page shows: 1 November 2025 – 31 October 2026
        lines, _ = _sheet(ws)
        assert lines[0].startswith("Passerelle — Digital interne — ")
        assert lines[1:] == ["Période : du 01/11/2025 au 31/10/2026",
                             "Filtres : segments B2E · entités : tous · canaux : tous",
                             "Sources : interne_b2e.xlsx — données au 31/10/2026 · "
                             "Réseau social d'entreprise (messages) — données au 31/10/2026",
                             "Exporté le 30/11/2026 à 09:05 par c.martin"]
    _no_number_as_text(book)
    sc = view.scorecard.set_index("kpi")
    rate = _row(book["Synthèse"], Indicateur="Taux d'adoption")
    assert rate["Valeur"].value == pytest.approx(sc.at["adoption_rate", "value"])  # a fraction: 0.65 is 65 %
    assert 0.5 < rate["Valeur"].value < 0.8 and rate["Valeur"].number_format == "0.0%" and rate["Unité"].value == "%"
    assert rate["Évolution"].number_format == '+0.0 "pt";-0.0 "pt";0.0 "pt"'  # a rate changes by points
    people = _row(book["Synthèse"], Indicateur="Population cible")
    assert isinstance(people["Valeur"].value, int) and people["Valeur"].number_format == "#,##0"
    assert people["Unité"].value == "nombre"
    # active spaces: the demo's target is 70.46 %, achieved 57.0 %: attainment 0.570 / 0.7046 = 0.809
    spaces = _row(book["Objectifs"], Indicateur="Taux d'espaces actifs")
    assert (spaces["Objectif"].value, spaces["Objectif"].number_format) == (0.7046, "0.0%")
    assert spaces["Atteinte"].value == pytest.approx(0.809, abs=0.001) and spaces["Atteinte"].number_format == "0.0%"
    assert spaces["Au"].value.date() == date(2026, 10, 31)
    audience = _row(book["Entonnoir"], Étape="Audience", Segment="B2E")
    assert audience["Valeur"].value == sc.at["population", "value"] and audience["Valeur"].number_format == "#,##0"
    header, rows = _table(book["Détail des valeurs et lot"])
    assert "Lot" in header and len(rows) == len(detail)
    assert all(isinstance(r[header.index("Valeur")].value, (int, float)) for r in rows)


def test_the_cdo_workbook_formats_euros_ratios_and_rates_in_english(demo_store):
    flt = replace(WINDOW, segments=("B2C",))
    view = metrics.cdo_view(demo_store, flt, "month", lang="en")
    book = _book(dashboard.view_workbook(view, "en", None, dashboard.ExportContext(
        "CDO view", segments=("B2C",), channels=("Search",), batches=tuple(demo_store.batches()), exported=EXPORTED,
        author="c.martin")))
    assert book.sheetnames == ["Scorecard", "Targets", "Funnel", "KPIs"]
    lines, top = _sheet(book["Scorecard"])
    assert lines[1:3] == ["Period: 2025-11-01 to 2026-10-31",
                          "Filters: segments B2C · entities: all · channels: Search"]
    assert lines[-1] == "Exported on 2026-11-30 at 09:05 by c.martin" and top == 7
    _no_number_as_text(book)
    # ROAS: revenue over cost, about 4.02 in the demo; its target 3.73: attainment 4.0186 / 3.73 = 1.077
    roas = _row(book["Targets"], KPI="Return on ad spend (ROAS)")
    assert roas["Actual"].number_format == roas["Target"].number_format == '0.00 "×"'
    assert roas["Target"].value == 3.73 and roas["Attainment"].value == pytest.approx(1.077, abs=0.001)
    cost = _row(book["Scorecard"], KPI=KPIS["cost"].label("en"))
    assert cost["Value"].number_format == '#,##0.00 "€"' and cost["Unit"].value == "€"
    assert isinstance(cost["Value"].value, float) and cost["Value"].value > 1_000_000  # €1.57 M over the year


def test_the_other_pages_workbooks_have_a_title_block_and_numbers(demo_store):
    context = dashboard.ExportContext("Historique", exported=EXPORTED)
    book = _book(reports.history_workbook(demo_store.batches(), demo_store.coverage(), [], "fr", context))
    for ws in book.worksheets:
        assert _sheet(ws)[0][1:] == ["Exporté le 30/11/2026 à 09:05"]
    _no_number_as_text(book)
    # coverage: the demo's B2E workbook holds one row per month, direction, tool and space; a number, not "1 234"
    header, rows = _table(book["Couverture"])
    assert header[0] == "Origine" and all(isinstance(c.value, int) for r in rows for c in r[1:] if c.value is not None)
    targets = pd.DataFrame({"kpi": ["ctr"], "segment": ["B2C"], "entity": [""], "period": ["2026"], "value": [0.0186]})
    book = _book(reports.catalog_workbook(targets, "fr", dashboard.ExportContext("Référentiel", exported=EXPORTED)))
    ctr = _row(book["Objectifs"], Indicateur=KPIS["ctr"].label("fr"))
    assert (ctr["Objectif"].value, ctr["Objectif"].number_format, ctr["Unité"].value) == (0.0186, "0.0%", "%")
    assert _row(book["Catalogue"], Code="clicks")["Unité"].value == "nombre"
    # the targets sheet, title block and all, is still a sheet the Référentiel's upload reads back
    read, issues = read_targets(reports.catalog_workbook(targets, "fr"), "passerelle_referentiel.xlsx")
    assert issues == []
    assert read[["kpi", "segment", "grain", "value"]].values.tolist() == [["ctr", "B2C", "year", 0.0186]]
    result = check_bytes("Jour;Clics\n01/09/2026;12\n".encode(), "clics.csv", segment="B2C")
    book = _book(reports.report_workbook(result, "fr", dashboard.ExportContext("Rapport de validation",
                                                                               exported=EXPORTED)))
    assert _sheet(book["Résumé"])[0] == ["Passerelle — Rapport de validation : clics.csv — Résumé",
                                         "Exporté le 30/11/2026 à 09:05"]
    assert _row(book["Résumé"], Feuille=result.sheets[0].sheet)["Lues"].value == 1  # one data row read
    sbs = metrics.cdo_view(demo_store, WINDOW, "month", lang="fr").side_by_side
    book = _book(dashboard.side_by_side_workbook(sbs, "fr", dashboard.ExportContext(
        "Côte à côte", segments=("B2C", "B2B", "B2E"), exported=EXPORTED), WINDOW.start, WINDOW.end))
    assert _sheet(book.worksheets[0])[0][1] == "Période : du 01/11/2025 au 31/10/2026"
    _no_number_as_text(book)


@pytest.mark.parametrize(("name", "sheet"), [
    ("Détail des valeurs et lot d'origine", "Détail des valeurs et lot"),  # 35 characters: cut between words
    ("Values in detail, with their import batch", "Values in detail, with their"),
    ("Synthèse", "Synthèse"),
    ("x" * 40, "x" * 31),  # one word longer than Excel allows: cut at 31
])
def test_sheet_names_fit_excel_without_cutting_a_word(name, sheet):
    assert sheet_name(name) == sheet and len(sheet) <= 31


def test_counts_have_no_decimals_but_a_small_average_keeps_them():
    # 1155.4 contributors on average over twelve months reads 1,155; 2.47 contributions a user reads 2.47
    frame = pd.DataFrame({"Valeur": [1155.41666, 2.47, 20000]})
    ws = _book(to_excel({"Bloc": frame}, formats={"Valeur": ["count", "count", "count"]}))["Bloc"]
    assert [ws.cell(r, 1).number_format for r in (2, 3, 4)] == ["#,##0", "#,##0.00", "#,##0"]
    assert ws["A2"].value == 1155.41666  # the number itself is kept whole
