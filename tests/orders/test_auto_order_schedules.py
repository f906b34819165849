from datetime import date

import pytest

from orders.exceptions import InvalidInput
from orders.services.auto_orders.schedules import schedule_advance, schedule_label

D = date


@pytest.mark.parametrize(
    ("name", "start", "anchor", "expected"),
    [
        # Monthly on the 31st: the last day of shorter months, back to the 31st after.
        ("monthly", D(2025, 1, 31), 31, D(2025, 2, 28)),
        ("monthly", D(2025, 2, 28), 31, D(2025, 3, 31)),
        ("monthly", D(2025, 3, 31), 31, D(2025, 4, 30)),
        ("monthly", D(2025, 4, 30), 31, D(2025, 5, 31)),
        ("monthly", D(2024, 1, 31), 31, D(2024, 2, 29)),  # leap year
        ("monthly", D(2025, 12, 31), 31, D(2026, 1, 31)),  # across the year end
        ("monthly", D(2025, 1, 15), 15, D(2025, 2, 15)),
        ("every_2_months", D(2025, 12, 31), 31, D(2026, 2, 28)),
        ("every_3_months", D(2025, 11, 30), 30, D(2026, 2, 28)),
        ("every_6_months", D(2023, 8, 31), 31, D(2024, 2, 29)),
        ("every_4_months", D(2025, 10, 31), 31, D(2026, 2, 28)),
        # Yearly on 29 February: the 28th in common years, the 29th again in leap years.
        ("yearly", D(2024, 2, 29), 29, D(2025, 2, 28)),
        ("yearly", D(2027, 2, 28), 29, D(2028, 2, 29)),
        ("yearly", D(2025, 3, 1), 1, D(2026, 3, 1)),
        # Day-based schedules count days, across month ends and leap days.
        ("weekly", D(2024, 2, 26), None, D(2024, 3, 4)),
        ("every_2_weeks", D(2025, 12, 25), None, D(2026, 1, 8)),
        ("every_30_days", D(2024, 2, 1), None, D(2024, 3, 2)),
        ("every_30_days", D(2025, 2, 1), None, D(2025, 3, 3)),
        ("every_1_days", D(2024, 2, 28), None, D(2024, 2, 29)),
        ("every_45_days", D(2025, 12, 31), None, D(2026, 2, 14)),
    ],
)
def test_a_schedule_advances_by_one_period(name, start, anchor, expected):
    assert schedule_advance(name=name, day=start, anchor_day=anchor) == expected


def test_monthly_on_the_31st_over_a_year_keeps_to_the_month_end():
    day, seen = D(2024, 1, 31), []
    for _ in range(12):
        day = schedule_advance(name="monthly", day=day, anchor_day=31)
        seen.append(day.day)
    assert seen == [29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31]


@pytest.mark.parametrize("name", ["daily", "every_0_days", "every_999_days", "", "monthly2"])
def test_an_unknown_schedule_is_refused_with_a_message(name):
    with pytest.raises(InvalidInput, match="Unknown schedule"):
        schedule_advance(name=name, day=D(2025, 1, 1))


def test_schedules_have_readable_labels():
    assert schedule_label("every_2_weeks") == "Every 2 weeks"
    assert schedule_label("every_10_days") == "Every 10 days"
