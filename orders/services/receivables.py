"""The Accounts Receivable retry schedule: beat retries cards on the merchant's day offsets.

Merchant.ar_retry_days holds day offsets after placement (at most seven tries). Each try is an
order_ar_retried event, so the tries done are counted from the timeline and a second run on
the same day does nothing. After the last try, an order still unpaid is rejected if the
merchant asks for it.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from orders.events import order_ar_retried_event
from orders.exceptions import OrderError
from orders.models import Merchant, Order, OrderEvent, OrderEventType
from orders.states import GATEWAY_METHODS, PaymentMethod, Stage

from .locking import order_lock
from .transitions import order_transition

MAX_TRIES = 7
RETRY_EVENT = OrderEventType.AR_RETRIED
CARD_METHODS = GATEWAY_METHODS - {PaymentMethod.ECHECK}


@dataclass(frozen=True)
class RetryStatus:
    tries_done: int
    tries_total: int
    next_try: datetime.date | None
    reject_at_end: bool

    @property
    def finished(self) -> bool:
        return self.tries_done >= self.tries_total


def receivable_schedule(merchant: Merchant) -> list[int]:
    """The merchant's retry day offsets, sorted, at most seven."""
    days = []
    for value in merchant.ar_retry_days or []:
        try:
            days.append(int(value))
        except (TypeError, ValueError):
            continue
    return sorted(day for day in days if day >= 0)[:MAX_TRIES]


def receivable_retry_status(*, order: Order, tries_done: int | None = None) -> RetryStatus | None:
    """Tries done and the next try's date, for a card order in Accounts Receivable."""
    if order.stage != Stage.ACCOUNTS_RECEIVABLE or not _retryable(order):
        return None
    schedule = receivable_schedule(order.merchant)
    if tries_done is None:
        tries_done = order.events.filter(type=RETRY_EVENT).count()
    next_try = None
    if tries_done < len(schedule):
        next_try = _placed_date(order) + datetime.timedelta(days=schedule[tries_done])
    return RetryStatus(tries_done, len(schedule), next_try, order.merchant.ar_reject_at_end)


def receivable_next_try(
    *, order: Order, schedule: list[int], tries_done: int
) -> datetime.date | None:
    """The day of a receivable card order's next scheduled try; None when none is left."""
    if not _retryable(order) or tries_done >= len(schedule):
        return None
    return _placed_date(order) + datetime.timedelta(days=schedule[tries_done])


def _retryable(order: Order) -> bool:
    return order.payment_method in CARD_METHODS and bool(order.gateway_token)


def _placed_date(order: Order) -> datetime.date:
    return timezone.localdate(order.placed_at)


def receivable_retry_due(*, today: datetime.date | None = None) -> int:
    """Retry every receivable card order whose next try is due (run by beat); returns tries."""
    today = today or timezone.localdate()
    candidates = (
        Order.objects.live()
        .filter(stage=Stage.ACCOUNTS_RECEIVABLE, payment_method__in=CARD_METHODS)
        .exclude(gateway_token="")
        .annotate(tries=Count("events", filter=Q(events__type=RETRY_EVENT)))
        .select_related("merchant")
    )
    tried = 0
    for order in candidates.iterator(chunk_size=500):
        schedule = receivable_schedule(order.merchant)
        if order.tries >= len(schedule):
            continue
        if _placed_date(order) + datetime.timedelta(days=schedule[order.tries]) > today:
            continue
        if _retry_one(order.pk, schedule):
            tried += 1
    return tried


def _retry_one(order_pk: int, schedule: list[int]) -> bool:
    with transaction.atomic():
        order = order_lock(order_pk)
        tries = OrderEvent.objects.filter(order=order, type=RETRY_EVENT).count()
        if order.stage != Stage.ACCOUNTS_RECEIVABLE or tries >= len(schedule):
            return False
        try:
            result = order_transition(
                order=order,
                name="process_payment",
                by=None,
                via="beat A/R retry",
                expected_stage=Stage.ACCOUNTS_RECEIVABLE,
            )
        except OrderError as exc:
            outcome = f"error: {exc}"
            paid = False
        else:
            paid = result.target != Stage.ACCOUNTS_RECEIVABLE
            outcome = "approved" if paid else "declined"
        last = tries + 1 == len(schedule)
        order_ar_retried_event(order=order, attempt=tries + 1, of=len(schedule), result=outcome)
    if not paid and last and order.merchant.ar_reject_at_end:
        _reject_at_end(order)
    return True


def _reject_at_end(order: Order) -> None:
    codes = order.merchant.reject_reason_codes or []
    reason = "payment_failed" if "payment_failed" in codes or not codes else codes[0]
    try:
        order_transition(
            order=order.pk,
            name="reject",
            by=None,
            via="beat A/R retry",
            expected_stage=Stage.ACCOUNTS_RECEIVABLE,
            reason=reason,
        )
    except OrderError:
        return
