"""The A/R retry schedule run by beat: tries on the merchant's days, counted, reject at end."""

import datetime

import pytest
from django.utils import timezone

from backoffice.celery import app
from orders.services.placement import CardMode
from orders.services.receivables import receivable_retry_due, receivable_retry_status
from orders.states import PaymentStatus, Stage
from tests.factories import DECLINE_CARD, place

pytestmark = pytest.mark.django_db


def days_after_placement(order, days: int) -> datetime.date:
    return timezone.localdate(order.placed_at) + datetime.timedelta(days=days)


def test_a_due_retry_charges_the_card_and_moves_the_order_on(merchant):
    merchant.ar_retry_days = [1, 3]
    merchant.save()
    order = place(merchant, card_mode=CardMode.NO_CHARGE)

    assert receivable_retry_due(today=days_after_placement(order, 0)) == 0
    assert receivable_retry_due(today=days_after_placement(order, 1)) == 1

    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING
    event = order.events.get(type="order_ar_retried")
    assert (event.payload["attempt"], event.payload["of"], event.payload["result"]) == (
        1,
        2,
        "approved",
    )
    assert event.actor_label == "beat"


def test_declined_tries_follow_the_schedule_and_reject_at_the_end(merchant):
    merchant.ar_retry_days = [1, 3]
    merchant.ar_reject_at_end = True
    merchant.save()
    order = place(merchant, card=DECLINE_CARD)
    assert (order.stage, order.payment_status) == (Stage.ACCOUNTS_RECEIVABLE, "declined")

    assert receivable_retry_due(today=days_after_placement(order, 1)) == 1
    assert receivable_retry_due(today=days_after_placement(order, 2)) == 0  # not yet
    assert receivable_retry_due(today=days_after_placement(order, 1)) == 0  # ran already
    status = receivable_retry_status(order=order)
    assert (status.tries_done, status.next_try) == (1, days_after_placement(order, 3))

    assert receivable_retry_due(today=days_after_placement(order, 3)) == 1

    order.refresh_from_db()
    assert order.stage == Stage.REJECTED
    assert order.reject_reason == "payment_failed"
    assert order.payment_status == PaymentStatus.DECLINED
    assert order.events.filter(type="order_ar_retried").count() == 2
    assert receivable_retry_due(today=days_after_placement(order, 30)) == 0


def test_without_reject_at_end_the_order_stays_after_the_last_try(merchant):
    merchant.ar_retry_days = [0]
    merchant.save()
    order = place(merchant, card=DECLINE_CARD)

    receivable_retry_due(today=days_after_placement(order, 0))

    order.refresh_from_db()
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert receivable_retry_status(order=order).finished


def test_the_schedule_is_at_most_seven_tries(merchant):
    merchant.ar_retry_days = list(range(1, 12))
    merchant.save()
    order = place(merchant, card=DECLINE_CARD)

    assert receivable_retry_status(order=order).tries_total == 7


def test_offline_orders_are_not_retried(merchant):
    from orders.states import PaymentMethod

    merchant.ar_retry_days = [0]
    merchant.save()
    order = place(merchant, method=PaymentMethod.CHECK, card=None)

    assert receivable_retry_due(today=days_after_placement(order, 5)) == 0
    assert receivable_retry_status(order=order) is None


def test_beat_schedules_the_receivable_retries():
    entries = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "orders.tasks.receivable_retry_due_task" in entries
