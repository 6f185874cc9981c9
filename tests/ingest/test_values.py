"""Stage 6 (kpis.ingest.values): numbers of each KPI column in French or English conventions."""

import numpy as np

from kpis.ingest.issues import IssueLog
from kpis.ingest.results import Column
from kpis.ingest.table import SheetTable
from kpis.ingest.values import picks


def _picks(rows, columns, live=None):
    log = IssueLog("S")
    t = SheetTable.from_rows([list(r) for r in rows], list(range(2, 2 + len(rows))), width=len(columns))
    live = np.ones(len(rows), bool) if live is None else np.asarray(live)
    return picks(t, columns, live, None, log), log


def test_each_column_its_own_convention_an_ambiguous_one_the_sheets_majority():
    cols = [Column(0, "Coût", "kpi", "cost"), Column(1, "CA", "kpi", "revenue"), Column(2, "Clicks", "kpi", "clicks"),
            Column(3, "Impressions", "kpi", "impressions")]
    found, log = _picks([["1 234,50", "3,5", "1,234", "1,234.5"], ["12,5", "4", "2,000", "2,000"]], cols)
    by = {kpi: values.tolist() for kpi, _, values in found}
    # cost and revenue are French ("1 234,50", "3,5"): two votes; impressions English ("1,234.5"): one vote
    assert by["cost"] == [1234.5, 12.5]
    assert by["revenue"] == [3.5, 4.0]
    assert by["impressions"] == [1234.5, 2000.0]
    # clicks "1,234" and "2,000" read either way: the sheet's majority (French, 2 to 1) decides → 1.234 and 2.0
    assert by["clicks"] == [1.234, 2.0]
    assert log.issues == []


def test_unreadable_cell_dropped_na_counted_rejected_rows_ignored():
    cols = [Column(0, "Clics", "kpi", "clicks")]
    found, log = _picks([["3"], ["abc"], ["N/A"], ["7"]], cols, live=[True, True, True, False])
    kpi, rows, values = found[0]
    assert (kpi, rows.tolist(), values.tolist()) == ("clicks", [0], [3.0])  # row 5 is not live
    assert [(i.code, i.row) for i in log.issues] == [("not_available", None), ("number_unparseable", 3)]


def test_ambiguous_number_is_reported_with_the_fix():
    cols = [Column(0, "Clics", "kpi", "clicks")]
    found, log = _picks([["1,103"]], cols)
    assert found == []
    assert log.issues[0].code == "number_ambiguous" and '--map "Clics=clicks:' in log.issues[0].message_en


def test_forced_convention_settles_the_ambiguity():
    cols = [Column(0, "Clics", "kpi", "clicks", convention="fr")]
    found, _ = _picks([["1,103"]], cols)
    assert found[0][2].tolist() == [1.103]
