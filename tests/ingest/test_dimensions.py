"""Stage 5 (kpis.ingest.dimensions): labels per row, the row key, the currency."""

import numpy as np

from kpis.ingest.dimensions import dimensions_and_key, sheet_currency
from kpis.ingest.issues import IssueLog
from kpis.ingest.results import Column
from kpis.ingest.table import SheetTable


def test_two_entity_columns_joined_blank_is_all_and_key_groups_equal_rows():
    cols = [Column(0, "Marque", "entity"), Column(1, "Pays", "entity"), Column(2, "Canal", "channel")]
    t = SheetTable.from_rows([["Alpha", "France", "search"], ["Alpha", "", ""], ["Alpha", "France", "search"]],
                             [2, 3, 4], width=3)
    day = np.array(["2026-09-01"] * 3, "datetime64[D]")
    log = IssueLog("S")
    dims, key = dimensions_and_key(t, cols, day, day, [], log)
    assert dims["entity"].tolist() == ["Alpha · France", "Alpha", "Alpha · France"]
    assert dims["channel"].tolist() == ["search", "(all)", "search"]
    assert dims["initiative"].tolist() == ["(all)"] * 3
    assert key[0] == key[2] != key[1]
    assert [i.code for i in log.issues] == ["dimension_joined"]


def test_currency_from_a_cost_header_warns_when_not_eur():
    cols = [Column(0, "Cost (USD)", "kpi", "cost")]
    log = IssueLog("S")
    assert sheet_currency(SheetTable.from_rows([["12.5"]], [2], 1), cols, log) == "USD"
    assert [i.code for i in log.issues] == ["currency_not_eur"]
    log = IssueLog("S")
    assert sheet_currency(SheetTable.from_rows([["12,5 €"]], [2], 1), [Column(0, "Coût", "kpi", "cost")], log) == "EUR"
    assert log.issues == []
