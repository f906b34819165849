"""The home dashboard: orders, revenue and margin per day from one grouped query."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Order
from orders.selectors.dashboard import order_dashboard_days
from tests.factories import place

pytestmark = pytest.mark.django_db


def test_dashboard_days_count_orders_revenue_and_margin(
    merchant, other_merchant, django_assert_num_queries
):
    today = timezone.localdate()
    first, second = place(merchant, price=Decimal("20.00")), place(merchant, price=Decimal("10.00"))
    old = place(merchant)
    Order.objects.filter(pk=old.pk).update(placed_at=timezone.now() - datetime.timedelta(days=40))
    place(other_merchant)
    Order.objects.filter(pk=first.pk).update(actual_shipping=Decimal("5.00"))
    first.refresh_from_db()
    Order.objects.filter(pk=first.pk).update(actual_profit=first.compute_actual_profit())

    with django_assert_num_queries(1):
        days = order_dashboard_days(merchant=merchant, days=30, today=today)

    assert len(days) == 30
    assert days[-1].day == today
    assert days[-1].orders == 2
    assert days[-1].revenue == first.total + second.total
    first.refresh_from_db()
    second.refresh_from_db()
    assert days[-1].profit == first.actual_profit + second.actual_profit
    assert days[-1].margin == (days[-1].profit * 100 / days[-1].revenue).quantize(Decimal("0.1"))
    assert sum(day.orders for day in days) == 2


def test_home_draws_the_three_charts_as_svg(manager_client, merchant):
    place(merchant)

    content = manager_client.get("/").content.decode()

    assert content.count("<svg") >= 3
    assert "Orders per day" in content
    assert "Revenue per day" in content
    assert "Margin from actual costs" in content
    assert "1 order" in content
    assert "1 orders" not in content
