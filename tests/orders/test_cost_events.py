"""The cost-import events written per order and in bulk by SQL are the same events; the SQL
form of actual profit computes what the model computes."""

from decimal import Decimal

import pytest
from django.db.models import DecimalField
from django.db.models.expressions import RawSQL

from orders.events import (
    COSTS_RECORDED,
    order_costs_imported_events,
    order_costs_imported_events_insert,
)
from orders.models import Order, OrderEvent
from tests.factories import member, place

D = Decimal
MONEY = DecimalField(max_digits=12, decimal_places=2)


def costs(*values: str) -> dict[str, Decimal]:
    """Costs as an order holds them (2 places), in the recorded keys' order."""
    amounts = (D(value).quantize(D("0.01")) for value in values)
    return dict(zip(COSTS_RECORDED, amounts, strict=True))


def literal_source(changes) -> tuple[str, list]:
    """The changes as SQL rows in the columns the bulk builder reads."""
    column = "CAST(%s AS DECIMAL(12, 2)) AS {}_{}"
    selects, params = [], []
    for order, before, after in changes:
        columns = ["CAST(%s AS BIGINT) AS order_pk"]
        columns += [column.format("before", key) for key in COSTS_RECORDED]
        columns += [column.format("after", key) for key in COSTS_RECORDED]
        selects.append("SELECT " + ", ".join(columns))
        params += [order.pk, *before.values(), *after.values()]
    return " UNION ALL ".join(selects), params


def content(event: OrderEvent) -> tuple:
    return (event.order_id, event.type, event.actor_id, event.actor_label, event.payload)


@pytest.mark.django_db
@pytest.mark.parametrize(("with_actor", "job_id"), [(True, 31), (False, None)])
def test_bulk_cost_events_have_the_content_of_the_per_order_recorder(merchant, with_actor, job_id):
    by = member(merchant, "bookkeeper") if with_actor else None
    first, second = place(merchant, email="a@example.com"), place(merchant, email="b@example.com")
    changes = [
        (first, costs("0.00", "2.50", "-0.40", "31.20"), costs("7.25", "2.50", "1.10", "22.45")),
        (second, costs("9999999.99", "0", "10", "-5.05"), costs("0.10", "0.00", "-3.90", "1234.5")),
    ]
    recorded = order_costs_imported_events(
        changes=changes, import_id=7, by=by, via="job 31", job_id=job_id
    )
    source_sql, params = literal_source(changes)

    written = order_costs_imported_events_insert(
        source_sql=source_sql, params=params, import_id=7, by=by, via="job 31", job_id=job_id
    )

    assert written == 2
    bulk = OrderEvent.objects.filter(type="order_costs_imported").exclude(
        pk__in=[event.pk for event in recorded]
    )
    per_order = OrderEvent.objects.filter(pk__in=[event.pk for event in recorded])
    assert sorted(map(content, bulk), key=str) == sorted(map(content, per_order), key=str)
    assert bulk.get(order=second).payload["before"]["shipping"] == "9999999.99"


@pytest.mark.django_db
def test_actual_profit_in_sql_is_the_models_actual_profit(merchant):
    order = place(merchant, email="profit@example.com")
    Order.objects.filter(pk=order.pk).update(
        refunded_total=D("3.10"),
        tax=D("1.99"),
        cost_of_goods=D("8.00"),
        actual_shipping=D("7.25"),
        actual_fulfillment=D("0.50"),
        actual_payment=D("-0.40"),
        actual_profit=D("999.00"),  # stale on purpose: both compute it afresh
    )
    order.refresh_from_db()
    sql = Order.actual_profit_sql(lambda field: field)

    computed = (
        Order.objects.filter(pk=order.pk)
        .annotate(profit=RawSQL(sql, [], output_field=MONEY))  # noqa: S611
        .values_list("profit", flat=True)
        .get()
    )

    assert computed == order.compute_actual_profit()
    assert computed == order.total - D("3.10") - D("1.99") - D("8.00") - D("7.35")
