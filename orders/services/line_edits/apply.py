"""Saving a line edit: under the order's lock, in one transaction, the lines and totals, the
money (a charge or re-authorization on the card on file, a refund through the refund
service, or a balance / refund owed), the auto order's rebills when asked, one order_edited
event, and the pre-order release when no pre-order line is left. A refused payment undoes
it all.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from orders.actors import Actor
from orders.events import order_edited_event
from orders.exceptions import InvalidInput, OrderChanged, PaymentFailed, TransitionNotPermitted
from orders.models import AutoOrder, Order, OrderLine
from orders.payments.outcome import PaymentOutcome, money_text
from orders.pricing import Totals
from orders.services import payments
from orders.services.auto_orders.actions import LIVE, auto_order_item_change
from orders.services.locking import order_lock
from orders.services.refunds import refund_difference_apply
from orders.services.transitions import order_transition
from orders.states import Stage

from .plan import (
    CHANGED_WHILE_LOOKING,
    PERMISSION,
    LinesEdit,
    LinesEditPlan,
    Settlement,
    line_label,
    lines_edit_plan,
    order_lines_version,
)


@dataclass(frozen=True)
class LinesEditResult:
    order: Order
    plan: LinesEditPlan
    payment: PaymentOutcome | None

    @property
    def message(self) -> str:
        order, plan = self.order, self.plan
        parts = [f"{order.order_id}: lines edited; total {money_text(order.total)}."]
        if self.payment is not None:
            parts.append(self.payment.summary)
        elif plan.settlement == Settlement.BALANCE:
            parts.append(f"Balance owed {money_text(plan.balance_after)}.")
        if plan.releases_pre_order:
            parts.append(f"Released from pre-order; now in {Stage(order.stage).label}.")
        return " ".join(parts)


def order_lines_edit(
    *,
    order: Order | int,
    edit: LinesEdit,
    version: str,
    by: Actor = None,
    via: str = "",
    idempotency_key: str = "",
) -> LinesEditResult:
    """Apply a line edit and settle its difference, all or nothing. Side effects: gateway
    charge, authorization and void, or refund; the order's lines and totals; a pre-order
    release; the auto order's items when edit.rebills_too; one order_edited event.

    Raises OrderChanged when `version` is not the order's current one, PaymentFailed when the
    gateway refuses (nothing is kept), and InvalidInput / TransitionNotAvailable /
    TransitionNotPermitted for an edit that may not be made.
    """
    with transaction.atomic():
        locked = order_lock(order)
        if by is not None and not by.has_perm(PERMISSION, locked):
            raise TransitionNotPermitted("You may not edit orders' lines.")
        if version != order_lines_version(locked):
            raise OrderChanged(CHANGED_WHILE_LOOKING)
        plan = lines_edit_plan(order=locked, edit=edit)
        if not plan.changed:
            raise InvalidInput(f"{locked.order_id}: nothing to change.")
        _lines_save(locked, plan)
        key = idempotency_key or uuid.uuid4().hex
        payment = _settle(
            locked, plan, by, via, f"{locked.merchant.code}:{locked.order_id}:edit:{key}"
        )
        rebills = _rebills_change(locked, plan, by, via) if edit.rebills_too else []
        locked.save()
        order_edited_event(
            order=locked,
            changes=_total_changes(plan),
            by=by,
            via=via,
            lines=plan.line_changes,
            totals_before=_totals_dict(plan.before),
            totals_after=_totals_dict(plan.after),
            money={
                "settlement": plan.settlement,
                "amount": plan.settle_amount,
                "moved": payment.amount if payment is not None else Decimal("0.00"),
                "balance_owed": plan.balance_after,
            },
            rebills_changed=rebills,
        )
        if plan.releases_pre_order:
            _pre_order_release(locked, by, via)
    return LinesEditResult(order=locked, plan=plan, payment=payment)


def _lines_save(order: Order, plan: LinesEditPlan) -> None:
    for line in plan.kept:
        line.save(update_fields=["quantity", "unit_price"])
    if plan.removed:
        OrderLine.objects.filter(pk__in=[line.pk for line in plan.removed]).delete()
    position = max((line.position for line in plan.kept), default=-1)
    for line in plan.new_lines:
        position += 1
        line.position = position
    OrderLine.objects.bulk_create(plan.new_lines)
    after = plan.after
    order.subtotal, order.shipping_total, order.tax = after.subtotal, after.shipping, after.tax
    order.discount, order.total, order.cost_of_goods = (
        after.discount,
        after.total,
        after.cost_of_goods,
    )
    order.shipping_method = plan.shipping_method
    order.balance_due = plan.balance_due
    order.requires_shipping = any(line.shippable for line in plan.kept + plan.new_lines)
    order.actual_profit = order.compute_actual_profit()


def _settle(order: Order, plan: LinesEditPlan, by, via: str, key: str) -> PaymentOutcome | None:
    if plan.settlement == Settlement.CHARGE:
        outcome = payments.payment_charge_difference(
            order=order, amount=plan.settle_amount, by=by, via=via, idempotency_key=key
        )
    elif plan.settlement == Settlement.REAUTHORIZE:
        outcome = payments.payment_reauthorize(order=order, by=by, via=via, idempotency_key=key)
    elif plan.settlement == Settlement.REFUND:
        return refund_difference_apply(order=order, amount=plan.settle_amount, by=by, via=via)
    else:
        return None
    if outcome.failed:
        # A decline is the answer to the whole edit: the rollback keeps nothing of it.
        raise PaymentFailed(f"{outcome.summary} Nothing was changed.")
    return outcome


def _total_changes(plan: LinesEditPlan) -> dict[str, tuple[Any, Any]]:
    pairs = {
        "subtotal": (plan.before.subtotal, plan.after.subtotal),
        "shipping_total": (plan.before.shipping, plan.after.shipping),
        "tax": (plan.before.tax, plan.after.tax),
        "discount": (plan.before.discount, plan.after.discount),
        "total": (plan.before.total, plan.after.total),
        "shipping_method": (plan.shipping_method_before, plan.shipping_method),
    }
    return {name: pair for name, pair in pairs.items() if pair[0] != pair[1]}


def _totals_dict(totals: Totals) -> dict[str, Decimal]:
    return {
        "subtotal": totals.subtotal,
        "shipping": totals.shipping,
        "tax": totals.tax,
        "discount": totals.discount,
        "total": totals.total,
    }


def _rebills_change(order: Order, plan: LinesEditPlan, by, via: str) -> list[str]:
    """Give the auto order's items the edited lines' new quantity and price."""
    if not order.auto_order_code:
        return []
    auto_order = AutoOrder.objects.filter(
        merchant_id=order.merchant_id, code=order.auto_order_code, status__in=LIVE
    ).first()
    if auto_order is None:
        return []
    items = {item.sku or item.description: item for item in auto_order.items.filter(finished=False)}
    changed = []
    for line in plan.kept:
        item = items.get(line_label(line))
        if item is None or (item.quantity, item.unit_price) == (line.quantity, line.unit_price):
            continue
        auto_order_item_change(
            auto_order=auto_order,
            item_pk=item.pk,
            quantity=line.quantity,
            unit_price=line.unit_price,
            schedule=item.schedule,
            by=by,
            via=via,
        )
        changed.append(line_label(line))
    return changed


def _pre_order_release(order: Order, by, via: str) -> None:
    # The one path out of pre-order: the transition charges the card on file and routes.
    order_transition(
        order=order,
        name="release_preorder",
        by=by,
        via=via,
        expected_stage=Stage.PRE_ORDER,
        lock_held=True,
    )
