"""Tests for kpis.ingest.parsing: one table per format, plus round-trip properties."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis.ingest.parsing import (
    MISSING_TOKENS,
    Periods,
    ambiguous_mask,
    currency_of,
    date_order,
    header_grain,
    infer_grain,
    is_ambiguous,
    number_convention,
    parse_bools,
    parse_dates,
    parse_numbers,
    parse_periods,
)

NAN = float("nan")
D = np.datetime64


def one_number(cell, convention):
    values, bad = parse_numbers([cell], convention)
    return values[0], bool(bad[0])


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12)


# --- numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell, convention, value",
    [
        ("1 234,5", "fr", 1234.5),
        ("1\u00a0234,5", "fr", 1234.5),  # NBSP
        ("1\u202f234,5", "fr", 1234.5),  # narrow NBSP
        ("1.234.567", "fr", 1234567),
        ("12,5", "fr", 12.5),
        ("12,5 %", "fr", 0.125),
        ("€ 1 200", "fr", 1200),
        ("1 200 €", "fr", 1200),
        ("EUR 12", "fr", 12),
        ("(1 234)", "fr", -1234),
        ("-12,5", "fr", -12.5),
        ("\u22123", "fr", -3),  # Unicode minus
        ("2,144.69", "en", 2144.69),
        ("1,103,153", "en", 1103153),
        ("0.49%", "en", 0.0049),
        ("2.47%", "en", 0.0247),
        ("$1,200.50", "en", 1200.5),
        ("£3", "en", 3),
        ("1'234.5", "en", 1234.5),  # Swiss apostrophe
        ("+7", "en", 7),
        ("- 4", "en", -4),
        ("(1,234)", "en", -1234),
        ("1.5E+03", "en", 1500),
        (".5", "en", 0.5),
        ("  42  ", None, 42),
        ("1.5", None, 1.5),  # only English reads it
        ("12,5", None, 12.5),  # only French reads it
        ("1 103", None, 1103),  # same either way
        (12, "fr", 12),
        (2.5, "en", 2.5),
    ],
)
def test_parse_numbers_reads(cell, convention, value):
    parsed, bad = one_number(cell, convention)
    assert not bad
    assert parsed == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    "cell, convention",
    [
        ("abc", "fr"),
        ("12abc", "fr"),
        ("1,103", None),  # 1103 or 1.103: never guessed
        ("1.103", None),
        ("12,5", "en"),  # not a valid English number
        ("1.5", "fr"),  # '.' groups three digits in French
        ("1,2,3", "en"),
        (True, "en"),  # booleans are not numbers
        (False, "fr"),
        (dt.date(2026, 9, 1), "fr"),
    ],
)
def test_parse_numbers_marks_bad(cell, convention):
    parsed, bad = one_number(cell, convention)
    assert bad and math.isnan(parsed)


@pytest.mark.parametrize("cell", ["", None, "  ", "--", "-", "—", "n/a", "N/A", "NA", "#N/A", "nd", "n.d.", "null",
                                  "None", NAN])
def test_missing_cells_are_nan_and_not_bad(cell):
    parsed, bad = one_number(cell, "fr")
    assert math.isnan(parsed) and not bad


def test_missing_tokens_are_lower_case():
    assert all(token == token.lower().strip() for token in MISSING_TOKENS)


def test_parse_numbers_mixed_column_keeps_positions():
    values, bad = parse_numbers([1.5, "2,5", "", True, "x", 3], "fr")
    assert [same(v, e) for v, e in zip(values, [1.5, 2.5, NAN, NAN, NAN, 3.0], strict=True)] == [True] * 6
    assert bad.tolist() == [False, False, False, True, True, False]


def test_parse_numbers_float_column_fast_path():
    values, bad = parse_numbers(np.array([1, 2, 3]), "en")
    assert values.dtype == np.float64 and values.tolist() == [1.0, 2.0, 3.0] and not bad.any()


def test_parse_numbers_rejects_unknown_convention():
    with pytest.raises(ValueError):
        parse_numbers(["1"], "de")


@pytest.mark.parametrize(
    "cells, expected",
    [
        (["2,144.69", "1,103", "42"], "en"),
        (["1,103,153"], "en"),
        (["0.49%", "1.5"], "en"),
        (["12,5", "1,103"], "fr"),
        (["1 234,5"], "fr"),
        (["1.234.567"], "fr"),
        (["12,5 %"], "fr"),
        (["1,103", "1.103", "1 103", "42"], None),  # all ambiguous or neutral
        ([1.5, 2.25, 3.0], None),  # Excel numbers don't vote
        (["12,5", "1.5", "2.5"], "en"),  # majority: 2 en against 1 fr
        (["12,5", "1.5"], None),  # tie
    ],
)
def test_number_convention(cells, expected):
    assert number_convention(cells) == expected


@pytest.mark.parametrize(
    "cell, expected",
    [("1,103", True), ("1.103", True), ("1.5", False), ("1 103", False), ("42", False), (1103.0, False),
     ("12,5", False)],
)
def test_is_ambiguous(cell, expected):
    assert is_ambiguous(cell) is expected


def test_ambiguous_mask():
    assert ambiguous_mask(["1,103", 7, "2,144.69", "1.103"]).tolist() == [True, False, False, True]


@pytest.mark.parametrize(
    "cells, expected",
    [
        (["€ 1 200", "300 €", "12"], "EUR"),
        (["EUR 12"], "EUR"),
        (["$1,200.50", "USD 3"], "USD"),
        (["£3"], "GBP"),
        (["12", 3.5], None),
        (["Europe 12"], None),  # a word containing "EUR" is not a code
    ],
)
def test_currency_of(cells, expected):
    assert currency_of(cells) == expected


def _french(x: float) -> str:
    # f"{1234567.891:,.2f}" = "1,234,567.89" → "1 234 567,89" (narrow NBSP)
    return f"{x:,.2f}".replace(",", "\u202f").replace(".", ",")


def _french_space(x: float) -> str:
    return f"{x:,.2f}".replace(",", " ").replace(".", ",")


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).map(lambda x: round(x, 2)))
def test_numbers_formatted_either_way_parse_back(x):
    values, bad = parse_numbers([_french(x), _french_space(x)], "fr")
    assert not bad.any()
    assert values.tolist() == pytest.approx([x, x], rel=1e-9, abs=1e-9)
    values, bad = parse_numbers([f"{x:,.2f}", f"{x:.2f}"], "en")
    assert not bad.any()
    assert values.tolist() == pytest.approx([x, x], rel=1e-9, abs=1e-9)


# --- booleans -----------------------------------------------------------------


def test_parse_bools():
    values, bad = parse_bools([True, False, "Yes", "no", "Oui", "NON", "vrai", "Faux", 1, 0, "1", "0", "", None,
                               "peut-être", 2])
    assert values.tolist() == [True, False, True, False, True, False, True, False, True, False, True, False,
                               None, None, None, None]
    assert bad.tolist() == [False] * 14 + [True, True]


# --- dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell, order, expected",
    [
        (dt.date(2026, 9, 1), "dmy", "2026-09-01"),
        (dt.datetime(2026, 9, 1, 23, 59), "dmy", "2026-09-01"),
        (46266, "dmy", "2026-09-01"),  # Excel serial
        (46266.75, "dmy", "2026-09-01"),  # serial with a time of day
        (61, "dmy", "1900-03-01"),  # first serial after the fake 29 Feb 1900
        (59, "dmy", "1900-02-28"),
        (1, "dmy", "1900-01-01"),
        ("2026-09-01", "dmy", "2026-09-01"),
        ("2026-09-01T00:00:00Z", "dmy", "2026-09-01"),
        ("2026-09-01T23:30:00+02:00", "dmy", "2026-09-01"),  # the date as written
        ("2026-09-01 13:45:00", "dmy", "2026-09-01"),
        ("01/09/2026", "dmy", "2026-09-01"),
        ("09/01/2026", "mdy", "2026-09-01"),
        ("01.09.2026", "dmy", "2026-09-01"),
        ("01-09-2026", "dmy", "2026-09-01"),
        ("1/9/2026", "dmy", "2026-09-01"),
        ("01/09/26", "dmy", "2026-09-01"),
        ("09/01/2026 1:45 PM", "mdy", "2026-09-01"),
        ("20260501", "dmy", "2026-05-01"),
        (20260501, "dmy", "2026-05-01"),  # GA4 date as a number
        ("September 1, 2026", "dmy", "2026-09-01"),
        ("Sep 1, 2026", "dmy", "2026-09-01"),
        ("Sept. 1st, 2026", "dmy", "2026-09-01"),
        ("1 June 2026", "mdy", "2026-06-01"),
        ("1 juin 2026", "dmy", "2026-06-01"),
        ("1er juin 2026", "dmy", "2026-06-01"),
        ("12 févr. 2026", "dmy", "2026-02-12"),
        ("01-Sep-2026", "dmy", "2026-09-01"),
        ("lundi 7 septembre 2026", "dmy", "2026-09-07"),
        ("Monday, September 7, 2026", "dmy", "2026-09-07"),
    ],
)
def test_parse_dates_reads(cell, order, expected):
    days, bad = parse_dates([cell], order)
    assert not bad[0]
    assert days[0] == D(expected)


def test_parse_dates_1904_system():
    days, bad = parse_dates([0, 44804], date1904=True)  # 1904-01-01 + 44804 days
    assert days.tolist() == [dt.date(1904, 1, 1), dt.date(2026, 9, 1)] and not bad.any()


@pytest.mark.parametrize(
    "cell",
    ["31/02/2026", "2026-13-01", "hello", "20261301", 60, 0, -5, 3_000_000, 19991399, True, dt.time(10, 0),
     "13/13/2026"],
)
def test_parse_dates_marks_bad(cell):
    days, bad = parse_dates([cell])
    assert bad[0] and np.isnat(days[0])


def test_parse_dates_missing_cells_are_nat_not_bad():
    days, bad = parse_dates(["", None, "n/a", NAN])
    assert np.isnat(days).all() and not bad.any()


def test_parse_dates_mixed_column():
    days, bad = parse_dates([dt.date(2026, 9, 1), "02/09/2026", 46267, "", "x"])
    assert days[:3].tolist() == [dt.date(2026, 9, 1), dt.date(2026, 9, 2), dt.date(2026, 9, 2)]
    assert bad.tolist() == [False, False, False, False, True]


@pytest.mark.parametrize(
    "cells, expected",
    [
        (["01/09/2026", "13/09/2026"], "dmy"),
        (["09/13/2026", "09/01/2026"], "mdy"),
        (["13.09.2026"], "dmy"),
        (["09-30-2026"], "mdy"),
        (["01/02/2026", "03/04/2026"], None),
        (["2026-09-13"], None),  # ISO says nothing about dd/mm
        (["13/09/2026", "09/13/2026"], None),  # tie
        ([46266.0], None),
    ],
)
def test_date_order(cells, expected):
    assert date_order(cells) == expected


@st.composite
def dates_and_formats(draw):
    day = draw(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2099, 12, 31)))
    return day, draw(st.sampled_from(["iso", "dmy", "mdy", "compact", "compact_int", "serial"]))


@settings(max_examples=300, deadline=None)
@given(dates_and_formats())
def test_dates_formatted_any_way_parse_back(case):
    day, fmt = case
    serial = (day - dt.date(1899, 12, 30)).days  # the 1900 system from March 1900 on
    cell = {
        "iso": day.isoformat(),
        "dmy": day.strftime("%d/%m/%Y"),
        "mdy": day.strftime("%m/%d/%Y"),
        "compact": day.strftime("%Y%m%d"),
        "compact_int": int(day.strftime("%Y%m%d")),
        "serial": serial,
    }[fmt]
    days, bad = parse_dates([cell], "mdy" if fmt == "mdy" else "dmy")
    assert not bad[0]
    assert days[0] == np.datetime64(day, "D")


# --- periods ------------------------------------------------------------------


def one_period(cell, **kwargs):
    periods = parse_periods([cell], **kwargs)
    assert isinstance(periods, Periods)
    return str(periods.start[0]), str(periods.end[0]), periods.grain[0], bool(periods.bad[0])


@pytest.mark.parametrize(
    "cell, start, end, grain",
    [
        ("01/09/2026", "2026-09-01", "2026-09-01", "day"),
        (dt.date(2026, 9, 1), "2026-09-01", "2026-09-01", "day"),
        ("2026-09", "2026-09-01", "2026-09-30", "month"),
        ("09/2026", "2026-09-01", "2026-09-30", "month"),
        ("sept. 2026", "2026-09-01", "2026-09-30", "month"),
        ("Septembre 2026", "2026-09-01", "2026-09-30", "month"),
        ("septembre 2026", "2026-09-01", "2026-09-30", "month"),
        ("Sep 2026", "2026-09-01", "2026-09-30", "month"),
        ("September 2026", "2026-09-01", "2026-09-30", "month"),
        ("janv. 2026", "2026-01-01", "2026-01-31", "month"),
        ("févr. 2026", "2026-02-01", "2026-02-28", "month"),
        ("Févr. 2028", "2028-02-01", "2028-02-29", "month"),  # leap year
        ("déc. 2026", "2026-12-01", "2026-12-31", "month"),
        ("Sept-26", "2026-09-01", "2026-09-30", "month"),
        ("T3 2026", "2026-07-01", "2026-09-30", "quarter"),
        ("Q3 2026", "2026-07-01", "2026-09-30", "quarter"),
        ("2026-Q3", "2026-07-01", "2026-09-30", "quarter"),
        ("2026 T3", "2026-07-01", "2026-09-30", "quarter"),
        ("Q3-2026", "2026-07-01", "2026-09-30", "quarter"),
        ("Q4 2026", "2026-10-01", "2026-12-31", "quarter"),
        ("2026-W37", "2026-09-07", "2026-09-13", "week"),  # ISO week 37 of 2026: Mon 7 Sep
        ("S37 2026", "2026-09-07", "2026-09-13", "week"),
        ("S37-2026", "2026-09-07", "2026-09-13", "week"),
        ("W37 2026", "2026-09-07", "2026-09-13", "week"),
        ("2026-W01", "2025-12-29", "2026-01-04", "week"),  # week 1 starts in December
        ("2026-W37-1", "2026-09-07", "2026-09-07", "day"),
        ("2026", "2026-01-01", "2026-12-31", "year"),
    ],
)
def test_parse_periods_reads(cell, start, end, grain):
    assert one_period(cell) == (start, end, grain, False)


@pytest.mark.parametrize(
    "grain, start, end",
    [
        ("day", "2026-09-09", "2026-09-09"),
        ("week", "2026-09-07", "2026-09-13"),  # Wed 9 Sep 2026 → Mon 7..Sun 13
        ("month", "2026-09-01", "2026-09-30"),
        ("quarter", "2026-07-01", "2026-09-30"),
        ("year", "2026-01-01", "2026-12-31"),
    ],
)
def test_parse_periods_widens_dates_to_grain(grain, start, end):
    for cell in ["09/09/2026", dt.date(2026, 9, 9), 46274]:  # 46274 = 2026-09-09
        assert one_period(cell, grain=grain) == (start, end, grain, False)


def test_periods_keep_their_own_grain_when_coarser():
    assert one_period("T3 2026", grain="month") == ("2026-07-01", "2026-09-30", "quarter", False)


@pytest.mark.parametrize(
    "cells, grain, expected_grains",
    [
        ([2025, 2026], None, ["year", "year"]),  # every number an integer 1900–2100
        ([2025.0, None, 2026], None, ["year", None, "year"]),
        ([2026, 46266], None, ["day", "day"]),  # a serial in the column: all are dates
        ([46266], "year", ["year"]),  # a serial widened to its year
        ([2026], "year", ["year"]),
        ([2026], "month", ["month"]),  # not a year column: serial 2026 = 1905-07-18
    ],
)
def test_numbers_as_years_rule(cells, grain, expected_grains):
    assert parse_periods(cells, grain=grain).grain.tolist() == expected_grains


def test_year_number_period():
    periods = parse_periods([2026])
    assert (str(periods.start[0]), str(periods.end[0])) == ("2026-01-01", "2026-12-31")


@pytest.mark.parametrize("cell", ["T5 2026", "2026-W54", "13/2026", "hello", "FY2026", "1800"])
def test_parse_periods_marks_bad(cell):
    start, end, grain, bad = one_period(cell)
    assert bad and grain is None and start == "NaT"


def test_parse_periods_missing_is_not_bad():
    periods = parse_periods(["", None, "--"])
    assert not periods.bad.any() and np.isnat(periods.start).all()


def test_parse_periods_rejects_unknown_grain():
    with pytest.raises(ValueError):
        parse_periods(["2026"], grain="decade")


@pytest.mark.parametrize(
    "dates, expected",
    [
        (["2026-01-01", "2026-02-01", "2026-04-01"], "month"),
        (["2026-01-01", "2026-04-01", "2026-10-01"], "quarter"),
        (["2026-01-01", "2026-02-01", "2026-04-01", "2026-07-01"], "month"),  # a 1-month step
        (["2025-01-01", "2026-01-01"], "year"),
        (["2026-09-07", "2026-09-14", "2026-09-28"], "week"),  # Mondays
        (["2026-09-07", "2026-09-08"], "day"),
        (["2026-09-08", "2026-09-15"], "day"),  # Tuesdays
        (["2026-09-01"], "day"),  # a single date
        (["2026-09-01", "NaT", "2026-09-01"], "day"),
    ],
)
def test_infer_grain(dates, expected):
    assert infer_grain(np.array(dates, dtype="datetime64[D]")) == expected


@pytest.mark.parametrize(
    "header, expected",
    [
        ("Jour", "day"), ("Day", "day"), ("Daily", "day"),
        ("Semaine", "week"), ("Week", "week"), ("Sem.", "week"),
        ("Mois", "month"), ("Month", "month"), ("MONTHLY", "month"),
        ("Trimestre", "quarter"), ("Quarter", "quarter"), ("Trim.", "quarter"),
        ("Année", "year"), ("Annee", "year"), ("Year", "year"), ("An", "year"), ("Exercice", "year"),
        ("Date", None), ("Période", None), ("Period", None), ("Clics", None),
    ],
)
def test_header_grain(header, expected):
    assert header_grain(header) == expected
