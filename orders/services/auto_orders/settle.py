"""Settling a rebill attempt: the success and failure rules, in the order's transaction."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from orders.actors import Actor
from orders.events import order_auto_order_changed_event, order_rebilled_event
from orders.models import AutoOrder, AutoOrderItem, Order, RebillAttempt
from orders.states import PaymentStatus

from .notify import auto_order_disabled_notify
from .schedules import schedule_advance

PAID = frozenset(
    {
        PaymentStatus.PROCESSED,
        PaymentStatus.AUTHORIZED,
        PaymentStatus.SKIPPED,
        PaymentStatus.PENDING,
    }
)


class RebillAlreadySettled(Exception):
    """Another run settled this attempt first: the caller's transaction must undo itself."""


def _locked(attempt_pk: int) -> tuple[AutoOrder, RebillAttempt]:
    # The attempt's lock first: only the claim (which holds no attempt lock) writes it before.
    attempt = RebillAttempt.objects.select_for_update().get(pk=attempt_pk)
    auto_order = (
        AutoOrder.objects.select_for_update(of=("self",))
        .select_related("merchant", "original_order")
        .get(pk=attempt.auto_order_id)
    )
    current = (
        attempt.result == RebillAttempt.Result.STARTED
        and auto_order.next_rebill_on == attempt.scheduled_on
        and auto_order.failed_attempts + 1 == attempt.try_number
    )
    if not current:
        raise RebillAlreadySettled
    return auto_order, attempt


def attempt_settle(
    attempt_pk: int, *, order: Order, today: date, by: Actor = None, via: str = ""
) -> RebillAttempt:
    """Record the attempt's order and result; advance the auto order or count the failure."""
    auto_order, attempt = _locked(attempt_pk)
    paid = order.payment_status in PAID
    last = order.transactions.order_by("-id").first()
    attempt.order = order
    attempt.amount = order.total
    attempt.result = RebillAttempt.Result.APPROVED if paid else RebillAttempt.Result.DECLINED
    attempt.message = (last.message if last else order.get_payment_status_display())[:300]
    attempt.finished_at = timezone.now()
    attempt.save()
    if paid:
        _succeeded(auto_order, attempt, order)
    else:
        _failed(auto_order, attempt, today, via)
    auto_order.save()
    order_rebilled_event(
        order=auto_order.original_order,
        code=auto_order.code,
        rebill_order_id=order.order_id,
        result=attempt.result,
        scheduled_on=attempt.scheduled_on,
        try_number=attempt.try_number,
        amount=order.total,
        message=attempt.message,
        by=by,
        via=via,
    )
    return attempt


def attempt_settle_without_order(
    attempt_pk: int, *, message: str, today: date, via: str = ""
) -> RebillAttempt:
    """An attempt that could not place or charge an order (invalid data, fraud refusal)."""
    with transaction.atomic():
        auto_order, attempt = _locked(attempt_pk)
        attempt.result = RebillAttempt.Result.ERROR
        attempt.message = message[:300]
        attempt.finished_at = timezone.now()
        attempt.save()
        _failed(auto_order, attempt, today, via)
        auto_order.save()
    return attempt


def _succeeded(auto_order: AutoOrder, attempt: RebillAttempt, order: Order) -> None:
    auto_order.failed_attempts = 0
    live = list(auto_order.items.filter(finished=False))
    for item in live:
        if item_next_date(item) <= attempt.scheduled_on:
            item_advance(item, consume=True)
            item.save(update_fields=["next_rebill_on", "remaining_rebills", "finished"])
    auto_order.rebill_count += 1
    auto_order.lifetime_value += order.total
    next_dates_refresh(auto_order, items=live)


def _failed(auto_order: AutoOrder, attempt: RebillAttempt, today: date, via: str) -> None:
    merchant = auto_order.merchant
    auto_order.failed_attempts += 1
    if auto_order.failed_attempts < merchant.auto_order_max_attempts:
        auto_order.next_attempt_on = today + timedelta(days=merchant.auto_order_retry_delay_days)
        return
    auto_order.status = AutoOrder.Status.DISABLED
    auto_order.status_reason = (
        f"Payment failed {auto_order.failed_attempts} times: {attempt.message}"
    )[:300]
    auto_order.next_attempt_on = None
    order_auto_order_changed_event(
        order=auto_order.original_order,
        code=auto_order.code,
        action="disabled",
        reason=auto_order.status_reason,
        via=via,
    )
    pk = auto_order.pk
    transaction.on_commit(lambda: auto_order_disabled_notify(auto_order_pk=pk))


def item_next_date(item: AutoOrderItem) -> date:
    """The day an unfinished item bills next: only a finished item has none."""
    day = item.next_rebill_on
    if day is None:
        raise ValueError(f"Auto order item {item.pk} is not finished but has no next date.")
    return day


def item_advance(item: AutoOrderItem, *, consume: bool) -> None:
    """Move an item to its next period; `consume` counts a rebill against its remaining ones."""
    item.next_rebill_on = schedule_advance(
        name=item.schedule, day=item_next_date(item), anchor_day=item.anchor_day
    )
    if consume and item.remaining_rebills is not None:
        item.remaining_rebills = max(0, item.remaining_rebills - 1)
        if item.remaining_rebills == 0:
            item.finished = True
    if item.no_order_after and item.next_rebill_on > item.no_order_after:
        item.finished = True


def next_dates_refresh(
    auto_order: AutoOrder, via: str = "", items: list[AutoOrderItem] | None = None
) -> None:
    """The period to bill next (the earliest item); completes the auto order when none is left.
    `items`: its items as just saved, when the caller has them (saves a query)."""
    if items is None:
        items = list(auto_order.items.filter(finished=False))
    live = [item_next_date(item) for item in items if not item.finished]
    if not live:
        auto_order.status = AutoOrder.Status.COMPLETED
        auto_order.next_rebill_on = auto_order.next_attempt_on = None
        order_auto_order_changed_event(
            order=auto_order.original_order, code=auto_order.code, action="completed", via=via
        )
        return
    auto_order.next_rebill_on = min(live)
    if auto_order.failed_attempts == 0:
        auto_order.next_attempt_on = auto_order.next_rebill_on


def items_skip_before(auto_order: AutoOrder, day: date) -> int:
    """Advance every item whose next date is before `day` past it, without billing; a count."""
    skipped = 0
    for item in auto_order.items.filter(finished=False, next_rebill_on__lt=day):
        while not item.finished and item_next_date(item) < day:
            item_advance(item, consume=False)
            skipped += 1
        item.save()
    return skipped


def resume_due(auto_order: AutoOrder, today: date, via: str = "rebill sweep") -> None:
    """A pause that has ended: active again, the periods inside the pause skipped."""
    skipped = items_skip_before(auto_order, auto_order.paused_until or today)
    auto_order.status = AutoOrder.Status.ACTIVE
    auto_order.paused_until = None
    auto_order.failed_attempts = 0
    next_dates_refresh(auto_order)
    auto_order.save()
    order_auto_order_changed_event(
        order=auto_order.original_order,
        code=auto_order.code,
        action="resumed",
        skipped_periods=skipped,
        via=via,
    )
