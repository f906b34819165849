"""Reading auto orders: the merchant's list, one auto order, its projected rebills, and the
forecast of the coming days.

The projection replays the sweep's own rules (settle.item_advance, the pause and the retry
date) on copies of the items, so the future tab shows what the sweep will then do.
"""

import copy
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear

from orders.models import (
    AutoOrder,
    AutoOrderItem,
    Merchant,
    Order,
    OrderEvent,
    OrderEventType,
    RebillAttempt,
)
from orders.pricing import order_totals
from orders.services.auto_orders.settle import item_advance, item_next_date

FORECAST_DAYS = 60
PROJECTED = 10
Status = AutoOrder.Status


@dataclass(frozen=True)
class ProjectedRebill:
    on: date
    items: list[AutoOrderItem]
    amount: Decimal


@dataclass
class ForecastDay:
    on: date
    count: int = 0
    revenue: Decimal = Decimal("0.00")


@dataclass
class Forecast:
    days: list[ForecastDay]
    expiring_cards: list[AutoOrder] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(day.count for day in self.days)

    @property
    def revenue(self) -> Decimal:
        return sum((day.revenue for day in self.days), Decimal("0.00"))


def auto_order_list(*, merchant: Merchant) -> QuerySet[AutoOrder]:
    """The merchant's auto orders with what the list's columns need."""
    return (
        AutoOrder.objects.for_merchant(merchant)
        .select_related("original_order")
        .prefetch_related(Prefetch("items", queryset=AutoOrderItem.objects.select_related("item")))
    )


def auto_order_get(*, merchant: Merchant, code: str) -> AutoOrder:
    """The merchant's auto order; AutoOrder.DoesNotExist for anyone else's."""
    return (
        auto_order_list(merchant=merchant).select_related("merchant", "cancelled_by").get(code=code)
    )


def auto_order_history(*, auto_order: AutoOrder) -> list[Order]:
    """The orders it generated, newest first (the original order last)."""
    return list(
        Order.objects.filter(auto_order_code=auto_order.code, source="rebill").order_by(
            "-order_number"
        )
    )


def auto_order_attempts(*, auto_order: AutoOrder) -> list[RebillAttempt]:
    return list(auto_order.attempts.select_related("order").order_by("-created_at", "-id"))


def auto_order_log_events(*, auto_order: AutoOrder) -> QuerySet[OrderEvent]:
    """The original order's events about this auto order, with the emails that disabled it."""
    return OrderEvent.objects.filter(
        Q(payload__code=auto_order.code)
        | Q(type=OrderEventType.EMAIL_SENT, payload__template="auto_order_disabled"),
        order=auto_order.original_order,
    ).select_related("actor")


def rebill_amount(auto_order: AutoOrder, items: list[AutoOrderItem]) -> Decimal:
    totals = order_totals(
        lines=[(item.quantity, item.unit_price, Decimal("0")) for item in items],
        shipping=auto_order.shipping_total,
        discount=Decimal("0"),
        tax_rate=auto_order.merchant.tax_rate,
    )
    return totals.total


def auto_order_projection(
    *, auto_order: AutoOrder, count: int = PROJECTED, until: date | None = None
) -> list[ProjectedRebill]:
    """The next rebills the sweep will make if nothing changes: day billed, items, amount."""
    if auto_order.status not in (Status.ACTIVE, Status.PAUSED):
        return []
    items = [copy.copy(item) for item in auto_order.items.all() if not item.finished]
    if auto_order.status == Status.PAUSED and auto_order.paused_until:
        for item in items:
            while not item.finished and item_next_date(item) < auto_order.paused_until:
                item_advance(item, consume=False)
    projected: list[ProjectedRebill] = []
    while len(projected) < count:
        live = [item for item in items if not item.finished]
        if not live:
            break
        period = min(item_next_date(item) for item in live)
        billed_on = period
        if not projected and auto_order.status == Status.ACTIVE and auto_order.next_attempt_on:
            billed_on = max(period, auto_order.next_attempt_on)
        if until is not None and billed_on > until:
            break
        due = [item for item in live if item_next_date(item) <= period]
        projected.append(ProjectedRebill(billed_on, due, rebill_amount(auto_order, due)))
        for item in due:
            item_advance(item, consume=True)
    return projected


def auto_order_forecast(*, merchant: Merchant, today: date, days: int = FORECAST_DAYS) -> Forecast:
    """Rebills per day for the coming `days` days, with count and expected revenue."""
    last = today + timedelta(days=days - 1)
    by_day = {
        today + timedelta(days=n): ForecastDay(today + timedelta(days=n)) for n in range(days)
    }
    rows = (
        auto_order_list(merchant=merchant)
        .select_related("merchant")
        .filter(status__in=[Status.ACTIVE, Status.PAUSED], next_rebill_on__lte=last)
    )
    for auto_order in rows.iterator(chunk_size=2000):
        for rebill in auto_order_projection(auto_order=auto_order, count=days, until=last):
            day = by_day[max(rebill.on, today)]  # `until=last` keeps every rebill in range
            day.count += 1
            day.revenue += rebill.amount
    return Forecast(
        days=list(by_day.values()),
        expiring_cards=auto_order_cards_expiring(merchant=merchant),
    )


def auto_order_cards_expiring(*, merchant: Merchant, limit: int = 200) -> list[AutoOrder]:
    """Live auto orders whose card expires before their next rebill (end of the expiry month)."""
    card_month = F("card_exp_year") * 12 + F("card_exp_month")
    rebill_month = ExtractYear("next_rebill_on") * 12 + ExtractMonth("next_rebill_on")
    return list(
        AutoOrder.objects.for_merchant(merchant)
        .filter(status__in=[Status.ACTIVE, Status.PAUSED], next_rebill_on__isnull=False)
        .filter(card_exp_year__gt=0, card_exp_month__gt=0)
        .annotate(card_month=card_month, rebill_month=rebill_month)
        .filter(card_month__lt=F("rebill_month"))
        .order_by("next_rebill_on", "pk")[:limit]
    )


def forecast_chart(forecast: Forecast, *, width: int = 720, height: int = 180) -> dict:
    """Bar geometry for the server-drawn SVG: one bar per day, height by expected revenue."""
    top = max((day.revenue for day in forecast.days), default=Decimal("0")) or Decimal("1")
    step = width / max(len(forecast.days), 1)
    bars = []
    for index, day in enumerate(forecast.days):
        bar_height = float(day.revenue / top) * (height - 20)
        bars.append(
            {
                "x": round(index * step + 1, 1),
                "y": round(height - bar_height, 1),
                "width": round(max(step - 2, 1), 1),
                "height": round(bar_height, 1),
                "day": day,
                "label": index % 7 == 0,
                "label_x": round(index * step + step / 2, 1),
            }
        )
    return {"width": width, "height": height, "bars": bars, "top": top}


__all__ = [
    "Forecast",
    "ForecastDay",
    "ProjectedRebill",
    "auto_order_attempts",
    "auto_order_cards_expiring",
    "auto_order_forecast",
    "auto_order_get",
    "auto_order_history",
    "auto_order_list",
    "auto_order_projection",
    "forecast_chart",
]
