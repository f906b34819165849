"""Settling the balance a line edit left owing on an order already paid (by check, wire, PO,
or with no card on file to charge): the money arrives outside the gateway, and staff record
it here."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from orders.actors import Actor
from orders.exceptions import InvalidInput, TransitionNotPermitted
from orders.models import Order, PaymentTransaction
from orders.payments import GatewayResult
from orders.payments.outcome import money_text
from orders.selectors.payments import order_balance_receivable
from orders.services import payments
from orders.services.locking import order_lock

PERMISSION = "orders.record_payment"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class BalanceReceived:
    order: Order
    amount: Decimal
    transaction: PaymentTransaction

    @property
    def message(self) -> str:
        order = self.order
        left = order.balance_due
        rest = f"balance owed {money_text(left)}." if left else "nothing is owed now."
        return f"{order.order_id}: {money_text(self.amount)} received; {rest}"


def order_balance_receive(
    *,
    order: Order | int,
    amount: Decimal,
    reference: str,
    note: str = "",
    by: Actor = None,
    via: str = "",
) -> BalanceReceived:
    """Record that `amount` of the order's balance owed arrived outside the gateway: a
    RECORDED payment transaction (with its payment event and webhook) and a lower
    balance_due. Raises InvalidInput for an amount that is not a positive number of cents, is
    more than is owed, or when nothing is owed; TransitionNotPermitted for a user without
    orders.record_payment."""
    reference = str(reference or "").strip()
    if not reference:
        raise InvalidInput("A payment reference (check number, wire reference …) is required.")
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise InvalidInput("Enter the amount received as a number, e.g. 12.50.")
    if amount <= 0:
        raise InvalidInput("The amount received must be more than 0.00.")
    if amount != amount.quantize(CENT):
        raise InvalidInput("The amount received is in whole cents (at most 2 decimals).")
    with transaction.atomic():
        locked = order_lock(order)
        if by is not None and not by.has_perm(PERMISSION, locked):
            raise TransitionNotPermitted("You may not record payments.")
        owed = order_balance_receivable(locked)
        if owed <= 0:
            raise InvalidInput(f"{locked.order_id}: no balance is owed.")
        if amount > owed:
            raise InvalidInput(
                f"{locked.order_id}: {money_text(amount)} is more than the balance owed "
                f"({money_text(owed)})."
            )
        note = str(note or "").strip()
        message = "Balance received" + (f": {note}" if note else "")
        row = payments.payment_transaction_record(
            order=locked,
            kind=PaymentTransaction.Kind.RECORDED,
            result=GatewayResult("approved", reference[:100], amount, message[:300]),
            idempotency_key="",
            by=by,
            via=via,
        )
        locked.balance_due = owed - amount
        locked.save(update_fields=["balance_due", "updated_at"])
    return BalanceReceived(order=locked, amount=amount, transaction=row)
