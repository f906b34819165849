"""The one writer of an order's actual costs: one order at a time, and set-based over a plan
table the caller owns (here a temporary table, as orders knows no caller's models)."""

import threading
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from orders.events import COSTS_RECORDED, order_costs_of
from orders.exceptions import CostPlanOutdated
from orders.models import Order, OrderEvent, OutboxMessage
from orders.services.costs import (
    CostChangeTable,
    CostPlanTable,
    order_costs_apply_plan,
    order_costs_set,
    order_costs_undo_changes,
)
from tests.factories import member, place
from tests.orders.test_admin import change_form_data, change_url

D = Decimal
KEYS = list(COSTS_RECORDED)
PLAN_ID = 41
PLAN = CostPlanTable(
    table="test_cost_plan",
    plan_column="plan_id",
    plan_id=PLAN_ID,
    label="label",
    position="position",
)
CHANGES = CostChangeTable(table="test_cost_change", plan_column="plan_id", plan_id=PLAN_ID)


def with_costs(order: Order, shipping="7.00", fulfillment="0.50", payment="0.90") -> Order:
    Order.objects.filter(pk=order.pk).update(
        refunded_total=D("1.00"),
        actual_shipping=D(shipping),
        actual_fulfillment=D(fulfillment),
        actual_payment=D(payment),
    )
    order.refresh_from_db()
    Order.objects.filter(pk=order.pk).update(actual_profit=order.compute_actual_profit())
    order.refresh_from_db()
    return order


def cost_events(order: Order):
    return OrderEvent.objects.filter(order=order, type__startswith="order_").exclude(
        type__in=["order_placed", "order_payment"]
    )


def values(order: Order) -> tuple[Decimal, ...]:
    order.refresh_from_db()
    return tuple(order_costs_of(order).values())


def plan_tables() -> None:
    """The caller's tables, as the import's CostImportOrder and CostImportChange hold them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE test_cost_plan (plan_id bigint, order_pk bigint, "
            "label varchar(32), position integer, shipping numeric(12, 2), "
            "fulfillment numeric(12, 2), payment numeric(12, 2))"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE test_cost_change (id bigserial PRIMARY KEY, plan_id bigint, "
            "order_id bigint, shipping_before numeric(12, 2), shipping_after numeric(12, 2), "
            "fulfillment_before numeric(12, 2), fulfillment_after numeric(12, 2), "
            "payment_before numeric(12, 2), payment_added numeric(12, 2))"
        )


def plan_write(rows: list[tuple[Order, str | None, str | None, str | None]]) -> None:
    with connection.cursor() as cursor:
        for position, (order, shipping, fulfillment, payment) in enumerate(rows, start=2):
            cursor.execute(
                "INSERT INTO test_cost_plan VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [PLAN_ID, order.pk, order.order_id, position, shipping, fulfillment, payment],
            )


def amount(value: str | None) -> Decimal | None:
    return None if value is None else D(value)


@pytest.fixture
def bookkeeper(merchant):
    return member(merchant, "bookkeeper")


# ---- one order ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_setting_costs_recomputes_profit_and_records_one_edited_event(merchant, bookkeeper):
    order = with_costs(place(merchant, email="set@example.com"))

    saved = order_costs_set(
        order=order, by=bookkeeper, via="admin", shipping=D("4.00"), payment=D("0.90")
    )

    profit_before = order.actual_profit
    order.refresh_from_db()
    assert (order.actual_shipping, order.actual_fulfillment, order.actual_payment) == (
        D("4.00"),
        D("0.50"),
        D("0.90"),
    )
    assert order.actual_profit == order.compute_actual_profit() == saved.actual_profit
    assert order.actual_profit == profit_before + D("3.00")
    event = cost_events(order).get()
    assert (event.type, event.actor, event.actor_label) == ("order_edited", bookkeeper, "admin")
    assert event.payload["changes"] == {
        "actual_shipping": {"before": "7.00", "after": "4.00"},
        "actual_profit": {"before": str(profit_before), "after": str(order.actual_profit)},
    }  # the payment given equals the one it had: not a change


@pytest.mark.django_db
def test_setting_the_costs_an_order_already_has_writes_no_event(merchant):
    order = with_costs(place(merchant, email="same@example.com"))

    before = values(order)

    order_costs_set(order=order, by=None, shipping=D("7.00"), fulfillment=D("0.50"))

    assert not cost_events(order).exists()
    assert values(order) == before


@pytest.mark.django_db
def test_other_fields_of_the_same_edit_go_in_the_costs_event(merchant):
    order = place(merchant, email="edit@example.com")

    order_costs_set(
        order=order, by=None, fulfillment=D("1.00"), edits={"email": ("a@x.com", "b@x.com")}
    )

    changes = OrderEvent.objects.get(order=order, type="order_edited").payload["changes"]
    assert set(changes) == {"email", "actual_fulfillment", "actual_profit"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("needs_postgres")
def test_setting_costs_holds_the_orders_lock_until_the_transaction_ends(merchant):
    order = place(merchant, email="lock@example.com")
    outcome: list[str] = []

    def try_lock() -> None:
        try:
            with transaction.atomic():
                Order.objects.select_for_update(nowait=True).get(pk=order.pk)
            outcome.append("free")
        except DatabaseError:
            outcome.append("locked")
        finally:
            connection.close()

    with transaction.atomic():
        order_costs_set(order=order.pk, by=None, shipping=D("3.00"))
        other = threading.Thread(target=try_lock)
        other.start()
        other.join(timeout=30)
    after = threading.Thread(target=try_lock)
    after.start()
    after.join(timeout=30)

    assert outcome == ["locked", "free"]


# ---- many orders, set-based ---------------------------------------------------------------

ROWS = [("7.25", None, "1.10"), (None, "2.00", None), ("0.00", "3.00", "-0.40")]


@pytest.mark.django_db
@pytest.mark.usefixtures("needs_postgres")
def test_a_plan_applied_set_based_gives_what_setting_each_order_gives(merchant, bookkeeper):
    planned = [with_costs(place(merchant, email=f"p{n}@example.com")) for n in range(3)]
    one_by_one = [with_costs(place(merchant, email=f"s{n}@example.com")) for n in range(3)]
    plan_tables()
    plan_write([(order, *row) for order, row in zip(planned, ROWS, strict=True)])
    before = [values(order) for order in planned]

    count = order_costs_apply_plan(
        merchant_id=merchant.pk, plan=PLAN, changes=CHANGES, by=bookkeeper, via="job 9", job_id=9
    )
    for order, (shipping, fulfillment, payment) in zip(one_by_one, ROWS, strict=True):
        added = amount(payment)
        order_costs_set(
            order=order,
            by=bookkeeper,
            shipping=amount(shipping),
            fulfillment=amount(fulfillment),
            payment=None if added is None else order.actual_payment + added,
        )

    assert count == 3
    assert [values(order) for order in planned] == [values(order) for order in one_by_one]
    for order, was in zip(planned, before, strict=True):
        event = cost_events(order).get()
        assert (event.type, event.actor, event.actor_label) == (
            "order_costs_imported",
            bookkeeper,
            "job 9",
        )
        assert event.payload == {
            "import_id": PLAN_ID,
            "job_id": 9,
            "before": dict(zip(KEYS, map(str, was), strict=True)),
            "after": {key: str(value) for key, value in order_costs_of(order).items()},
        }


@pytest.mark.django_db
@pytest.mark.usefixtures("needs_postgres")
def test_undo_restores_exactly_the_costs_before_and_leaves_orders_changed_since(merchant):
    orders = [with_costs(place(merchant, email=f"u{n}@example.com")) for n in range(3)]
    plan_tables()
    plan_write([(order, *row) for order, row in zip(orders, ROWS, strict=True)])
    before = [values(order) for order in orders]
    order_costs_apply_plan(merchant_id=merchant.pk, plan=PLAN, changes=CHANGES, by=None)
    applied = [values(order) for order in orders]
    order_costs_set(order=orders[2], by=None, fulfillment=D("5.00"))  # changed since
    changed = values(orders[2])

    undone = order_costs_undo_changes(merchant_id=merchant.pk, changes=CHANGES, by=None)

    assert (undone.restored, undone.total) == (2, 3)
    assert undone.skipped == [
        {"order_id": orders[2].order_id, "reason": "fulfillment changed since the import"}
    ]
    assert [values(order) for order in orders] == [before[0], before[1], changed]
    assert orders[0].actual_profit == orders[0].compute_actual_profit()
    event = OrderEvent.objects.get(order=orders[0], type="order_costs_import_undone")
    assert event.payload["before"] == dict(zip(KEYS, map(str, applied[0]), strict=True))
    assert event.payload["after"] == dict(zip(KEYS, map(str, before[0]), strict=True))
    assert not OrderEvent.objects.filter(order=orders[2], type="order_costs_import_undone")


@pytest.mark.django_db
@pytest.mark.usefixtures("needs_postgres")
def test_a_plan_naming_a_deleted_order_is_refused_by_its_label(merchant):
    kept, gone = place(merchant, email="k@example.com"), place(merchant, email="g@example.com")
    plan_tables()
    plan_write([(kept, "1.00", None, None), (gone, "1.00", None, None)])
    Order.objects.filter(pk=gone.pk).update(deleted_at="2026-01-01T00:00:00Z")

    with pytest.raises(CostPlanOutdated) as refused:
        order_costs_apply_plan(merchant_id=merchant.pk, plan=PLAN, changes=CHANGES, by=None)

    assert refused.value.order_label == gone.order_id


@pytest.mark.django_db
@pytest.mark.usefixtures("needs_postgres")
@pytest.mark.parametrize("count", [5, 50])
def test_apply_and_undo_take_the_same_few_statements_for_5_or_50_orders(
    merchant, count, django_assert_max_num_queries
):
    orders = [place(merchant, email=f"n{n}@example.com") for n in range(count)]
    plan_tables()
    plan_write([(order, "1.00", None, "0.50") for order in orders])

    # lock + change rows, check, events, their webhook outbox rows, update
    with django_assert_max_num_queries(5):
        applied = order_costs_apply_plan(
            merchant_id=merchant.pk, plan=PLAN, changes=CHANGES, by=None
        )
    with django_assert_max_num_queries(5):  # lock, events, outbox rows, update, count
        undone = order_costs_undo_changes(merchant_id=merchant.pk, changes=CHANGES, by=None)

    assert applied == undone.restored == count
    assert {values(order)[:3] for order in orders} == {(D("0.00"), D("0.00"), D("0.00"))}
    sent = OutboxMessage.objects.filter(topic="order.costs_imported")
    assert sorted(sent.values_list("order_pk", flat=True)) == sorted(o.pk for o in orders)
    assert sent.first().change["after"]["payment"] == "0.50"
    undone_sent = OutboxMessage.objects.filter(topic="order.costs_import_undone")
    assert undone_sent.count() == count


# ---- the admin's edit goes through the same writer ------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("needs_postgres")  # SQLite has no row locks to see
def test_editing_costs_in_the_admin_locks_the_order_first(admin_client, merchant):
    order = place(merchant, email="admin@example.com")
    data = change_form_data(admin_client.get(change_url(order)))
    data["actual_payment"] = "2.10"

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(change_url(order), data)

    assert response.status_code == 302
    table = Order._meta.db_table
    writes = [
        query["sql"]
        for query in queries
        if table in query["sql"] and ("FOR UPDATE" in query["sql"] or 'UPDATE "' in query["sql"])
    ]
    assert "FOR UPDATE" in writes[0]
    assert writes[1].startswith(f'UPDATE "{table}"')
    order.refresh_from_db()
    assert (order.actual_payment, order.actual_profit) == (D("2.10"), order.compute_actual_profit())
