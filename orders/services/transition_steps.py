"""The preparation of each transition: validate its inputs and do its money work.

Called by order_transition with the order locked. Each public function is the `preparer` a
transition names in its custom (orders/models/transitions.py) and returns a Step: the keyword
arguments for the django-fsm transition, details for the event, and work for after commit.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from orders.actors import Actor
from orders.exceptions import InvalidInput, OrderError, PaymentFailed
from orders.fraud import shipping_address_key
from orders.fsm import transition_spec
from orders.models import BlockListEntry, Order, PaymentTransaction
from orders.models.transitions import HOLD_SOURCES
from orders.payments import CardDetails, GatewayResult
from orders.payments.outcome import PaymentOutcome
from orders.routing import stage_after_payment, stage_after_settled_payment
from orders.selectors.fulfilment import line_unshipped_quantities
from orders.states import (
    GATEWAY_METHODS,
    OFFLINE_METHODS,
    REFUNDABLE_STATUSES,
    UNCAPTURED_STATUSES,
    PaymentMethod,
    PaymentStatus,
    Stage,
)

from . import cards, notifications, payments, refunds, shipments


@dataclass
class Step:
    kwargs: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # Set when money work failed in a way that must be kept (a declined capture): the order's
    # payment facts are saved, its stage stays, and this error is raised after the commit.
    refusal: OrderError | None = None
    # What the gateway answered when the step charged, captured, refunded or voided.
    payment: PaymentOutcome | None = None


def prepare(order: Order, name: str, *, by: Actor, via: str, inputs: dict[str, Any]) -> Step:
    """Run the transition's preparer (its `preparer` custom key); one without needs nothing."""
    preparer = transition_spec(name).prepare
    if preparer is None:
        return Step()
    return preparer(order, by=by, via=via, **inputs)


def _route_after_payment(order: Order, result: str) -> str:
    return stage_after_payment(
        result=result,
        fraud_score=order.fraud_score,
        review_threshold=order.merchant.fraud_review_threshold,
        requires_shipping=order.requires_shipping,
    )


def charge_and_route(
    order: Order, *, by: Actor, via: str, idempotency_key: str = "", **inputs: Any
) -> Step:
    """Charge the card on file and route; an offline order without a card stays unpaid."""
    if order.payment_method in GATEWAY_METHODS and order.payment_method != PaymentMethod.ECHECK:
        if not order.gateway_token:
            return Step(
                kwargs={"next_stage": Stage.ACCOUNTS_RECEIVABLE},
                payload={"payment": "no card on file"},
            )
        outcome = payments.payment_charge_card_on_file(
            order=order, by=by, via=via, idempotency_key=idempotency_key
        )
        step = Step(
            kwargs={"next_stage": _route_after_payment(order, outcome.result)},
            payload={"payment": outcome.result, "message": outcome.message},
            payment=outcome,
        )
        if outcome.result == "approved":
            _receipt_unless_skipped(step, order, inputs.get("notify", True))
        return step
    return Step(
        kwargs={"next_stage": Stage.ACCOUNTS_RECEIVABLE},
        payload={"payment": "offline method: awaiting payment"},
    )


def process_payment(
    order: Order,
    *,
    by: Actor,
    via: str,
    notify: bool = True,
    idempotency_key: str = "",
    **inputs: Any,
) -> Step:
    # The transition's condition has made sure there is a card or wallet on file. A rebill
    # retry passes its attempt's key, so that a re-run after a crash cannot charge twice.
    return charge_and_route(order, by=by, via=via, notify=notify, idempotency_key=idempotency_key)


def charge_other_card(
    order: Order,
    *,
    by: Actor,
    via: str,
    card: CardDetails | None = None,
    save_card: bool = False,
    notify: bool = True,
    **inputs: Any,
) -> Step:
    """Charge a card given now instead of the one on file; once approved and if asked, it
    becomes the order's (so the customer's) card on file. The CVV goes only to the gateway."""
    if card is None:
        raise InvalidInput("Enter the card to charge.")
    token = cards.card_tokenize(order=order, card=card)
    outcome = payments.payment_charge_token(
        order=order, token=token.token, card=token, by=by, via=via
    )
    if outcome.moved_money:
        order.payment_method = PaymentMethod.CREDIT_CARD
        if save_card:
            cards.card_on_file_keep(order=order, token=token)
    step = Step(
        kwargs={"next_stage": _route_after_payment(order, outcome.result)},
        payload={
            "payment": outcome.result,
            "message": outcome.message,
            "card": outcome.card,
            "saved": bool(save_card and outcome.moved_money),
        },
        payment=outcome,
    )
    if outcome.moved_money:
        _receipt_unless_skipped(step, order, notify)
    return step


def _receipt_unless_skipped(step: Step, order: Order, notify: bool) -> None:
    step.payload["notify"] = bool(notify)
    if notify:
        step.after_commit.append(notifications.order_email_later(order.pk, "receipt"))


def record_payment(
    order: Order, *, by: Actor, via: str, reference: str = "", notify: bool = True, **inputs: Any
) -> Step:
    reference = str(reference or "").strip()
    if not reference:
        raise InvalidInput("A payment reference (check number, wire reference …) is required.")
    payments.payment_transaction_record(
        order=order,
        kind=PaymentTransaction.Kind.RECORDED,
        result=GatewayResult("approved", reference, order.total, "Payment received"),
        idempotency_key="",
        by=by,
        via=via,
    )
    step = Step(
        kwargs={
            "reference": reference[:100],
            "next_stage": stage_after_settled_payment(requires_shipping=order.requires_shipping),
        },
        payload={"reference": reference},
    )
    _receipt_unless_skipped(step, order, notify)
    return step


def submit_echeck(
    order: Order, *, by: Actor, via: str, bank_account: str = "", **inputs: Any
) -> Step:
    bank_account = str(bank_account or "").strip()
    if order.payment_method != PaymentMethod.ECHECK:
        if not bank_account:
            raise InvalidInput(
                f"{order.order_id} is paid by {order.get_payment_method_display()}: enter the "
                "bank account to debit."
            )
        order.payment_method = PaymentMethod.ECHECK
    payments.payment_submit_echeck(order=order, account=bank_account or order.email, by=by, via=via)
    return Step(payload={"payment_method": order.payment_method})


def confirm_clearance(order: Order, *, by: Actor, via: str, **inputs: Any) -> Step:
    return Step(
        kwargs={
            "next_stage": stage_after_settled_payment(requires_shipping=order.requires_shipping)
        },
        payload={k: v for k, v in inputs.items() if k in {"settlement_id"}},
    )


def _reason_code(order: Order, reason: str, codes: list[str]) -> str:
    reason = (reason or "").strip()
    if not reason and order.merchant.reason_required:
        raise InvalidInput("Choose a reason code.")
    if reason and codes and reason not in codes:
        raise InvalidInput(f"“{reason}” is not one of this merchant's reason codes.")
    return reason


def reject(order: Order, *, by: Actor, via: str, reason: str = "", **inputs: Any) -> Step:
    reason = _reason_code(order, reason, order.merchant.reject_reason_codes)
    voided = None
    if order.payment_status in UNCAPTURED_STATUSES:
        voided = payments.payment_void(order=order, by=by, via=via)
    return Step(
        kwargs={"reason": reason, "rejected_by": _user(by)},
        payload={"reason": reason},
        payment=voided,
    )


def reject_as_fraud(
    order: Order, *, by: Actor, via: str, block: bool = False, **inputs: Any
) -> Step:
    returned = _return_money(order, by=by, via=via, reason="fraud")
    blocked = []
    if block:
        blocked = _block_list_add(order, by=by)
    return Step(
        kwargs={"reason": "fraud", "rejected_by": _user(by)},
        payload={"reason": "fraud", "blocked": blocked},
        payment=returned,
    )


def refund_and_reject(
    order: Order, *, by: Actor, via: str, reason: str = "", notify: bool = True, **inputs: Any
) -> Step:
    reason = _reason_code(order, reason, order.merchant.reject_reason_codes)
    returned = _return_money(order, by=by, via=via, reason=reason)
    refunded = "0.00" if returned is None or returned.kind == "void" else str(returned.amount)
    step = Step(
        kwargs={"reason": reason, "rejected_by": _user(by)},
        payload={"reason": reason, "refunded": refunded},
        payment=returned,
    )
    if notify and refunded != "0.00":
        step.after_commit.append(notifications.order_email_later(order.pk, "refund_notice"))
    return step


def _return_money(order: Order, *, by: Actor, via: str, reason: str) -> PaymentOutcome | None:
    """Void an authorization or refund what is left of a settled payment; what the gateway
    answered, None when there was nothing to return."""
    if order.payment_status in UNCAPTURED_STATUSES:
        captured = payments.payment_captured_amount(order)
        voided = payments.payment_void(order=order, by=by, via=via)
        if captured <= 0:
            return voided
        # Parts of it were captured as they shipped: the rest of the authorization is void,
        # and what is left of the captured parts (staff may have refunded some) is refunded.
        order.payment_status = PaymentStatus.REFUNDED
        left = captured - order.refunded_total
        if left <= 0:
            return voided
        order.payment_status = PaymentStatus.PROCESSED
        refunded = refunds.refund_apply(
            order=order, amount=left, by=by, via=via, reason=reason, all_lines=True
        )
        if order.refunded_total >= captured:
            order.payment_status = PaymentStatus.REFUNDED
        return refunded
    remaining = order.total - order.refunded_total
    if order.payment_status in REFUNDABLE_STATUSES and remaining > 0:
        return refunds.refund_apply(
            order=order, amount=remaining, by=by, via=via, reason=reason, all_lines=True
        )
    return None


def _block_list_add(order: Order, *, by: Actor) -> list[str]:
    candidates = [
        (BlockListEntry.Kind.EMAIL, order.email.lower()),
        (BlockListEntry.Kind.CARD, order.card_fingerprint),
        (BlockListEntry.Kind.IP, order.ip_address or ""),
        (
            BlockListEntry.Kind.ADDRESS,
            shipping_address_key(
                order.shipping_address1, order.shipping_postal_code, order.shipping_country
            )
            if order.shipping_address1
            else "",
        ),
    ]
    added = []
    for kind, value in candidates:
        if value:
            BlockListEntry.objects.get_or_create(
                merchant=order.merchant,
                kind=kind,
                value=value,
                defaults={
                    "reason": f"Rejected as fraud: {order.order_id}",
                    "created_by": _user(by),
                },
            )
            added.append(f"{kind}:{value}")
    return added


def hold(
    order: Order,
    *,
    by: Actor,
    via: str,
    reason: str = "",
    until: datetime.date | str | None = None,
    **inputs: Any,
) -> Step:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason for the hold.")
    if isinstance(until, str) and until:
        try:
            until = datetime.date.fromisoformat(until)
        except ValueError as exc:
            raise InvalidInput("The release date must be a date (YYYY-MM-DD).") from exc
    until = until or None
    if until is not None and until <= timezone.localdate():
        raise InvalidInput("The release date must be in the future.")
    return Step(
        kwargs={"reason": reason[:300], "until": until},
        payload={"reason": reason, "until": until, "from": order.stage},
    )


def release_hold(order: Order, *, by: Actor, via: str, **inputs: Any) -> Step:
    if order.held_from_stage not in HOLD_SOURCES:
        raise InvalidInput(f"{order.order_id} does not know the stage it was held from.")
    return Step(kwargs={"next_stage": order.held_from_stage})


def mark_shipped(
    order: Order,
    *,
    by: Actor,
    via: str,
    carrier: str = "",
    tracking_numbers: Iterable[str] | str = (),
    method: str = "",
    notify: bool = True,
    lines: Mapping[Any, Any] | None = None,
    shipped_at: datetime.datetime | datetime.date | None = None,
    **inputs: Any,
) -> Step:
    """Ship what is left to ship, or `lines` ({line id: quantity}) when they are all of it
    (orders.services.ship_part records a shipment that leaves some to ship)."""
    details = shipments.shipment_details_clean(
        order=order,
        carrier=carrier,
        tracking_numbers=tracking_numbers,
        method=method,
        shipped_at=shipped_at,
    )
    if lines:
        chosen = shipments.shipment_lines_choose(order, lines)
        if not shipments.shipment_is_last(order, chosen):
            raise InvalidInput(
                f"{order.order_id}: these lines are not all that is left to ship; record them "
                "as a part shipment."
            )
    else:
        chosen = line_unshipped_quantities(order)
    amount = shipments.shipment_capture_amount(order, chosen, last=True)
    if amount > 0:
        outcome = payments.payment_capture(order=order, amount=amount, by=by, via=via)
        if outcome.result != "approved":
            return Step(
                refusal=PaymentFailed(
                    f"{order.order_id}: {outcome.summary} The order stays in Shipping."
                ),
                payment=outcome,
            )
    shipment = shipments.shipment_create(order=order, chosen=chosen, details=details)
    step = Step(
        payload={
            "carrier": details.carrier,
            "tracking_numbers": details.tracking_numbers,
            "notify": notify,
            "shipment_id": shipment.pk,
            "lines": shipments.shipment_lines_payload(order, chosen),
        }
    )
    if notify:
        step.after_commit.append(
            notifications.order_email_later(
                order.pk, "shipment_confirmation", shipment_pk=shipment.pk
            )
        )
    return step


def accept_quote(
    order: Order,
    *,
    by: Actor,
    via: str,
    card: CardDetails | None = None,
    method: str = "",
    **inputs: Any,
) -> Step:
    """The customer accepts the quote and pays by card (charged now) or by an offline method."""
    if card is not None:
        cards.card_on_file_keep(order=order, token=cards.card_tokenize(order=order, card=card))
    elif method:
        if method not in OFFLINE_METHODS:
            raise InvalidInput(f"“{method}” is not a way to pay a quote.")
        order.payment_method = method
    step = charge_and_route(order, by=by, via=via)
    step.payload["payment_method"] = order.payment_method
    return step


def send_quote(order: Order, *, by: Actor, via: str, **inputs: Any) -> Step:
    step = Step(payload={"total": str(order.total)})
    step.after_commit.append(notifications.order_email_later(order.pk, "quote"))
    return step


def _user(by: Actor):
    return by if by is not None and getattr(by, "is_authenticated", False) else None
