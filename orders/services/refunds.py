"""Refunds: full, partial by line and amount, and refunds made outside the gateway.

They change the payment facts and add events; the stage only changes through the
"refund and reject" transition, which calls refund_apply. A refund through the gateway is
split over the order's settled payments (orders.services.payments
payment_refund_through_gateway), so an order captured in parts as it shipped is refunded
capture by capture; while only its shipped parts are captured, only they can be refunded.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from orders.actors import Actor
from orders.events import order_refunded_event
from orders.exceptions import InvalidInput, LimitExceeded, PaymentFailed, TransitionNotPermitted
from orders.models import Membership, Order, OrderEvent, OrderEventType, PaymentTransaction, Role
from orders.payments import GatewayResult
from orders.payments.outcome import PaymentOutcome, RefundOutcome
from orders.pricing import money
from orders.states import (
    GATEWAY_METHODS,
    REFUNDABLE_STATUSES,
    UNCAPTURED_STATUSES,
    PaymentMethod,
    PaymentStatus,
)

from . import notifications, payments
from .locking import order_lock


def refund_apply(
    *,
    order: Order,
    amount: Decimal | None = None,
    line_quantities: dict[int, int] | None = None,
    all_lines: bool = False,
    external: bool = False,
    reason: str = "",
    by: Actor = None,
    via: str = "",
    job_id: int | None = None,
) -> PaymentOutcome:
    """Refund on an order the caller has locked; the caller saves the order. What the gateway
    answered (a refund made outside it counts as approved)."""
    _check_paid(order)
    lines = {line.pk: line for line in order.lines.all()}
    line_quantities = {int(k): int(v) for k, v in (line_quantities or {}).items() if int(v)}
    if all_lines:
        line_quantities = {pk: line.quantity - line.refunded_quantity for pk, line in lines.items()}
    for pk, quantity in line_quantities.items():
        line = lines.get(pk)
        if line is None:
            raise InvalidInput("A refunded line does not belong to this order.")
        if quantity < 0 or quantity > line.quantity - line.refunded_quantity:
            raise InvalidInput(
                f"{line.sku or line.description}: at most "
                f"{line.quantity - line.refunded_quantity} can be refunded."
            )
    if amount is None:
        amount = sum((lines[pk].unit_price * q for pk, q in line_quantities.items()), Decimal(0))
    amount = money(amount)
    if amount <= 0:
        raise InvalidInput("The refund amount must be more than zero.")
    through_gateway = _refunds_through_gateway(order, external)
    _check_refundable_amount(order, amount, through_gateway=through_gateway)
    outcome = _refund_money(order, amount, through_gateway, by, via)
    shortfall = outcome.not_refunded if isinstance(outcome, RefundOutcome) else Decimal(0)
    if shortfall > 0:
        # The gateway refused a part after refunding others: what it refunded is recorded (the
        # money has moved), the lines are not marked refunded, and the outcome says the rest.
        amount, line_quantities = outcome.amount, {}
    for pk, quantity in line_quantities.items():
        line = lines[pk]
        line.refunded_quantity += quantity
        line.save(update_fields=["refunded_quantity"])

    partly_captured = _partly_captured(order)
    order.refunded_total += amount
    order.refunded_at = timezone.now()
    # While partly captured the rest of the authorization stays for the shipments to come.
    if not partly_captured and order.payment_status != PaymentStatus.SKIPPED:
        order.payment_status = (
            PaymentStatus.REFUNDED
            if order.refunded_total >= order.total
            else PaymentStatus.PARTIALLY_REFUNDED
        )
    order.actual_profit = order.compute_actual_profit()
    order_refunded_event(
        order=order,
        amount=amount,
        by=by,
        via=via,
        reason=reason,
        external=not through_gateway,
        lines=line_quantities,
        refunded_total=order.refunded_total,
        **({"not_refunded": shortfall} if shortfall > 0 else {}),
        **({"job_id": job_id} if job_id is not None else {}),
    )
    return outcome


def _partly_captured(order: Order) -> bool:
    """An order shipped in parts whose shipped parts were captured, the rest only authorized."""
    return (
        order.payment_status in UNCAPTURED_STATUSES and payments.payment_captured_amount(order) > 0
    )


def refund_limit(order: Order) -> Decimal:
    """The most a refund may return now: what is left of the order's total, or, while the
    payment is only authorized, what is left of the parts captured as they shipped."""
    remaining = order.total - order.refunded_total
    if order.payment_status in UNCAPTURED_STATUSES:
        remaining = min(remaining, payments.payment_captured_amount(order) - order.refunded_total)
    return max(remaining, Decimal("0.00"))


def _check_refundable_amount(order: Order, amount: Decimal, *, through_gateway: bool) -> None:
    limit = refund_limit(order)
    if amount > limit and _partly_captured(order):
        captured = payments.payment_captured_amount(order)
        raise InvalidInput(
            f"At most {limit} can be refunded on {order.order_id}: {captured} of its "
            f"{order.total} has been captured as its parts shipped, and the rest is only "
            "authorized (rejecting the order voids it)."
        )
    if amount > limit:
        raise InvalidInput(f"At most {limit} is left to refund on {order.order_id}.")
    at_gateway = payments.payment_refundable_at_gateway(order) if through_gateway else amount
    if amount > at_gateway:
        raise InvalidInput(
            f"At most {at_gateway} of {order.order_id}'s payments is left to refund through "
            "the gateway; record the rest as refunded outside it."
        )


def _refunds_through_gateway(order: Order, external: bool) -> bool:
    # A wallet paid before the order reached us has no payment at our gateway: its refund is
    # made in the wallet's own console and recorded here as external.
    return (
        not external
        and order.payment_method in GATEWAY_METHODS
        and (order.payment_status in REFUNDABLE_STATUSES or _partly_captured(order))
        and payments.payment_settled_at_gateway(order) is not None
    )


def _refund_money(
    order: Order, amount: Decimal, through_gateway: bool, by, via: str, message: str = ""
) -> PaymentOutcome:
    if through_gateway:
        return payments.payment_refund_through_gateway(order=order, amount=amount, by=by, via=via)
    row = payments.payment_transaction_record(
        order=order,
        kind=PaymentTransaction.Kind.EXTERNAL_REFUND,
        result=GatewayResult("approved", "", amount, message or "Refund made outside the gateway"),
        idempotency_key="",
        by=by,
        via=via,
    )
    return PaymentOutcome.of(row)


def refund_difference_apply(
    *, order: Order, amount: Decimal, by: Actor = None, via: str = ""
) -> PaymentOutcome:
    """Return `amount` of what was paid after the order's total itself went down by it (a line
    edit), on an order the caller has locked: through the gateway when the payment was settled
    there, else recorded as a refund owed to the customer outside it. Unlike refund_apply it
    leaves refunded_total alone, since the total already says the customer owes less.
    Raises PaymentFailed when the gateway refuses."""
    through_gateway = _refunds_through_gateway(order, external=False)
    outcome = _refund_money(
        order,
        money(amount),
        through_gateway,
        by,
        via,
        message="Refund owed to the customer after an edit: to be made outside the gateway",
    )
    if isinstance(outcome, RefundOutcome) and outcome.not_refunded > 0:
        # An edit is all or nothing: the caller's transaction rolls back on this.
        raise PaymentFailed(outcome.message)
    return outcome


def order_refund(
    *,
    order: Order | int,
    by: Actor = None,
    via: str = "",
    amount: Decimal | None = None,
    line_quantities: dict[int, int] | None = None,
    full: bool = False,
    external: bool = False,
    reason: str = "",
    notify: bool = True,
    job_id: int | None = None,
) -> PaymentOutcome:
    """Refund part or all of an order; what the gateway answered. Side effects: gateway
    refund, event, refund email."""
    with transaction.atomic():
        locked = order_lock(order)
        if by is not None and not by.has_perm("orders.refund_order", locked):
            raise TransitionNotPermitted("You may not refund orders.")
        if locked.payment_method == PaymentMethod.QUOTE_REQUEST:
            raise InvalidInput("A quote has no payment to refund.")
        amount, line_quantities = _parsed(amount, line_quantities)
        if full:
            amount, line_quantities = locked.total - locked.refunded_total, None
        _check_refund_limit(locked, by, amount, line_quantities)
        refunded = refund_apply(
            order=locked,
            amount=amount,
            line_quantities=line_quantities,
            all_lines=full,
            external=external,
            reason=reason,
            by=by,
            via=via,
            job_id=job_id,
        )
        locked.save()
        if notify:
            transaction.on_commit(notifications.order_email_later(locked.pk, "refund_notice"))
    return refunded


def refund_amount_get(
    *,
    order: Order,
    amount: Decimal | str | None = None,
    line_quantities: dict[int, int] | None = None,
    full: bool = False,
) -> Decimal:
    """The amount a refund with these inputs returns, as order_refund computes it (for the
    question asked before it); 0.00 for inputs it would refuse."""
    if full:
        return order.total - order.refunded_total
    try:
        parsed, quantities = _parsed(amount, line_quantities)
    except InvalidInput:
        return Decimal("0.00")
    if parsed is not None:
        return money(parsed)
    lines = {line.pk: line for line in order.lines.all()}
    return money(
        sum(
            (lines[pk].unit_price * q for pk, q in (quantities or {}).items() if pk in lines),
            Decimal(0),
        )
    )


def _parsed(amount, line_quantities) -> tuple[Decimal | None, dict[int, int] | None]:
    """The amount and line quantities as numbers; InvalidInput for anything else."""
    try:
        if amount is not None:
            amount = money(amount)
            if not amount.is_finite():
                raise ValueError(amount)
        if line_quantities:
            line_quantities = {int(pk): int(q) for pk, q in line_quantities.items()}
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise InvalidInput("Refund amounts and quantities must be numbers.") from exc
    return amount, line_quantities


def _check_paid(order: Order) -> None:
    if order.payment_status == PaymentStatus.AUTHORIZED and not _partly_captured(order):
        raise InvalidInput(
            f"{order.order_id} is only authorized, not charged: reject it to void the payment."
        )
    refundable = {*REFUNDABLE_STATUSES, PaymentStatus.SKIPPED}
    if order.payment_status not in refundable and not _partly_captured(order):
        raise InvalidInput(
            f"{order.order_id} has no payment to refund "
            f"({order.get_payment_status_display().lower()})."
        )


def _check_refund_limit(order: Order, by, amount, line_quantities) -> None:
    """Customer service may refund at most the merchant's limit on one order, counting every
    refund its staff made on it. The caller holds the order's row lock, so two refunds at once
    cannot both pass on the same earlier total."""
    if by is None or by.is_superuser:
        return
    role = (
        Membership.objects.filter(user=by, merchant_id=order.merchant_id)
        .values_list("role", flat=True)
        .first()
    )
    if role != Role.CUSTOMER_SERVICE:
        return
    if amount is None:
        lines = {line.pk: line for line in order.lines.all()}
        amount = sum(
            (
                lines[int(pk)].unit_price * int(q)
                for pk, q in (line_quantities or {}).items()
                if int(pk) in lines
            ),
            Decimal(0),
        )
    limit = order.merchant.customer_service_refund_limit
    left = max(limit - _refunded_by_customer_service(order), Decimal("0.00"))
    if amount > left:
        raise LimitExceeded(
            f"Customer service may refund at most {limit} on this order; {money(left)} left."
        )


def _refunded_by_customer_service(order: Order) -> Decimal:
    """What the merchant's customer-service staff have refunded on the order so far."""
    service_staff = Membership.objects.filter(
        merchant_id=order.merchant_id, role=Role.CUSTOMER_SERVICE
    ).values("user_id")
    amounts = OrderEvent.objects.filter(
        order=order, type=OrderEventType.REFUNDED, actor__in=service_staff
    ).values_list("payload__amount", flat=True)
    return sum((Decimal(str(amount)) for amount in amounts), Decimal(0))
