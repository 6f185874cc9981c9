"""Rolling windows in generic files (kpis.ingest.windows): a period length beside an end date, a window stated in
the title, or the user asked; ordinary daily files stay daily."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest

from conftest import write_xlsx_openpyxl
from kpis import ingest
from kpis.cli import main
from kpis.errors import UsageError
from kpis.ingest.windows import day_counts, stated_days, window_bounds


def _check(tmp_path, sheets: dict[str, list[list]], **options):
    path = tmp_path / "report.xlsx"
    write_xlsx_openpyxl(path, sheets)
    return ingest.check_file(path, **options)


def _values(result, kpi: str) -> dict:
    obs = result.observations
    rows = obs[obs["kpi"] == kpi]
    label = lambda r: r.initiative if r.initiative != "(all)" else r.entity  # noqa: E731
    return {(str(r.period_start.date()), str(r.period_end.date()), label(r)): r.value for r in rows.itertuples()}


def _codes(result) -> set[str]:
    return {i.code for i in result.all_issues}


# --- a period length column beside a refresh date -------------------------------------------------

TEAMS_TEAM_ACTIVITY = [
    ["Report Refresh Date", "Team Name", "Team Type", "Report Period", "Active Users", "Active Channels", "Guests",
     "Reactions"],
    [datetime(2026, 9, 30), "Finance", "Private", 30, 12, 3, 0, 40],
    [datetime(2026, 9, 30), "Juridique", "Public", 30, 8, 2, 1, 15],
    [datetime(2026, 9, 30), "DSI", "Public", 30, 25, 6, 0, 7],
]


def test_teams_team_activity_like_file_gives_the_30_days_ending_on_the_refresh_date(tmp_path):
    result = _check(tmp_path, {"Team activity": TEAMS_TEAM_ACTIVITY}, segment="B2E", maps={"Team Name": "initiative"})
    sheet = result.sheets[0]
    assert result.importable, [i.message_en for i in result.all_issues]
    # 2026-09-30 − 30 + 1 = 2026-09-01: the whole of September, never the refresh day alone
    assert sheet.period == {"start": "2026-09-01", "end": "2026-09-30"}
    assert sheet.window == {"days": [30], "ends": ["2026-09-30"], "source": "column", "column": "Report Period"}
    assert sheet.grain == "range"
    # active users per team as written, reactions summed by the checksum: 40 + 15 + 7 = 62
    assert _values(result, "active_users") == {("2026-09-01", "2026-09-30", "Finance"): 12.0,
                                               ("2026-09-01", "2026-09-30", "Juridique"): 8.0,
                                               ("2026-09-01", "2026-09-30", "DSI"): 25.0}
    assert sheet.totals == {"active_users": 45.0, "reactions": 62.0}
    roles = {c.header: c.role for c in sheet.columns}
    assert roles["Report Period"] == "window_days" and roles["Report Refresh Date"] == "period"


def test_check_prints_the_window_it_understood(tmp_path, capsys):
    path = tmp_path / "teams.xlsx"
    write_xlsx_openpyxl(path, {"Team activity": TEAMS_TEAM_ACTIVITY})
    code = main(["check", str(path), "--segment", "B2E", "--map", "Team Name=initiative"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Période : 30 jours se terminant le 30/09/2026 (colonne « Report Period »)" in out
    assert "Period: 30 days ending 2026-09-30 (column 'Report Period')" in out


def test_french_headers_and_several_refresh_dates_each_give_their_own_window(tmp_path):
    rows = [["Date d'actualisation", "Période du rapport", "Entité", "Utilisateurs actifs"],
            ["31/08/2026", 7, "Nord", 10],
            ["30/09/2026", 28, "Nord", 14]]
    result = _check(tmp_path, {"Activité": rows}, segment="B2E")
    assert result.importable, [i.message_en for i in result.all_issues]
    # 31/08 − 7 + 1 = 25/08; 30/09 − 28 + 1 = 03/09
    assert _values(result, "active_users") == {("2026-08-25", "2026-08-31", "Nord"): 10.0,
                                               ("2026-09-03", "2026-09-30", "Nord"): 14.0}
    assert result.sheets[0].window["days"] == [7, 28]


def test_an_unreadable_period_length_rejects_its_row_with_row_and_column(tmp_path):
    rows = [["Report Refresh Date", "Report Period", "Entité", "Active Users"]] + [
        [datetime(2026, 9, 30), 30, f"E{i}", 10] for i in range(20)] + [[datetime(2026, 9, 30), "trente", "E20", 10]]
    result = _check(tmp_path, {"Teams": rows}, segment="B2E")
    bad = [i for i in result.all_issues if i.code == "window_days_unreadable"]
    assert [(i.row, i.column) for i in bad] == [(22, "B")]
    assert result.sheets[0].rows["rejected"] == 1 and result.sheets[0].totals == {"active_users": 200.0}


# --- a window stated in the title or the sheet name -------------------------------------------------


def test_last_28_days_in_a_title_row_gives_a_28_day_window(tmp_path):
    rows = [["Engagement — Last 28 days"], [],
            ["Refresh date", "Utilisateurs actifs", "Contributeurs"],
            [datetime(2026, 9, 30), 140, 35]]
    result = _check(tmp_path, {"Insights": rows}, segment="B2E")
    assert result.importable, [i.message_en for i in result.all_issues]
    # 2026-09-30 − 28 + 1 = 2026-09-03
    assert result.sheets[0].period == {"start": "2026-09-03", "end": "2026-09-30"}
    assert result.sheets[0].window["source"] == "title"
    assert result.sheets[0].totals == {"active_users": 140.0, "contributors": 35.0}


def test_a_sheet_named_derniers_30_jours_with_one_date_for_all_rows_is_that_window(tmp_path):
    rows = [["Date", "Entité", "Utilisateurs actifs"],
            ["30/09/2026", "Nord", 40], ["30/09/2026", "Sud", 25]]
    result = _check(tmp_path, {"Derniers 30 jours": rows}, segment="B2E")
    assert result.importable
    # 30/09 − 30 + 1 = 01/09 for both entities
    assert _values(result, "active_users") == {("2026-09-01", "2026-09-30", "Nord"): 40.0,
                                               ("2026-09-01", "2026-09-30", "Sud"): 25.0}


@pytest.mark.parametrize("text, days", [
    ("Last 28 days", 28), ("28 derniers jours", 28), ("Derniers 30 jours", 30), ("Past 7 days", 7),
    ("Activité sur 90 jours glissants", 90), ("Rapport mensuel", None), ("Last 7 days vs last 28 days", None),
])
def test_stated_days(text, days):
    assert stated_days("Feuil1", [[text]]) == days


# --- asked for, never a single day ------------------------------------------------------------------

REFRESH_ONLY = [["Report Refresh Date", "Department", "Active Users", "Posts"],
                [datetime(2026, 9, 30), "Finance", 12, 40],
                [datetime(2026, 9, 30), "Juridique", 8, 15]]


def test_a_refresh_date_alone_asks_for_the_window_then_imports_with_window_days(tmp_path, capsys):
    result = _check(tmp_path, {"Usage": REFRESH_ONLY}, segment="B2E", maps={"Department": "entity"})
    assert not result.importable
    asked = [i for i in result.all_issues if i.code == "window_unknown"]
    assert len(asked) == 1 and asked[0].column == "A"
    assert "--window-days" in asked[0].message_fr and "30/09/2026" in asked[0].message_fr
    assert "--window-days" in asked[0].message_en

    path = tmp_path / "usage.xlsx"
    write_xlsx_openpyxl(path, {"Usage": REFRESH_ONLY})
    base = [str(path), "--segment", "B2E", "--map", "Department=entity"]
    assert main(["check", *base]) == 1
    assert "--window-days 28" in capsys.readouterr().out
    assert main(["check", *base, "--window-days", "28"]) == 0
    assert "Période : 28 jours se terminant le 30/09/2026 (option --window-days)" in capsys.readouterr().out
    store = tmp_path / "store.duckdb"
    assert main(["import", *base, "--store", str(store)]) == 1
    assert "--window-days" in capsys.readouterr().out
    assert main(["import", *base, "--window-days", "28", "--store", str(store)]) == 0

    from kpis.model import Filter
    from kpis.store import Store

    obs = Store(store).observations(Filter())
    # 2026-09-30 − 28 + 1 = 2026-09-03 for each of the 2 entities × 2 KPIs
    assert len(obs) == 4
    assert {str(d.date()) for d in obs["period_start"]} == {"2026-09-03"}
    assert {str(d.date()) for d in obs["period_end"]} == {"2026-09-30"}
    assert obs[obs["kpi"] == "contributions"]["value"].sum() == 55.0  # 40 + 15


def test_window_days_must_be_a_number_of_days(tmp_path):
    with pytest.raises(UsageError):
        _check(tmp_path, {"Usage": REFRESH_ONLY}, segment="B2E", window_days=0)


def test_a_snapshot_of_stocks_stays_the_snapshot_day(tmp_path):
    """A headcount at a date is that day's value: nothing to ask."""
    rows = [["Snapshot date", "Entité", "Effectif"], ["30/09/2026", "Nord", 120], ["30/09/2026", "Sud", 80]]
    result = _check(tmp_path, {"Effectifs": rows}, segment="B2E")
    assert result.importable and result.sheets[0].window is None
    assert result.sheets[0].period == {"start": "2026-09-30", "end": "2026-09-30"}


# --- near misses: ordinary daily files stay daily ---------------------------------------------------


def test_an_ordinary_daily_file_stays_one_day_per_row_even_under_a_window_title(tmp_path):
    rows = [["Date", "Visites", "Clics"],
            [date(2026, 9, 28), 100, 10], [date(2026, 9, 29), 120, 12], [date(2026, 9, 30), 90, 9]]
    result = _check(tmp_path, {"Derniers 28 jours": rows}, segment="B2C", window_days=28)
    sheet = result.sheets[0]
    assert result.importable and sheet.window is None and sheet.grain == "day"
    obs = result.observations
    assert (obs["period_start"] == obs["period_end"]).all()
    assert sorted(str(d.date()) for d in obs[obs["kpi"] == "clicks"]["period_start"]) == [
        "2026-09-28", "2026-09-29", "2026-09-30"]
    assert "window_option_unused" in _codes(result)


def test_a_daily_report_date_column_stays_daily(tmp_path):
    rows = [["Report Date", "Active Users"], ["2026-09-29", 50], ["2026-09-30", 52]]
    result = _check(tmp_path, {"Daily": rows}, segment="B2E")
    assert result.importable and result.sheets[0].window is None and result.sheets[0].grain == "day"


def test_a_single_day_file_without_a_window_stays_that_day(tmp_path):
    rows = [["Date", "Entité", "Clics"], ["30/09/2026", "Nord", 4], ["30/09/2026", "Sud", 6]]
    result = _check(tmp_path, {"Campagnes": rows}, segment="B2C")
    assert result.importable and result.sheets[0].period == {"start": "2026-09-30", "end": "2026-09-30"}


# --- the arithmetic shared with the Microsoft 365 recognisers --------------------------------------


def test_window_bounds_and_day_counts():
    ends = np.array(["2026-09-30", "2026-02-28", "NaT"], "datetime64[D]")
    starts, out = window_bounds(ends, np.array([30.0, 28.0, 7.0]))
    assert starts.tolist()[:2] == [date(2026, 9, 1), date(2026, 2, 1)] and np.isnat(out[2])
    values, bad = day_counts([7, "90", "", 400, 2.5, "x"])
    assert bad.tolist() == [False, False, False, True, True, True] and values.tolist()[:2] == [7.0, 90.0]


def test_a_bare_periode_column_of_day_counts_beside_a_date_is_the_window_length(tmp_path):
    rows = [["Date", "Période", "Utilisateurs actifs"], ["30/09/2026", 30, 12], ["31/08/2026", 30, 10]]
    result = _check(tmp_path, {"Activité": rows}, segment="B2E")
    assert result.importable
    # 31/08 − 30 + 1 = 02/08; 30/09 − 30 + 1 = 01/09
    assert _values(result, "active_users") == {("2026-08-02", "2026-08-31", "(all)"): 10.0,
                                               ("2026-09-01", "2026-09-30", "(all)"): 12.0}


def test_start_and_end_columns_win_over_a_period_length(tmp_path):
    rows = [["Date de début", "Date de fin", "Report Period", "Clics"], ["01/09/2026", "30/09/2026", 30, 5]]
    result = _check(tmp_path, {"Campagnes": rows}, segment="B2C")
    sheet = result.sheets[0]
    assert result.importable and sheet.window is None
    assert sheet.period == {"start": "2026-09-01", "end": "2026-09-30"}
    assert {c.header: c.role for c in sheet.columns}["Report Period"] == "ignored"


def test_month_periods_beside_an_end_date_are_unchanged(tmp_path):
    rows = [["Période", "Date de fin", "Clics"], ["2026-09", "30/09/2026", 5], ["2026-08", "31/08/2026", 4]]
    result = _check(tmp_path, {"Mois": rows}, segment="B2C")
    assert result.importable and result.sheets[0].window is None and result.sheets[0].grain == "month"
