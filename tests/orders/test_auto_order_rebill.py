"""The rebill sweep: placement of the period's order, the success and failure rules."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from orders.exceptions import InvalidInput
from orders.models import AutoOrder, Order, OrderEvent, RebillAttempt
from orders.services.auto_orders.rebill import rebill_sweep
from orders.states import OrderSource, PaymentStatus, Stage
from tests.factories import member, place
from tests.orders.auto_orders import approved_charges, subscribe

pytestmark = pytest.mark.django_db
D = date


def rebills(auto_order: AutoOrder):
    return Order.objects.filter(auto_order_code=auto_order.code, source=OrderSource.REBILL)


def test_an_order_with_a_scheduled_line_starts_an_auto_order(merchant):
    auto_order = subscribe(merchant, schedule="monthly", on=D(2025, 1, 31))

    original = auto_order.original_order
    assert auto_order.code == f"AO-{original.order_id}"
    assert original.auto_order_code == auto_order.code
    assert (auto_order.status, auto_order.next_rebill_on) == ("active", D(2025, 2, 28))
    assert auto_order.gateway_token == original.gateway_token
    item = auto_order.items.get()
    assert (item.schedule, item.anchor_day, item.unit_price) == ("monthly", 31, Decimal("20.00"))
    event = OrderEvent.objects.get(order=original, type="auto_order_created")
    assert event.payload["code"] == auto_order.code


def test_an_order_without_scheduled_lines_starts_none(merchant):
    place(merchant)
    assert AutoOrder.objects.count() == 0


def test_an_unknown_schedule_refuses_the_order_and_stores_nothing(merchant):
    with pytest.raises(InvalidInput, match="Unknown schedule"):
        subscribe(merchant, schedule="fortnightly-ish")
    assert (Order.objects.count(), AutoOrder.objects.count()) == (0, 0)


def test_the_sweep_places_the_period_order_and_advances_the_schedule(merchant):
    auto_order = subscribe(merchant, on=D(2025, 1, 31))

    assert rebill_sweep(today=D(2025, 2, 27)).processed == 0
    result = rebill_sweep(today=D(2025, 2, 28))

    assert result.counts == {"approved": 1}
    order = rebills(auto_order).get()
    assert (order.stage, order.payment_status) == (Stage.SHIPPING, PaymentStatus.PROCESSED)
    assert order.original_order == auto_order.original_order
    assert order.total == Decimal("25.00")
    auto_order.refresh_from_db()
    assert (auto_order.next_rebill_on, auto_order.rebill_count) == (D(2025, 3, 31), 1)
    assert auto_order.lifetime_value == Decimal("50.00")
    attempt = RebillAttempt.objects.get()
    assert (attempt.order, attempt.result, attempt.try_number) == (order, "approved", 1)
    assert attempt.idempotency_key == f"rebill:{auto_order.code}:2025-02-28:1"
    event = OrderEvent.objects.get(order=auto_order.original_order, type="order_rebilled")
    assert event.payload["rebill_order_id"] == order.order_id


def test_a_sweep_run_twice_places_one_order_and_charges_once(merchant):
    auto_order = subscribe(merchant)
    rebill_sweep(today=D(2025, 2, 28))
    assert rebill_sweep(today=D(2025, 2, 28)).processed == 0
    assert (rebills(auto_order).count(), approved_charges(auto_order)) == (1, 1)


def test_a_late_sweep_bills_one_period_per_run(merchant):
    auto_order = subscribe(merchant, schedule="weekly", on=D(2025, 1, 1))
    rebill_sweep(today=D(2025, 1, 30))
    auto_order.refresh_from_db()
    assert auto_order.next_rebill_on == D(2025, 1, 15)
    assert rebills(auto_order).count() == 1


def test_a_declining_card_is_retried_after_the_delay_then_disabled_with_an_email(
    merchant, django_capture_on_commit_callbacks
):
    merchant.auto_order_retry_delay_days, merchant.auto_order_max_attempts = 3, 3
    merchant.save()
    owner = member(merchant, "owner")
    owner.email = "owner@example.com"
    owner.save()
    auto_order = subscribe(merchant, on=D(2025, 1, 10))
    AutoOrder.objects.filter(pk=auto_order.pk).update(
        gateway_token=auto_order.gateway_token.rsplit("_", 1)[0] + "_0002"
    )

    rebill_sweep(today=D(2025, 2, 10))
    auto_order.refresh_from_db()
    order = rebills(auto_order).get()
    assert (order.stage, order.payment_status) == (Stage.ACCOUNTS_RECEIVABLE, "declined")
    assert (auto_order.failed_attempts, auto_order.next_attempt_on) == (1, D(2025, 2, 13))
    assert auto_order.next_rebill_on == D(2025, 2, 10)  # the period is still unpaid

    assert rebill_sweep(today=D(2025, 2, 12)).processed == 0
    rebill_sweep(today=D(2025, 2, 13))
    auto_order.refresh_from_db()
    assert (auto_order.failed_attempts, auto_order.next_attempt_on) == (2, D(2025, 2, 16))
    with django_capture_on_commit_callbacks(execute=True):
        rebill_sweep(today=D(2025, 2, 16))

    auto_order.refresh_from_db()
    assert (auto_order.status, auto_order.failed_attempts) == ("disabled", 3)
    assert auto_order.next_attempt_on is None
    assert rebills(auto_order).count() == 1  # retries charge the period's order again
    assert list(RebillAttempt.objects.values_list("try_number", "result")) == [
        (3, "declined"),
        (2, "declined"),
        (1, "declined"),
    ]
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]
    assert auto_order.code in mail.outbox[0].subject
    assert OrderEvent.objects.filter(
        order=auto_order.original_order, type="auto_order_changed", payload__action="disabled"
    ).exists()
    assert rebill_sweep(today=D(2025, 3, 30)).processed == 0


def test_a_success_after_failures_resets_the_counter(merchant):
    auto_order = subscribe(merchant, on=D(2025, 1, 10))
    good_token = auto_order.gateway_token
    AutoOrder.objects.filter(pk=auto_order.pk).update(
        gateway_token=good_token.rsplit("_", 1)[0] + "_0002"
    )
    rebill_sweep(today=D(2025, 2, 10))
    period_order = rebills(auto_order).get()
    # The customer's card is updated on the period's order (staff did it on the order page).
    Order.objects.filter(pk=period_order.pk).update(gateway_token=good_token)

    rebill_sweep(today=D(2025, 2, 13))

    auto_order.refresh_from_db()
    period_order.refresh_from_db()
    assert (period_order.stage, period_order.payment_status) == (Stage.SHIPPING, "processed")
    assert (auto_order.failed_attempts, auto_order.next_rebill_on) == (0, D(2025, 3, 10))
    assert auto_order.next_attempt_on == D(2025, 3, 10)
    assert rebills(auto_order).count() == 1


def test_an_auto_order_completes_when_its_rebills_run_out(merchant):
    auto_order = subscribe(merchant, schedule="every_10_days", on=D(2025, 1, 1))
    auto_order.items.update(remaining_rebills=2)
    for day in (D(2025, 1, 11), D(2025, 1, 21), D(2025, 1, 31)):
        rebill_sweep(today=day)
    auto_order.refresh_from_db()
    assert (auto_order.status, auto_order.next_rebill_on, rebills(auto_order).count()) == (
        "completed",
        None,
        2,
    )


def test_an_auto_order_completes_past_its_no_order_after_date(merchant):
    auto_order = subscribe(merchant, schedule="monthly", on=D(2025, 1, 5))
    auto_order.items.update(no_order_after=D(2025, 3, 1))
    rebill_sweep(today=D(2025, 2, 5))
    auto_order.refresh_from_db()
    assert auto_order.status == "completed"
    assert rebills(auto_order).count() == 1


def test_the_sweep_skips_other_statuses(merchant):
    auto_order = subscribe(merchant, on=D(2025, 1, 5))
    for status in ("disabled", "cancelled_by_customer", "completed"):
        AutoOrder.objects.filter(pk=auto_order.pk).update(status=status)
        assert rebill_sweep(today=D(2025, 6, 1)).processed == 0
    assert rebills(auto_order).count() == 0
    assert D(2025, 6, 1) - timedelta(days=1) > auto_order.next_rebill_on
