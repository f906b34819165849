"""The rebill sweep: bill every auto order whose next date has come, exactly once per period.

Per auto order, in two steps:
1. Claim (a short transaction, the row taken with FOR UPDATE SKIP LOCKED): the rebill attempt
   row for (auto order, period, try) is created, or found when an earlier run stopped halfway.
   Its idempotency key is committed before any money moves.
2. Bill: the first try places the period's order through order_place with that key; later
   tries charge that same order again (process_payment) with theirs. The gateway call keeps
   its own books (outside our transaction, like any provider), and the order, the attempt's
   result and the auto order's next date are written in one transaction with the auto order's
   row locked; if the attempt is already settled there, that transaction undoes itself.

So two sweeps at once, a sweep run twice, or a sweep killed after the gateway charged but before
it committed leave one order and one charge per period: a re-run reuses the key, the gateway
answers from its books, and only one transaction can settle the attempt.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import F

from orders.actors import Actor
from orders.exceptions import OrderError
from orders.models import AutoOrder, Order, RebillAttempt
from orders.services.placement import order_place
from orders.services.transitions import order_transition
from orders.states import Stage

from .drafts import rebill_draft
from .settle import RebillAlreadySettled, attempt_settle, attempt_settle_without_order, resume_due

SWEEP_CHUNK = 500
VIA = "rebill sweep"


@dataclass(frozen=True)
class RebillOutcome:
    result: str  # approved | declined | error | skipped
    order_id: str = ""
    message: str = ""


@dataclass
class SweepResult:
    counts: Counter = field(default_factory=Counter)

    @property
    def processed(self) -> int:
        return sum(n for result, n in self.counts.items() if result != "skipped")


@dataclass(frozen=True)
class _Claim:
    auto_order_pk: int
    attempt_pk: int
    key: str
    scheduled_on: date
    period_order_pk: int | None


def rebill_key(*, code: str, scheduled_on: date, try_number: int) -> str:
    return f"rebill:{code}:{scheduled_on.isoformat()}:{try_number}"


def _locking(queryset):
    # SQLite has no row locks (one writer at a time): the plain query is the fallback.
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def rebill_sweep(
    *,
    today: date,
    progress: Callable[[int], None] | None = None,
    via: str = VIA,
    shard: int = 0,
    shards: int = 1,
) -> SweepResult:
    """Rebill every due auto order, each in its own transactions. Side effects: orders,
    charges, attempt rows, events on original orders, staff emails when one is disabled.

    Sweeps may run side by side; `shard`/`shards` split the work between them by ID so they
    do not queue on the same rows (any overlap is still safe, only slower).
    """
    result = SweepResult()
    last_pk = 0
    due = AutoOrder.objects.due(today)
    if shards > 1:
        due = due.alias(shard=F("pk") % shards).filter(shard=shard)
    while True:
        pks = list(
            due.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:SWEEP_CHUNK]
        )
        if not pks:
            return result
        for pk in pks:
            outcome = auto_order_rebill(auto_order_pk=pk, today=today, via=via)
            result.counts[outcome.result] += 1
        last_pk = pks[-1]
        if progress is not None:
            progress(sum(result.counts.values()))


def auto_order_rebill(
    *, auto_order_pk: int, today: date, now: bool = False, by: Actor = None, via: str = VIA
) -> RebillOutcome:
    """Bill the auto order's current period if it is due (or at once, `now`). Side effects:
    see rebill_sweep; "skipped" when another run holds it or it is not due."""
    claim = _claim(auto_order_pk, today, now)
    if claim is None:
        return RebillOutcome("skipped")
    try:
        if claim.period_order_pk is None:
            return _place(claim, today, by, via)
        return _retry(claim, today, by, via)
    except RebillAlreadySettled:
        return RebillOutcome("skipped", message="settled by another run")


def _claim(auto_order_pk: int, today: date, now: bool) -> _Claim | None:
    with transaction.atomic():
        queryset = AutoOrder.objects.filter(pk=auto_order_pk)
        queryset = queryset.filter(status=AutoOrder.Status.ACTIVE) if now else queryset.due(today)
        auto_order = _locking(queryset).first()
        if auto_order is None:
            return None
        if auto_order.status == AutoOrder.Status.PAUSED:
            resume_due(auto_order, today)
            if auto_order.next_attempt_on is None or auto_order.next_attempt_on > today:
                return None
        if auto_order.next_rebill_on is None:
            return None
        return _attempt_claim(auto_order)


def _attempt_claim(auto_order: AutoOrder) -> _Claim:
    try_number = auto_order.failed_attempts + 1
    scheduled_on = auto_order.next_rebill_on
    if scheduled_on is None:  # only a completed auto order has none, and none of those is due
        raise ValueError(f"Auto order {auto_order.code} is due but has no next rebill date.")
    attempt, _ = RebillAttempt.objects.get_or_create(
        auto_order=auto_order,
        scheduled_on=scheduled_on,
        try_number=try_number,
        defaults={
            "idempotency_key": rebill_key(
                code=auto_order.code, scheduled_on=scheduled_on, try_number=try_number
            )
        },
    )
    period_order_pk = (
        RebillAttempt.objects.filter(
            auto_order=auto_order, scheduled_on=scheduled_on, order__isnull=False
        )
        .values_list("order_id", flat=True)
        .first()
    )
    return _Claim(auto_order.pk, attempt.pk, attempt.idempotency_key, scheduled_on, period_order_pk)


def _place(claim: _Claim, today: date, by, via: str) -> RebillOutcome:
    auto_order = AutoOrder.objects.select_related("merchant", "original_order").get(
        pk=claim.auto_order_pk
    )
    draft = rebill_draft(auto_order=auto_order, scheduled_on=claim.scheduled_on, key=claim.key)
    settled: list[RebillAttempt] = []

    def settle(order: Order) -> None:
        settled.append(attempt_settle(claim.attempt_pk, order=order, today=today, by=by, via=via))

    try:
        order = order_place(
            merchant=auto_order.merchant, draft=draft, by=None, via=via, before_commit=settle
        )
    except RebillAlreadySettled:
        raise
    except OrderError as exc:
        attempt_settle_without_order(claim.attempt_pk, message=str(exc), today=today, via=via)
        return RebillOutcome("error", message=str(exc))
    if not settled:
        # The attempt's key had already placed an order: another run placed and settled it.
        raise RebillAlreadySettled
    return RebillOutcome(str(settled[0].result), order.order_id, settled[0].message)


def _retry(claim: _Claim, today: date, by, via: str) -> RebillOutcome:
    """A later try for a period whose order waits in Accounts Receivable: charge it again."""
    with transaction.atomic():
        order = Order.objects.get(pk=claim.period_order_pk)
        if order.stage == Stage.ACCOUNTS_RECEIVABLE:
            try:
                order = order_transition(
                    order=order.pk,
                    name="process_payment",
                    by=None,
                    via=via,
                    idempotency_key=claim.key,
                ).order
            except OrderError as exc:
                attempt_settle_without_order(
                    claim.attempt_pk, message=str(exc), today=today, via=via
                )
                return RebillOutcome("error", order.order_id, str(exc))
        attempt = attempt_settle(claim.attempt_pk, order=order, today=today, by=by, via=via)
    return RebillOutcome(str(attempt.result), order.order_id, attempt.message)
