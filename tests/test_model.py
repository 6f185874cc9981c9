from datetime import date

import pytest

from kpis.model import SUPPORTED_DATES, clamp_range, preset_range


@pytest.mark.parametrize(
    "preset, latest, fiscal_start, expected",
    [
        # data up to 31 October 2026: October is complete
        ("12m", date(2026, 10, 31), 1, (date(2025, 11, 1), date(2026, 10, 31))),  # Nov 2025 … Oct 2026: 12 months
        ("lm", date(2026, 10, 31), 1, (date(2026, 10, 1), date(2026, 10, 31))),
        ("cm", date(2026, 10, 31), 1, (date(2026, 10, 1), date(2026, 10, 31))),
        ("lq", date(2026, 10, 31), 1, (date(2026, 7, 1), date(2026, 9, 30))),  # Q4 has one month: Q3 is the last
        ("cq", date(2026, 10, 31), 1, (date(2026, 10, 1), date(2026, 10, 31))),
        ("ytd", date(2026, 10, 31), 1, (date(2026, 1, 1), date(2026, 10, 31))),
        # data up to 20 October 2026: October is not complete, September is the last complete month
        ("12m", date(2026, 10, 20), 1, (date(2025, 10, 1), date(2026, 9, 30))),
        ("lm", date(2026, 10, 20), 1, (date(2026, 9, 1), date(2026, 9, 30))),
        ("cm", date(2026, 10, 20), 1, (date(2026, 10, 1), date(2026, 10, 20))),
        ("ytd", date(2026, 10, 20), 1, (date(2026, 1, 1), date(2026, 10, 20))),  # to the latest data
        ("cq", date(2026, 10, 20), 1, (date(2026, 10, 1), date(2026, 10, 20))),
        # data up to 30 September 2026: Q3 is complete
        ("lq", date(2026, 9, 30), 1, (date(2026, 7, 1), date(2026, 9, 30))),
        ("ytd", date(2026, 3, 31), 7, (date(2025, 7, 1), date(2026, 3, 31))),  # fiscal year from July
        # fiscal quarters Feb–Apr, May–Jul, Aug–Oct: on 30 September Aug–Oct is running, May–Jul is the last
        ("lq", date(2026, 9, 30), 2, (date(2026, 5, 1), date(2026, 7, 31))),
        ("cq", date(2026, 9, 30), 2, (date(2026, 8, 1), date(2026, 9, 30))),
        ("lm", date(2024, 2, 29), 1, (date(2024, 2, 1), date(2024, 2, 29))),  # leap year, complete
        ("lm", date(2024, 3, 10), 1, (date(2024, 2, 1), date(2024, 2, 29))),
    ],
)
def test_preset_range(preset, latest, fiscal_start, expected):
    assert preset_range(preset, latest, fiscal_start) == expected


def test_unknown_preset():
    with pytest.raises(ValueError):
        preset_range("forever", date(2026, 1, 1))


@pytest.mark.parametrize(
    "start, end, earliest, latest, expected",
    [
        # inside the data: kept
        (date(2026, 2, 1), date(2026, 3, 31), date(2023, 11, 1), date(2026, 10, 31),
         (date(2026, 2, 1), date(2026, 3, 31))),
        # both ends outside: the data's first and last days
        (date(2001, 1, 1), date(2030, 12, 31), date(2023, 11, 1), date(2026, 10, 31),
         (date(2023, 11, 1), date(2026, 10, 31))),
        # given backwards: swapped, then the end clamped
        (date(2027, 1, 31), date(2026, 9, 1), date(2023, 11, 1), date(2026, 10, 31),
         (date(2026, 9, 1), date(2026, 10, 31))),
        # wholly before the data (one month of data): both on its first day
        (date(2025, 11, 1), date(2025, 12, 31), date(2026, 11, 1), date(2026, 11, 30),
         (date(2026, 11, 1), date(2026, 11, 1))),
        # data older than the supported dates: the first supported day
        (date(1800, 1, 1), date(1950, 1, 1), date(1800, 1, 1), date(2026, 1, 1),
         (SUPPORTED_DATES[0], date(1950, 1, 1))),
    ],
)
def test_clamp_range_keeps_a_range_within_the_data_and_the_supported_dates(start, end, earliest, latest, expected):
    assert clamp_range(start, end, earliest, latest) == expected
