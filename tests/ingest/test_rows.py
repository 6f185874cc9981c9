"""Stage 3 (kpis.ingest.rows): totals and descriptions dropped, a long sheet's KPIs, shared rows."""

import numpy as np

from kpis.ingest.issues import IssueLog
from kpis.ingest.results import Column
from kpis.ingest.rows import long_codes, non_data_rows, report_split, shared_rows
from kpis.ingest.table import SheetTable

COLUMNS = [Column(0, "Date", "period"), Column(1, "Campagne", "initiative"), Column(2, "Remarque", "unknown"),
           Column(3, "Clics", "kpi", "clicks")]


def _table(rows):
    return SheetTable.from_rows([list(r) for r in rows], list(range(2, 2 + len(rows))), width=4)


def test_totals_and_a_description_row_are_dropped():
    t = _table([["date du jour", "", "", "nombre de clics"],
                ["01/09/2026", "A", "", 3], ["01/09/2026", "Total", "", 3], ["Sous-total septembre", "", "", 3],
                ["01/09/2026", "Total Store", "", 5]])
    # row 2 describes the columns; rows 4 and 5 are totals; "Total Store" is a campaign's name
    assert non_data_rows(t, COLUMNS).tolist() == [True, False, True, True, False]


def test_rows_without_values_below_the_last_total_are_a_footer():
    footer = _table([["01/09/2026", "A", "", 3], ["Total", "", "", 3], ["", "", "", ""],
                     ["Confidential Information - Do Not Distribute", "", "", ""], ["Copyright (c) 2026", "", "", ""]])
    assert non_data_rows(footer, COLUMNS).tolist() == [False, True, True, True, True]
    # a value below the total: not a footer, every row is looked at as usual
    more = _table([["01/09/2026", "A", "", 3], ["Total", "", "", 3], ["Note", "", "", ""], ["02/09/2026", "B", "", 4]])
    assert non_data_rows(more, COLUMNS).tolist() == [False, True, False, False]
    # no total: rows without values stay rows (an unreadable date is still reported)
    plain = _table([["01/09/2026", "A", "", 3], ["Confidential", "", "", ""]])
    assert non_data_rows(plain, COLUMNS).tolist() == [False, False]


def test_long_sheet_codes_ratio_rows_dropped_unknown_rejected():
    cols = [Column(0, "Mois", "period"), Column(1, "Indicateur", "long_kpi"), Column(2, "Valeur", "long_value")]
    t = SheetTable.from_rows([["09/2026", "Clics", 3], ["09/2026", "CTR", 0.1], ["09/2026", "Bidule", 1]],
                             [5, 6, 7], width=3)
    log = IssueLog("S")
    codes, dropped, rejected = long_codes(t, cols, np.zeros(3, bool), log)
    assert (codes[0], codes[2]) == ("clicks", None)  # a ratio row is dropped whatever its code
    assert dropped.tolist() == [False, True, False]
    assert rejected.tolist() == [False, False, True]
    assert [(i.code, i.row, i.column) for i in log.issues] == [("kpi_unknown", 7, "B")]


def test_repeat_rejected_conflict_rejected_split_reported():
    t = _table([["d", "A", "x", 1], ["d", "A", "x", 1],     # rows 2–3: identical, the repeat is rejected
                ["e", "B", "", 1], ["e", "B", "", 2],       # rows 4–5: same key, other value: conflict
                ["f", "C", "web", 1], ["f", "C", "app", 2]])  # rows 6–7: told apart by the unknown column C
    key = np.array([0, 0, 1, 1, 2, 2])
    log = IssueLog("S")
    rejected, split, split_rows = shared_rows(t, COLUMNS, key, np.ones(6, bool), log)
    assert rejected.tolist() == [False, True, False, True, False, False]
    assert [c.letter for c in split] == ["C"]
    assert split_rows.tolist() == [False, False, False, False, True, True]
    assert [(i.code, i.row) for i in log.issues] == [("duplicate_row", 3), ("conflicting_rows", 5)]
    # clicks split by C are summed (info); a distinct count could not be (error)
    report_split(split, split_rows, [("clicks", np.array([4, 5]), np.array([1.0, 2.0]))], log)
    report_split(split, split_rows, [("active_users", np.array([4, 5]), np.array([1.0, 2.0]))], log)
    assert [i.code for i in log.issues[2:]] == ["summed_over_column", "split_by_unmapped_column"]
