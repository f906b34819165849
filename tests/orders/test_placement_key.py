"""The placement key: one order per key, even when submissions race (PostgreSQL)."""

import pytest

from orders.models import GatewayLedgerEntry, Order
from tests.factories import place
from tests.orders.test_concurrency import run_threads


def test_the_same_key_returns_the_order_it_placed(merchant):
    first = place(merchant, idempotency_key="entry:k1")
    again = place(merchant, idempotency_key="entry:k1", email="someone-else@example.com")
    assert again.pk == first.pk
    assert Order.objects.count() == 1


def test_a_key_is_scoped_to_its_merchant(merchant, other_merchant):
    ours = place(merchant, idempotency_key="entry:k2")
    theirs = place(other_merchant, idempotency_key="entry:k2")
    assert ours.pk != theirs.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("needs_postgres")
def test_racing_submissions_of_one_form_place_one_order_and_charge_once(merchant):
    placed: list[int] = []

    def submit(index: int) -> None:
        placed.append(place(merchant, idempotency_key="entry:race").pk)

    errors = run_threads(4, submit)
    assert errors == []
    assert len(set(placed)) == 1
    assert Order.objects.filter(merchant=merchant).count() == 1
    assert GatewayLedgerEntry.objects.filter(operation="charge").count() == 1
