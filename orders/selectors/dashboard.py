"""The home dashboard's figures: orders, revenue and margin per day over the last days."""

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from orders.models import DayFiguresDelta, Merchant, Order
from orders.states import Stage

ZERO = Decimal("0.00")
# Orders that are not sales (the kept figures leave them out too: migration 0001_squashed_0016).
NOT_COUNTED = (Stage.REJECTED, Stage.QUOTE_REQUEST, Stage.QUOTE_SENT)


@dataclass(frozen=True)
class DayFigures:
    day: datetime.date
    orders: int
    revenue: Decimal
    profit: Decimal

    @property
    def margin(self) -> Decimal | None:
        """Actual profit as a percentage of revenue; None on a day without revenue."""
        if self.revenue <= 0:
            return None
        return (self.profit * 100 / self.revenue).quantize(Decimal("0.1"))


def day_figures_kept() -> bool:
    """True where triggers keep the day figures (PostgreSQL); elsewhere the orders are
    aggregated."""
    return connection.vendor == "postgresql"


def merchant_zone(merchant: Merchant) -> datetime.tzinfo:
    """The merchant's time zone, whose days the figures count; UTC for a zone unknown here
    (as orders_merchant_zone does in the database, migration 0022)."""
    try:
        return zoneinfo.ZoneInfo(merchant.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def _kept_rows(merchant: Merchant, first: datetime.date, today: datetime.date):
    return (
        DayFiguresDelta.objects.filter(merchant=merchant, day__gte=first, day__lte=today)
        .order_by()
        .values("day")
        .annotate(orders=Sum("orders"), revenue=Sum("revenue"), profit=Sum("profit"))
    )


def _aggregated_rows(merchant: Merchant, first: datetime.date):
    zone = merchant_zone(merchant)
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    return (
        Order.objects.live()
        .for_merchant(merchant)
        .filter(placed_at__gte=start, is_test=False)
        .exclude(stage__in=NOT_COUNTED)
        .annotate(day=TruncDate("placed_at", tzinfo=zone))
        .order_by()
        .values("day")
        .annotate(
            orders=Count("pk"),
            revenue=Sum(F("total") - F("refunded_total")),
            profit=Sum("actual_profit"),
        )
    )


def order_dashboard_days(
    *, merchant: Merchant, days: int = 30, today: datetime.date | None = None
) -> list[DayFigures]:
    """One row per day (oldest first, days without orders included), from one grouped query.

    Days are the merchant's (Merchant.time_zone), today included. Revenue is the total less
    refunds of orders not rejected; profit is their actual profit, which subtracts the actual
    costs imported for them. On PostgreSQL the figures are the
    ones the database keeps per day (DayFiguresDelta), so the cost follows the days shown,
    not the orders placed in them.
    """
    today = today or timezone.localdate(timezone=merchant_zone(merchant))
    first = today - datetime.timedelta(days=days - 1)
    if day_figures_kept():
        rows = _kept_rows(merchant, first, today)
    else:
        rows = _aggregated_rows(merchant, first)
    by_day = {row["day"]: row for row in rows}
    result = []
    for offset in range(days):
        day = first + datetime.timedelta(days=offset)
        row = by_day.get(day) or {}
        result.append(
            DayFigures(
                day=day,
                orders=row.get("orders", 0),
                revenue=row.get("revenue") or ZERO,
                profit=row.get("profit") or ZERO,
            )
        )
    return result
