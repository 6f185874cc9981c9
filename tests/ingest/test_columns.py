"""Stage 2 (kpis.ingest.columns): each column's meaning, and conflicts between columns."""

from kpis.ingest.columns import RATIO_REASON, map_columns, roles, unknown_columns
from kpis.ingest.issues import IssueLog
from kpis.ingest.mapping import parse_target


def _map(header, body=(), forced=None):
    log = IssueLog("S")
    return map_columns(header, [list(r) for r in body], forced or {}, log), log


def test_kpis_dimensions_ratios_and_unknown_columns():
    cols, log = _map(["Date", "Campagne", "Clics", "CTR", "Remarque"])
    assert [(c.letter, c.role, c.kpi) for c in cols] == [
        ("A", "period", None), ("B", "initiative", None), ("C", "kpi", "clicks"), ("D", "ignored", None),
        ("E", "unknown", None)]
    assert cols[3].reason == RATIO_REASON
    assert [u["column"] for u in unknown_columns(cols)] == ["E"]
    assert log.issues == []


def test_a_headerless_column_counts_only_when_it_holds_values():
    cols, _ = _map(["Date", "Clics"], [["01/09/2026", "3", "", "x"]])
    # column C is blank in every row: not a column; D holds "x": an unknown column without a header
    assert [(c.letter, c.role) for c in cols] == [("A", "period"), ("B", "kpi"), ("D", "unknown")]


def test_forced_meaning_wins_over_the_catalog():
    cols, _ = _map(["Date", "Clics"], forced={"clics": parse_target("impressions:fr")})
    assert (cols[1].kpi, cols[1].match, cols[1].convention) == ("impressions", "mapped", "fr")


def test_two_exact_columns_for_one_kpi_are_an_error_and_both_ignored():
    cols, log = _map(["Date", "Clics", "Clicks"])
    assert [c.role for c in cols] == ["period", "ignored", "ignored"]
    assert [i.code for i in log.issues] == ["ambiguous_columns"]
    assert "B, C" in log.issues[0].message_en


def test_a_mapped_column_beats_an_exact_one():
    cols, log = _map(["Date", "Clics", "Clics web"], forced={"clics web": parse_target("clicks")})
    assert [c.letter for c in roles(cols, "kpi")] == ["C"]
    assert cols[1].reason == "column C gives clicks"
    assert log.issues == []
