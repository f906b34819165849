"""List columns whose values come from other rows than the order's: Accounts Receivable's last
payment attempt, its decline reason and the next scheduled retry.

One query for a whole page, whatever its size: each value is a correlated subquery on an
indexed foreign key (the payment transactions' order, the events' (order, time) index), run
only for the page's rows.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from orders.models import Merchant, Order, OrderEvent, PaymentTransaction
from orders.services.receivables import RETRY_EVENT, receivable_next_try, receivable_schedule

Kind = PaymentTransaction.Kind
Result = PaymentTransaction.Result
# What counts as an attempt to take the customer's money.
ATTEMPT_KINDS = (Kind.AUTHORIZE, Kind.CHARGE, Kind.CAPTURE)
FAILED_RESULTS = (Result.DECLINED, Result.ERROR)


@dataclass(frozen=True)
class ReceivableFacts:
    last_attempt_at: datetime.datetime | None
    # The gateway's reason when the last attempt was declined or failed; "" otherwise.
    decline_reason: str
    next_retry: datetime.date | None


def order_receivable_facts(
    *, merchant: Merchant, orders: Sequence[Order]
) -> dict[int, ReceivableFacts]:
    """Last attempt, decline reason and next retry of each of `orders` (the merchant's), by pk."""
    pks = [order.pk for order in orders]
    if not pks:
        return {}
    attempts = PaymentTransaction.objects.filter(
        order=OuterRef("pk"), kind__in=ATTEMPT_KINDS
    ).order_by("-created_at", "-id")
    tries = (
        OrderEvent.objects.filter(order=OuterRef("pk"), type=RETRY_EVENT)
        .order_by()
        .values("order")
        .annotate(count=Count("pk"))
        .values("count")
    )
    rows = (
        Order.objects.filter(merchant=merchant, pk__in=pks)
        .annotate(
            attempt_at=Subquery(attempts.values("created_at")[:1]),
            attempt_result=Subquery(attempts.values("result")[:1]),
            attempt_message=Subquery(attempts.values("message")[:1]),
            tries=Coalesce(Subquery(tries, output_field=IntegerField()), Value(0)),
        )
        .values_list("pk", "attempt_at", "attempt_result", "attempt_message", "tries")
    )
    by_pk = {order.pk: order for order in orders}
    schedule = receivable_schedule(merchant)
    facts = {}
    for pk, attempt_at, result, message, tries_done in rows:
        failed = result in FAILED_RESULTS
        facts[pk] = ReceivableFacts(
            last_attempt_at=attempt_at,
            decline_reason=(message or Result(result).label.lower()) if failed else "",
            next_retry=receivable_next_try(
                order=by_pk[pk], schedule=schedule, tries_done=tries_done
            ),
        )
    return facts
