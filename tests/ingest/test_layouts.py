"""Two-level headers and pivot tables (``kpis.ingest.layouts``): real workbooks written with openpyxl, merged
cells really merged, totals computed by hand beside each file, and a near miss beside each layout."""

from __future__ import annotations

import pytest
from layout_files import CONFIRM, monthly_report, pivot_workbook
from openpyxl import Workbook

from kpis.ingest import check_file


def only(result):
    [sheet] = result.sheets
    return sheet


def by(sheet, *keys: str) -> dict:
    obs = sheet.observations
    obs = obs.assign(month=obs["period_start"].dt.strftime("%Y-%m"))
    return obs.groupby(list(keys), observed=True)["value"].sum().to_dict()


# --- two-level headers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("merged", [True, False], ids=["merged", "repeated"])
def test_months_over_kpis_read_as_month_by_kpi_total_block_dropped(tmp_path, merged):
    result = check_file(monthly_report(tmp_path / "intranet.xlsx", merged=merged), segment="B2E", maps=CONFIRM)
    sheet = only(result)
    assert (sheet.layout, sheet.header_row, sheet.grain) == ("two_level", 4, "month")
    assert sheet.totals == {"unique_visitors": 495.0, "page_views": 9250.0, "contributions": 142.0}
    assert by(sheet, "month", "entity", "kpi")[("2026-02", "Paris", "page_views")] == 2100.0
    assert by(sheet, "entity", "kpi")[("Lyon", "contributions")] == 37.0  # 10 + 12 + 15
    assert sheet.period == {"start": "2026-01-01", "end": "2026-03-31"}
    letters = {c.header: c.letter for c in sheet.columns}
    assert letters["Pages vues"] == "C, F, I" and letters["Site"] == "A"  # the source's columns
    notes = {i.code: (i.row, i.column) for i in sheet.issues}
    assert notes["total_block_dropped"] == (3, "K–M")  # the TOTAL block, columns K to M of row 3
    assert "two_level_header" in notes
    assert sheet.rows == {"read": 3, "kept": 2, "rejected": 0, "dropped": 1}  # the source's rows: Total dropped
    assert result.importable


def test_two_level_question_asked_then_confirmed_by_the_flat_header(tmp_path):
    path = monthly_report(tmp_path / "intranet.xlsx")
    asked = check_file(path, segment="B2E")
    assert [(q.column, q.header, q.kpi) for q in asked.questions] == [("B, E, H", "Visiteurs uniques",
                                                                       "unique_visitors")]
    assert not asked.importable
    assert check_file(path, segment="B2E", maps=CONFIRM).importable


def test_unreadable_cell_named_in_its_own_month_column(tmp_path):
    # Lyon (row 6), February's page views (column F): 950 replaced by "n/d"
    sheet = only(check_file(monthly_report(tmp_path / "i.xlsx", bad="F6"), segment="B2E", maps=CONFIRM))
    errors = [(i.row, i.column) for i in sheet.issues if i.severity == "error"]
    assert errors == [(6, "F")]
    assert sheet.totals["page_views"] == 9250.0 - 950.0


@pytest.mark.parametrize("total", ["Total", "Cumul"])
def test_entities_over_kpis_with_months_down(tmp_path, total):
    wb = Workbook()
    ws = wb.active
    ws.title = "Sites"
    ws.append(["Mois", "Paris", None, "Lyon", None, total, None])
    ws.merge_cells("B1:C1")
    ws.merge_cells("D1:E1")
    ws.merge_cells("F1:G1")
    ws.append([None, "Pages vues", "Contributions", "Pages vues", "Contributions", "Pages vues", "Contributions"])
    ws.append(["janv. 2026", 2000, 30, 900, 10, 2900, 40])
    ws.append(["févr. 2026", 2100, 35, 950, 12, 3050, 47])
    wb.save(tmp_path / "sites.xlsx")
    sheet = only(check_file(tmp_path / "sites.xlsx", segment="B2E"))
    assert sheet.layout == "two_level"
    # Paris 2000 + 2100 = 4100, Lyon 900 + 950 = 1850; the Total (or Cumul) block (F:G) dropped
    assert by(sheet, "entity", "kpi") == {("Lyon", "contributions"): 22.0, ("Lyon", "page_views"): 1850.0,
                                          ("Paris", "contributions"): 65.0, ("Paris", "page_views"): 4100.0}
    assert by(sheet, "month", "kpi")[("2026-02", "page_views")] == 3050.0  # 2100 + 950


def test_channels_over_kpis_become_the_channel(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append([None, "Search", None, "Social", None])  # no corner naming the dimension: the labels are channels
    ws.merge_cells("B1:C1")
    ws.merge_cells("D1:E1")
    ws.append(["Mois", "Clics", "Impressions", "Clics", "Impressions"])
    ws.append(["janv. 2026", 120, 3000, 45, 5000])
    ws.append(["févr. 2026", 130, 3100, 50, 5200])
    wb.save(tmp_path / "canaux.xlsx")
    sheet = only(check_file(tmp_path / "canaux.xlsx", segment="B2C"))
    # clicks: Search 120 + 130 = 250, Social 45 + 50 = 95
    assert by(sheet, "channel", "kpi")[("Search", "clicks")] == 250.0
    assert by(sheet, "channel", "kpi")[("Social", "clicks")] == 95.0
    assert set(sheet.observations["entity"]) == {"(all)"}


def test_near_miss_upper_row_neither_periods_nor_a_dimension_is_refused_naming_the_row(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Mix"
    ws.append(["Rapport"])
    ws.append(["Site", "janv. 2026", None, "Budget", None])
    ws.merge_cells("B2:C2")
    ws.merge_cells("D2:E2")
    ws.append([None, "Pages vues", "Contributions", "Pages vues", "Contributions"])
    ws.append(["Paris", 2000, 30, 900, 10])
    wb.save(tmp_path / "mix.xlsx")
    result = check_file(tmp_path / "mix.xlsx", segment="B2E")
    sheet = only(result)
    [error] = [i for i in sheet.issues if i.severity == "error"]
    assert error.code == "two_level_upper_row"
    assert error.message_fr.startswith("Ligne 2 : la ligne au-dessus des indicateurs (« janv. 2026 », « Budget »)")
    assert error.message_en.startswith("Row 2: the row above the KPIs ('janv. 2026', 'Budget')")
    assert not result.importable and sheet.observations.empty


# --- pivot tables (layout_files.BRANDS: all clicks 685) --------------------------------------------------------

@pytest.mark.parametrize("in_filters", [False, True], ids=["corner", "filter-block"])
def test_pivot_brands_and_channels_down_months_across(tmp_path, in_filters):
    result = check_file(pivot_workbook(tmp_path / "tcd.xlsx", in_filters=in_filters))
    sheet = only(result)
    assert (sheet.layout, sheet.segments, sheet.grain) == ("pivot", ["B2C"], "month")  # B2C from the filter
    assert sheet.totals == {"clicks": 685.0}  # subtotals, the grand total row and column dropped
    assert by(sheet, "entity", "channel") == {("Marque A", "Search"): 310.0, ("Marque A", "Social"): 120.0,
                                              ("Marque B", "Search"): 210.0, ("Marque B", "Display"): 45.0}
    assert by(sheet, "month")["2026-02"] == 270.0  # 120 + 50 + 80 + 20
    # rows 6 to 12: four channel rows kept; two brand subtotals and the grand total dropped
    assert sheet.rows == {"read": 7, "kept": 4, "rejected": 0, "dropped": 3}
    codes = {i.code: (i.row, i.column) for i in sheet.issues}
    assert codes["total_block_dropped"] == (5, "F")
    assert codes["pivot_measure"] == ((2, "B") if in_filters else (4, "A"))  # where the measure is named
    assert "group_labels_filled" in codes  # "Marque A" printed once, filled down to the Social row
    assert result.importable


def test_pivot_kpis_across_months_down_english(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Row Labels", "Sum of Clicks", "Sum of Impressions", "Average of CTR"])
    for month, clicks, impressions in [("Jan 2026", 100, 1000), ("Feb 2026", 150, 1200), ("Mar 2026", 120, 1100)]:
        ws.append([month, clicks, impressions, clicks / impressions])
    ws.append(["Grand Total", 370, 3300, 370 / 3300])
    wb.save(tmp_path / "pivot.xlsx")
    result = check_file(tmp_path / "pivot.xlsx", segment="B2C")
    sheet = only(result)
    # clicks 100 + 150 + 120 = 370, impressions 1000 + 1200 + 1100 = 3300; the average CTR is a ratio: ignored
    assert sheet.totals == {"clicks": 370.0, "impressions": 3300.0}
    assert {c.header: c.role for c in sheet.columns}["Average of CTR"] == "ignored"
    assert sheet.rows["dropped"] == 1 and result.importable


@pytest.mark.parametrize("measure", ["Moyenne de Clics", "Average of Clicks", "Max de Clics"])
def test_near_miss_pivot_of_an_average_is_refused(tmp_path, measure):
    result = check_file(pivot_workbook(tmp_path / "moy.xlsx", measure=measure))
    sheet = only(result)
    [error] = [i for i in sheet.issues if i.severity == "error"]
    assert error.code == "pivot_average"
    assert f"« {measure} » (cellule A4)" in error.message_fr and f"'{measure}' (cell A4)" in error.message_en
    assert not result.importable and sheet.observations.empty


def test_pivot_measure_not_in_the_catalog_is_mapped_by_its_name(tmp_path):
    path = pivot_workbook(tmp_path / "visites.xlsx", measure="Somme de Passages en boutique")
    unknown = only(check_file(path))
    assert [u["header"] for u in unknown.unknown_columns] == ["Passages en boutique"]
    mapped = only(check_file(path, maps={"Passages en boutique": "sessions"}))
    assert mapped.totals == {"sessions": 685.0}  # the same cells as the clicks above


def test_near_miss_compact_pivot_refused_rather_than_counted_twice(tmp_path):
    # compact form: brands and channels share column A, each brand's row carries its subtotal
    wb = Workbook()
    ws = wb.active
    ws.append(["Somme de Clics", "Étiquettes de colonnes"])
    ws.append(["Étiquettes de lignes", "janv. 2026", "févr. 2026", "Total général"])
    ws.append(["Marque A", 140, 170, 310])  # row 3 = Search + Social below
    ws.append(["Search", 100, 120, 220])
    ws.append(["Social", 40, 50, 90])
    ws.append(["Marque B", 80, 100, 180])
    ws.append(["Search", 70, 80, 150])
    ws.append(["Display", 10, 20, 30])
    ws.append(["Total général", 220, 270, 490])
    wb.save(tmp_path / "compact.xlsx")
    result = check_file(tmp_path / "compact.xlsx", segment="B2C")
    [error] = [i for i in only(result).issues if i.severity == "error"]
    assert error.code == "pivot_compact_form" and error.message_fr.startswith("Ligne 3 : le tableau croisé est en")
    assert not result.importable


def test_compact_pivot_of_one_row_field_is_read(tmp_path):
    # one row field only (brands), no headings: nothing is counted twice
    wb = Workbook()
    ws = wb.active
    ws.append(["Sum of Clicks", "Column Labels"])
    ws.append(["Row Labels", "Jan 2026", "Feb 2026", "Grand Total"])
    ws.append(["Brand A", 140, 170, 310])
    ws.append(["Brand B", 80, 100, 180])
    ws.append(["Grand Total", 220, 270, 490])
    wb.save(tmp_path / "brands.xlsx")
    sheet = only(check_file(tmp_path / "brands.xlsx", segment="B2C"))
    # Brand A 140 + 170 = 310, Brand B 80 + 100 = 180
    assert by(sheet, "entity") == {"Brand A": 310.0, "Brand B": 180.0}


def test_near_miss_pivot_with_two_column_fields_is_refused(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Somme de Clics", None, "Étiquettes de colonnes"])
    ws.append(["Marque", "janv. 2026", None, "févr. 2026", None])
    ws.merge_cells("B2:C2")
    ws.merge_cells("D2:E2")
    ws.append([None, "Search", "Social", "Search", "Social"])
    ws.append(["Marque A", 100, 40, 120, 50])
    wb.save(tmp_path / "two_fields.xlsx")
    result = check_file(tmp_path / "two_fields.xlsx", segment="B2C")
    [error] = [i for i in only(result).issues if i.severity == "error"]
    assert error.code == "pivot_two_column_fields" and error.message_en.startswith("Row 2: the pivot table has two")
    assert not result.importable


def test_two_level_header_in_a_csv_repeats_its_labels(tmp_path):
    path = tmp_path / "intranet.csv"
    path.write_text("Site;janv. 2026;janv. 2026;févr. 2026;févr. 2026;Total;Total\n"
                    ";Pages vues;Contributions;Pages vues;Contributions;Pages vues;Contributions\n"
                    "Paris;2 000;30;2 100;35;4 100;65\n"
                    "Lyon;900;10;950;12;1 850;22\n", encoding="utf-8")
    sheet = only(check_file(path, segment="B2E"))
    assert sheet.layout == "two_level"
    # page views 2000 + 2100 + 900 + 950 = 5950; contributions 30 + 35 + 10 + 12 = 87
    assert sheet.totals == {"page_views": 5950.0, "contributions": 87.0}
    assert sheet.rows == {"read": 2, "kept": 2, "rejected": 0, "dropped": 0}
