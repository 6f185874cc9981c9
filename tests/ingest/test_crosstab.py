"""The crosstab layout (kpis.ingest.crosstab) through read_sheet: KPIs down, months across, a Total column."""

from kpis.ingest.readers import RawSheet
from kpis.ingest.sheet import read_sheet


def test_crosstab_values_totals_and_repeats():
    rows = [["Tableau de bord interne 2026"],
            ["Indicateur", "janv. 2026", "févr. 2026", "Total"],
            ["Contributions", "120", "130", "250"],
            ["Taux de participation", "12 %", "13 %", ""],
            ["Contributions", "1", "1", "2"],
            ["Total", "120", "130", "250"]]
    res = read_sheet(RawSheet("Interne", rows, [1, 2, 3, 4, 5, 6]), None, {}, [])
    assert (res.layout, res.header_row, res.grain, res.segments) == ("crosstab", 2, "month", ["B2E"])
    # kept: row 3 (contributions); dropped: row 4 (a ratio, recomputed) and row 6 (a total); rejected: row 5 (repeat)
    assert res.rows == {"read": 4, "kept": 1, "rejected": 1, "dropped": 2}
    assert res.totals == {"contributions": 250.0}  # 120 + 130; the Total column D is not read
    assert res.period == {"start": "2026-01-01", "end": "2026-02-28"}
    assert [(i.code, i.row) for i in res.issues] == [("duplicate_row", 5)]
    obs = res.observations
    assert obs["value"].tolist() == [120.0, 130.0] and set(obs["segment"]) == {"B2E"}
