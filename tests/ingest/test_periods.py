"""Stage 4a (kpis.ingest.periods): a sheet's periods from one column or from start and end columns."""

import numpy as np

from kpis.ingest.issues import IssueLog
from kpis.ingest.periods import reject_periods, sheet_periods, widen
from kpis.ingest.results import Column
from kpis.ingest.table import SheetTable


def test_month_column_read_with_its_header_grain():
    cols = [Column(0, "Mois", "period"), Column(1, "Clics", "kpi", "clicks")]
    t = SheetTable.from_rows([["09/2026", 1], ["10/2026", 2], ["13/2026", 3]], [2, 3, 4], width=2)
    log = IssueLog("S")
    p = sheet_periods(t, cols, np.ones(3, bool), log)
    assert p.starts[:2].astype(str).tolist() == ["2026-09-01", "2026-10-01"]
    assert p.ends[:2].astype(str).tolist() == ["2026-09-30", "2026-10-31"]
    assert p.bad.tolist() == [False, False, True]  # there is no 13th month
    assert reject_periods(t, p.bad, p.letter, log).tolist() == [False, False, True]
    assert [(i.code, i.row, i.column) for i in log.issues] == [("date_unparseable", 4, "A")]


def test_start_and_end_columns_win_and_the_period_column_is_ignored():
    cols = [Column(0, "Mois", "period"), Column(1, "Début", "period_start"), Column(2, "Fin", "period_end")]
    t = SheetTable.from_rows([["09/2026", "15/09/2026", "14/10/2026"], ["x", "20/10/2026", "01/10/2026"]], [2, 3], 3)
    p = sheet_periods(t, cols, np.ones(2, bool), IssueLog())
    assert cols[0].role == "ignored"
    assert (str(p.starts[0]), str(p.ends[0]), p.grains[0]) == ("2026-09-15", "2026-10-14", "range")
    assert p.bad.tolist() == [False, True]  # the second row ends before it starts
    assert p.letter == "B"


def test_no_period_column_is_a_sheet_error():
    log = IssueLog("S")
    t = SheetTable.from_rows([[1]], [2], 1)
    assert sheet_periods(t, [Column(0, "Clics", "kpi", "clicks")], np.ones(1, bool), log) is None
    assert [(i.code, i.severity) for i in log.issues] == [("no_period", "error")]


def test_daily_dates_of_one_per_week_are_widened_to_weeks():
    # Mondays a week apart: the regularity says weeks; 2026-09-07 is a Monday, its week ends Sunday 13th
    cols = [Column(0, "Date", "period")]
    t = SheetTable.from_rows([["07/09/2026"], ["14/09/2026"], ["21/09/2026"]], [2, 3, 4], 1)
    p = sheet_periods(t, cols, np.ones(3, bool), IssueLog())
    assert p.grains.tolist() == ["week"] * 3
    assert str(p.ends[0]) == "2026-09-13"
    assert widen(np.array(["2026-11-30"], "datetime64[D]"), "quarter")[1].astype(str).tolist() == ["2026-12-31"]
