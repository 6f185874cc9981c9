"""Ingestion (kpis.ingest) on real workbooks and CSV files written by each test.

Every quirk of issue 2 §3 has a row in a table below; every result goes
through ``_consistent`` (``read = kept + rejected + dropped``, totals = the
plain sum of the kept values, JSON-serialisable report).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
import xlwt

from conftest import write_xlsx_openpyxl
from kpis import ingest
from kpis.errors import UsageError

D1, D2, D3 = date(2026, 9, 1), date(2026, 9, 2), date(2026, 9, 3)


# --- writers: one sheet = a list of rows, None = empty cell ---------------------------------


_xlsx_openpyxl = write_xlsx_openpyxl


def _xlsx_xlsxwriter(path: Path, sheets: dict[str, list[list]]) -> None:
    with xlsxwriter.Workbook(str(path)) as book:
        day = book.add_format({"num_format": "dd/mm/yyyy"})
        for name, rows in sheets.items():
            sheet = book.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if isinstance(value, date):
                        sheet.write_datetime(r, c, datetime.combine(value, datetime.min.time()) if
                                             not isinstance(value, datetime) else value, day)
                    elif value is not None:
                        sheet.write(r, c, value)


def _xls(path: Path, sheets: dict[str, list[list]]) -> None:
    book = xlwt.Workbook()
    day = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write(r, c, value, day)
                elif value is not None:
                    sheet.write(r, c, value)
    book.save(str(path))


def _ods(path: Path, sheets: dict[str, list[list]]) -> None:
    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, rows in sheets.items():
            width = max(len(r) for r in rows)
            frame = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows], dtype=object)
            frame.to_excel(writer, sheet_name=name, header=False, index=False)


def _csv_text(rows: list[list], sep: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v for v in row])
    return out.getvalue()


WRITERS = {"openpyxl": ("xlsx", _xlsx_openpyxl), "xlsxwriter": ("xlsx", _xlsx_xlsxwriter), "xls": ("xls", _xls),
           "ods": ("ods", _ods)}
FORMATS = (*WRITERS, "csv")


def write(tmp_path: Path, fmt: str, rows: list[list] | None = None, *, sheets: dict | None = None,
          name: str = "export", encoding: str = "utf-8", sep: str = ",") -> Path:
    """Write rows (or several sheets) as a real file in ``fmt``; returns its path."""
    sheets = sheets or {"Feuil1": rows}
    if fmt == "csv":
        path = tmp_path / f"{name}.csv"
        path.write_bytes(_csv_text(next(iter(sheets.values())), sep).encode(encoding))
        return path
    ext, writer = WRITERS[fmt]
    path = tmp_path / f"{name}.{ext}"
    writer(path, sheets)
    return path


def check(path: Path, **options) -> ingest.FileResult:
    result = ingest.check_file(path, **options)
    for sheet in result.sheets:
        _consistent(sheet)
    json.dumps(result.to_json(), allow_nan=False)
    return result


def check_rows(tmp_path, rows, fmt="openpyxl", **options) -> ingest.FileResult:
    return check(write(tmp_path, fmt, rows), **options)


def _consistent(sheet: ingest.SheetResult) -> None:
    rows = sheet.rows
    assert rows["read"] == rows["kept"] + rows["rejected"] + rows["dropped"], rows
    obs = sheet.observations
    sums = {k: float(v) for k, v in obs.groupby("kpi")["value"].sum().items()} if len(obs) else {}
    assert sheet.totals == pytest.approx(sums)


def only(result: ingest.FileResult) -> ingest.SheetResult:
    assert len(result.sheets) == 1
    return result.sheets[0]


def codes(sheet, severity=None) -> list[tuple]:
    return [(i.code, i.row, i.column) for i in sheet.issues if severity in (None, i.severity)]


def observed(sheet, *dims: str) -> set[tuple]:
    """Observations as ``(period_start, [dims...], kpi, value)`` tuples."""
    obs = sheet.observations
    return {(str(r.period_start.date()), *(getattr(r, d) for d in dims), r.kpi, round(r.value, 6))
            for r in obs.itertuples()}


def roles(sheet) -> dict[str, tuple]:
    return {c.letter: (c.role, c.kpi) for c in sheet.columns}


# --- header, description row, totals: the same sheet in every format ---------------------------

TITLED = [
    ["Rapport des campagnes — Google Ads"],
    ["Période du rapport :", "1 sept. 2026 - 30 sept. 2026"],
    ["Note : données provisoires, ne pas diffuser"],
    [],
    ["# Compte : Démo"],
    ["#"],
    ["Jour", "Campagne", "Impressions", "Clics", "CTR"],
    ["Date de la journée", "Nom de la campagne", "Nombre d'affichages", "Nombre de clics", "Clics / impressions"],
    [D1, "Rentrée", 1000, 30, 0.03],
    [D2, "Rentrée", 2000, 50, 0.025],
    [D2, "Total Store", 500, 10, 0.02],
    ["Total", None, 3500, 90, 0.0257],
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_header_below_title_rows_description_and_total_dropped(tmp_path, fmt):
    sheet = only(check_rows(tmp_path, TITLED, fmt, segment="B2C"))
    assert sheet.status == "read"
    assert (sheet.header_row, sheet.layout, sheet.grain) == (7, "wide", "day")
    assert sheet.rows == {"read": 5, "kept": 3, "rejected": 0, "dropped": 2}
    assert sheet.totals == {"clicks": 90.0, "impressions": 3500.0}
    assert sheet.period == {"start": "2026-09-01", "end": "2026-09-02"}
    assert roles(sheet) == {"A": ("period", None), "B": ("initiative", None), "C": ("kpi", "impressions"),
                            "D": ("kpi", "clicks"), "E": ("ignored", None)}
    assert observed(sheet, "initiative") >= {("2026-09-02", "Total Store", "clicks", 10.0),
                                             ("2026-09-01", "Rentrée", "impressions", 1000.0)}
    assert [i.severity for i in sheet.issues if i.severity == "error"] == []


def test_csv_hash_comment_block_counts_lines(tmp_path):
    text = "# Export Google Ads\n# Compte : Démo\n#\n\nJour,Clics\n2026-09-01,12\n\n2026-09-02,abc\n"
    path = tmp_path / "ads.csv"
    path.write_text(text, encoding="utf-8")
    sheet = only(check(path, segment="B2C"))
    assert sheet.header_row == 5
    assert codes(sheet, "error") == [("number_unparseable", 8, "B")]
    assert sheet.rows == {"read": 2, "kept": 2, "rejected": 0, "dropped": 0}
    assert sheet.totals == {"clicks": 12.0}


TOTAL_LABELS = ["Total", "Totaux", "Total: Account", "Total : compte", "Grand total", "TOTAL GÉNÉRAL",
                "Sous-total France"]


@pytest.mark.parametrize("fmt", ["openpyxl", "csv"])
def test_totals_and_subtotals_dropped_but_not_total_store(tmp_path, fmt):
    rows = [["Campagne", "Jour", "Clics", "Impressions"],
            ["Rentrée", D1, 10, 100],
            ["Total Store", D1, 20, 200]]
    rows += [[label, D1 if k % 2 else None, 30, "--"] for k, label in enumerate(TOTAL_LABELS)]
    rows += [["Noël", D2, 5, 50]]
    sheet = only(check_rows(tmp_path, rows, fmt, segment="B2C"))
    assert sheet.rows == {"read": 3 + len(TOTAL_LABELS), "kept": 3, "rejected": 0, "dropped": len(TOTAL_LABELS)}
    assert sheet.totals == {"clicks": 35.0, "impressions": 350.0}
    assert ("2026-09-01", "Total Store", "clicks", 20.0) in observed(sheet, "initiative")


def test_total_row_in_first_column_without_dimension(tmp_path):
    rows = [["Jour", "Clics"], [D1, 4], [D2, 6], ["Total", 10]]
    sheet = only(check_rows(tmp_path, rows, segment="B2C"))
    assert sheet.rows == {"read": 3, "kept": 2, "rejected": 0, "dropped": 1}
    assert sheet.totals == {"clicks": 10.0}


# --- layouts ----------------------------------------------------------------------------------

EXPECTED_LAYOUT = {("2026-07-01", "clicks", 10.0), ("2026-08-01", "clicks", 20.0), ("2026-09-01", "clicks", 30.0),
                   ("2026-07-01", "impressions", 100.0), ("2026-08-01", "impressions", 200.0),
                   ("2026-09-01", "impressions", 300.0)}
MONTHS = ["juil. 2026", "août 2026", "sept. 2026"]
MONTH_DATES = [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)]

LAYOUTS = {
    "wide": ("wide", [["Mois", "Clics", "Impressions"]] + [[m, 10 * k, 100 * k] for k, m in enumerate(MONTHS, 1)]),
    "wide dates": ("wide", [["Date", "Clics", "Impr."]] + [[m, 10 * k, 100 * k] for k, m in enumerate(MONTH_DATES, 1)]),
    "long codes": ("long", [["Mois", "KPI", "Valeur"]] + [r for k, m in enumerate(MONTHS, 1) for r in
                                                           ([m, "clicks", 10 * k], [m, "impressions", 100 * k])]),
    "long synonyms": ("long", [["Période", "Indicateur", "Valeur"]] + [r for k, m in enumerate(MONTHS, 1) for r in
                                                                       ([m, "Clics", 10 * k], [m, "Impr.", 100 * k])]),
    "crosstab": ("crosstab", [["Tableau de bord mensuel"], ["Indicateur", *MONTHS, "Total"],
                              ["Clics", 10, 20, 30, 60], ["Impressions", 100, 200, 300, 600],
                              ["CTR", 0.1, 0.1, 0.1, 0.1]]),
    "crosstab dates": ("crosstab", [["KPI", *MONTH_DATES], ["clicks", 10, 20, 30], ["Total", 1, 2, 3],
                                    ["Impressions", 100, 200, 300]]),
}


@pytest.mark.parametrize("fmt", ["openpyxl", "xls", "csv"])
@pytest.mark.parametrize("case", list(LAYOUTS))
def test_layouts_give_the_same_observations(tmp_path, fmt, case):
    layout, rows = LAYOUTS[case]
    result = check_rows(tmp_path, rows, fmt, segment="B2C")
    sheet = only(result)
    assert (sheet.layout, sheet.grain) == (layout, "month")
    assert observed(sheet) == EXPECTED_LAYOUT
    assert set(sheet.observations["period_end"].dt.strftime("%Y-%m-%d")) == {"2026-07-31", "2026-08-31", "2026-09-30"}
    assert sheet.totals == {"clicks": 60.0, "impressions": 600.0}
    assert result.importable


def test_crosstab_rows_counts_and_unknown_kpi(tmp_path):
    rows = [["Indicateur", *MONTHS], ["Clics", 1, 2, 3], ["Total", 1, 2, 3], ["Taux de clic", 0.1, 0.1, 0.1],
            ["Satisfaction client", 1, 2, 3], ["Impressions", 10, "n/a", "abc"]]
    sheet = only(check_rows(tmp_path, rows, segment="B2C"))
    assert sheet.layout == "crosstab" and sheet.header_row == 1
    assert sheet.rows == {"read": 5, "kept": 2, "rejected": 1, "dropped": 2}
    assert codes(sheet) == [("kpi_unknown", 5, "A"), ("number_unparseable", 6, "D")]
    assert sheet.totals == {"clicks": 6.0, "impressions": 10.0}


def test_long_layout_unknown_kpi_row_is_reported(tmp_path):
    rows = [["Mois", "Indicateur", "Valeur"], ["2026-09", "Clics", 5], ["2026-09", "Humeur", 3],
            ["2026-09", "CTR", 0.1]]
    sheet = only(check_rows(tmp_path, rows, segment="B2C"))
    assert sheet.layout == "long"
    assert codes(sheet) == [("kpi_unknown", 3, "B")]
    assert sheet.rows == {"read": 3, "kept": 1, "rejected": 1, "dropped": 1}
    assert sheet.totals == {"clicks": 5.0}


# --- header matching ----------------------------------------------------------------------------


@pytest.mark.parametrize("headers, expected", [
    (["Jour", "Clics", "Nombre de clics"], {"B": ("kpi", "clicks"), "C": ("ignored", None)}),
    (["Jour", "Impressions (organic)", "Impressions (total)"], {"B": ("ignored", None), "C": ("kpi", "impressions")}),
    (["Jour", "Effectif total", "Clics"], {"B": ("kpi", "population"), "C": ("kpi", "clicks")}),
    (["Jour", "Campaign status", "Campaign", "Clics"], {"C": ("initiative", None), "D": ("kpi", "clicks")}),
    (["Jour", "Session primary channel group", "Sessions"], {"B": ("channel", None), "C": ("kpi", "sessions")}),
])
def test_header_matching_rules(tmp_path, headers, expected):
    rows = [headers, [D1] + [7] * (len(headers) - 1)]
    sheet = only(check_rows(tmp_path, rows, segment="B2C"))
    got = roles(sheet)
    assert {k: got.get(k) for k in expected} == expected


def test_partial_match_reported_and_loser_has_reason(tmp_path):
    rows = [["Jour", "Clics", "Nombre de clics", "Impressions (total)"], [D1, 1, 1, 10]]
    sheet = only(check_rows(tmp_path, rows, segment="B2C"))
    columns = {c["column"]: c for c in sheet.to_json()["columns"]}
    assert columns["B"] == {"column": "B", "header": "Clics", "role": "kpi", "kpi": "clicks", "match": "exact"}
    assert columns["C"]["role"] == "ignored" and "B" in columns["C"]["reason"]
    assert columns["D"]["match"] == "partial"


RATIO_HEADERS = ["CTR", "Taux de conv.", "Conv. rate", "CPC moy.", "Avg. CPC", "Coût/conv.", "Cost / conv.",
                 "Engagement rate", "Taux d'engagement"]


def test_ratio_columns_ignored_with_reason(tmp_path):
    rows = [["Jour", "Clics", "Coût", "Conversions", *RATIO_HEADERS], [D1, 10, 5.0, 2] + [0.5] * len(RATIO_HEADERS)]
    sheet = only(check_rows(tmp_path, rows, segment="B2C"))
    ignored = [c for c in sheet.to_json()["columns"] if c["role"] == "ignored"]
    assert [c["header"] for c in ignored] == RATIO_HEADERS
    assert {c["reason"] for c in ignored} == {"ratio recomputed from its components"}
    assert sheet.totals == {"clicks": 10.0, "conversions": 2.0, "cost": 5.0}


def test_ambiguous_tie_asks_for_map_and_map_settles_it(tmp_path):
    path = write(tmp_path, "openpyxl", [["Jour", "Clics", "Clicks"], [D1, 1, 2]])
    result = check(path, segment="B2C")
    sheet = only(result)
    assert not result.importable
    [issue] = [i for i in sheet.issues if i.code == "ambiguous_columns"]
    assert issue.severity == "error" and "--map" in issue.message_en and "B, C" in issue.message_en
    assert sheet.totals == {}
    settled = only(check(path, segment="B2C", maps={"clicks": "ignore"}))
    assert settled.totals == {"clicks": 1.0} and roles(settled)["C"] == ("ignored", None)


def test_unknown_columns_listed_with_closest_names(tmp_path):
    rows = [["Jour", "Impresions", "État", "Clics", None], [D1, 1, "actif", 3, "x"]]
    sheet = only(check_rows(tmp_path, rows, segment="B2C"))
    unknown = sheet.unknown_columns
    assert [(u["column"], u["header"]) for u in unknown] == [("B", "Impresions"), ("C", "État"), ("E", "")]
    assert [u["closest"][:1] for u in unknown] == [["impressions"], [], []]
    assert sheet.totals == {"clicks": 3.0}


def test_no_kpi_column_is_a_sheet_error_with_suggestions(tmp_path):
    result = check_rows(tmp_path, [["Jour", "Impresions", "Clcs"], [D1, 1, 2]], segment="B2C")
    sheet = only(result)
    [issue] = [i for i in sheet.issues if i.severity == "error"]
    assert (issue.code, issue.row) == ("no_kpi_column", None)
    assert "impressions" in issue.message_en and "clicks" in issue.message_en
    assert not result.importable and sheet.status == "read"


def test_notes_sheet_skipped_with_info(tmp_path):
    sheets = {"Données": [["Jour", "Clics"], [D1, 3]],
              "Notes": [["Ce classeur reprend les exports du mois."], ["Auteur", "Service communication"],
                        ["Source : Google Ads"]]}
    result = check(write(tmp_path, "openpyxl", sheets=sheets), segment="B2C")
    data, notes = result.sheets
    assert (data.status, notes.status) == ("read", "skipped")
    assert [(i.code, i.severity) for i in notes.issues] == [("no_table", "info")]
    assert result.importable and result.rows_kept == 1


# --- rows sharing a period and every dimension -----------------------------------------------


def test_flows_summed_when_an_ignored_column_splits_them(tmp_path):
    rows = [["Jour", "Campagne", "Type d'annonce", "Clics", "Impressions"],
            [D1, "A", "Texte", 10, 100], [D1, "A", "Image", 5, 50], [D2, "A", "Texte", 1, 10]]
    sheet = only(check_rows(tmp_path, rows, segment="B2C"))
    assert [(i.code, i.severity, i.row) for i in sheet.issues] == [("summed_over_column", "info", None)]
    assert "C" in sheet.issues[0].message_en
    assert observed(sheet, "initiative") == {("2026-09-01", "A", "clicks", 15.0),
                                             ("2026-09-01", "A", "impressions", 150.0),
                                             ("2026-09-02", "A", "clicks", 1.0),
                                             ("2026-09-02", "A", "impressions", 10.0)}
    assert sheet.rows == {"read": 3, "kept": 3, "rejected": 0, "dropped": 0}


def test_distinct_counts_split_by_an_ignored_column_are_an_error(tmp_path):
    rows = [["Mois", "Direction", "Intranet", "Utilisateurs actifs"],
            ["2026-09", "RH", "Intranet A", 100], ["2026-09", "RH", "Intranet B", 80]]
    path = write(tmp_path, "csv", rows)
    result = check(path, segment="B2E")
    assert not result.importable
    errors = [(i.code, i.row) for i in only(result).issues if i.severity == "error"]
    assert errors == [("split_by_unmapped_column", None)]
    mapped = check(path, segment="B2E", maps={"Intranet": "channel"})
    assert mapped.importable
    assert observed(only(mapped), "channel") == {("2026-09-01", "Intranet A", "active_users", 100.0),
                                                 ("2026-09-01", "Intranet B", "active_users", 80.0)}


def test_exact_duplicate_rows_rejected(tmp_path):
    rows = [["Jour", "Campagne", "Clics"], [D1, "A", 10], [D1, "A", 10], [D2, "A", 4], [D1, "A", 10]]
    sheet = only(check_rows(tmp_path, rows, segment="B2C"))
    assert [(i.code, i.row) for i in sheet.issues] == [("duplicate_row", 3), ("duplicate_row", 5)]
    assert sheet.rows == {"read": 4, "kept": 2, "rejected": 2, "dropped": 0}
    assert sheet.totals == {"clicks": 14.0}


def test_conflicting_rows_rejected(tmp_path):
    rows = [["Jour", "Campagne", "Clics"], [D1, "A", 10], [D1, "A", 12]]
    sheet = only(check_rows(tmp_path, rows, segment="B2C"))
    assert codes(sheet) == [("conflicting_rows", 3, None)]
    assert sheet.rows == {"read": 2, "kept": 1, "rejected": 1, "dropped": 0}
    assert sheet.totals == {"clicks": 10.0}


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize("cell, expected", [
    ("1,234.5", 1234.5), ("1 234,5", 1234.5), ("1\u00a0234,5", 1234.5), ("1\u202f234,5", 1234.5),
    ("12,5 %", 0.125), ("2.47%", 0.0247), ("€ 1 200", 1200.0), ("1 200 €", 1200.0), ("--", None), ("", None),
    ("1234", 1234.0),
])
@pytest.mark.parametrize("fmt", ["openpyxl", "csv"])
def test_number_formats(tmp_path, fmt, cell, expected):
    rows = [["Jour", "Coût", "Clics"], [D1, cell, 1]]
    sheet = only(check_rows(tmp_path, rows, fmt, segment="B2C", maps={}))
    assert sheet.totals.get("cost") == (None if expected is None else pytest.approx(expected))
    assert sheet.rows["kept"] == 1 and codes(sheet, "error") == []


@pytest.mark.parametrize("other, clicks, expected", [
    (["2,144.69", "3.5"], ["1,103", "12"], 1115.0),  # English sheet: 1,103 = 1103
    (["12,5", "3"], ["1,103", "12"], 13.103),  # French sheet: 1,103 = 1.103
    (["2,144.69", "3.5"], ["12,5", "1,103"], 13.603),  # the column's own convention first
])
def test_number_convention_per_column_then_sheet(tmp_path, other, clicks, expected):
    rows = [["Jour", "Coût", "Clics"], [D1, other[0], clicks[0]], [D2, other[1], clicks[1]]]
    sheet = only(check_rows(tmp_path, rows, "csv", segment="B2C"))
    assert sheet.totals["clicks"] == pytest.approx(expected)
    assert codes(sheet) == []


def test_unsettled_convention_is_an_error_settled_by_map(tmp_path):
    path = write(tmp_path, "csv", [["Jour", "Coût", "Clics"], [D1, "12", "1,103"], [D2, "3", "4"]])
    sheet = only(check(path, segment="B2C"))
    [issue] = sheet.issues
    assert (issue.code, issue.severity, issue.row, issue.column) == ("number_ambiguous", "error", 2, "C")
    assert '--map "Clics=clicks:' in issue.message_en and '--map "Clics=clicks:' in issue.message_fr
    assert sheet.rows["kept"] == 2 and sheet.totals == {"clicks": 4.0, "cost": 15.0}
    assert only(check(path, segment="B2C", maps={"Clics": "clicks:fr"})).totals["clicks"] == pytest.approx(5.103)
    assert only(check(path, segment="B2C", maps={"clics": "clicks:en"})).totals["clicks"] == 1107.0


# --- dates and grain --------------------------------------------------------------------------

SERIAL = (date(2026, 9, 1) - date(1899, 12, 30)).days


@pytest.mark.parametrize("fmt, header, cells, starts, ends, grain", [
    ("openpyxl", "Date", [D1, D2], ["2026-09-01", "2026-09-02"], ["2026-09-01", "2026-09-02"], "day"),
    ("xlsxwriter", "Jour", [SERIAL, SERIAL + 1], ["2026-09-01", "2026-09-02"], None, "day"),
    ("openpyxl", "Date", [datetime(2026, 9, 1, 13, 45), datetime(2026, 9, 2, 8)], ["2026-09-01", "2026-09-02"], None,
     "day"),
    ("csv", "Date", ["2026-09-01", "2026-09-02"], ["2026-09-01", "2026-09-02"], None, "day"),
    ("csv", "Date", ["2026-09-01 13:45:00", "2026-09-02T08:00:00"], ["2026-09-01", "2026-09-02"], None, "day"),
    ("csv", "Date", ["01/09/2026", "02/09/2026"], ["2026-09-01", "2026-09-02"], None, "day"),
    ("csv", "Date", ["09/01/2026", "10/13/2026"], ["2026-09-01", "2026-10-13"], None, "day"),
    ("csv", "Date", ["20260901", "20260902"], ["2026-09-01", "2026-09-02"], None, "day"),
    ("openpyxl", "Date", [20260901, 20260902], ["2026-09-01", "2026-09-02"], None, "day"),
    ("csv", "Mois", ["sept. 2026", "oct. 2026"], ["2026-09-01", "2026-10-01"], ["2026-09-30", "2026-10-31"], "month"),
    ("csv", "Mois", ["Septembre 2026", "Octobre 2026"], ["2026-09-01", "2026-10-01"], None, "month"),
    ("csv", "Month", ["Sep 2026", "Oct 2026"], ["2026-09-01", "2026-10-01"], None, "month"),
    ("csv", "Mois", ["2026-09", "2026-10"], ["2026-09-01", "2026-10-01"], None, "month"),
    ("csv", "Trimestre", ["T3 2026", "T4 2026"], ["2026-07-01", "2026-10-01"], ["2026-09-30", "2026-12-31"], "quarter"),
    ("csv", "Période", ["Q3 2026", "Q4 2026"], ["2026-07-01", "2026-10-01"], None, "quarter"),
    ("csv", "Semaine", ["2026-W37", "2026-W38"], ["2026-09-07", "2026-09-14"], ["2026-09-13", "2026-09-20"], "week"),
    ("csv", "Semaine", ["S37 2026", "S38 2026"], ["2026-09-07", "2026-09-14"], None, "week"),
    ("csv", "Année", ["2025", "2026"], ["2025-01-01", "2026-01-01"], ["2025-12-31", "2026-12-31"], "year"),
    ("openpyxl", "Année", [2025, 2026], ["2025-01-01", "2026-01-01"], None, "year"),
    # grain from the regularity of the values
    ("openpyxl", "Date", [date(2026, 7, 1), date(2026, 8, 1)], ["2026-07-01", "2026-08-01"],
     ["2026-07-31", "2026-08-31"], "month"),
    ("csv", "Date", ["2026-09-07", "2026-09-14"], ["2026-09-07", "2026-09-14"], ["2026-09-13", "2026-09-20"], "week"),
    ("csv", "Date", ["2026-09-01", "2026-09-08"], ["2026-09-01", "2026-09-08"], ["2026-09-01", "2026-09-08"], "day"),
    # grain from the header word
    ("openpyxl", "Mois", [D1], ["2026-09-01"], ["2026-09-30"], "month"),
    ("csv", "Semaine", ["2026-09-09"], ["2026-09-07"], ["2026-09-13"], "week"),
])
def test_dates_and_grain(tmp_path, fmt, header, cells, starts, ends, grain):
    rows = [[header, "Clics"]] + [[c, 1] for c in cells]
    sheet = only(check_rows(tmp_path, rows, fmt, segment="B2C"))
    obs = sheet.observations.sort_values("period_start")
    assert sheet.grain == grain
    assert obs["period_start"].dt.strftime("%Y-%m-%d").tolist() == starts
    if ends:
        assert obs["period_end"].dt.strftime("%Y-%m-%d").tolist() == ends
    assert sheet.rows["kept"] == len(cells) and codes(sheet) == []


def test_grain_forced_with_map(tmp_path):
    path = write(tmp_path, "csv", [["Date", "Clics"], ["2026-09-15", 3]])
    assert only(check(path, segment="B2C")).grain == "day"
    sheet = only(check(path, segment="B2C", maps={"Date": "period:month"}))
    assert sheet.grain == "month"
    assert sheet.period == {"start": "2026-09-01", "end": "2026-09-30"}
    assert [c.to_json() for c in sheet.columns][0] == {"column": "A", "header": "Date", "role": "period",
                                                       "match": "mapped"}


def test_start_and_end_columns_give_range(tmp_path):
    rows = [["Début des rapports", "Fin des rapports", "Clics sur un lien"],
            ["2026-09-01", "2026-09-30", 10], ["2026-08-15", "2026-09-14", 20]]
    sheet = only(check_rows(tmp_path, rows, "csv", segment="B2C"))
    assert sheet.grain == "range"
    assert observed(sheet) == {("2026-09-01", "clicks", 10.0), ("2026-08-15", "clicks", 20.0)}
    assert sheet.period == {"start": "2026-08-15", "end": "2026-09-30"}


def test_unparseable_date_rejects_the_row(tmp_path):
    rows = [["Jour", "Clics", "Impressions"], ["2026-09-01", 1, 10], ["bientôt", 2, 20], ["2026-09-03", 3, 30]]
    sheet = only(check_rows(tmp_path, rows, "csv", segment="B2C"))
    assert codes(sheet) == [("date_unparseable", 3, "A")]
    assert [i.severity for i in sheet.issues] == ["error"]
    assert sheet.rows == {"read": 3, "kept": 2, "rejected": 1, "dropped": 0}
    assert sheet.totals == {"clicks": 4.0, "impressions": 40.0}


# --- severities -----------------------------------------------------------------------------


def test_unparseable_number_rejects_only_the_cell(tmp_path):
    rows = [["Jour", "Clics", "Impressions"], [D1, "beaucoup", 100], [D2, 4, 40]]
    result = check_rows(tmp_path, rows, segment="B2C")
    sheet = only(result)
    assert [(i.code, i.severity, i.row, i.column) for i in sheet.issues] == [("number_unparseable", "error", 2, "B")]
    assert sheet.rows == {"read": 2, "kept": 2, "rejected": 0, "dropped": 0}
    assert sheet.totals == {"clicks": 4.0, "impressions": 140.0}
    assert result.importable


@pytest.mark.parametrize("headers, values, code", [
    (["Jour", "Clics", "Impressions"], [-5, 10], "negative_count"),
    (["Jour", "Clics", "Impressions"], [50, 10], "clicks_over_impressions"),
    (["Jour", "Utilisateurs actifs", "Effectif"], [120, 100], "active_over_population"),
])
def test_implausible_values_are_warnings_and_kept(tmp_path, headers, values, code):
    rows = [headers, [D1, 1, 10], [D2, *values]]
    sheet = only(check_rows(tmp_path, rows, segment="B2E" if "Effectif" in headers else "B2C"))
    assert [(i.code, i.severity, i.row) for i in sheet.issues] == [(code, "warning", 3)]
    assert sheet.rows["kept"] == 2
    assert sheet.totals[next(iter(sheet.totals))] == 1 + values[0]


# --- currency ----------------------------------------------------------------------------


@pytest.mark.parametrize("headers, cost, currency, warned", [
    (["Jour", "Coût", "Devise"], [12.5, "GBP"], "GBP", True),
    (["Jour", "Cost (USD)", "Campagne"], [12.5, "A"], "USD", True),
    (["Jour", "Montant dépensé (EUR)", "Campagne"], [12.5, "A"], "EUR", False),
    (["Jour", "Coût", "Campagne"], ["£ 12.50", "A"], "GBP", True),
    (["Jour", "Coût", "Campagne"], ["12,50 €", "A"], "EUR", False),
    (["Jour", "Clics", "Campagne"], [12.5, "A"], None, False),
])
def test_currency(tmp_path, headers, cost, currency, warned):
    sheet = only(check_rows(tmp_path, [headers, [D1, *cost]], segment="B2C"))
    assert sheet.currency == currency
    assert [i.code for i in sheet.issues if i.severity == "warning"] == (["currency_not_eur"] if warned else [])
    assert sum(sheet.totals.values()) == 12.5


# --- CSV --------------------------------------------------------------------------------------

CSV_ROWS = [["Jour", "Opération", "Coût", "Clics"], ["2026-09-01", "Été à Noël", "1 234,5", "12"],
            ["2026-09-02", "Été à Noël", "0,5", "3"]]


@pytest.mark.parametrize("encoding, sep", [("utf-8", ","), ("utf-8-sig", ","), ("utf-16", "\t"), ("cp1252", ";"),
                                           ("utf-8", ";")])
def test_csv_encodings_and_delimiters(tmp_path, encoding, sep):
    path = write(tmp_path, "csv", CSV_ROWS, encoding=encoding, sep=sep)
    sheet = only(check(path, segment="B2C"))
    assert sheet.header_row == 1
    assert roles(sheet) == {"A": ("period", None), "B": ("initiative", None), "C": ("kpi", "cost"),
                            "D": ("kpi", "clicks")}
    assert sheet.totals == {"clicks": 15.0, "cost": 1235.0}
    assert set(sheet.observations["initiative"]) == {"Été à Noël"}


def test_csv_sep_line_and_multiline_field(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('sep=,\nJour,Campagne,Clics\n2026-09-01,"Deux\nlignes",1\n2026-09-02,B,x\n', encoding="utf-8")
    sheet = only(check(path, segment="B2C"))
    assert sheet.header_row == 2
    assert codes(sheet) == [("number_unparseable", 5, "C")]
    assert sheet.totals == {"clicks": 1.0}


# --- segment ------------------------------------------------------------------------------


@pytest.mark.parametrize("rows, caller, segments, issue", [
    ([["Mois", "Segment", "Clics"], ["2026-09", "Grand public", 1], ["2026-09", "Professionnels", 2]],
     None, ["B2C", "B2B"], None),
    ([["Mois", "Univers", "Contributeurs"], ["2026-09", "Collaborateurs", 1]], None, ["B2E"], None),
    ([["Mois", "Clics"], ["2026-09", 1]], "B2B", ["B2B"], None),
    ([["Mois", "Effectif", "Contributeurs"], ["2026-09", 100, 10]], None, ["B2E"], None),
    ([["Mois", "Segment", "Clics"], ["2026-09", "B2C", 1], ["2026-10", None, 2]], "B2C", ["B2C"], "segment_blank"),
])
def test_segment_decided(tmp_path, rows, caller, segments, issue):
    result = check_rows(tmp_path, rows, segment=caller)
    sheet = only(result)
    assert sheet.segments == segments and result.importable
    assert [i.code for i in sheet.issues] == ([issue] if issue else [])
    assert sorted(set(sheet.observations["segment"])) == sorted(segments)


def test_the_callers_segment_wins_but_kpis_of_another_world_are_questioned(tmp_path):
    result = check_rows(tmp_path, [["Mois", "Effectif", "Contributeurs"], ["2026-09", 100, 10]], segment="B2C")
    sheet = only(result)
    assert sheet.segments == ["B2C"] and result.readable and not result.importable
    assert [(q.column, q.kpi, q.codes) for q in result.questions] == [("B", "population", ("segment",)),
                                                                      ("C", "contributors", ("segment",))]


@pytest.mark.parametrize("rows, caller, code, words", [
    ([["Mois", "Clics"], ["2026-09", 1]], None, "segment_undecided", ["--segment"]),
    ([["Mois", "Utilisateurs actifs"], ["2026-09", 1]], None, "segment_undecided", ["--segment"]),
    ([["Mois", "Segment", "Clics"], ["2026-09", "B2B", 1]], "B2C", "segment_conflict", ["B2B", "B2C", "B"]),
    ([["Mois", "Segment", "Clics"], ["2026-09", "B2C", 1], ["2026-10", None, 2]], None, "segment_missing",
     ["--segment"]),
])
def test_segment_not_decided_is_not_importable(tmp_path, rows, caller, code, words):
    result = check_rows(tmp_path, rows, segment=caller)
    [issue] = [i for i in only(result).issues if i.severity == "error"]
    assert issue.code == code and issue.row is None
    assert all(w in issue.message_en for w in words)
    assert not result.importable


def test_unknown_segment_word_rejects_the_row(tmp_path):
    rows = [["Mois", "Segment", "Clics"], ["2026-09", "B2C", 1], ["2026-10", "Martiens", 2]]
    result = check_rows(tmp_path, rows)
    sheet = only(result)
    assert codes(sheet) == [("segment_unknown", 3, "B")]
    assert sheet.rows == {"read": 2, "kept": 1, "rejected": 1, "dropped": 0}
    assert sheet.totals == {"clicks": 1.0}
    # 1 of 2 data rows rejected (50 % > MAX_REJECTED_SHARE): readable, importable only once confirmed
    assert result.readable and not result.importable and result.rejections[0].rows_rejected == 1


def test_nps_parts_follow_the_segment(tmp_path):
    rows = [["Trimestre", "Promoteurs", "Détracteurs", "Répondants"], ["T3 2026", 50, 10, 100]]
    sheet = only(check_rows(tmp_path, rows, segment="B2E"))
    assert sheet.totals == {"enps_detractors": 10.0, "enps_promoters": 50.0, "enps_respondents": 100.0}


# --- personal data, API --------------------------------------------------------------------


def test_messages_never_quote_personal_identifiers(tmp_path):
    rows = [["Date", "Utilisateur", "Segment", "Publications"],
            ["2026-09-01", "jean.dupont@example.com", "Jean Dupont", 3],
            ["2026-09-01", "marie.curie@example.com", "B2E", "trois"],
            ["bientôt", "paul.martin@example.com", "B2E", 1]]
    result = check_rows(tmp_path, rows, "csv", segment="B2E")
    text = json.dumps(result.to_json(), ensure_ascii=False)
    assert len(only(result).issues) >= 3
    assert "@" not in text and "Dupont" not in text and "trois" not in text


def test_parse_target():
    assert ingest.parse_target("period:month") == ingest.Target("period", grain="month")
    assert ingest.parse_target("clicks:fr") == ingest.Target("kpi", kpi="clicks", convention="fr")
    assert ingest.parse_target("ignore").role == "ignored"
    for bad in ("ctr", "clics", "period:decade", "clicks:de"):
        with pytest.raises(UsageError):
            ingest.parse_target(bad)


def test_check_bytes_junk_is_a_file_issue():
    result = ingest.check_bytes(b"PK\x03\x04 not really a zip", "x.xlsx")
    assert not result.importable
    assert [(i.code, i.severity) for i in result.issues] == [("file_rejected", "error")]
    assert result.to_json()["sheets"] == []


# --- edge cases ------------------------------------------------------------------------------


def test_header_without_rows(tmp_path):
    result = check_rows(tmp_path, [["Jour", "Clics"]], segment="B2C")
    sheet = only(result)
    assert (sheet.status, sheet.header_row, sheet.rows["read"], sheet.totals) == ("read", 1, 0, {})
    assert not result.importable


def test_long_layout_b2e_rule_uses_the_kpi_names(tmp_path):
    rows = [["Mois", "Indicateur", "Valeur"], ["2026-09", "Effectif", 1200], ["2026-09", "Contributeurs", 80]]
    result = check_rows(tmp_path, rows, "csv")
    assert only(result).segments == ["B2E"] and result.importable
    assert only(result).totals == {"contributors": 80.0, "population": 1200.0}


def test_blank_cells_in_number_columns_are_missing(tmp_path):
    rows = [["Jour", "Clics", "Impressions"], [D1, None, 10], [D2, 3, None], [D3, "", "--"]]
    sheet = only(check_rows(tmp_path, rows, segment="B2C"))
    # blanks are silent; the explicit "--" is reported once (info): a missing value, not a zero
    assert codes(sheet) == [("not_available", None, "C")] and sheet.rows["kept"] == 3
    assert sheet.totals == {"clicks": 3.0, "impressions": 10.0}


def test_remembered_mapping_applies_to_the_same_headers(tmp_path):
    class Remembered:
        headers = ("clics", "periode du rapport")
        mapping = {"Période du rapport": "period:month"}

    path = write(tmp_path, "csv", [["Période du rapport", "Clics"], ["2026-09-15", 4]])
    sheet = only(check(path, segment="B2C", remembered=[Remembered()]))
    assert (sheet.grain, sheet.period) == ("month", {"start": "2026-09-01", "end": "2026-09-30"})
    assert sheet.columns[0].match == "mapped"


def test_observations_columns_and_types(tmp_path):
    rows = [["Jour", "Pays", "Clics"], [D1, "France", 3], [D2, None, 4]]
    obs = only(check_rows(tmp_path, rows, segment="B2B")).observations
    assert obs.columns.tolist() == ["period_start", "period_end", "segment", "entity", "channel", "initiative",
                                    "kpi", "value"]
    assert str(obs["period_start"].dtype).startswith("datetime64") and obs["value"].dtype == "float64"
    assert obs[["entity", "channel", "segment"]].values.tolist() == [["France", "(all)", "B2B"],
                                                                     ["(all)", "(all)", "B2B"]]


def test_month_numbers_without_a_year_are_refused(tmp_path):
    rows = [["Mois", "Année", "Clics"], [9, 2026, 3], [10, 2026, 4]]
    path = write(tmp_path, "openpyxl", rows)
    assert [i.code for i in only(check(path, segment="B2C")).issues] == ["ambiguous_columns", "no_period"]
    sheet = only(check(path, segment="B2C", maps={"Année": "ignore"}))
    assert codes(sheet) == [("date_unparseable", 2, "A"), ("date_unparseable", 3, "A")]
    assert sheet.totals == {} and sheet.rows["rejected"] == 2


def test_not_available_cells_are_missing_values_and_reported_once_per_column(tmp_path):
    path = tmp_path / "na.csv"
    path.write_text("Jour;Clics;Impressions\n01/09/2026;12;N/A\n02/09/2026;--;300\n03/09/2026;n.d.;#N/A\n",
                    encoding="utf-8")
    result = ingest.check_file(path, segment="B2C")
    sheet = result.sheets[0]
    assert sheet.totals == {"clicks": 12.0, "impressions": 300.0}  # N/A is not zero, and not summed
    infos = {(i.column, i.code): i for i in sheet.issues if i.code == "not_available"}
    assert set(infos) == {("B", "not_available"), ("C", "not_available")}
    assert infos[("B", "not_available")].message_en.startswith("2 cell(s)")  # "--" and "n.d.", first on row 3
    assert "row 3" in infos[("B", "not_available")].message_en and "row 2" in infos[("C", "not_available")].message_en
    assert sheet.rows == {"read": 3, "kept": 3, "rejected": 0, "dropped": 0}
