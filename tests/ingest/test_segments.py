"""Stage 4b (kpis.ingest.segments): the segment of each row."""

import numpy as np

from kpis.ingest.issues import IssueLog
from kpis.ingest.results import Column
from kpis.ingest.segments import segment_by_kpis, sheet_segments
from kpis.ingest.table import SheetTable

CLICKS = Column(1, "Clics", "kpi", "clicks")
SEGMENT = Column(0, "Segment", "segment")


def _run(rows, columns, caller):
    log = IssueLog("S")
    t = SheetTable.from_rows([list(r) for r in rows], list(range(2, 2 + len(rows))), width=2)
    return sheet_segments(t, columns, np.zeros(len(rows), bool), None, caller, log), log


def test_caller_choice_applies_without_a_segment_column():
    seg, log = _run([["x", 1], ["y", 2]], [CLICKS], "B2B")
    assert seg.values.tolist() == ["B2B", "B2B"] and seg.found == ["B2B"] and log.issues == []


def test_external_kpis_without_a_choice_are_undecided():
    seg, log = _run([["x", 1]], [CLICKS], None)
    assert seg is None and [i.code for i in log.issues] == ["segment_undecided"]


def test_segment_words_unknown_rejected_blank_filled():
    seg, log = _run([["Grand public", 1], ["Martiens", 2], ["", 3]], [SEGMENT, CLICKS], "B2C")
    assert seg.values.tolist()[0] == "B2C" and seg.values.tolist()[2] == "B2C"
    assert seg.bad.tolist() == [False, True, False]
    assert [(i.code, i.row) for i in log.issues] == [("segment_unknown", 3), ("segment_blank", None)]


def test_a_column_contradicting_the_caller_is_an_error():
    seg, log = _run([["B2E", 1]], [SEGMENT, CLICKS], "B2C")
    assert seg is None and [i.code for i in log.issues] == ["segment_conflict"]


def test_internal_only_kpis_say_b2e_but_b2c_b2b_are_never_guessed():
    assert segment_by_kpis({"contributions"}) == "B2E"
    assert segment_by_kpis({"contributions", "clicks"}) is None  # clicks are external-only
    assert segment_by_kpis({"impressions"}) is None
