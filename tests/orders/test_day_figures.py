"""The day figures kept by PostgreSQL triggers (DayFiguresDelta) always equal a direct
aggregate of the merchant's orders, whatever changed them; folding keeps them; the home
dashboard reads them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from bench.seed import orders_seed
from orders.models import DayFiguresDelta, Order
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


def direct(merchant) -> dict:
    rows = (
        Order.objects.live()
        .for_merchant(merchant)
        .filter(is_test=False)
        .exclude(stage__in=NOT_COUNTED)
        .annotate(day=TruncDate("placed_at"))
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
