"""Replacement shipments: a new order for some lines of a completed one, free or to be paid."""

from decimal import Decimal

from django.db import transaction

from orders.actors import Actor
from orders.events import order_replacement_created_event
from orders.exceptions import InvalidInput, TransitionNotPermitted
from orders.models import Order
from orders.states import OFFLINE_METHODS, OrderSource, PaymentMethod, Stage

from .notes import order_note_append
from .placement import CardMode, LineDraft, OrderDraft, PaymentDraft, order_place

REPLACEABLE_STAGES = {Stage.COMPLETED, Stage.SHIPPING}


def order_replacement_create(
    *,
    order: Order | int,
    line_quantities: dict[int, int],
    free: bool,
    by: Actor = None,
    via: str = "",
    reason: str = "",
) -> Order:
    """Place a replacement order for chosen lines; free (payment skipped, nothing to pay) or
    sent to Accounts Receivable. Side effects: the new order, a note and an event on both."""
    original = order if isinstance(order, Order) else Order.objects.get(pk=order)
    original = Order.objects.select_related("merchant").get(pk=original.pk)
    _check(original, by, free)
    draft = _draft(original, _lines(original, line_quantities), free)
    # Its customer was scored with the original; staff without that right get a fresh score.
    draft.skip_fraud_score = by is None or by.has_perm("orders.skip_fraud_score", original)
    kind = "free" if free else "to pay (Accounts Receivable)"
    with transaction.atomic():
        replacement = order_place(merchant=original.merchant, draft=draft, by=by, via=via)
        suffix = f": {reason.strip()}" if reason.strip() else "."
        order_note_append(
            order=replacement,
            text=f"Replacement for order {original.order_id}, {kind}{suffix}",
            by=by,
            via=via,
        )
        order_note_append(
            order=original,
            text=f"Replacement order {replacement.order_id} created, {kind}{suffix}",
            by=by,
            via=via,
        )
        order_replacement_created_event(
            order=original, replacement=replacement, free=free, by=by, via=via, reason=reason
        )
    return replacement


def _check(original: Order, by, free: bool) -> None:
    if original.deleted_at is not None:
        raise InvalidInput(f"{original.order_id} is deleted.")
    if original.stage not in REPLACEABLE_STAGES:
        raise InvalidInput(
            f"Only shipped or shipping orders get a replacement; {original.order_id} is in "
            f"{original.get_stage_display()}."
        )
    if by is None:
        return
    if not by.has_perm("orders.place_order", original):
        raise TransitionNotPermitted("You may not create replacement orders.")
    if free and not by.has_perm("orders.skip_payment", original):
        raise TransitionNotPermitted("You may not send a free replacement (skip payment).")


def _lines(original: Order, line_quantities: dict[int, int]) -> list[LineDraft]:
    lines = {line.pk: line for line in original.lines.all()}
    drafts = []
    for pk, quantity in line_quantities.items():
        try:
            pk, quantity = int(pk), int(quantity)
        except (TypeError, ValueError) as exc:
            raise InvalidInput("Quantities must be whole numbers.") from exc
        if not quantity:
            continue
        line = lines.get(pk)
        if line is None:
            raise InvalidInput("A chosen line does not belong to this order.")
        if quantity < 0 or quantity > line.quantity:
            raise InvalidInput(f"{line.sku or line.description}: at most {line.quantity}.")
        drafts.append(
            LineDraft(
                description=line.description,
                quantity=quantity,
                unit_price=line.unit_price,
                sku=line.sku,
                item=line.item,
                unit_cost=line.unit_cost,
            )
        )
    if not drafts:
        raise InvalidInput("Choose at least one line to replace.")
    return drafts


def _draft(original: Order, lines: list[LineDraft], free: bool) -> OrderDraft:
    if free:
        for line in lines:
            line.unit_price = Decimal("0.00")
        payment = PaymentDraft(method=PaymentMethod.CREDIT_CARD, card_mode=CardMode.SKIP)
    elif original.payment_method in OFFLINE_METHODS:
        payment = PaymentDraft(method=original.payment_method)
    else:
        payment = PaymentDraft(
            method=PaymentMethod.CREDIT_CARD,
            card_token=original.gateway_token if original.payment_method == "credit_card" else "",
            card_mode=CardMode.NO_CHARGE,
        )
    return OrderDraft(
        email=original.email,
        first_name=original.first_name,
        last_name=original.last_name,
        company=original.company,
        phone=original.phone,
        lines=lines,
        payment=payment,
        billing={p: getattr(original, f"billing_{p}") for p in _ADDRESS},
        shipping={
            "name": original.shipping_name,
            **{p: getattr(original, f"shipping_{p}") for p in _ADDRESS},
        },
        shipping_method=original.shipping_method,
        tax=Decimal("0.00") if free else None,
        source=OrderSource.REPLACEMENT,
        original_order=original,
        is_test=original.is_test,
    )


_ADDRESS = ("address1", "address2", "city", "region", "postal_code", "country")
