"""Rebill schedules: parsing their names and moving a date forward by one period.

Monthly schedules keep to the day of the month the auto order started on (its anchor): a
rebill on the 31st falls on the last day of shorter months and returns to the 31st after.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from orders.exceptions import InvalidInput

NAMED = {
    "weekly": (7, 0),
    "every_2_weeks": (14, 0),
    "monthly": (0, 1),
    "every_2_months": (0, 2),
    "every_3_months": (0, 3),
    "every_4_months": (0, 4),
    "every_6_months": (0, 6),
    "yearly": (0, 12),
}
LABELS = {
    "weekly": "Weekly",
    "every_2_weeks": "Every 2 weeks",
    "monthly": "Monthly",
    "every_2_months": "Every 2 months",
    "every_3_months": "Every 3 months",
    "every_4_months": "Every 4 months",
    "every_6_months": "Every 6 months",
    "yearly": "Yearly",
}
EVERY_N_DAYS = re.compile(r"^every_(\d{1,3})_days$")
MAX_DAYS = 365


@dataclass(frozen=True)
class Schedule:
    name: str
    days: int = 0
    months: int = 0

    @property
    def label(self) -> str:
        return LABELS.get(self.name) or f"Every {self.days} days"


def schedule_parse(name: str) -> Schedule:
    """The schedule called `name`; InvalidInput for anything else."""
    name = (name or "").strip().lower()
    if name in NAMED:
        days, months = NAMED[name]
        return Schedule(name, days, months)
    match = EVERY_N_DAYS.match(name)
    if match and 1 <= int(match.group(1)) <= MAX_DAYS:
        return Schedule(name, days=int(match.group(1)))
    raise InvalidInput(
        f"Unknown schedule “{name}”: use weekly, every_2_weeks, every_N_days, monthly, "
        "every_2/3/4/6_months or yearly."
    )


def schedule_label(name: str) -> str:
    try:
        return schedule_parse(name).label
    except InvalidInput:
        return name


def add_months(day: date, months: int, anchor_day: int) -> date:
    """`day` moved `months` months on, on the anchor day or the month's last day if shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def schedule_advance(*, name: str, day: date, anchor_day: int | None = None) -> date:
    """The rebill date one period after `day`."""
    schedule = schedule_parse(name)
    if schedule.months:
        return add_months(day, schedule.months, anchor_day or day.day)
    return day + timedelta(days=schedule.days)
