"""Group labels printed once per group (CRM "formatted reports"), filled down inside their block.

Every file is written here, by openpyxl (or as CSV text), the way a CRM or an Excel pivot prints it.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import numpy as np
import pytest

from conftest import write_xlsx_openpyxl
from kpis import cli, ingest
from kpis.ingest.groups import fill_group_labels
from kpis.ingest.issues import IssueLog
from kpis.ingest.results import Column
from kpis.ingest.table import SheetTable
from kpis.model import Filter
from kpis.store import Store

CRM_MAPS = {"Mois de création": "period:month", "Origine de la piste": "channel", "Nombre de pistes": "leads",
            "Campagne": "initiative"}

LEADS = {  # month → (channel, leads), as the CRM lists them
    "Octobre 2026": [("Web", 1210), ("Salon", 340), ("Partenaire", 95), ("Téléphone", 17)],
    "Novembre 2026": [("Web", 1402), ("Salon", 0), ("Partenaire", 118)],
    "Décembre 2026": [("Web", 880), ("Partenaire", 64), ("Téléphone", 41)],
}
# October 1210 + 340 + 95 + 17 = 1662; November 1402 + 0 + 118 = 1520; December 880 + 64 + 41 = 985;
# all 1662 + 1520 + 985 = 4167 leads on 10 rows, of which 7 have a blank month.


def salesforce_rows(subtotal=lambda month: "Sous-total") -> list[list]:
    """Title rows, the month printed once per group, a subtotal row per month and a grand total."""
    rows: list[list] = [["Pistes par mois de création et origine"], ["Filtré par : toutes les pistes"], [],
                        ["Mois de création", "Origine de la piste", "Nombre de pistes"]]
    for month, lines in LEADS.items():
        rows += [[month if k == 0 else None, channel, n] for k, (channel, n) in enumerate(lines)]
        rows.append([subtotal(month), None, sum(n for _, n in lines)])
    rows.append(["Total", None, 4167])
    return rows


def write(tmp_path, rows, fmt="openpyxl", name="rapport_pistes"):
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out, delimiter=";").writerows([["" if c is None else c for c in r] for r in rows])
        path = tmp_path / f"{name}.csv"
        path.write_text(out.getvalue(), encoding="utf-8")
        return path
    path = tmp_path / f"{name}.xlsx"
    write_xlsx_openpyxl(path, {"Rapport": rows})
    return path


def read(path, **options) -> ingest.SheetResult:
    result = ingest.check_file(path, segment="B2B", maps=CRM_MAPS, **options)
    assert len(result.sheets) == 1
    sheet = result.sheets[0]
    rows = sheet.rows
    assert rows["read"] == rows["kept"] + rows["rejected"] + rows["dropped"]
    return sheet


def per(sheet, *by) -> dict:
    obs = sheet.observations
    return {k: float(v) for k, v in obs.groupby(list(by))["value"].sum().items()}


def notes(sheet, code) -> list[tuple]:
    return [(i.row, i.column, i.message_fr, i.message_en) for i in sheet.issues if i.code == code]


@pytest.mark.parametrize("fmt", ["openpyxl", "csv"])
def test_salesforce_month_printed_once_per_group(tmp_path, fmt):
    result = ingest.check_file(write(tmp_path, salesforce_rows(), fmt), segment="B2B", maps=CRM_MAPS)
    sheet = result.sheets[0]
    assert result.importable
    assert sheet.rows == {"read": 14, "kept": 10, "rejected": 0, "dropped": 4}  # 3 subtotals and the total
    assert sheet.totals == {"leads": 4167.0}
    months = {str(k.date()): v for k, v in per(sheet, "period_start").items()}
    assert months == {"2026-10-01": 1662.0, "2026-11-01": 1520.0, "2026-12-01": 985.0}
    assert per(sheet, "channel")["Web"] == 1210 + 1402 + 880
    assert notes(sheet, "group_labels_filled") == [(
        None, "A", "Colonne « Mois de création » : 7 cellules vides complétées par le libellé du groupe au-dessus "
        "(rapport groupé).",
        "Column 'Mois de création': 7 blank cells filled with the group label above (grouped report).")]
    assert [i for i in sheet.issues if i.severity == "error"] == []


def test_pivot_subtotals_named_after_their_group(tmp_path):
    """An Excel pivot in tabular form: "Total Octobre 2026" under the October group is its subtotal."""
    sheet = read(write(tmp_path, salesforce_rows(lambda month: f"Total {month}")))
    assert sheet.rows == {"read": 14, "kept": 10, "rejected": 0, "dropped": 4}
    assert sheet.totals == {"leads": 4167.0}
    assert [i.message_en for i in sheet.issues if i.code == "group_subtotals"] == [
        "3 group subtotal row(s) ('Total' and the label above) left out, row(s) 9, 13, 17."]
    english = read(write(tmp_path, salesforce_rows(lambda month: f"{month} Total"), name="en"))
    assert english.totals == {"leads": 4167.0} and english.rows["dropped"] == 4


def test_entity_printed_once_per_group(tmp_path):
    rows = [["Leads par filiale"], [], ["Pays", "Jour", "Leads"],
            ["France", date(2026, 10, 1), 12], [None, date(2026, 10, 2), 15], [None, date(2026, 10, 3), 9],
            ["Total France", None, 36],
            ["Belgique", date(2026, 10, 1), 4], [None, date(2026, 10, 2), 6],
            ["Total Belgique", None, 10],
            ["Suisse", date(2026, 10, 1), 2], [None, date(2026, 10, 3), 1],
            ["Total Suisse", None, 3],
            ["Total général", None, 49]]
    sheet = read(write(tmp_path, rows))
    # France 12 + 15 + 9 = 36, Belgique 4 + 6 = 10, Suisse 2 + 1 = 3; every day row kept
    assert per(sheet, "entity") == {"France": 36.0, "Belgique": 10.0, "Suisse": 3.0}
    assert sheet.rows == {"read": 11, "kept": 7, "rejected": 0, "dropped": 4}
    assert [c for _, c, *_ in notes(sheet, "group_labels_filled")] == ["A"]
    assert "4 cellules vides" in notes(sheet, "group_labels_filled")[0][2]


def test_two_levels_month_and_channel_printed_once(tmp_path):
    rows = [["Mois de création", "Origine de la piste", "Campagne", "Nombre de pistes"],
            ["Octobre 2026", "Web", "Rentrée", 100], [None, None, "Noël", 20], [None, "Sous-total", None, 120],
            [None, "Salon", "Rentrée", 30], [None, "Sous-total", None, 30],
            ["Sous-total", None, None, 150],
            ["Novembre 2026", "Web", "Noël", 200], [None, None, "Rentrée", 5], [None, "Sous-total", None, 205],
            ["Sous-total", None, None, 205],
            ["Total", None, None, 355]]
    sheet = read(write(tmp_path, rows))
    # October: Web 100 + 20, Salon 30 = 150; November: Web 200 + 5 = 205
    assert sheet.rows == {"read": 11, "kept": 5, "rejected": 0, "dropped": 6}
    months = {str(k.date()): v for k, v in per(sheet, "period_start").items()}
    assert months == {"2026-10-01": 150.0, "2026-11-01": 205.0}
    assert per(sheet, "channel") == {"Web": 325.0, "Salon": 30.0}
    assert [c for _, c, *_ in notes(sheet, "group_labels_filled")] == ["A", "B"]


def test_daily_file_with_missing_dates_stays_rejected(tmp_path):
    rows = [["Jour", "Origine de la piste", "Nombre de pistes"]]
    rows += [[date(2026, 10, d), "Web", d] for d in range(1, 21)]
    rows[6][0] = rows[14][0] = None  # two genuinely missing dates (rows 7 and 15 of the sheet)
    sheet = read(write(tmp_path, rows))
    assert sheet.rows == {"read": 20, "kept": 18, "rejected": 2, "dropped": 0}
    assert [(i.code, i.row, i.column) for i in sheet.issues if i.severity == "error"] == [
        ("date_unparseable", 7, "A"), ("date_unparseable", 15, "A")]
    assert notes(sheet, "group_labels_filled") == []


def test_blanks_below_a_subtotal_are_not_filled(tmp_path):
    rows = [["Mois de création", "Origine de la piste", "Nombre de pistes"],
            ["Octobre 2026", "Web", 10], [None, "Salon", 4], [None, "Partenaire", 2],
            ["Sous-total", None, 16],
            [None, "Web", 7], [None, "Salon", 1],  # below the subtotal, no new month: rows 6 and 7
            ["Novembre 2026", "Web", 12], [None, "Salon", 3],
            ["Total", None, 36]]
    sheet = read(write(tmp_path, rows))
    assert sheet.rows == {"read": 9, "kept": 5, "rejected": 2, "dropped": 2}
    assert [(i.code, i.row, i.column) for i in sheet.issues if i.severity == "error"] == [
        ("group_label_missing", 6, "A"), ("group_label_missing", 7, "A")]
    missing = next(i for i in sheet.issues if i.code == "group_label_missing")
    assert missing.message_en.startswith("Column 'Mois de création' blank below a subtotal")
    assert sheet.totals == {"leads": 10 + 4 + 2 + 12 + 3}


def test_one_label_then_blanks_without_total_is_not_a_group(tmp_path):
    """A blank entity under France may mean all entities: not guessed without a group pattern or a total."""
    rows = [["Jour", "Pays", "Leads"], [date(2026, 10, 1), "France", 3], [date(2026, 10, 2), None, 4]]
    sheet = read(write(tmp_path, rows))
    assert per(sheet, "entity") == {"France": 3.0, "(all)": 4.0}
    assert notes(sheet, "group_labels_filled") == []


def test_repeated_labels_are_not_a_group_column(tmp_path):
    """Dates repeated on consecutive rows (one row per channel) are an ordinary file: a blank stays missing."""
    rows = [["Jour", "Origine de la piste", "Nombre de pistes"],
            [date(2026, 10, 1), "Web", 1], [date(2026, 10, 1), "Salon", 2], [None, "Partenaire", 3],
            [date(2026, 10, 2), "Web", 4], [None, "Salon", 5], [None, "Partenaire", 6], ["Total", None, 21]]
    sheet = read(write(tmp_path, rows))
    assert sheet.rows["rejected"] == 3
    assert notes(sheet, "group_labels_filled") == []


def test_stage_returns_a_new_table_and_leaves_its_input_alone():
    body = [["Octobre 2026", "Web", 120], ["", "Salon", 30], ["Sous-total", "", 150]]
    table = SheetTable.from_rows(body, [5, 6, 7], width=3)
    cols = [Column(0, "Mois", "period"), Column(1, "Canal", "channel"), Column(2, "Leads", "kpi", "leads")]
    dropped = np.array([False, False, True])
    out = fill_group_labels(table, cols, dropped, IssueLog("CRM"))
    assert out.table is not table and out.cells_filled == 1
    assert out.table.cells[0] == ["Octobre 2026", "Octobre 2026", "Sous-total"]
    assert table.cells[0] == ["Octobre 2026", "", "Sous-total"] and dropped.tolist() == [False, False, True]


def test_missing_last_date_above_the_total_stays_rejected(tmp_path):
    """The last block ends at the total, but the other days are not groups closed by subtotals."""
    rows = [["Jour", "Nombre de pistes"]] + [[date(2026, 10, d), d] for d in range(1, 11)] + [[None, 11]]
    rows.append(["Total", 66])
    sheet = read(write(tmp_path, rows))
    assert [(i.code, i.row) for i in sheet.issues if i.severity == "error"] == [("date_unparseable", 12)]


def test_groups_of_one_row_closed_by_their_subtotals(tmp_path):
    rows = [["Pays", "Mois de création", "Leads"],
            ["France", "Octobre 2026", 10], [None, "Novembre 2026", 12], ["Sous-total", None, 22],
            ["Belgique", "Octobre 2026", 3], ["Sous-total", None, 3],
            ["Suisse", "Novembre 2026", 1], ["Sous-total", None, 1]]
    sheet = read(write(tmp_path, rows))
    # one group of two rows among three: filled only because every group ends at its subtotal
    assert per(sheet, "entity") == {"France": 22.0, "Belgique": 3.0, "Suisse": 1.0}
    assert sheet.rows == {"read": 7, "kept": 4, "rejected": 0, "dropped": 3}


def test_group_subtotals_dropped_when_every_group_has_one_row(tmp_path):
    rows = [["Pays", "Jour", "Leads"], ["France", date(2026, 10, 1), 5], ["Total France", None, 5],
            ["Belgique", date(2026, 10, 1), 2], ["Total Belgique", None, 2]]
    sheet = read(write(tmp_path, rows))
    assert sheet.rows == {"read": 4, "kept": 2, "rejected": 0, "dropped": 2}
    assert per(sheet, "entity") == {"France": 5.0, "Belgique": 2.0}


def test_outline_headings_carrying_the_subtotal_are_not_filled(tmp_path):
    """Filling "Octobre 2026" down here would count October twice (162 on the heading, 120 + 42 below)."""
    rows = [["Mois de création", "Origine de la piste", "Nombre de pistes"],
            ["Octobre 2026", None, 162], [None, "Web", 120], [None, "Salon", 42],
            ["Novembre 2026", None, 165], [None, "Web", 140], [None, "Salon", 25]]
    result = ingest.check_file(write(tmp_path, rows), segment="B2B", maps=CRM_MAPS)
    sheet = result.sheets[0]
    assert not result.importable and sheet.rows["rejected"] == 4
    assert [(i.code, i.column) for i in sheet.issues if i.severity == "warning"] == [
        ("group_heads_with_values", "A")]
    assert sheet.totals == {"leads": 162 + 165}  # what --accept-rejections would keep: the month subtotals


def test_outline_headings_without_values_are_filled_from(tmp_path):
    rows = [["Mois de création", "Origine de la piste", "Nombre de pistes"],
            ["Octobre 2026", None, None], [None, "Web", 120], [None, "Salon", 42],
            ["Novembre 2026", None, None], [None, "Web", 140], [None, "Salon", 25]]
    result = ingest.check_file(write(tmp_path, rows), segment="B2B", maps=CRM_MAPS)
    sheet = result.sheets[0]
    assert result.importable and sheet.rows["rejected"] == 0
    months = {str(k.date()): v for k, v in per(sheet, "period_start").items()}
    assert months == {"2026-10-01": 162.0, "2026-11-01": 165.0}  # 120 + 42, 140 + 25


def test_entity_headings_carrying_the_subtotal_reject_the_rows_below(tmp_path):
    """Left as they are, the rows under "France" would be stored as all entities next to France's subtotal."""
    rows = [["Pays", "Jour", "Leads"],
            ["France", None, 27], [None, date(2026, 10, 1), 12], [None, date(2026, 10, 2), 15],
            ["Belgique", None, 10], [None, date(2026, 10, 1), 4], [None, date(2026, 10, 2), 6]]
    result = ingest.check_file(write(tmp_path, rows), segment="B2B", maps=CRM_MAPS)
    sheet = result.sheets[0]
    assert not result.importable
    assert [(i.code, i.row) for i in sheet.issues if i.severity == "error"] == [
        ("group_heading_above", 3), ("group_heading_above", 4), ("group_heading_above", 6),
        ("group_heading_above", 7), ("date_unparseable", 2), ("date_unparseable", 5)]
    assert sheet.totals == {}


def test_salesforce_footer_below_the_grand_total_is_not_data(tmp_path):
    rows = salesforce_rows() + [[], ["Confidential Information - Do Not Distribute"],
                                ["Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."]]
    result = ingest.check_file(write(tmp_path, rows), segment="B2B", maps=CRM_MAPS)
    assert result.importable
    assert result.sheets[0].rows == {"read": 16, "kept": 10, "rejected": 0, "dropped": 6}
    assert result.sheets[0].totals == {"leads": 4167.0}


def test_import_through_the_command_line_stores_every_lead(tmp_path, capsys):
    path = write(tmp_path, salesforce_rows())
    store = tmp_path / "store.duckdb"
    maps = [a for h, t in CRM_MAPS.items() for a in ("--map", f"{h}={t}")]
    assert cli.main(["check", str(path), "--segment", "B2B", *maps, "--store", str(store)]) == 0
    assert "Column 'Mois de création': 7 blank cells filled with the group label above" in capsys.readouterr().out
    assert cli.main(["import", str(path), "--segment", "B2B", *maps, "--store", str(store)]) == 0
    totals = Store(store).native_totals(Filter(kpis=("leads",)))
    assert dict(zip(totals["period_start"].astype(str), totals["value"], strict=True)) == {
        "2026-10-01": 1662.0, "2026-11-01": 1520.0, "2026-12-01": 985.0}  # 4167 leads, not 737
