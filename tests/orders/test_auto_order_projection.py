"""The future tab's projection against what the sweep then does, day by day."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from orders.models import AutoOrder, AutoOrderItem, Order
from orders.selectors.auto_orders import (
    auto_order_cards_expiring,
    auto_order_forecast,
    auto_order_projection,
)
from orders.services.auto_orders.actions import auto_order_pause
from orders.services.auto_orders.rebill import rebill_sweep
from tests.orders.auto_orders import subscribe

pytestmark = pytest.mark.django_db
START = date(2024, 1, 31)


def with_second_item(auto_order: AutoOrder) -> AutoOrder:
    AutoOrderItem.objects.create(
        auto_order=auto_order,
        position=1,
        sku="FILTERS",
        description="Filters",
        quantity=2,
        unit_price=Decimal("3.50"),
        schedule="every_45_days",
        anchor_day=31,
        next_rebill_on=START + timedelta(days=45),
    )
    return AutoOrder.objects.get(pk=auto_order.pk)


def sweep_days(auto_order: AutoOrder, first: date, days: int) -> list[tuple[date, Decimal]]:
    """Run the sweep every day (as often as it finds work); the rebills made, by day."""
    seen: set[int] = set()
    made = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        while rebill_sweep(today=day).processed:
            pass
        for order in Order.objects.filter(auto_order_code=auto_order.code, source="rebill"):
            if order.pk not in seen:
                seen.add(order.pk)
                made.append((day, order.total))
    return made


def test_the_projected_rebills_are_what_the_sweep_then_does(merchant):
    auto_order = with_second_item(subscribe(merchant, on=START))

    projected = auto_order_projection(auto_order=auto_order)

    assert len(projected) == 10
    assert [p.on for p in projected[:4]] == [
        date(2024, 2, 29),
        date(2024, 3, 16),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]
    made = sweep_days(auto_order, START, projected[-1].on.toordinal() - START.toordinal() + 1)
    assert made == [(p.on, p.amount) for p in projected]


def test_a_pause_skips_the_projected_rebills_before_its_end_as_the_sweep_does(merchant):
    auto_order = subscribe(merchant, schedule="weekly", on=date(2025, 3, 3))
    auto_order = auto_order_pause(
        auto_order=auto_order, until=date(2025, 3, 26), today=date(2025, 3, 4)
    )

    projected = auto_order_projection(auto_order=auto_order, count=4)

    assert [p.on for p in projected] == [
        date(2025, 3, 31),
        date(2025, 4, 7),
        date(2025, 4, 14),
        date(2025, 4, 21),
    ]
    made = sweep_days(auto_order, date(2025, 3, 4), 50)[:4]
    assert made == [(p.on, p.amount) for p in projected]


def test_the_forecast_counts_rebills_and_revenue_per_day(merchant):
    subscribe(merchant, schedule="weekly", on=date(2025, 3, 3), email="a@example.com")
    subscribe(merchant, schedule="monthly", on=date(2025, 3, 10), email="b@example.com")

    forecast = auto_order_forecast(merchant=merchant, today=date(2025, 3, 5), days=60)

    assert len(forecast.days) == 60
    by_day = {day.on: (day.count, day.revenue) for day in forecast.days if day.count}
    assert by_day[date(2025, 3, 10)] == (1, Decimal("25.00"))
    assert by_day[date(2025, 4, 10)] == (1, Decimal("25.00"))
    assert forecast.count == 8 + 1  # weekly from 10 March to 28 April; monthly on 10 April
    assert forecast.revenue == Decimal("225.00")


def test_cards_expiring_before_the_next_rebill_are_listed(merchant):
    fine = subscribe(merchant, on=date(2030, 10, 1), email="fine@example.com")
    expiring = subscribe(merchant, on=date(2030, 12, 1), email="exp@example.com")  # card 12/2030
    assert auto_order_cards_expiring(merchant=merchant) == [expiring]
    assert fine.next_rebill_on == date(2030, 11, 1)
