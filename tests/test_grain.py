"""What the data allow at a grain: native grains from period lengths, the day the data stop, partial buckets."""

from datetime import date

import pandas as pd
import pytest

from kpis import grain


def native(rows):
    frame = pd.DataFrame(rows, columns=["period_start", "period_end", "segment", "kpi", "value"])
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    return frame


@pytest.mark.parametrize(("days", "expected"), [
    (1, "day"), (6, "day"), (7, "week"), (27, "week"), (28, "month"), (31, "month"), (88, "month"),
    (90, "quarter"), (92, "quarter"), (364, "quarter"), (365, "year"), (366, "year"),
])
def test_grain_of_a_native_period_length(days, expected):
    assert grain.grain_of_length(days) == expected


@pytest.mark.parametrize(("chosen", "native_grain", "finer", "drawn_at"), [
    ("week", "month", True, "month"), ("month", "month", False, "month"), ("month", "quarter", True, "quarter"),
    ("quarter", "month", False, "quarter"), ("week", "day", False, "week"), ("week", None, False, "week"),
])
def test_a_grain_finer_than_the_data_is_drawn_at_the_native_grain(chosen, native_grain, finer, drawn_at):
    assert grain.finer_than_data(chosen, native_grain) is finer
    assert grain.coarser(chosen, native_grain) == drawn_at


def test_data_grain_per_kpi_and_segment_derived_and_merged():
    frame = native([
        # B2E: a monthly workbook (Aug, Sep, Oct), quarterly eNPS surveys (Q3)
        ("2026-08-01", "2026-08-31", "B2E", "active_users", 700),
        ("2026-09-01", "2026-09-30", "B2E", "active_users", 800),
        ("2026-10-01", "2026-10-31", "B2E", "active_users", 820),
        ("2026-10-01", "2026-10-31", "B2E", "population", 1000),
        ("2026-07-01", "2026-09-30", "B2E", "enps_promoters", 40),
        ("2026-07-01", "2026-09-30", "B2E", "enps_detractors", 10),
        ("2026-07-01", "2026-09-30", "B2E", "enps_respondents", 100),
        # B2C: daily clicks to 20/10, a 28-day rolling impressions report ending 18/10
        *[(d, d, "B2C", "clicks", 10) for d in pd.date_range("2026-10-01", "2026-10-20").strftime("%Y-%m-%d")],
        ("2026-09-21", "2026-10-18", "B2C", "impressions", 4000),
        # B2B: daily clicks to 31/10 (after the window's end: cut to it)
        *[(d, d, "B2B", "clicks", 5) for d in pd.date_range("2026-10-25", "2026-11-03").strftime("%Y-%m-%d")],
    ])
    out = grain.data_grain(frame, date(2026, 10, 31)).set_index(["segment", "kpi"])
    expected = {
        ("B2E", "active_users"): ("month", 30, date(2026, 10, 31)),  # September's 30 days are the shortest
        ("B2E", "adoption_rate"): ("month", 31, date(2026, 10, 31)),  # active users / population, both monthly
        ("B2E", "enps"): ("quarter", 92, date(2026, 9, 30)),
        ("B2C", "clicks"): ("day", 1, date(2026, 10, 20)),
        ("B2C", "impressions"): ("month", 28, date(2026, 10, 18)),
        ("B2C", "ctr"): ("month", 28, date(2026, 10, 18)),  # the coarser and earlier of clicks and impressions
        ("B2B", "clicks"): ("day", 1, date(2026, 10, 31)),  # rows after the window's end do not count
        ("ALL", "clicks"): ("day", 1, date(2026, 10, 20)),  # B2C stops first
    }
    got = {key: tuple(out.loc[key, ["native_grain", "native_days", "data_end"]]) for key in expected}
    assert got == expected
    spread = out["spread"].to_dict()  # flows (and ratios of flows) miss days; stocks, distinct counts, surveys don't
    assert (spread[("B2C", "ctr")], spread[("B2E", "adoption_rate")], spread[("B2E", "enps_promoters")]) == \
        (True, False, False)
    assert ("B2E", "participation_rate") not in out.index  # no contributors: no grain to speak of


def test_data_grain_of_nothing_is_an_empty_frame():
    assert grain.data_grain(native([])).columns.tolist() == list(grain.DATA_GRAIN_COLUMNS)


W12 = (date(2025, 11, 1), date(2026, 10, 31))  # "12 derniers mois" ending with October 2026


@pytest.mark.parametrize(("data_end", "window", "at", "days", "spread", "fr"), [
    # daily clicks to 20/10 in a 12-month window ending 31/10: October is partial
    (date(2026, 10, 20), W12, "month", 1, True, "oct. 2026 : données jusqu'au 20/10"),
    # monthly clicks to 31/10: October is whole
    (date(2026, 10, 31), W12, "month", 31, True, None),
    # by quarter: Q4 holds October only, whether the data or the window stop there
    (date(2026, 10, 20), W12, "quarter", 1, True, "T4 2026 : données jusqu'au 20/10"),
    (date(2026, 10, 31), W12, "quarter", 31, True, "T4 2026 : données jusqu'au 31/10"),
    # "Année en cours" to the latest data (20/10): the window ends with the data, October is still partial
    (date(2026, 10, 20), (date(2026, 1, 1), date(2026, 10, 20)), "month", 1, True,
     "oct. 2026 : données jusqu'au 20/10"),
    # a custom window ending 20/10 over data that go on: the bucket holds the data to 20/10
    (date(2026, 10, 31), (date(2026, 1, 1), date(2026, 10, 20)), "month", 1, True,
     "oct. 2026 : données jusqu'au 20/10"),
    # a quarterly survey that ended on 30/09, by quarter: its quarter is whole, Q4 has no survey yet (empty)
    (date(2026, 9, 30), W12, "quarter", 92, False, None),
    # ... by year: 2026 is missing its Q4 survey
    (date(2026, 9, 30), W12, "year", 92, False, "2026 : données jusqu'au 30/09"),
    # a monthly headcount to 30/09 in a window to 31/10, by month: October has no data at all (not partial)
    (date(2026, 9, 30), W12, "month", 30, False, None),
    # weekly clicks to Sunday 25/10, by month: 26–31/10 are missing
    (date(2026, 10, 25), W12, "month", 7, True, "oct. 2026 : données jusqu'au 25/10"),
    # a monthly headcount to 31/08, by quarter: September's (30 days, shorter than August's 31) is missing
    (date(2026, 8, 31), (date(2026, 7, 1), date(2026, 8, 31)), "quarter", 31, False,
     "T3 2026 : données jusqu'au 31/08"),
    # a weekly headcount to Sunday 25/10: its next reading would be on 01/11, outside October
    (date(2026, 10, 25), W12, "month", 7, False, None),
])
def test_partial_bucket_says_where_the_data_stop(data_end, window, at, days, spread, fr):
    pb = grain.partial_bucket(data_end, *window, at, days, spread=spread)
    assert (pb.text("fr") if pb else None) == fr


def test_partial_bucket_in_english():
    pb = grain.partial_bucket(date(2026, 10, 20), date(2025, 11, 1), date(2026, 10, 31), "month")
    assert pb is not None
    assert (pb.period, pb.start, pb.end) == ("2026-10", date(2026, 10, 1), date(2026, 10, 31))
    assert pb.text("en") == "Oct 2026: data to 20/10"
