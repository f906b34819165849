"""Exactly one order and one charge per auto order and period, on PostgreSQL, whatever the
concurrency or the crashes: counted on the test gateway's books."""

from datetime import date

import pytest
from django.db.models.signals import post_save

from orders.models import AutoOrder, GatewayLedgerEntry, Order, RebillAttempt
from orders.services.auto_orders.rebill import rebill_sweep
from orders.states import OrderSource
from tests.orders.auto_orders import approved_charges, subscribe
from tests.orders.test_concurrency import run_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("needs_postgres")]
DUE = date(2025, 2, 28)


def subscriptions(merchant, count: int) -> list[AutoOrder]:
    return [subscribe(merchant, email=f"sub{n}@example.com") for n in range(count)]


def assert_once_per_period(auto_orders: list[AutoOrder]) -> None:
    for auto_order in auto_orders:
        orders = Order.objects.filter(auto_order_code=auto_order.code, source=OrderSource.REBILL)
        assert orders.count() == 1, auto_order.code
        assert approved_charges(auto_order) == 1, auto_order.code
        assert (
            GatewayLedgerEntry.objects.filter(
                idempotency_key__startswith=f"rebill:{auto_order.code}:"
            ).count()
            == 1
        )
        auto_order.refresh_from_db()
        assert (auto_order.next_rebill_on, auto_order.rebill_count) == (date(2025, 3, 31), 1)


def test_two_sweeps_started_together_bill_each_period_once(merchant):
    auto_orders = subscriptions(merchant, 12)
    totals = []

    def sweep(index: int) -> None:
        totals.append(rebill_sweep(today=DUE).processed)

    assert run_threads(2, sweep) == []

    assert_once_per_period(auto_orders)
    assert sum(totals) == 12
    assert RebillAttempt.objects.filter(result="approved").count() == 12


def test_a_sweep_run_twice_bills_each_period_once(merchant):
    auto_orders = subscriptions(merchant, 3)
    assert rebill_sweep(today=DUE).processed == 3
    assert rebill_sweep(today=DUE).processed == 0
    assert_once_per_period(auto_orders)


class Crash(Exception):
    pass


def test_a_sweep_killed_after_the_charge_and_run_again_bills_once(merchant):
    (auto_order,) = subscriptions(merchant, 1)

    def crash_before_commit(sender, instance, created, **kwargs):
        if created and instance.source == OrderSource.REBILL:
            raise Crash("worker lost")

    post_save.connect(crash_before_commit, sender=Order)
    try:
        with pytest.raises(Crash):
            rebill_sweep(today=DUE)
    finally:
        post_save.disconnect(crash_before_commit, sender=Order)

    # The gateway charged (its books are not in our transaction); nothing else was stored
    # but the attempt, which carries the key.
    assert approved_charges(auto_order) == 1
    assert not Order.objects.filter(source=OrderSource.REBILL).exists()
    attempt = RebillAttempt.objects.get()
    assert (attempt.result, attempt.order) == ("started", None)

    assert rebill_sweep(today=DUE).processed == 1

    assert_once_per_period([auto_order])
    attempt.refresh_from_db()
    assert attempt.result == "approved"
    assert attempt.order.transactions.get().idempotency_key == attempt.idempotency_key


def test_sweeps_sharing_the_work_bill_each_due_auto_order_once(merchant):
    from orders.services.auto_orders.parallel import rebill_sweeps_run

    auto_orders = subscriptions(merchant, 9)
    counts = rebill_sweeps_run(today=DUE, workers=3)
    assert counts == {"approved": 9}
    assert_once_per_period(auto_orders)
