from datetime import date

import pytest

from kpis.model import preset_range


@pytest.mark.parametrize(
    "preset, latest, fiscal_start, expected",
    [
        ("12m", date(2026, 10, 31), 1, (date(2025, 11, 1), date(2026, 10, 31))),  # Nov 2025 … Oct 2026: 12 months
        ("12m", date(2026, 10, 15), 1, (date(2025, 11, 1), date(2026, 10, 31))),  # mid-month: whole month kept
        ("ytd", date(2026, 10, 31), 1, (date(2026, 1, 1), date(2026, 10, 31))),
        ("ytd", date(2026, 3, 31), 7, (date(2025, 7, 1), date(2026, 3, 31))),  # fiscal year from July
        ("lq", date(2026, 10, 31), 1, (date(2026, 10, 1), date(2026, 12, 31))),  # Q4 holds October
        ("lq", date(2026, 9, 30), 1, (date(2026, 7, 1), date(2026, 9, 30))),
        # fiscal quarters Feb-Apr, May-Jul, Aug-Oct
        ("lq", date(2026, 9, 30), 2, (date(2026, 8, 1), date(2026, 10, 31))),
        ("lm", date(2024, 2, 10), 1, (date(2024, 2, 1), date(2024, 2, 29))),  # leap year
    ],
)
def test_preset_range(preset, latest, fiscal_start, expected):
    assert preset_range(preset, latest, fiscal_start) == expected


def test_unknown_preset():
    with pytest.raises(ValueError):
        preset_range("forever", date(2026, 1, 1))
