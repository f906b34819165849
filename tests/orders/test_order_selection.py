"""The one selector of orders: every kind of selection, within the merchant, the stage screen
and the deleted scope asked for, and never more orders than the cap."""

import datetime

import pytest

from orders.exceptions import InvalidSelection, SelectionTooLarge
from orders.models import Order
from orders.selectors.deleted import DeletedOrdersFilter
from orders.selectors.selection import (
    Deleted,
    OrderSelection,
    SelectionKind,
    order_selection_resolve,
)
from orders.services.deletion import order_delete
from orders.states import Stage
from tests.factories import ItemFactory, place
from tests.orders.builders import order_in_stage

pytestmark = pytest.mark.django_db

AR, SHIPPING = Stage.ACCOUNTS_RECEIVABLE, Stage.SHIPPING


def resolve(merchant, cap=None, **selection):
    return order_selection_resolve(
        merchant=merchant, selection=OrderSelection(**selection), cap=cap
    )


def deleted(order: Order, **fields) -> Order:
    order_delete(order=order, by=None, reason="test set-up")
    if fields:
        Order.objects.filter(pk=order.pk).update(**fields)
    return Order.objects.get(pk=order.pk)


def test_rows_keep_only_the_merchants_live_orders_on_the_screen(merchant, other_merchant):
    on_screen = [order_in_stage(merchant, AR) for _ in range(2)]
    off_screen = order_in_stage(merchant, SHIPPING)
    gone = deleted(order_in_stage(merchant, AR))
    foreign = order_in_stage(other_merchant, AR)
    rows = [str(o.pk) for o in (*on_screen, off_screen, gone, foreign)]

    selected = resolve(merchant, kind=SelectionKind.ROWS, rows=tuple(rows), stages=(AR,))

    assert selected.order_pks == [o.pk for o in on_screen]


def test_rows_that_are_not_order_keys_are_refused(merchant):
    with pytest.raises(InvalidSelection, match="not valid"):
        resolve(merchant, kind=SelectionKind.ROWS, rows=("12", "twelve"))


def test_pasted_ids_come_back_in_the_order_given_with_what_could_not_be_used(
    merchant, other_merchant
):
    first, second = order_in_stage(merchant, AR), order_in_stage(merchant, AR)
    shipping = order_in_stage(merchant, SHIPPING)
    gone = deleted(order_in_stage(merchant, AR))
    foreign = order_in_stage(other_merchant, AR)
    text = f"{second.order_id} junk, {foreign.order_id}\n{shipping.order_id};"
    text += f"{gone.order_id} {first.order_id.lower()}"

    selected = resolve(merchant, kind=SelectionKind.IDS, text=text, stages=(AR,))

    assert selected.order_pks == [second.pk, first.pk]
    assert selected.not_found == ["JUNK", foreign.order_id]
    assert selected.deleted == [gone.order_id]
    assert selected.refused == [shipping.order_id]


def test_deleted_orders_are_excluded_included_or_the_only_ones_as_asked(merchant):
    live, gone = place(merchant), deleted(place(merchant))
    text = f"{live.order_id} {gone.order_id}"

    excluded = resolve(merchant, kind=SelectionKind.IDS, text=text)
    included = resolve(merchant, kind=SelectionKind.IDS, text=text, deleted=Deleted.INCLUDE)
    only = resolve(merchant, kind=SelectionKind.IDS, text=text, deleted=Deleted.ONLY_DELETED)
    everything = {
        scope: resolve(merchant, kind=SelectionKind.FILTER, deleted=scope).order_pks
        for scope in Deleted
    }

    assert (excluded.order_pks, excluded.deleted) == ([live.pk], [gone.order_id])
    assert (included.order_pks, included.deleted) == ([live.pk, gone.pk], [])
    assert (only.order_pks, only.refused) == ([gone.pk], [live.order_id])
    assert everything == {
        Deleted.EXCLUDE: [live.pk],
        Deleted.INCLUDE: [live.pk, gone.pk],
        Deleted.ONLY_DELETED: [gone.pk],
    }


def test_a_range_follows_the_sequence_within_the_scope(merchant, other_merchant):
    orders = [order_in_stage(merchant, stage) for stage in (AR, AR, SHIPPING, AR, AR)]
    place(other_merchant)

    selected = resolve(
        merchant,
        kind=SelectionKind.RANGE,
        first=orders[1].order_id,
        last=str(orders[4].order_number),
        stages=(AR,),
    )

    assert selected.order_pks == [orders[1].pk, orders[3].pk, orders[4].pk]
    assert selected.description == f"orders {orders[1].order_number} to {orders[4].order_number}"


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [("9", "2", "after its last"), ("abc", "2", "not an order number")],
)
def test_a_backwards_or_unreadable_range_is_refused(merchant, first, last, message):
    with pytest.raises(InvalidSelection, match=message):
        resolve(merchant, kind=SelectionKind.RANGE, first=first, last=last)


def test_dates_are_whole_days_of_the_merchants_time_zone(merchant):
    merchant.time_zone = "America/New_York"
    merchant.save()
    evening = place(merchant)  # 02:00 UTC on the 11th: the evening of the 10th in New York
    morning = place(merchant)  # 05:30 UTC on the 11th: the 11th in New York
    Order.objects.filter(pk=evening.pk).update(
        placed_at=datetime.datetime(2026, 3, 11, 2, tzinfo=datetime.UTC)
    )
    Order.objects.filter(pk=morning.pk).update(
        placed_at=datetime.datetime(2026, 3, 11, 5, 30, tzinfo=datetime.UTC)
    )

    selected = resolve(
        merchant,
        kind=SelectionKind.DATES,
        date_field="placed",
        date_from=datetime.date(2026, 3, 10),
        date_to="2026-03-10",
    )

    assert selected.order_pks == [evening.pk]
    with pytest.raises(InvalidSelection, match="first date is after the last"):
        resolve(
            merchant,
            kind=SelectionKind.DATES,
            date_field="placed",
            date_from="2026-03-11",
            date_to="2026-03-10",
        )
    with pytest.raises(InvalidSelection, match="Choose the date"):
        resolve(merchant, kind=SelectionKind.DATES, date_field="refunded")


def test_all_matching_applies_the_lists_filter_within_the_stage_screen(merchant, other_merchant):
    wanted = [order_in_stage(merchant, AR) for _ in range(2)]
    Order.objects.filter(pk__in=[o.pk for o in wanted]).update(email="bulk@example.com")
    order_in_stage(merchant, AR)  # on the screen, not matching
    shipping = place(merchant, email="bulk@example.com")  # matching, another screen
    place(other_merchant, email="bulk@example.com")

    on_screen = resolve(
        merchant,
        kind=SelectionKind.FILTER,
        query="q=bulk%40example.com&sort=-total",
        stages=(AR,),
        newest_first=True,
    )
    anywhere = resolve(merchant, kind=SelectionKind.FILTER, query="q=bulk%40example.com")

    assert on_screen.order_pks == [wanted[1].pk, wanted[0].pk]
    assert anywhere.order_pks == [wanted[0].pk, wanted[1].pk, shipping.pk]


def test_a_filter_that_is_not_valid_any_more_selects_nothing(merchant):
    place(merchant)
    with pytest.raises(InvalidSelection, match="not valid any more"):
        resolve(merchant, kind=SelectionKind.FILTER, query="stage=no-such-stage")


def test_deleted_orders_matching_the_undelete_filters_most_recently_deleted_first(merchant):
    older = deleted(place(merchant, email="c1@example.com"))
    newer = deleted(place(merchant, email="c1@example.com"))
    deleted(place(merchant, email="c2@example.com"))
    place(merchant, email="c1@example.com")  # live
    Order.objects.filter(pk=older.pk).update(
        deleted_at=newer.deleted_at - datetime.timedelta(hours=1)
    )

    selected = resolve(
        merchant,
        kind=SelectionKind.FILTER,
        deleted=Deleted.ONLY_DELETED,
        deleted_filter=DeletedOrdersFilter(customer="c1@example.com"),
    )

    assert selected.order_pks == [newer.pk, older.pk]


def test_an_items_pre_orders_all_or_only_those_no_other_item_holds(merchant):
    from orders.payments import CardDetails
    from orders.services.placement import LineDraft, OrderDraft, PaymentDraft, order_place

    book, other = (ItemFactory(merchant=merchant, pre_order=True) for _ in range(2))
    alone = place(merchant, item=book)
    both = order_place(
        merchant=merchant,
        draft=OrderDraft(
            email="a@example.com",
            lines=[LineDraft(item=book), LineDraft(item=other)],
            payment=PaymentDraft(
                method="credit_card", card=CardDetails("4111111111111111", 12, 2030)
            ),
        ),
    )
    place(merchant, item=other)
    assert alone.stage == both.stage == Stage.PRE_ORDER
    book.pre_order = False
    book.save()
    scope = {"kind": SelectionKind.ITEM, "item_id": book.pk, "stages": (Stage.PRE_ORDER,)}

    assert resolve(merchant, **scope).order_pks == [alone.pk, both.pk]
    assert resolve(merchant, **scope, item_alone=True).order_pks == [alone.pk]


@pytest.mark.parametrize(
    "kind", [SelectionKind.ROWS, SelectionKind.IDS, SelectionKind.RANGE, SelectionKind.FILTER]
)
def test_a_selection_over_the_cap_is_refused_and_one_at_the_cap_resolves(merchant, kind):
    orders = [place(merchant) for _ in range(3)]
    selection = {
        SelectionKind.ROWS: {"rows": tuple(o.pk for o in orders)},
        SelectionKind.IDS: {"text": " ".join(o.order_id for o in orders)},
        SelectionKind.RANGE: {"first": orders[0].order_id, "last": orders[2].order_id},
        SelectionKind.FILTER: {"query": ""},
    }[kind]

    with pytest.raises(SelectionTooLarge, match="At most 2 orders at a time"):
        resolve(merchant, cap=2, kind=kind, **selection)
    assert resolve(merchant, cap=3, kind=kind, **selection).order_pks == [o.pk for o in orders]


def test_pasted_ids_over_the_cap_are_refused_before_any_lookup(merchant, django_assert_num_queries):
    text = " ".join(f"DEMO-{n:07d}" for n in range(1, 5))
    with django_assert_num_queries(0), pytest.raises(SelectionTooLarge):
        resolve(merchant, cap=3, kind=SelectionKind.IDS, text=text)


def test_the_cap_is_max_selection_orders_unless_given(merchant, monkeypatch):
    for _ in range(2):
        place(merchant)
    monkeypatch.setattr("orders.selectors.selection.MAX_SELECTION_ORDERS", 1)

    with pytest.raises(SelectionTooLarge, match="At most 1 orders"):
        resolve(merchant, kind=SelectionKind.FILTER)
