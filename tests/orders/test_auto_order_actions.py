"""Staff actions on an auto order: each writes an event on the original order."""

from datetime import date

import pytest

from orders.exceptions import InvalidInput, TransitionNotAvailable, TransitionNotPermitted
from orders.models import AutoOrder, Order, OrderEvent
from orders.services.auto_orders import actions
from orders.services.auto_orders.rebill import rebill_sweep
from orders.states import Stage
from tests.factories import member
from tests.orders.auto_orders import subscribe

pytestmark = pytest.mark.django_db
D = date


def changes(auto_order: AutoOrder) -> list[str]:
    return list(
        OrderEvent.objects.filter(order=auto_order.original_order, type="auto_order_changed")
        .order_by("id")
        .values_list("payload__action", flat=True)
    )


def test_pause_then_resume_skips_the_periods_inside_the_pause(merchant, manager):
    auto_order = subscribe(merchant, schedule="weekly", on=D(2025, 3, 3))
    actions.auto_order_pause(
        auto_order=auto_order, until=D(2025, 4, 1), today=D(2025, 3, 4), by=manager
    )
    assert rebill_sweep(today=D(2025, 3, 20)).processed == 0

    done = actions.auto_order_resume(auto_order=auto_order, today=D(2025, 3, 20), by=manager)

    assert (done.status, done.paused_until, done.next_rebill_on) == ("active", None, D(2025, 3, 24))
    assert changes(auto_order) == ["paused", "resumed"]
    event = OrderEvent.objects.get(type="auto_order_changed", payload__action="paused")
    assert (event.actor, event.payload["until"]) == (manager, "2025-04-01")


def test_a_pause_must_end_after_today_and_changes_nothing_otherwise(merchant, manager):
    auto_order = subscribe(merchant, on=D(2025, 3, 3))
    with pytest.raises(InvalidInput, match="after today"):
        actions.auto_order_pause(
            auto_order=auto_order, until=D(2025, 3, 3), today=D(2025, 3, 3), by=manager
        )
    auto_order.refresh_from_db()
    assert auto_order.status == "active"
    assert changes(auto_order) == []


def test_skip_next_moves_one_period_without_billing(merchant, manager):
    auto_order = subscribe(merchant, schedule="monthly", on=D(2025, 1, 31))
    done = actions.auto_order_skip_next(auto_order=auto_order, by=manager)
    assert done.next_rebill_on == D(2025, 3, 31)
    assert done.rebill_count == 0
    assert changes(auto_order) == ["skipped"]


def test_change_next_date_moves_the_schedule(merchant, manager):
    auto_order = subscribe(merchant, schedule="monthly", on=D(2025, 1, 31))
    done = actions.auto_order_next_date_change(
        auto_order=auto_order, day=D(2025, 2, 10), today=D(2025, 2, 1), by=manager
    )
    assert (done.next_rebill_on, done.next_attempt_on) == (D(2025, 2, 10), D(2025, 2, 10))
    rebill_sweep(today=D(2025, 2, 10))
    done.refresh_from_db()
    assert done.next_rebill_on == D(2025, 3, 10)
    with pytest.raises(InvalidInput, match="past"):
        actions.auto_order_next_date_change(
            auto_order=auto_order, day=D(2025, 1, 1), today=D(2025, 2, 1), by=manager
        )


def test_cancelling_never_touches_orders_already_placed(merchant, manager):
    auto_order = subscribe(merchant, on=D(2025, 1, 5))
    rebill_sweep(today=D(2025, 2, 5))
    placed = list(Order.objects.order_by("pk").values_list("pk", "stage", "total", "updated_at"))

    done = actions.auto_order_cancel(
        auto_order=auto_order, reason="Moved abroad", by_customer=True, by=manager
    )

    assert (done.status, done.status_reason, done.cancelled_by) == (
        "cancelled_by_customer",
        "Moved abroad",
        manager,
    )
    assert (
        list(Order.objects.order_by("pk").values_list("pk", "stage", "total", "updated_at"))
        == placed
    )
    assert Order.objects.filter(stage=Stage.SHIPPING).count() == 2
    assert rebill_sweep(today=D(2025, 6, 5)).processed == 0
    with pytest.raises(InvalidInput, match="reason"):
        actions.auto_order_cancel(
            auto_order=subscribe(merchant, email="x@example.com"), reason=" ", by=manager
        )


def test_re_enable_without_billing_missed_periods_starts_from_today(merchant, manager):
    auto_order = subscribe(merchant, schedule="weekly", on=D(2025, 1, 6))
    actions.auto_order_cancel(auto_order=auto_order, reason="Asked to stop", by=manager)

    done = actions.auto_order_reenable(
        auto_order=auto_order, today=D(2025, 2, 5), bill_missed=False, by=manager
    )

    assert (done.status, done.next_rebill_on, done.status_reason) == ("active", D(2025, 2, 10), "")
    assert changes(auto_order) == ["cancelled", "re_enabled"]


def test_re_enable_billing_missed_periods_bills_the_oldest_first(merchant, manager):
    auto_order = subscribe(merchant, schedule="weekly", on=D(2025, 1, 6))
    AutoOrder.objects.filter(pk=auto_order.pk).update(status="disabled", failed_attempts=3)
    done = actions.auto_order_reenable(auto_order=auto_order, today=D(2025, 2, 5), by=manager)
    assert (done.next_rebill_on, done.failed_attempts) == (D(2025, 1, 13), 0)
    assert rebill_sweep(today=D(2025, 2, 5)).counts == {"approved": 1}


def test_actions_refuse_the_wrong_status_and_the_wrong_role(merchant, manager):
    auto_order = subscribe(merchant, on=D(2025, 1, 6))
    with pytest.raises(TransitionNotAvailable, match="active"):
        actions.auto_order_resume(auto_order=auto_order, today=D(2025, 1, 7), by=manager)
    with pytest.raises(TransitionNotAvailable):
        actions.auto_order_reenable(auto_order=auto_order, today=D(2025, 1, 7), by=manager)
    bookkeeper = member(merchant, "bookkeeper")
    with pytest.raises(TransitionNotPermitted):
        actions.auto_order_skip_next(auto_order=auto_order, by=bookkeeper)
    with pytest.raises(TransitionNotPermitted):
        actions.auto_order_rebill_now(auto_order=auto_order, today=D(2025, 1, 7), by=bookkeeper)
    assert changes(auto_order) == []


def test_rebill_now_bills_the_next_period_at_once_and_only_once(merchant, manager):
    auto_order = subscribe(merchant, on=D(2025, 1, 6))
    outcome = actions.auto_order_rebill_now(auto_order=auto_order, today=D(2025, 1, 7), by=manager)
    assert outcome.result == "approved"
    auto_order.refresh_from_db()
    assert auto_order.next_rebill_on == D(2025, 3, 6)
    assert rebill_sweep(today=D(2025, 2, 6)).processed == 0
