"""kpis.metrics: golden values computed by hand, on native-totals frames, observations and a real store."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis import metrics
from kpis.metrics import (
    MERGED,
    breakdown,
    bucket_bounds,
    cdo_view,
    funnel,
    indexed_trends,
    kpi_table,
    native_totals_from_observations,
    period_labels,
    scorecard,
    side_by_side,
    targets_status,
    widen,
)
from kpis.model import OBS_COLUMNS, Filter

ROOT = Path(__file__).resolve().parent.parent


# --- helpers ---------------------------------------------------------------------------


def native(*rows, dims: tuple[str, ...] = ()) -> pd.DataFrame:
    """A native-totals frame as the store returns it: (start, end, segment, kpi, value, *dims)."""
    df = pd.DataFrame(list(rows), columns=["period_start", "period_end", "segment", "kpi", "value", *dims])
    return df.assign(period_start=pd.to_datetime(df["period_start"]), period_end=pd.to_datetime(df["period_end"]),
                     value=df["value"].astype(float), n=1)


def month(ym: str) -> tuple[str, str]:
    start = pd.Timestamp(ym + "-01")
    return start.strftime("%Y-%m-%d"), (start + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d")


def monthly(segment: str, kpi: str, values: dict[str, float]) -> list[tuple]:
    return [(*month(ym), segment, kpi, v) for ym, v in values.items()]


def obs(*rows) -> pd.DataFrame:
    """Observations: (start, end, segment, entity, channel, initiative, kpi, value)."""
    df = pd.DataFrame(list(rows), columns=list(OBS_COLUMNS))
    return df.assign(period_start=pd.to_datetime(df["period_start"]), period_end=pd.to_datetime(df["period_end"]),
                     value=df["value"].astype(float))


def cell(table: pd.DataFrame, kpi: str, segment: str = None, period: str = None, column: str = "value"):
    sel = table[table["kpi"] == kpi]
    if segment:
        sel = sel[sel["segment"] == segment]
    if period:
        sel = sel[sel["period"] == period]
    assert len(sel) == 1, sel
    return sel[column].iloc[0]


def no_infinity(df: pd.DataFrame) -> bool:
    nums = df.select_dtypes("number")
    return bool(np.isfinite(nums.to_numpy(dtype=float)[~np.isnan(nums.to_numpy(dtype=float))]).all())


QUARTER_B2E = (
    monthly("B2E", "active_users", {"2026-07": 600, "2026-08": 700, "2026-09": 800})
    + monthly("B2E", "population", {"2026-07": 1500, "2026-08": 1600, "2026-09": 1800})
)


# --- aggregation by kind ------------------------------------------------------------------


def test_cpc_is_total_cost_over_total_clicks_not_mean_of_daily_cpc():
    nat = native(
        ("2026-09-01", "2026-09-01", "B2C", "cost", 400), ("2026-09-01", "2026-09-01", "B2C", "clicks", 200),  # 2 €
        ("2026-09-02", "2026-09-02", "B2C", "cost", 1000), ("2026-09-02", "2026-09-02", "B2C", "clicks", 100),  # 10 €
    )
    t = kpi_table(nat, Filter(), "month", lang="en")
    # (400 + 1000) € / (200 + 100) clicks = 1400 / 300 = 4.6667 €, not (2 + 10) / 2 = 6 €
    assert cell(t, "cpc", "B2C", "2026-09") == pytest.approx(1400 / 300)
    assert cell(t, "cost", "B2C", "2026-09") == 1400
    assert cell(t, "cpc", "B2C", "2026-09", "unit") == "€"


def test_population_over_a_quarter_is_the_last_month_not_the_sum():
    t = kpi_table(native(*QUARTER_B2E), Filter(), "quarter", lang="en")
    # end of the quarter: September's 1,800, not 1,500 + 1,600 + 1,800 = 4,900
    assert cell(t, "population", "B2E", "2026-Q3") == 1800
    assert cell(t, "population", "B2E", "2026-Q3", "basis") == "end of period"


def test_active_users_over_a_quarter_is_the_mean_of_monthly_totals():
    t = kpi_table(native(*QUARTER_B2E), Filter(), "quarter", lang="en")
    # (600 + 700 + 800) / 3 = 700, not the sum 2,100
    assert cell(t, "active_users", "B2E", "2026-Q3") == 700
    assert cell(t, "active_users", "B2E", "2026-Q3", "basis") == "mean of 3 months"
    fr = kpi_table(native(*QUARTER_B2E), Filter(), "quarter", lang="fr")
    assert cell(fr, "active_users", "B2E", "2026-Q3", "basis") == "moyenne de 3 mois"


def test_adoption_over_a_quarter_is_mean_active_users_over_end_of_quarter_population():
    t = kpi_table(native(*QUARTER_B2E), Filter(), "quarter", lang="en")
    # 700 / 1,800 = 0.38889, not 700 / mean population (1,633.3) = 0.4286, nor the mean of monthly rates (0.4144)
    assert cell(t, "adoption_rate", "B2E", "2026-Q3") == pytest.approx(700 / 1800)
    monthly_rates = kpi_table(native(*QUARTER_B2E), Filter(), "month", lang="en")
    # September alone: 800 / 1,800 = 0.4444
    assert cell(monthly_rates, "adoption_rate", "B2E", "2026-09") == pytest.approx(800 / 1800)


def test_population_repeated_per_channel_is_not_double_counted():
    o = obs(
        # the same 1,000 employees of E1 reported by the intranet and by Teams; 500 in E2
        ("2026-09-01", "2026-09-30", "B2E", "E1", "intranet", "(all)", "population", 1000),
        ("2026-09-01", "2026-09-30", "B2E", "E1", "teams", "(all)", "population", 1000),
        ("2026-09-01", "2026-09-30", "B2E", "E2", "intranet", "(all)", "population", 500),
        ("2026-09-01", "2026-09-30", "B2E", "E1", "intranet", "(all)", "active_users", 400),
        ("2026-09-01", "2026-09-30", "B2E", "E1", "teams", "(all)", "active_users", 600),
        ("2026-09-01", "2026-09-30", "B2E", "E2", "intranet", "(all)", "active_users", 100),
    )
    nat = native_totals_from_observations(o)
    t = kpi_table(nat, Filter(), "month", lang="en")
    # max over channels per entity, then sum over entities: 1,000 + 500 = 1,500 (not 2,500)
    assert cell(t, "population", "B2E", "2026-09") == 1500
    # active users: max(400, 600) + 100 = 700; adoption 700 / 1,500
    assert cell(t, "active_users", "B2E", "2026-09") == 700
    assert cell(t, "adoption_rate", "B2E", "2026-09") == pytest.approx(700 / 1500)


def test_nps_is_pooled_across_entities_not_the_mean_of_scores():
    o = obs(
        # E1: (50 − 10) / 100 × 100 = 40;  E2: (5 − 5) / 10 × 100 = 0
        ("2026-09-01", "2026-09-30", "B2C", "E1", "(all)", "(all)", "nps_promoters", 50),
        ("2026-09-01", "2026-09-30", "B2C", "E1", "(all)", "(all)", "nps_detractors", 10),
        ("2026-09-01", "2026-09-30", "B2C", "E1", "(all)", "(all)", "nps_respondents", 100),
        ("2026-09-01", "2026-09-30", "B2C", "E2", "(all)", "(all)", "nps_promoters", 5),
        ("2026-09-01", "2026-09-30", "B2C", "E2", "(all)", "(all)", "nps_detractors", 5),
        ("2026-09-01", "2026-09-30", "B2C", "E2", "(all)", "(all)", "nps_respondents", 10),
    )
    t = kpi_table(native_totals_from_observations(o), Filter(), "month", lang="en")
    # pooled: (55 − 15) / 110 × 100 = 36.36, not (40 + 0) / 2 = 20
    assert cell(t, "nps", "B2C", "2026-09") == pytest.approx(40 / 110 * 100)
    assert cell(t, "nps", "B2C", "2026-09", "unit") == "score"


def test_a_weekly_flow_straddling_two_months_is_prorated_by_day():
    nat = native(
        ("2026-08-31", "2026-09-06", "B2C", "clicks", 700),  # Monday 31 Aug → Sunday 6 Sep: 1 + 6 days
        ("2026-08-15", "2026-09-14", "B2C", "impressions", 3100),  # a Meta row from the 15th to the 14th: 17 + 14 days
    )
    t = kpi_table(nat, Filter(), "month", lang="en")
    assert cell(t, "clicks", "B2C", "2026-08") == pytest.approx(100)  # 700 × 1/7
    assert cell(t, "clicks", "B2C", "2026-09") == pytest.approx(600)  # 700 × 6/7
    assert cell(t, "impressions", "B2C", "2026-08") == pytest.approx(1700)  # 3100 × 17/31
    assert cell(t, "impressions", "B2C", "2026-09") == pytest.approx(1400)  # 3100 × 14/31
    assert cell(t, "clicks", "B2C", "2026-09", "basis") == "prorated by day"
    # the week itself is whole at weekly grain: no proration, label ISO week 36
    w = kpi_table(nat, Filter(), "week", lang="en")
    assert cell(w, "clicks", "B2C", "2026-W36") == 700
    assert cell(w, "clicks", "B2C", "2026-W36", "basis") is None


def test_a_flow_is_cut_by_the_filter_range_by_day():
    nat = native(("2026-08-31", "2026-09-06", "B2C", "clicks", 700))
    t = kpi_table(nat, Filter(start=date(2026, 9, 1), end=date(2026, 9, 30)), "month", lang="en")
    # only the 6 September days count: 600; no August bucket outside the range
    assert list(t["period"].unique()) == ["2026-09"]
    assert cell(t, "clicks", "B2C") == pytest.approx(600)


def test_distinct_count_never_shown_finer_than_native_grain():
    t = kpi_table(native(*QUARTER_B2E), Filter(), "week", lang="en")
    au = t[(t["kpi"] == "active_users") & (t["segment"] == "B2E")]
    assert len(au) == 3 and au["value"].isna().all()
    assert set(au["reason"]) == {"native grain is month"}
    adoption = t[(t["kpi"] == "adoption_rate") & (t["segment"] == "B2E")]
    assert adoption["value"].isna().all()
    assert set(adoption["reason"]) == {"active_users: native grain is month"}
    # population is a stock: it has a value in the week holding each month end (2026-07-31 is in W31)
    assert cell(t, "population", "B2E", "2026-W31") == 1500


def test_daily_distinct_counts_average_over_the_month_with_their_count():
    nat = native(*[(d, d, "B2C", "unique_visitors", v) for d, v in
                   (("2026-09-01", 100), ("2026-09-02", 200), ("2026-09-03", 600))])
    t = kpi_table(nat, Filter(), "month", lang="en")
    # (100 + 200 + 600) / 3 days with data = 300
    assert cell(t, "unique_visitors", "B2C", "2026-09") == 300
    assert cell(t, "unique_visitors", "B2C", "2026-09", "basis") == "mean of 3 days"


def test_a_stock_takes_the_latest_native_period_in_the_bucket():
    nat = native(("2026-09-10", "2026-09-10", "B2C", "followers", 900),
                 ("2026-09-20", "2026-09-20", "B2C", "followers", 950),
                 ("2026-09-05", "2026-09-05", "B2C", "followers", 2000))
    t = kpi_table(nat, Filter(), "month", lang="en")
    assert cell(t, "followers", "B2C", "2026-09") == 950  # value on the 20th, the latest day, not the max or the sum


def test_zero_and_missing_denominators_give_no_value_and_a_reason():
    nat = native(
        *monthly("B2C", "clicks", {"2026-09": 0}), *monthly("B2C", "impressions", {"2026-09": 0}),
        *monthly("B2C", "cost", {"2026-09": 50}),  # no conversions at all: CPA has no denominator
        *monthly("B2E", "active_users", {"2026-09": 10}),  # no population
    )
    t = kpi_table(nat, Filter(), "month", lang="en")
    assert math.isnan(cell(t, "ctr", "B2C"))
    assert cell(t, "ctr", "B2C", column="reason") == "impressions is zero"
    assert math.isnan(cell(t, "cpc", "B2C"))  # 50 € / 0 clicks
    assert cell(t, "cpc", "B2C", column="reason") == "clicks is zero"
    assert cell(t, "cpa", "B2C", column="reason") == "no data for conversions"
    assert cell(t, "adoption_rate", "B2E", column="reason") == "no data for population"
    assert no_infinity(t)


def test_a_filter_that_matches_nothing_gives_empty_results_not_errors():
    nat = native(*QUARTER_B2E)
    flt = Filter(segments=("B2C",))
    for frame in (kpi_table(nat, flt), scorecard(nat, flt), funnel(nat, flt),
                  targets_status(nat, pd.DataFrame(), flt), breakdown(nat.assign(entity="E1"), "entity", flt)):
        assert frame.empty
    assert kpi_table(nat.iloc[0:0], Filter()).empty
    assert kpi_table(nat, Filter(start=date(2030, 1, 1))).empty
    assert list(kpi_table(nat, flt).columns) == list(metrics.TABLE_COLUMNS)


def test_merged_all_rows_pool_components_across_segments():
    nat = native(*monthly("B2C", "clicks", {"2026-09": 100}), *monthly("B2C", "impressions", {"2026-09": 1000}),
                 *monthly("B2B", "clicks", {"2026-09": 50}), *monthly("B2B", "impressions", {"2026-09": 4000}),
                 *monthly("B2E", "active_users", {"2026-09": 300}), *monthly("B2E", "population", {"2026-09": 1000}),
                 *monthly("B2C", "active_users", {"2026-09": 2000}))
    t = kpi_table(nat, Filter(), "month", lang="en")
    # CTR ALL = (100 + 50) / (1,000 + 4,000) = 0.03, not the mean of 0.10 and 0.0125 (0.05625)
    assert cell(t, "ctr", MERGED) == pytest.approx(0.03)
    assert cell(t, "clicks", MERGED) == 150
    # active users ALL = 2,000 (B2C) + 300 (B2E); adoption ALL stays internal: 300 / 1,000
    assert cell(t, "active_users", MERGED) == 2300
    assert cell(t, "adoption_rate", MERGED) == pytest.approx(0.3)
    assert MERGED not in set(kpi_table(nat, Filter(segments=("B2C",)), "month")["segment"])
    assert MERGED in set(kpi_table(nat, Filter(segments=("B2C", "B2B")), "month")["segment"])


def test_merged_ratio_only_pools_segments_having_both_components():
    nat = native(*monthly("B2C", "clicks", {"2026-09": 100}), *monthly("B2C", "impressions", {"2026-09": 1000}),
                 *monthly("B2B", "impressions", {"2026-09": 4000}))  # B2B has no clicks: left out of the CTR
    t = kpi_table(nat, Filter(), "month", lang="en")
    assert cell(t, "ctr", MERGED) == pytest.approx(0.1)  # 100 / 1,000, not 100 / 5,000
    assert cell(t, "ctr", "B2B", column="reason") == "no data for clicks"


# --- periods and labels ----------------------------------------------------------------------


@pytest.mark.parametrize("day,grain,fiscal_start,label", [
    ("2026-09-01", "day", 1, "2026-09-01"),
    ("2026-09-10", "week", 1, "2026-W37"),  # Thursday 10 Sep 2026 is in ISO week 37
    ("2026-01-01", "week", 1, "2026-W01"),  # a Thursday: week 1 of 2026
    ("2027-01-01", "week", 1, "2026-W53"),  # a Friday: the last ISO week of 2026
    ("2026-09-30", "month", 1, "2026-09"),
    ("2026-09-30", "quarter", 1, "2026-Q3"),
    ("2026-09-30", "year", 1, "2026"),
    ("2025-07-01", "year", 7, "FY2026"),  # fiscal year July 2025 – June 2026 ends in 2026
    ("2026-06-30", "year", 7, "FY2026"),
    ("2026-07-01", "year", 7, "FY2027"),
    ("2025-09-15", "quarter", 7, "FY2026-Q1"),  # July–September 2025
    ("2026-05-15", "quarter", 4, "FY2027-Q1"),  # April start: April 2026 – March 2027 is FY2027
    ("2026-03-31", "quarter", 4, "FY2026-Q4"),
])
def test_period_labels(day, grain, fiscal_start, label):
    assert period_labels([day], grain, fiscal_start) == [label]


def test_fiscal_buckets_follow_the_fiscal_start():
    assert bucket_bounds(date(2026, 8, 15), "quarter", fiscal_start=4) == (date(2026, 7, 1), date(2026, 9, 30))
    assert bucket_bounds(date(2026, 1, 15), "year", fiscal_start=7) == (date(2025, 7, 1), date(2026, 6, 30))
    nat = native(*monthly("B2C", "clicks", {"2025-06": 1, "2025-07": 10, "2026-06": 100, "2026-07": 1000}))
    t = kpi_table(nat, Filter(kpis=("clicks",)), "year", fiscal_start=7, lang="en")
    assert dict(zip(t["period"], t["value"], strict=True)) == {"FY2025": 1, "FY2026": 110, "FY2027": 1000}
    fy = t[t["period"] == "FY2026"].iloc[0]
    assert (fy["period_start"], fy["period_end"]) == (pd.Timestamp("2025-07-01"), pd.Timestamp("2026-06-30"))


def test_flow_totals_are_conserved_by_proration():
    nat = native(("2026-08-15", "2026-09-14", "B2C", "clicks", 3100), ("2026-09-28", "2026-10-04", "B2C", "clicks", 70))
    for grain in ("day", "week", "month", "quarter", "year"):
        t = kpi_table(nat, Filter(segments=("B2C",)), grain)
        assert t.loc[t["kpi"] == "clicks", "value"].sum() == pytest.approx(3170), grain


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 60), st.floats(0, 1e6)), min_size=1, max_size=20),
       st.sampled_from(["day", "week", "month", "quarter", "year"]), st.integers(1, 12))
def test_property_prorated_flows_sum_to_the_native_total(rows, grain, fiscal_start):
    base = pd.Timestamp("2025-11-01")
    nat = native(*[(base + pd.Timedelta(days=s), base + pd.Timedelta(days=s + span), "B2B", "cost", v)
                   for s, span, v in rows])
    t = kpi_table(nat, Filter(segments=("B2B",)), grain, fiscal_start)
    assert t.loc[t["kpi"] == "cost", "value"].sum() == pytest.approx(sum(v for _, _, v in rows), rel=1e-9, abs=1e-6)


# --- scorecard ---------------------------------------------------------------------------------


def test_a_cpa_drop_is_good_and_cpc_changes_in_euros():
    nat = native(*monthly("B2C", "cost", {"2026-08": 1000, "2026-09": 900}),
                 *monthly("B2C", "conversions", {"2026-08": 10, "2026-09": 12}),
                 *monthly("B2C", "clicks", {"2026-08": 500, "2026-09": 360}))
    sc = scorecard(nat, Filter(), "month", lang="en")
    cpa = sc[sc["kpi"] == "cpa"].iloc[0]
    # CPA 1000/10 = 100 € → 900/12 = 75 €: −25 €, −25 %, good (lower is better)
    assert (cpa["value"], cpa["previous"]) == (75, 100)
    assert cpa["change"] == pytest.approx(-25) and cpa["change_relative"] == pytest.approx(-0.25)
    assert cpa["change_unit"] == "abs" and cpa["good"] is True
    cpc = sc[sc["kpi"] == "cpc"].iloc[0]
    # CPC 1000/500 = 2 € → 900/360 = 2.5 €: +0.5 €, +25 %, bad
    assert cpc["change"] == pytest.approx(0.5) and cpc["change_relative"] == pytest.approx(0.25)
    assert cpc["change_unit"] == "abs" and cpc["good"] is False
    cost = sc[sc["kpi"] == "cost"].iloc[0]
    assert cost["good"] is True  # spend down, direction −1


def test_ctr_change_is_in_percentage_points():
    nat = native(*monthly("B2C", "clicks", {"2026-08": 20, "2026-09": 30}),
                 *monthly("B2C", "impressions", {"2026-08": 1000, "2026-09": 1200}))
    sc = scorecard(nat, Filter(), "month", lang="en")
    ctr = sc[sc["kpi"] == "ctr"].iloc[0]
    # 20/1000 = 2.0 % → 30/1200 = 2.5 %: +0.5 pp (relative +25 %)
    assert ctr["value"] == pytest.approx(0.025) and ctr["previous"] == pytest.approx(0.02)
    assert ctr["change"] == pytest.approx(0.5) and ctr["change_unit"] == "pp"
    assert ctr["change_relative"] == pytest.approx(0.25) and ctr["good"] is True


def test_a_partial_month_is_compared_like_for_like():
    nat = native(*monthly("B2C", "clicks", {"2025-09": 6000, "2026-08": 3100}),
                 *[(f"2026-09-{d:02d}", f"2026-09-{d:02d}", "B2C", "clicks", 12) for d in range(1, 16)])
    sc = scorecard(nat, Filter(), "month", lang="en")
    c = sc[sc["kpi"] == "clicks"].iloc[0]
    # September has data up to the 15th: 15 × 12 = 180; August's first 15 days: 3100 × 15/31 = 1,500 (not 3,100);
    # September 2025's first 15 days: 6000 × 15/30 = 3,000
    assert c["period"] == "2026-09" and c["like_for_like_days"] == 15
    assert c["value"] == 180 and c["previous"] == pytest.approx(1500) and c["previous_year"] == pytest.approx(3000)
    assert c["change_relative"] == pytest.approx(180 / 1500 - 1)


def test_scorecard_comparison_ignores_the_filter_start():
    nat = native(*monthly("B2E", "population", {"2025-09": 1000, "2026-08": 1500, "2026-09": 1800}))
    flt = Filter(start=date(2026, 9, 1), end=date(2026, 9, 30))
    sc = scorecard(nat, flt, "month", lang="en")
    pop = sc[(sc["kpi"] == "population") & (sc["segment"] == "B2E")].iloc[0]
    assert (pop["value"], pop["previous"], pop["previous_year"]) == (1800, 1500, 1000)
    assert pop["change"] == 300 and pop["like_for_like_days"] is None
    assert widen(flt).start <= date(2025, 9, 1)  # fetch reads the year before


def test_scorecard_quarter_compares_with_previous_quarter_and_year():
    nat = native(*QUARTER_B2E, *monthly("B2E", "active_users", {"2026-04": 500, "2026-05": 500, "2026-06": 500}),
                 *monthly("B2E", "population", {"2026-06": 2000}))
    sc = scorecard(nat, Filter(), "quarter", lang="en")
    adoption = sc[(sc["kpi"] == "adoption_rate") & (sc["segment"] == "B2E")].iloc[0]
    # Q3 700 / 1,800 = 38.89 %; Q2 500 / 2,000 = 25 %: +13.89 pp
    assert adoption["previous"] == pytest.approx(0.25)
    assert adoption["change"] == pytest.approx((700 / 1800 - 0.25) * 100)
    assert adoption["previous_period"] == "2026-Q2" and adoption["previous_year_period"] == "2025-Q3"


# --- targets -------------------------------------------------------------------------------------


def targets_frame(*rows) -> pd.DataFrame:
    df = pd.DataFrame(list(rows), columns=["kpi", "segment", "entity", "period_start", "period_end", "grain", "value"])
    return df.assign(period_start=pd.to_datetime(df["period_start"]), period_end=pd.to_datetime(df["period_end"]))


def test_a_yearly_flow_target_is_prorated_over_three_months():
    nat = native(*monthly("B2C", "clicks", {"2026-01": 100, "2026-02": 100, "2026-03": 110}))
    tg = targets_frame(("clicks", "B2C", None, "2026-01-01", "2026-12-31", "year", 1200))
    res = targets_status(nat, tg, Filter(start=date(2026, 1, 1), end=date(2026, 3, 31)), lang="en")
    row = res.iloc[0]
    # 1,200 × 3/12 = 300; actual 310 → 103.3 % → green
    assert row["target"] == pytest.approx(300) and row["actual"] == 310
    assert row["attainment"] == pytest.approx(310 / 300) and row["status"] == "green"
    assert row["period"] == "2026-01-01/2026-03-31"


@pytest.mark.parametrize("actual,status", [(280, "amber"), (250, "red"), (300, "green")])
def test_status_thresholds(actual, status):
    # clicks thresholds (1.0, 0.9): 280/300 = 93 % amber; 250/300 = 83 % red; 300/300 green
    nat = native(*monthly("B2C", "clicks", {"2026-03": actual}))
    tg = targets_frame(("clicks", "B2C", None, "2026-03-01", "2026-03-31", "month", 300))
    assert targets_status(nat, tg, Filter())["status"].iloc[0] == status


def test_attainment_is_inverted_for_lower_is_better_and_ratio_targets_apply_as_is():
    nat = native(*monthly("B2C", "cost", {"2026-01": 1000, "2026-02": 1000, "2026-03": 1000}),
                 *monthly("B2C", "conversions", {"2026-01": 10, "2026-02": 10, "2026-03": 10}))
    tg = targets_frame(("cpa", "B2C", None, "2026-01-01", "2026-12-31", "year", 80))
    row = targets_status(nat, tg, Filter(start=date(2026, 1, 1), end=date(2026, 3, 31))).iloc[0]
    # CPA 3000/30 = 100 € vs a target of 80 € (not prorated): 80/100 = 80 % → red
    assert row["target"] == 80 and row["attainment"] == pytest.approx(0.8) and row["status"] == "red"


def test_scorecard_carries_target_of_the_latest_month():
    nat = native(*monthly("B2C", "clicks", {"2026-08": 100, "2026-09": 95}))
    tg = targets_frame(("clicks", "B2C", None, "2026-01-01", "2026-12-31", "year", 1200))
    sc = scorecard(nat, Filter(), "month", targets=tg)
    row = sc[(sc["kpi"] == "clicks") & (sc["segment"] == "B2C")].iloc[0]
    # 1,200 / 12 = 100 for September; 95 / 100 → amber
    assert row["target"] == pytest.approx(100) and row["status"] == "amber"


def test_group_targets_do_not_apply_to_a_channel_selection():
    nat = native(*monthly("B2C", "clicks", {"2026-03": 300}))
    tg = targets_frame(("clicks", "B2C", None, "2026-03-01", "2026-03-31", "month", 300))
    assert targets_status(nat, tg, Filter(channels=("search",))).empty


# --- funnel, side by side, breakdowns, trends -------------------------------------------------------


FUNNEL_DATA = (
    monthly("B2C", "impressions", {"2026-09": 10000}) + monthly("B2C", "clicks", {"2026-09": 200})
    + monthly("B2C", "conversions", {"2026-09": 10}) + monthly("B2C", "nps_promoters", {"2026-09": 60})
    + monthly("B2C", "nps_detractors", {"2026-09": 20}) + monthly("B2C", "nps_respondents", {"2026-09": 100})
    + monthly("B2B", "impressions", {"2026-09": 5000}) + monthly("B2B", "clicks", {"2026-09": 300})
    + monthly("B2B", "conversions", {"2026-09": 30})
    + monthly("B2E", "population", {"2026-09": 2000}) + monthly("B2E", "active_users", {"2026-09": 1200})
    + monthly("B2E", "contributors", {"2026-09": 240})
)


def test_funnel_per_segment_with_stage_rates():
    f = funnel(native(*FUNNEL_DATA), Filter(), lang="en")
    b2e = f[f["segment"] == "B2E"].set_index("kpi")["value"]
    # B2E: engagement 1,200 / 2,000 = 0.6 (adoption); action 240 / 1,200 = 0.2 (participation)
    assert b2e["population"] == 2000 and b2e["funnel_engagement_rate"] == pytest.approx(0.6)
    assert b2e["funnel_action_rate"] == pytest.approx(0.2)
    b2c = f[f["segment"] == "B2C"].set_index("kpi")["value"]
    # B2C: 200 / 10,000 = 0.02 (CTR); 10 / 200 = 0.05 (conversion rate); NPS (60 − 20) / 100 × 100 = 40
    assert b2c["funnel_engagement_rate"] == pytest.approx(0.02) and b2c["funnel_action_rate"] == pytest.approx(0.05)
    assert b2c["nps"] == pytest.approx(40)
    assert list(f[f["segment"] == "B2C"]["stage"]) == ["audience", "engagement", "action", "satisfaction", "rate",
                                                       "rate"]
    assert MERGED not in set(f["segment"])


def test_side_by_side_merges_the_external_world_and_names_both_vocabularies():
    s = side_by_side(native(*FUNNEL_DATA), Filter(), lang="fr").set_index("stage")
    # external engagement = 200 + 300 clicks; external engagement rate = 500 / 15,000
    assert s.loc["engagement", "external_value"] == 500
    assert s.loc["engagement", "internal_value"] == 1200
    assert s.loc["funnel_engagement_rate", "external_value"] == pytest.approx(500 / 15000)
    assert s.loc["funnel_action_rate", "internal_value"] == pytest.approx(0.2)
    assert s.loc["audience", "internal_label"] == "Population cible"
    assert s.loc["funnel_action_rate", "external_label"] == "taux de conversion"
    assert s.loc["funnel_action_rate", "internal_label"] == "taux de participation"
    voc = metrics.vocabulary("en")
    assert ("campaign", "collaborative space") in list(zip(voc["external"], voc["internal"], strict=True))


def test_breakdown_top_bottom_and_shares():
    o = obs(*[("2026-09-01", "2026-09-30", "B2C", "FR", "(all)", f"C{i}", "clicks", v)
              for i, v in enumerate((50, 30, 15, 5))],
            ("2026-09-01", "2026-09-30", "B2E", "HQ", "intranet", "(all)", "population", 1000),
            ("2026-09-01", "2026-09-30", "B2E", "HQ", "teams", "(all)", "population", 800))
    nb = native_totals_from_observations(o, by=("initiative",))
    b = breakdown(nb, "initiative", Filter(), n=1, lang="en")
    clicks = b[b["kpi"] == "clicks"]
    # top C0 with 50 / 100 = 50 %, bottom C3 with 5 %
    assert list(clicks["initiative"]) == ["C0", "C3"] and list(clicks["position"]) == ["top", "bottom"]
    assert list(clicks["share"]) == pytest.approx([0.5, 0.05])
    nc = native_totals_from_observations(o, by=("channel",))
    pop = breakdown(nc, "channel", Filter(segments=("B2E",)), n=5)
    # a stock across channels overlaps (same employees): no share
    assert pop["share"].isna().all() and list(pop["value"]) == [1000, 800]


def test_indexed_trends_base_100_at_first_bucket_with_value():
    nat = native(*monthly("B2C", "clicks", {"2026-07": 0, "2026-08": 200, "2026-09": 300}))
    tr = indexed_trends(kpi_table(nat, Filter(segments=("B2C",))), ("clicks",))
    # July is 0: the base is August's 200 → 100, 150; July has no index
    assert list(tr["index"].iloc[1:]) == pytest.approx([100, 150]) and math.isnan(tr["index"].iloc[0])


# --- the CDO view, through a fake and a real store ---------------------------------------------------


class FakeStore:
    def __init__(self, nat: pd.DataFrame, targets: pd.DataFrame | None = None):
        self.nat, self._targets, self.calls = nat, targets, []

    def native_totals(self, flt, by=(), sources=False):  # a frame without origins: ratios divide plain components
        self.calls.append(flt)
        sel = self.nat
        if flt.start:
            sel = sel[sel["period_end"] >= pd.Timestamp(flt.start)]
        if flt.end:
            sel = sel[sel["period_end"] <= pd.Timestamp(flt.end)]
        return sel

    def targets(self):
        return self._targets if self._targets is not None else targets_frame()


def test_cdo_view_bundles_everything_from_one_store_read():
    store = FakeStore(native(*FUNNEL_DATA, *QUARTER_B2E[:2], *QUARTER_B2E[3:5]),
                      targets_frame(("active_users", "B2E", None, "2026-01-01", "2026-12-31", "year", 1000)))
    view = cdo_view(store, Filter(start=date(2026, 7, 1), end=date(2026, 9, 30)), "month", lang="en")
    assert len(store.calls) == 1
    assert cell(view.table, "adoption_rate", "B2E", "2026-09") == pytest.approx(1200 / 2000)
    assert not view.scorecard.empty and not view.funnel.empty and not view.trends.empty
    # active users over the selection: mean of Jul 600, Aug 700, Sep 1,200 = 833.3 against 1,000 (as is) → red
    tgt = view.targets.iloc[0]
    assert tgt["kpi"] == "active_users" and tgt["target"] == 1000 and tgt["actual"] == pytest.approx(2500 / 3)
    assert tgt["status"] == "red"
    assert view.period_start == date(2026, 7, 1) and view.period_end == date(2026, 9, 30)


def make_store(tmp_path: Path, o: pd.DataFrame):
    store_mod = pytest.importorskip("kpis.store")
    store = store_mod.Store(tmp_path / "s.duckdb")
    store.import_batch(o, file_name="test.xlsx", sheets=["Feuil1"], origin="manual", sha256=f"sha-{len(o)}",
                       rows_read=len(o), rows_kept=len(o), rows_rejected=0, parser_version="1")
    return store


STORE_OBS = (
    ("2026-08-01", "2026-08-31", "B2E", "E1", "intranet", "(all)", "population", 1000),
    ("2026-08-01", "2026-08-31", "B2E", "E1", "teams", "(all)", "population", 1000),
    ("2026-08-01", "2026-08-31", "B2E", "E2", "intranet", "(all)", "population", 500),
    ("2026-08-01", "2026-08-31", "B2E", "E1", "teams", "(all)", "active_users", 600),
    ("2026-09-01", "2026-09-30", "B2E", "E1", "intranet", "(all)", "population", 1100),
    ("2026-09-01", "2026-09-30", "B2E", "E1", "teams", "(all)", "population", 1100),
    ("2026-09-01", "2026-09-30", "B2E", "E2", "intranet", "(all)", "population", 500),
    ("2026-09-01", "2026-09-30", "B2E", "E1", "teams", "(all)", "active_users", 800),
    ("2026-09-01", "2026-09-01", "B2C", "FR", "search", "C1", "cost", 400),
    ("2026-09-01", "2026-09-01", "B2C", "FR", "search", "C1", "clicks", 200),
    ("2026-09-02", "2026-09-02", "B2C", "FR", "social", "C2", "cost", 1000),
    ("2026-09-02", "2026-09-02", "B2C", "FR", "social", "C2", "clicks", 100),
)


def test_through_a_real_store(tmp_path):
    store = make_store(tmp_path, obs(*STORE_OBS))
    flt = Filter(start=date(2026, 9, 1), end=date(2026, 9, 30))
    t = kpi_table(metrics.fetch(store, flt), flt, "month", lang="en")
    # population per channel not double counted: max(1,100, 1,100) + 500 = 1,600
    assert cell(t, "population", "B2E", "2026-09") == 1600
    assert cell(t, "cpc", "B2C", "2026-09") == pytest.approx(1400 / 300)
    sc = cdo_view(store, flt, "month", lang="en").scorecard
    pop = sc[(sc["kpi"] == "population") & (sc["segment"] == "B2E")].iloc[0]
    assert (pop["value"], pop["previous"]) == (1600, 1500)  # August: 1,000 + 500
    pandas_nat = native_totals_from_observations(store.observations(Filter()))
    sql_nat = store.native_totals(Filter())
    assert pandas_nat["value"].to_numpy() == pytest.approx(sql_nat["value"].to_numpy())


# --- command line -------------------------------------------------------------------------------------


def run_cli(*args: str, env_store: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PASSERELLE_STORE", None)
    return subprocess.run([sys.executable, "-m", "kpis", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120)


def test_cli_report_json_table(tmp_path):
    store = make_store(tmp_path, obs(*STORE_OBS))
    out = run_cli("report", "--store", str(store.path), "--segments", "B2C,B2E", "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert isinstance(rows, list)
    cpc = next(r for r in rows if r["kpi"] == "cpc" and r["segment"] == "B2C")
    assert cpc == {"period": "2026-09", "period_start": "2026-09-01", "period_end": "2026-09-30", "segment": "B2C",
                   "kpi": "cpc", "value": pytest.approx(1400 / 300), "unit": "€", "basis": None, "reason": None}
    adoption = next(r for r in rows
                    if r["kpi"] == "adoption_rate" and r["segment"] == "ALL" and r["period"] == "2026-09")
    # a rate as a fraction, from matched components: E2 has a population (500) but no active users, so only
    # E1 counts: 800 active / 1,100 people (its population, the larger of intranet and Teams, both 1,100)
    assert adoption["value"] == pytest.approx(800 / 1100)
    # default range: twelve months ending with the latest data (Oct 2025 – Sep 2026)
    assert {r["period"] for r in rows} == {"2026-08", "2026-09"}


def test_cli_report_scorecard_and_funnel_json(tmp_path):
    store = make_store(tmp_path, obs(*STORE_OBS))
    sc = json.loads(run_cli("report", "--store", str(store.path), "--view", "scorecard", "--format", "json",
                            "--from", "2026-09-01", "--to", "2026-09-30").stdout)
    pop = next(r for r in sc if r["kpi"] == "population" and r["segment"] == "B2E")
    # the fields the issue names, the same numbers the app shows, plus why a value is missing and its source
    assert set(pop) == {"segment", "kpi", "window_start", "window_end", "value", "basis", "previous",
                        "previous_start", "previous_end", "previous_year", "previous_year_start",
                        "previous_year_end", "change", "change_relative", "change_year", "change_year_relative",
                        "change_unit", "good", "good_year", "target", "attainment", "status", "like_for_like_days",
                        "reason", "source", "other_sources"}
    assert pop["source"] == "manual" and pop["other_sources"] is None  # the one batch of the store
    assert (pop["value"], pop["previous"], pop["change"], pop["good"]) == (1600, 1500, 100, True)
    assert (pop["window_start"], pop["window_end"]) == ("2026-09-01", "2026-09-30")
    assert (pop["previous_start"], pop["previous_end"]) == ("2026-08-01", "2026-08-31")
    fun = json.loads(run_cli("report", "--store", str(store.path), "--view", "funnel", "--format", "json",
                             "--segments", "B2E").stdout)
    assert set(fun[0]) == {"segment", "stage", "kpi", "value"}
    rate = next(r for r in fun if r["kpi"] == "funnel_engagement_rate")
    assert rate["stage"] == "rate" and rate["value"] == pytest.approx((600 + 800) / 2 / 1600)


def test_cli_report_csv_text_and_errors(tmp_path):
    store = make_store(tmp_path, obs(*STORE_OBS))
    csv = run_cli("report", "--store", str(store.path), "--format", "csv")
    assert csv.returncode == 0 and csv.stdout.splitlines()[0] == ",".join(metrics.TABLE_COLUMNS)
    text = run_cli("report", "--store", str(store.path), "--segments", "B2C")
    assert text.returncode == 0 and "4.67 €" in text.stdout
    empty = run_cli("report", "--store", str(store.path), "--format", "json", "--from", "2030-01-01",
                    "--to", "2030-12-31")
    assert empty.returncode == 0 and json.loads(empty.stdout) == []
    missing = run_cli("report", "--store", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 1 and "No store at" in missing.stderr and "Traceback" not in missing.stderr
    assert not (tmp_path / "none.duckdb").exists()
    bad = run_cli("report", "--store", str(store.path), "--segments", "B2X")
    assert bad.returncode == 2 and "B2X" in bad.stderr
    bad_date = run_cli("report", "--store", str(store.path), "--from", "01/09/2026")
    assert bad_date.returncode == 2


def test_a_window_across_two_yearly_flow_targets_is_prorated_on_each_and_says_so():
    months = {f"2025-{m:02d}": 100 for m in range(8, 13)} | {f"2026-{m:02d}": 100 for m in range(1, 7)}
    nat = native(*monthly("B2C", "clicks", months))
    tg = targets_frame(("clicks", "B2C", None, "2025-01-01", "2025-12-31", "year", 1200),
                       ("clicks", "B2C", None, "2026-01-01", "2026-12-31", "year", 2400))
    flt = Filter(start=date(2025, 8, 1), end=date(2026, 6, 30))
    row = targets_status(nat, tg, flt, lang="fr").iloc[0]
    # 1 200 × 5/12 + 2 400 × 6/12 = 500 + 1 200 = 1 700 (not one year's target as it is)
    assert row["target"] == pytest.approx(1700) and row["actual"] == 1100
    assert row["target_basis"] == "41,7 % de l'objectif 2025 + 50 % de l'objectif 2026"
    en = targets_status(nat, tg, flt, lang="en").iloc[0]
    assert en["target_basis"] == "41.7% of 2025 target + 50% of 2026 target"


def test_one_target_says_in_words_which_kind_of_target_it_is_and_how_much_of_it_applies():
    months = {f"2026-{m:02d}": 100 for m in range(7, 10)}
    nat = native(*monthly("B2C", "clicks", months), *monthly("B2C", "followers", months))
    tg = targets_frame(("clicks", "B2C", None, "2026-01-01", "2026-12-31", "year", 1200),
                       ("followers", "B2C", None, "2026-09-01", "2026-09-30", "month", 90))
    flt = Filter(start=date(2026, 7, 1), end=date(2026, 9, 30))
    fr = targets_status(nat, tg, flt, lang="fr").set_index("kpi")
    en = targets_status(nat, tg, flt, lang="en").set_index("kpi")
    # a quarter of the yearly clicks target: 1 200 × 3/12 = 300; the September stock target as it is
    assert fr.at["clicks", "target"] == pytest.approx(300) and fr.at["followers", "target"] == 90
    assert fr.at["clicks", "target_basis"] == "25 % de l'objectif annuel"
    assert en.at["clicks", "target_basis"] == "25% of annual target"
    assert (fr.at["followers", "target_basis"], en.at["followers", "target_basis"]) == (
        "objectif mensuel", "monthly target")
