"""The question an action that moves money or cannot be undone asks before it runs.

Each names the amount and the number of orders ("Refund 49.99 to ann@example.com's Visa
ending 4242?", "Process payment on 12 orders totalling 1,234.00?"); the screens show it on a
confirmation step and run the action only on the confirmed post. Which transitions ask is the
transitions' own fact (TransitionSpec.needs_confirmation); what is at stake is read here.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Sum

from orders.actors import Actor
from orders.fsm import transition_refusal, transition_spec
from orders.models import AutoOrder, Merchant, Order
from orders.payments.outcome import card_label, money_text
from orders.states import REFUNDABLE_STATUSES, UNCAPTURED_STATUSES

CHARGING = frozenset({"process_payment", "release_preorder"})
RETURNING = frozenset({"reject", "reject_as_fraud", "refund_and_reject"})


@dataclass(frozen=True)
class Confirmation:
    question: str  # the sentence shown, ending in "?"
    action: str  # the confirm button: "Refund 49.99"
    count: int  # how many orders (or auto orders) it touches
    amount: Decimal | None = None  # the money at stake, when money moves
    danger: bool = False  # the button is red


def _whose_card(order: Order) -> str:
    card = card_label(order.card_brand, order.card_last4)
    return f"{order.email}'s {card}" if card else order.email


def _open_amount(order: Order) -> Decimal:
    return order.total - order.refunded_total


def transition_confirmation(*, order: Order, name: str, by: Actor = None) -> Confirmation | None:
    """What running transition `name` on this order asks first; None when it need not ask
    (it neither moves money nor is dangerous, this order has no money at stake in it, or `by`
    may not run it now: the refusal is then said at once, not after a question)."""
    spec = transition_spec(name)
    if not spec.needs_confirmation or transition_refusal(order, name, by) is not None:
        return None
    amount = money_text(order.total)
    label = spec.label
    if name in CHARGING:
        question = f"{label}: charge {amount} to {_whose_card(order)} for {order.order_id}?"
        return Confirmation(question, f"Charge {amount}", 1, order.total, spec.danger)
    if name == "submit_echeck":
        question = f"Submit e-check: debit {amount} from a bank account for {order.order_id}?"
        return Confirmation(question, f"Debit {amount}", 1, order.total, spec.danger)
    if name == "charge_other_card":
        question = f"Charge {amount} to the card just entered for {order.order_id}?"
        return Confirmation(question, f"Charge {amount}", 1, order.total, spec.danger)
    if name == "mark_shipped":
        if order.payment_status not in UNCAPTURED_STATUSES:
            return None  # nothing to capture: shipping moves no money
        question = f"Mark {order.order_id} shipped and capture {amount} on {_whose_card(order)}?"
        return Confirmation(question, f"Ship and capture {amount}", 1, order.total, spec.danger)
    if name in RETURNING:
        return _returning_confirmation(order, label, spec.danger)
    question = f"{label} {order.order_id} ({amount})?"
    return Confirmation(question, label, 1, order.total, spec.danger)


def _returning_confirmation(order: Order, label: str, danger: bool) -> Confirmation:
    if order.payment_status in UNCAPTURED_STATUSES:
        amount = money_text(order.total)
        question = (
            f"{label} {order.order_id} and void the authorization of {amount} on "
            f"{_whose_card(order)}?"
        )
        return Confirmation(question, f"{label} and void {amount}", 1, order.total, danger)
    remaining = _open_amount(order)
    if order.payment_status in REFUNDABLE_STATUSES and remaining > 0 and label != "Reject":
        amount = money_text(remaining)
        question = f"{label} {order.order_id}: refund {amount} to {_whose_card(order)}?"
        return Confirmation(question, f"{label}, refund {amount}", 1, remaining, danger)
    question = f"{label} {order.order_id}? No money is returned."
    return Confirmation(question, label, 1, Decimal("0.00"), danger)


def refund_confirmation(*, order: Order, amount: Decimal, external: bool) -> Confirmation:
    """A refund from the order page: how much, to whose card."""
    text = money_text(amount)
    if external:
        question = (
            f"Record a refund of {text} to {order.email} made outside the gateway "
            f"for {order.order_id}?"
        )
        return Confirmation(question, f"Record refund of {text}", 1, amount, True)
    question = f"Refund {text} to {_whose_card(order)} for {order.order_id}?"
    return Confirmation(question, f"Refund {text}", 1, amount, True)


def delete_confirmation(*, order: Order) -> Confirmation:
    question = (
        f"Delete {order.order_id} ({money_text(order.total)}, {order.email})? It leaves every "
        "list; Undelete restores it until it is purged."
    )
    return Confirmation(question, f"Delete {order.order_id}", 1, order.total, True)


def selection_confirmation(
    *, merchant: Merchant, order_pks: Iterable[int], label: str, danger: bool
) -> Confirmation:
    """An action over many orders: how many, and what they total (what is left after
    refunds)."""
    pks = list(order_pks)
    totals = (
        Order.objects.for_merchant(merchant)
        .filter(pk__in=pks)
        .aggregate(amount=Sum(F("total") - F("refunded_total")))
    )
    amount = totals["amount"] or Decimal("0.00")
    orders = "1 order" if len(pks) == 1 else f"{len(pks):,} orders"
    question = f"{label} on {orders} totalling {money_text(amount)}?"
    return Confirmation(question, f"{label} on {orders}", len(pks), amount, danger)


def auto_order_rebill_confirmation(
    *, auto_order: AutoOrder, amount: Decimal | None
) -> Confirmation:
    card = card_label(auto_order.card_brand, auto_order.card_last4)
    whose = f"{auto_order.email}'s {card}" if card else auto_order.email
    text = money_text(amount) if amount is not None else "the next period's amount"
    question = f"Rebill {auto_order.code} now: place its next order and charge {text} to {whose}?"
    return Confirmation(question, f"Rebill now, charge {text}", 1, amount, False)


def auto_order_cancel_confirmation(
    *, auto_order: AutoOrder, amount: Decimal | None
) -> Confirmation:
    every = f" of {money_text(amount)}" if amount is not None else ""
    question = (
        f"Cancel {auto_order.code} for {auto_order.email}? Its rebills{every} stop until "
        "someone re-enables it; orders already placed are unchanged."
    )
    return Confirmation(question, f"Cancel {auto_order.code}", 1, amount, True)
