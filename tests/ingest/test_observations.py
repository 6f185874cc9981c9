"""Stage 7 (kpis.ingest.observations): the conclusion of a sheet and the observations it builds."""

import numpy as np

from kpis.ingest.issues import IssueLog
from kpis.ingest.observations import Units, conclude


def _units(n, key, segments):
    day = np.array(["2026-09-01"] * n, "datetime64[D]")
    return Units(np.arange(2, 2 + n), np.asarray(key), day, day, np.asarray(segments, dtype=object),
                 {d: np.full(n, "(all)", dtype=object) for d in ("entity", "channel", "initiative")})


def test_plausibility_totals_and_deferred_observations():
    units = _units(2, [0, 1], ["B2C", "B2C"])
    picks = [("clicks", np.array([0, 1]), np.array([50.0, -2.0])),
             ("impressions", np.array([0, 1]), np.array([40.0, 9.0]))]
    log = IssueLog("S")
    c = conclude(picks, units, log)
    # row 3 has a negative count; row 2 has 50 clicks for 40 impressions
    assert [(i.code, i.row) for i in log.issues] == [("negative_count", 3), ("clicks_over_impressions", 2)]
    assert c.totals == {"clicks": 48.0, "impressions": 49.0}  # 50 − 2, 40 + 9
    assert (c.period, c.segments) == ({"start": "2026-09-01", "end": "2026-09-01"}, ["B2C"])
    assert len(c.build()) == 4


def test_split_flows_summed_stocks_kept_and_nps_parts_become_enps_in_b2e():
    units = _units(2, [0, 0], ["B2E", "B2E"])
    picks = [("contributions", np.array([0, 1]), np.array([3.0, 4.0])),
             ("nps_promoters", np.array([0]), np.array([7.0]))]
    c = conclude(picks, units, IssueLog(), sum_flows=True)
    obs = c.build().sort_values("kpi")
    assert obs[["kpi", "value"]].values.tolist() == [["contributions", 7.0], ["enps_promoters", 7.0]]  # 3 + 4
    assert c.totals == {"contributions": 7.0, "enps_promoters": 7.0}
