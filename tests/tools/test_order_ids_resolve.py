import pytest

from orders.selectors.orders import order_ids_parse, order_ids_resolve
from tests.factories import place
from tests.tools.conftest import soft_delete

pytestmark = pytest.mark.django_db


def test_pasted_ids_split_on_spaces_commas_and_new_lines_without_repeats():
    text = " demo-0000001,DEMO-0000002\n\nDEMO-0000001 ;DEMO-0000003\t"

    assert order_ids_parse(text) == ["DEMO-0000001", "DEMO-0000002", "DEMO-0000003"]


def test_resolve_keeps_live_orders_and_lists_missing_foreign_and_deleted_ids(
    merchant, other_merchant
):
    live, gone = place(merchant), place(merchant)
    foreign = place(other_merchant)
    soft_delete(gone)

    resolved = order_ids_resolve(
        merchant=merchant,
        text=f"{foreign.order_id} {gone.order_id} {live.order_id} DEMO-7777777",
    )

    assert resolved.order_pks == [live.pk]
    assert resolved.order_ids == [live.order_id]
    # Another merchant's order reads as unknown: its existence is not revealed.
    assert resolved.not_found == [foreign.order_id, "DEMO-7777777"]
    assert resolved.deleted == [gone.order_id]
    assert resolved.unresolved == [foreign.order_id, "DEMO-7777777", gone.order_id]


def test_resolve_of_nothing_is_empty(merchant):
    resolved = order_ids_resolve(merchant=merchant, text=" \n, ")

    assert (resolved.order_pks, resolved.not_found, resolved.deleted) == ([], [], [])
