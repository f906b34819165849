"""The day figures kept by PostgreSQL triggers (DayFiguresDelta) always equal a direct
aggregate of the merchant's orders, whatever changed them; folding keeps them; the home
dashboard reads them."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from bench.seed import orders_seed
from orders.models import DayFiguresDelta, Merchant, Order
from orders.selectors.dashboard import NOT_COUNTED, order_dashboard_days
from orders.services.day_figures import day_figures_fold
from orders.services.deletion import order_delete, order_undelete
from orders.services.refunds import order_refund
from orders.states import Stage
from tests.factories import place
from tests.orders.builders import order_in_stage
from tests.tools.costfiles import csv_bytes
from tools.imports.services import (
    cost_import_apply_start,
    cost_import_preview,
    cost_import_undo_start,
)
from tools.job_runner import job_run

pytestmark = pytest.mark.django_db


def direct(merchant, zone=None) -> dict:
    rows = (
        Order.objects.live()
        .for_merchant(merchant)
        .filter(is_test=False)
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
    return {row["day"]: (row["orders"], row["revenue"], row["profit"]) for row in rows}


def kept(merchant) -> dict:
    rows = (
        DayFiguresDelta.objects.filter(merchant=merchant)
        .order_by()
        .values("day")
        .annotate(orders=Sum("orders"), revenue=Sum("revenue"), profit=Sum("profit"))
    )
    return {
        row["day"]: (row["orders"], row["revenue"], row["profit"])
        for row in rows
        if row["orders"] or row["revenue"] or row["profit"]
    }


def costs_import(merchant, rows):
    cost_import = cost_import_preview(
        merchant=merchant, name="costs.csv", content=csv_bytes(rows), by=None
    )
    job_run(job_id=cost_import_apply_start(cost_import=cost_import, by=None).pk)
    return cost_import


def test_kept_figures_follow_every_kind_of_change(needs_postgres, merchant, other_merchant):
    sold = [place(merchant, email=f"buyer{n}@example.com") for n in range(4)]
    place(merchant, email="test@example.com", is_test=True)
    order_in_stage(merchant, Stage.QUOTE_REQUEST)
    rejected = order_in_stage(merchant, Stage.REJECTED)
    seeded = orders_seed(merchant=merchant, count=20)  # COPY, over the last 20 minutes
    orders_seed(merchant=other_merchant, count=5)
    Order.objects.filter(pk__in=seeded[:6]).update(placed_at=timezone.now() - timedelta(days=3))
    assert kept(merchant) == direct(merchant)

    order_refund(order=sold[0], amount=Decimal("5.00"), reason="Damaged", via="test")
    order_refund(order=sold[1], full=True, reason="Returned", via="test")
    first = costs_import(merchant, [[sold[2].order_id, "4.00", "1.00", ""]])
    costs_import(merchant, [[o.order_id, "2.50", "", "0.75"] for o in sold[:2]])
    job_run(job_id=cost_import_undo_start(cost_import=first).pk)
    order_delete(order=sold[3], reason="Duplicate")
    order_delete(order=Order.objects.get(pk=seeded[0]), reason="Spam")
    order_undelete(order=Order.objects.get(pk=seeded[0]))
    Order.objects.filter(pk__in=seeded[15:18]).delete()  # hard
    Order.objects.filter(pk=rejected.pk).update(stage=Stage.SHIPPING)  # a bulk stage change

    figures = direct(merchant)
    assert len(figures) == 2
    assert kept(merchant) == figures
    assert sum(day[0] for day in kept(other_merchant).values()) == 5

    day_figures_fold()

    assert kept(merchant) == figures
    assert DayFiguresDelta.objects.filter(merchant=merchant).count() == len(figures)


def test_dashboard_reads_the_kept_figures(needs_postgres, merchant):
    orders_seed(merchant=merchant, count=3)
    today = timezone.localdate()
    DayFiguresDelta.objects.create(merchant=merchant, day=today, orders=1000, revenue=Decimal(1))

    days = order_dashboard_days(merchant=merchant, days=30)

    assert days[-1].day == today
    assert days[-1].orders == 1003  # what the triggers wrote, and the row added here


def test_dashboard_figures_equal_a_direct_aggregate(merchant):
    for n in range(3):
        place(merchant, email=f"d{n}@example.com")
    order_in_stage(merchant, Stage.REJECTED)
    Order.objects.filter(email="d0@example.com").update(
        placed_at=timezone.now() - timedelta(days=2)
    )

    days = order_dashboard_days(merchant=merchant, days=30)

    figures = direct(merchant)
    shown = {day.day: (day.orders, day.revenue, day.profit) for day in days if day.orders}
    assert shown == figures


def test_days_are_the_merchants_days(merchant):
    """An order placed at 02:00 UTC is the day before's in New York, on the dashboard too."""
    merchant.time_zone = "America/New_York"
    merchant.save(update_fields=["time_zone"])
    late = place(merchant, email="late@example.com")
    placed = datetime(2026, 7, 2, 2, 0, tzinfo=UTC)
    Order.objects.filter(pk=late.pk).update(placed_at=placed)

    days = order_dashboard_days(merchant=merchant, days=3, today=date(2026, 7, 2))

    assert [(day.day, day.orders) for day in days] == [
        (date(2026, 6, 30), 0),
        (date(2026, 7, 1), 1),
        (date(2026, 7, 2), 0),
    ]


def test_changing_the_merchants_zone_recounts_its_days(needs_postgres, merchant, other_merchant):
    orders = [place(merchant, email=f"z{n}@example.com") for n in range(3)]
    for hour, order in zip((1, 3, 23), orders, strict=True):
        placed = datetime(2026, 7, 2, hour, 0, tzinfo=UTC)
        Order.objects.filter(pk=order.pk).update(placed_at=placed)
    place(other_merchant)
    assert kept(merchant) == direct(merchant)
    theirs = kept(other_merchant)

    merchant.time_zone = "Asia/Tokyo"  # +9: 23:00 UTC is the next day there
    merchant.save(update_fields=["time_zone"])

    tokyo = ZoneInfo("Asia/Tokyo")
    assert kept(merchant) == direct(merchant, tokyo)
    assert {day for day, _ in kept(merchant).items()} == {date(2026, 7, 2), date(2026, 7, 3)}
    assert kept(other_merchant) == theirs

    order_refund(order=orders[2], full=True, reason="Returned", via="test")
    Order.objects.filter(pk=orders[0].pk).update(placed_at=datetime(2026, 7, 5, 20, tzinfo=UTC))
    assert kept(merchant) == direct(merchant, tokyo)


def test_a_zone_the_database_does_not_know_counts_as_utc(needs_postgres, merchant):
    Merchant.objects.filter(pk=merchant.pk).update(time_zone="Mars/Olympus_Mons")
    merchant.refresh_from_db()

    place(merchant, email="mars@example.com")  # the write is not refused

    assert kept(merchant) == direct(merchant)
    assert order_dashboard_days(merchant=merchant, days=1)[-1].orders == 1
