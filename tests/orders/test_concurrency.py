"""People and jobs acting on one order at once, and placing orders at once, on PostgreSQL."""

import random
import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, transaction

from orders.exceptions import LimitExceeded, OrderChanged, OrderError
from orders.models import Order, OrderEvent, OrderSequence
from orders.services.placement import CardMode
from orders.services.refunds import order_refund
from orders.services.transitions import order_transition
from orders.states import Stage
from tests.factories import member, place
from tests.orders.builders import approved_charges, order_in_stage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("needs_postgres")]


def run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run work(i) in `count` threads started together; each uses and closes its own connection."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:  # the test reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def transitioned(order: Order):
    return OrderEvent.objects.filter(order=order, type="order_transitioned").order_by("id")


def test_two_people_racing_the_same_transition_one_wins(merchant):
    order = order_in_stage(merchant, Stage.SHIPPING)
    outcomes: list[str] = []

    def hold(index: int) -> None:
        try:
            order_transition(
                order=order.pk,
                name="hold",
                by=None,
                via=f"person {index}",
                expected_stage=Stage.SHIPPING,
                reason=f"Held by person {index}",
            )
            outcomes.append("won")
        except OrderChanged:
            outcomes.append("changed")

    assert run_threads(2, hold) == []

    assert sorted(outcomes) == ["changed", "won"]
    fresh = Order.objects.get(pk=order.pk)
    assert fresh.stage == Stage.HOLD
    events = list(transitioned(order))
    assert len(events) == 1
    assert events[0].payload["reason"] == fresh.hold_reason


def test_a_hundred_concurrent_payment_attempts_charge_once(merchant):
    order = place(merchant, card_mode=CardMode.NO_CHARGE)
    outcomes: Counter = Counter()

    def pay(index: int) -> None:
        for _ in range(5):
            try:
                order_transition(
                    order=order.pk,
                    name="process_payment",
                    by=None,
                    via=f"job {index}",
                    expected_stage=Stage.ACCOUNTS_RECEIVABLE,
                )
                outcomes["won"] += 1
            except OrderChanged:
                outcomes["changed"] += 1

    assert run_threads(20, pay) == []

    assert outcomes == {"won": 1, "changed": 99}
    assert Order.objects.get(pk=order.pk).stage == Stage.SHIPPING
    assert transitioned(order).count() == 1
    assert order.transactions.count() == 1
    assert approved_charges() == 1


# From each stage, the moves people and jobs make on an order in the middle of its life.
MOVES = {
    Stage.ACCOUNTS_RECEIVABLE: [("process_payment", {}), ("hold", {"reason": "Check"})],
    Stage.SHIPPING: [("hold", {"reason": "Wait"}), ("mark_shipped", {"carrier": "UPS"})],
    Stage.HOLD: [("release_hold", {})],
    Stage.COMPLETED: [("move_back_to_shipping", {})],
}


def test_a_hundred_conflicting_attempts_lose_no_event(merchant):
    order = place(merchant, card_mode=CardMode.NO_CHARGE)
    won: list[str] = []
    lost: Counter = Counter()

    def act(index: int) -> None:
        chooser = random.Random(index)
        for _ in range(5):
            seen = Order.objects.values_list("stage", flat=True).get(pk=order.pk)
            name, inputs = chooser.choice(MOVES[seen])
            try:
                order_transition(
                    order=order.pk,
                    name=name,
                    by=None,
                    via=f"worker {index}",
                    expected_stage=seen,
                    notify=False,
                    **inputs,
                )
                won.append(name)
            except OrderError as exc:
                lost[type(exc).__name__] += 1

    assert run_threads(20, act) == []

    assert len(won) + sum(lost.values()) == 100
    assert set(lost) <= {"OrderChanged"}
    events = list(transitioned(order))
    assert len(events) == len(won) > 1
    # Every win starts from the stage the previous one ended in: no two won the same change.
    stage = Stage.ACCOUNTS_RECEIVABLE
    for event in events:
        assert event.payload["source"] == stage
        stage = event.payload["target"]
    assert Order.objects.get(pk=order.pk).stage == stage
    assert approved_charges() <= 1


def test_concurrent_placement_never_duplicates_an_order_id(merchant):
    placed: list[Order] = []

    def place_ten(index: int) -> None:
        for n in range(10):
            placed.append(place(merchant, email=f"buyer{index}-{n}@example.com"))

    assert run_threads(8, place_ten) == []

    assert len(placed) == 80
    order_ids = {order.order_id for order in placed}
    assert len(order_ids) == 80
    assert Order.objects.filter(merchant=merchant).count() == 80
    numbers = sorted(order.order_number for order in placed)
    assert numbers == list(range(1, 81))
    assert OrderSequence.objects.get(merchant=merchant).last_number == 80


def test_a_transition_does_not_wait_for_another_orders_transition(merchant):
    first = order_in_stage(merchant, Stage.SHIPPING)
    second = order_in_stage(merchant, Stage.SHIPPING)
    first_locked, second_done = threading.Event(), threading.Event()

    def act(index: int) -> None:
        if index == 0:
            with transaction.atomic():
                order_transition(order=first.pk, name="hold", by=None, reason="Slow person")
                first_locked.set()
                # Keep the first order's row locked until the other order has moved.
                assert second_done.wait(timeout=10)
        else:
            assert first_locked.wait(timeout=10)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                order_transition(order=second.pk, name="hold", by=None, reason="Quick person")
            second_done.set()

    assert run_threads(2, act) == []

    assert set(Order.objects.values_list("stage", flat=True)) == {Stage.HOLD}


def test_two_customer_service_refunds_at_once_cannot_both_pass_the_limit(merchant):
    merchant.customer_service_refund_limit = Decimal("150.00")
    merchant.save()
    order = place(merchant, price=Decimal("400.00"))
    agents = [member(merchant, "service", username=f"agent-{i}") for i in range(2)]
    outcomes: list[str] = []

    def refund(index: int) -> None:
        try:
            order_refund(order=order.pk, amount=Decimal("100.00"), by=agents[index], notify=False)
            outcomes.append("refunded")
        except LimitExceeded:
            outcomes.append("refused")

    assert run_threads(2, refund) == []

    assert sorted(outcomes) == ["refunded", "refused"]
    assert Order.objects.get(pk=order.pk).refunded_total == Decimal("100.00")
    assert OrderEvent.objects.filter(order=order, type="order_refunded").count() == 1
