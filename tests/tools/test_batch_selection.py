"""Batch selections: pasted IDs with junk and foreign IDs, ranges by sequence, date fields."""

import datetime

import pytest

from orders.exceptions import InvalidInput
from orders.models import Order
from tests.factories import place
from tests.orders.builders import walk
from tests.tools.conftest import soft_delete
from tools.batch import batch_fingerprint, batch_selection_resolve

pytestmark = pytest.mark.django_db


def _resolve(merchant, **selection):
    return batch_selection_resolve(merchant=merchant, selection=selection)


def test_pasted_ids_list_back_junk_foreign_and_deleted_ids(merchant, other_merchant):
    mine = [place(merchant) for _ in range(3)]
    foreign = place(other_merchant)
    soft_delete(mine[2])
    text = (
        f"{mine[0].order_id}, junk\n{foreign.order_id} {mine[1].order_id.lower()};"
        f"{mine[2].order_id}"
    )

    selected = _resolve(merchant, kind="ids", text=text)

    assert selected.order_pks == [mine[0].pk, mine[1].pk]
    assert selected.not_found == ["JUNK", foreign.order_id]
    assert selected.deleted == [mine[2].order_id]


def test_a_range_follows_the_sequence_and_accepts_numbers_or_ids(merchant, other_merchant):
    orders = [place(merchant) for _ in range(6)]
    place(other_merchant)
    soft_delete(orders[3])

    by_ids = _resolve(
        merchant, kind="range", **{"from": orders[1].order_id, "to": orders[4].order_id}
    )
    by_numbers = _resolve(
        merchant,
        kind="range",
        **{"from": str(orders[1].order_number), "to": orders[4].order_number},
    )

    assert by_ids.order_pks == [orders[1].pk, orders[2].pk, orders[4].pk]
    assert by_numbers.order_pks == by_ids.order_pks


def test_a_backwards_or_unreadable_range_is_refused(merchant):
    with pytest.raises(InvalidInput, match="after its last"):
        _resolve(merchant, kind="range", **{"from": "9", "to": "2"})
    with pytest.raises(InvalidInput, match="not an order number"):
        _resolve(merchant, kind="range", **{"from": "abc", "to": "2"})


def _dated(order, **dates) -> Order:
    Order.objects.filter(pk=order.pk).update(**dates)
    return Order.objects.get(pk=order.pk)


@pytest.mark.parametrize("field", ["placed", "paid", "shipped"])
def test_each_date_field_selects_its_days_inclusive(merchant, field):
    column = f"{field}_at"
    day = datetime.date(2026, 3, 10)
    at = datetime.datetime(2026, 3, 10, 23, 30, tzinfo=datetime.UTC)
    orders = [walk(place(merchant), "mark_shipped", carrier="UPS") for _ in range(4)]
    inside_first = _dated(orders[0], **{column: at - datetime.timedelta(days=2)})
    inside_last = _dated(orders[1], **{column: at})
    _dated(orders[2], **{column: at + datetime.timedelta(hours=1)})  # the next day
    _dated(orders[3], **{column: at - datetime.timedelta(days=3)})

    selected = _resolve(
        merchant,
        kind="dates",
        field=field,
        **{"from": (day - datetime.timedelta(days=2)).isoformat(), "to": day.isoformat()},
    )

    assert sorted(selected.order_pks) == sorted([inside_first.pk, inside_last.pk])


def test_dates_are_the_merchants_days(merchant):
    merchant.time_zone = "America/New_York"
    merchant.save()
    order = _dated(
        place(merchant), placed_at=datetime.datetime(2026, 3, 11, 2, tzinfo=datetime.UTC)
    )
    # 02:00 UTC on the 11th is the evening of the 10th in New York.
    selected = _resolve(
        merchant, kind="dates", field="placed", **{"from": "2026-03-10", "to": "2026-03-10"}
    )
    assert selected.order_pks == [order.pk]


def test_the_fingerprint_changes_with_selection_operation_inputs_and_orders():
    base = {
        "selection": {"kind": "ids", "text": "A"},
        "operation": "hold",
        "inputs": {"reason": "x"},
        "order_pks": [1],
    }
    fingerprint = batch_fingerprint(**base)
    assert fingerprint == batch_fingerprint(**base)
    for change in (
        {"selection": {"kind": "ids", "text": "B"}},
        {"operation": "approve"},
        {"inputs": {"reason": "y"}},
        {"order_pks": [1, 2]},
    ):
        assert batch_fingerprint(**{**base, **change}) != fingerprint


def test_all_matching_a_lists_filter_selects_exactly_the_filtered_live_orders(
    merchant, other_merchant
):
    wanted = [place(merchant, email="ann@example.com") for _ in range(2)]
    place(merchant, email="bo@example.com")
    deleted = place(merchant, email="ann@example.com")
    soft_delete(deleted)
    place(other_merchant, email="ann@example.com")

    selected = _resolve(merchant, kind="filter", query="q=ann%40example.com")

    assert sorted(selected.order_pks) == sorted(order.pk for order in wanted)
