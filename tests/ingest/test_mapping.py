"""Mapping by position (``kpis.ingest.mapping``): a column letter or a header with its occurrence, typed with
``--map`` or remembered in the store, on real workbooks."""

from __future__ import annotations

import pytest
from layout_files import CONFIRM, MONTHS, SITES, monthly_report
from openpyxl import Workbook

from kpis.ingest import check_file
from kpis.ingest.mapping import letter_index, map_keys, names_for
from kpis.store import Store


@pytest.mark.parametrize("name, keys", [
    ("Pages vues#2", ("pages vues#2",)),
    ("Coût (€) # 1", ("cout#1",)),
    ("B", ("b", "@B")),
    ("AB", ("ab", "@AB")),
    ("Clics", ("clics",)),
    ("ab", ("ab",)),  # lower case: a header, never a letter
    ("#2", ("2",)),  # no header before the occurrence: the text itself
])
def test_map_keys(name, keys):
    assert map_keys(name) == keys


@pytest.mark.parametrize("name, index", [("A", 0), ("Z", 25), ("AA", 26), ("AB", 27), ("a", None), ("A1", None)])
def test_letter_index(name, index):
    assert letter_index(name) == index


def repeated(path, months=(("janv. 2026", 2000, 300, 30), ("févr. 2026", 2100, 310, 35))):
    """"Pages vues" twice (the site's, then the app's) with no upper row to tell them apart."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Pages"
    ws.append(["Mois", "Site", "Pages vues", "Pages vues", "Contributions"])
    for month, web, app, contributions in months:
        ws.append([month, "Paris", web, app, contributions])
    wb.save(path)
    return path


def test_repeated_header_refused_with_the_position_to_type(tmp_path):
    result = check_file(repeated(tmp_path / "p.xlsx"), segment="B2E")
    [error] = [i for i in result.sheets[0].issues if i.code == "ambiguous_columns"]
    assert '--map "Pages vues#2=ignore"' in error.message_fr and "(la colonne D par exemple)" in error.message_fr
    assert not result.importable


@pytest.mark.parametrize("maps, page_views", [
    ({"Pages vues#2": "ignore"}, 4100.0),  # the site's: 2000 + 2100
    ({"D": "ignore"}, 4100.0),  # the same column by its letter
    ({"Pages vues#1": "ignore"}, 610.0),  # the app's: 300 + 310
    ({"C": "ignore"}, 610.0),
])
def test_a_repeated_header_named_by_position(tmp_path, maps, page_views):
    result = check_file(repeated(tmp_path / "p.xlsx"), segment="B2E", maps=maps)
    assert result.importable
    assert result.sheets[0].totals == {"page_views": page_views, "contributions": 65.0}  # 30 + 35


def test_a_letter_names_a_column_without_header(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Mois", None, "Clics"])
    ws.append(["janv. 2026", "Marque A", 10])
    ws.append(["janv. 2026", "Marque B", 15])
    wb.save(tmp_path / "h.xlsx")
    sheet = check_file(tmp_path / "h.xlsx", segment="B2C", maps={"B": "entity"}).sheets[0]
    assert sheet.observations.groupby("entity")["value"].sum().to_dict() == {"Marque A": 10.0, "Marque B": 15.0}


def test_a_header_that_reads_as_a_letter_wins_over_the_letter(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Mois", "Marque", "CA"])  # "CA": chiffre d'affaires, also the letter of column 79
    ws.append(["janv. 2026", "A", 1200])
    wb.save(tmp_path / "ca.xlsx")
    sheet = check_file(tmp_path / "ca.xlsx", segment="B2C", maps={"CA": "revenue"}).sheets[0]
    assert {c.letter: c.kpi for c in sheet.columns if c.role == "kpi"} == {"C": "revenue"}
    assert sheet.totals == {"revenue": 1200.0}


def test_names_for_keeps_what_names_the_sheet():
    maps = {"Pages vues#2": "ignore", "Clics": "clicks", "D": "entity", "B": "channel"}
    assert names_for(maps, ["Mois", "", "Pages vues", "Pages vues"]) == {"Pages vues#2": "ignore", "B": "channel"}


def test_remembered_position_applies_when_the_file_comes_back(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    first = check_file(repeated(tmp_path / "p.xlsx"), segment="B2E")
    store.remember_mapping(first.sheets[0].headers, {"Pages vues#2": "ignore"}, by="test")
    # next month: one more row, the same headers
    later = repeated(tmp_path / "p2.xlsx", months=(("janv. 2026", 2000, 300, 30), ("févr. 2026", 2100, 310, 35),
                                                   ("mars 2026", 2200, 320, 40)))
    result = check_file(later, segment="B2E", remembered=store.remembered_mappings())
    assert result.importable
    assert result.sheets[0].totals == {"page_views": 6300.0, "contributions": 105.0}  # 2000+2100+2200, 30+35+40


def test_two_level_remembered_mapping_survives_a_month_added(tmp_path):
    """A position in a two-level sheet is the source's column: "Contributions#3" is March's. With April added
    at the right, the flat header (Site, the KPIs, Période) is unchanged, so the mapping is found, and March
    keeps its columns (J), so "#3" still drops March's contributions only."""
    store = Store(tmp_path / "s.duckdb")
    march = monthly_report(tmp_path / "mars.xlsx")
    headers = check_file(march, segment="B2E").sheets[0].headers
    assert headers == ["Site", "Visiteurs uniques", "Pages vues", "Contributions", "Période"]
    store.remember_mapping(headers, {**CONFIRM, "Contributions#3": "ignore"}, by="test")
    remembered = store.remembered_mappings()
    now = check_file(march, segment="B2E", remembered=remembered)
    assert now.importable  # the question is answered by the remembered mapping
    assert now.sheets[0].totals["contributions"] == 87.0  # 30 + 35 + 10 + 12: March (40, 15) dropped
    april = {site: [*values, (v[-1][0] + 5, v[-1][1] + 100, v[-1][2] + 5)]
             for site, values in SITES.items() for v in [values]}  # Paris April (125, 2400, 45), Lyon (65, 1100, 20)
    later = check_file(monthly_report(tmp_path / "avril.xlsx", months=[*MONTHS, "avr. 2026"], sites=april),
                       segment="B2E",
                       remembered=remembered)
    assert later.importable
    assert later.sheets[0].headers == headers
    assert later.sheets[0].totals["contributions"] == 152.0  # 87 + April's 45 + 20; March still dropped
    assert later.sheets[0].totals["page_views"] == 12750.0  # 9250 + 2400 + 1100
