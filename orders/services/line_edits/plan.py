"""The plan of a line edit: what the edit asks, whether it may be made, the new totals by the
placement's pricing (orders.pricing.order_totals, at the merchant's tax rate unless the
order's tax was set by hand) and how the difference will be settled. It writes nothing; the
preview shows it and order_lines_edit (apply.py) carries it out.
"""

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from orders.exceptions import InvalidInput, TransitionNotAvailable
from orders.models import AutoOrder, Chargeback, Item, Order, OrderLine
from orders.payments.outcome import money_text
from orders.pricing import MAX_AMOUNT, Totals, money, order_totals
from orders.selectors.payments import UNPAID_STATUSES, balance_owed
from orders.services.auto_orders.actions import LIVE
from orders.states import (
    GATEWAY_METHODS,
    REFUNDABLE_STATUSES,
    PaymentMethod,
    PaymentStatus,
    Stage,
)

PERMISSION = "orders.edit_order_lines"
# A line's quantity an edit accepts: more is a typing slip, not an order.
MAX_EDIT_QUANTITY = 10_000
CLOSED_STAGES = {
    Stage.COMPLETED: "completed",
    Stage.REJECTED: "rejected",
    Stage.QUOTE_REQUEST: "a quote (edit the quote instead)",
    Stage.QUOTE_SENT: "a quote (edit the quote instead)",
}
CHANGED_WHILE_LOOKING = "This order changed while you were looking — review it and try again."


class Settlement:
    """How the difference is settled (the preview's sentence and the event's money.kind)."""

    NONE = "none"
    CHARGE = "charge"
    REAUTHORIZE = "reauthorize"
    REFUND = "refund"
    BALANCE = "balance"  # the order owes more: unpaid total, or balance_due on a paid order


@dataclass(frozen=True)
class LineChange:
    line_pk: int
    quantity: int
    unit_price: Decimal
    remove: bool = False


@dataclass(frozen=True)
class NewLine:
    quantity: int
    sku: str = ""  # an item of the merchant's catalogue
    description: str = ""  # a free-text line (or the item's own words when empty)
    unit_price: Decimal | None = None  # None: the item's price


@dataclass(frozen=True)
class LinesEdit:
    changes: list[LineChange] = field(default_factory=list)
    added: list[NewLine] = field(default_factory=list)
    shipping_total: Decimal | None = None
    shipping_method: str | None = None
    price_reason: str = ""
    rebills_too: bool = False


@dataclass
class LinesEditPlan:
    order: Order
    kept: list[OrderLine]  # the order's lines as they will be (changed in memory only)
    removed: list[OrderLine]
    new_lines: list[OrderLine]
    before: Totals
    after: Totals
    shipping_method: str
    shipping_method_before: str
    line_changes: list[dict[str, Any]]
    settlement: str
    settle_amount: Decimal  # what moves (charge, refund) or is added to what is owed
    balance_due: Decimal  # the order's balance_due after the edit
    releases_pre_order: bool

    @property
    def difference(self) -> Decimal:
        return self.after.total - self.before.total

    @property
    def changed(self) -> bool:
        return (
            bool(self.line_changes)
            or self.after != self.before
            or self.shipping_method != self.shipping_method_before
        )

    @property
    def balance_after(self) -> Decimal:
        """What the customer owes once the edit is saved."""
        return balance_owed(order=self.order, total=self.after.total, balance_due=self.balance_due)

    @property
    def settlement_text(self) -> str:
        amount = money_text(self.settle_amount)
        return {
            Settlement.NONE: "No money moves.",
            Settlement.CHARGE: f"{amount} will be charged to the card on file.",
            Settlement.REAUTHORIZE: (
                f"The card on file will be authorized for the new total of "
                f"{money_text(self.after.total)}; the earlier authorization is voided."
            ),
            Settlement.REFUND: f"{amount} will be refunded.",
            Settlement.BALANCE: (
                f"No card is charged: the balance owed becomes {money_text(self.balance_after)}."
            ),
        }[self.settlement]


def order_lines_version(order: Order) -> str:
    """An opaque token of the order as a person saw it: it changes with any save of the order
    or any change of its lines, so an edit made from an older page is refused."""
    lines = order.lines.order_by("pk").values_list("pk", "quantity", "unit_price")
    text = f"{order.updated_at.isoformat()}|{list(lines)}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def order_lines_edit_refusal(order: Order) -> str | None:
    """Why the order's lines may not be edited now; None when they may."""
    if order.deleted_at is not None:
        return f"{order.order_id} is deleted: its lines cannot be edited."
    if order.stage in CLOSED_STAGES:
        return f"{order.order_id} is {CLOSED_STAGES[order.stage]}: its lines cannot be edited."
    if order.shipments.exists():
        return f"{order.order_id} has shipped: its lines can no longer be edited."
    if Chargeback.objects.filter(order=order, status__in=Chargeback.UNRESOLVED).exists():
        return f"{order.order_id} has an open chargeback: its lines cannot be edited meanwhile."
    return None


def lines_edit_plan(*, order: Order, edit: LinesEdit) -> LinesEditPlan:
    """Check an edit and work out its new totals and settlement; writes nothing.

    Raises InvalidInput (bad input) or TransitionNotAvailable (the order may not be edited).
    """
    refusal = order_lines_edit_refusal(order)
    if refusal:
        raise TransitionNotAvailable(refusal)
    lines = list(order.lines.all())
    before = _order_totals_of(order)
    by_pk = {line.pk: line for line in lines}
    line_changes: list[dict[str, Any]] = []
    removed: list[OrderLine] = []
    for change in edit.changes:
        line = by_pk.get(change.line_pk)
        if line is None:
            raise InvalidInput("A line you changed is not on this order.")
        _line_change_apply(line, change, edit.price_reason, line_changes, removed)
    kept = [line for line in lines if line not in removed]
    new_lines = _new_lines(order, edit.added, line_changes)
    if not kept and not new_lines:
        raise InvalidInput("An order needs at least one line: add one before removing the last.")
    shipping = before.shipping if edit.shipping_total is None else edit.shipping_total
    _check_amount("The shipping", shipping)
    after = order_totals(
        lines=[(line.quantity, line.unit_price, line.unit_cost) for line in kept + new_lines],
        shipping=shipping,
        discount=order.discount,
        tax_rate=order.merchant.tax_rate,
        tax=None if _tax_from_rate(order, before) else order.tax,
    )
    if after.total < order.refunded_total:
        raise InvalidInput(
            f"The new total ({money_text(after.total)}) cannot be less than what was already "
            f"refunded ({money_text(order.refunded_total)})."
        )
    method = order.shipping_method if edit.shipping_method is None else edit.shipping_method
    plan = LinesEditPlan(
        order=order,
        kept=kept,
        removed=removed,
        new_lines=new_lines,
        before=before,
        after=after,
        shipping_method=method.strip()[:100],
        shipping_method_before=order.shipping_method,
        line_changes=line_changes,
        settlement=Settlement.NONE,
        settle_amount=Decimal("0.00"),
        balance_due=order.balance_due,
        releases_pre_order=order.stage == Stage.PRE_ORDER
        and any(line.pre_order for line in lines)
        and not any(line.pre_order for line in kept + new_lines),
    )
    _settlement_decide(plan)
    return plan


def _order_totals_of(order: Order) -> Totals:
    return Totals(
        subtotal=order.subtotal,
        shipping=order.shipping_total,
        discount=order.discount,
        tax=order.tax,
        total=order.total,
        cost_of_goods=order.cost_of_goods,
    )


def _tax_from_rate(order: Order, before: Totals) -> bool:
    """Whether the order's tax is the merchant's rate (then the edit re-computes it), not an
    amount set by hand at entry (then it stays)."""
    return before.tax == money((before.subtotal - before.discount) * order.merchant.tax_rate)


def _check_quantity(quantity: int, what: str) -> None:
    if quantity < 1:
        raise InvalidInput(f"{what}: the quantity must be at least 1 (remove the line instead).")
    if quantity > MAX_EDIT_QUANTITY:
        raise InvalidInput(f"{what}: the quantity can be at most {MAX_EDIT_QUANTITY:,}.")


def _check_amount(what: str, amount: Decimal) -> None:
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(f"{what} must be a number of zero or more.")
    if amount > MAX_AMOUNT:
        raise InvalidInput(f"{what} is larger than {MAX_AMOUNT:,} allows.")


def line_label(line: OrderLine) -> str:
    """How an edit names a line: its SKU, or its description when it has none."""
    return line.sku or line.description


def _line_change_apply(
    line: OrderLine,
    change: LineChange,
    reason: str,
    line_changes: list[dict[str, Any]],
    removed: list[OrderLine],
) -> None:
    label = line_label(line)
    if change.remove:
        if line.refunded_quantity:
            raise InvalidInput(f"{label}: part of it was refunded, so it cannot be removed.")
        removed.append(line)
        line_changes.append({"change": "removed", "line": label, "quantity": line.quantity})
        return
    _check_quantity(change.quantity, label)
    _check_amount(f"{label}: the unit price", change.unit_price)
    if change.quantity < line.refunded_quantity:
        raise InvalidInput(
            f"{label}: {line.refunded_quantity} were refunded, so the quantity cannot be less."
        )
    if change.quantity != line.quantity:
        line_changes.append(
            {"change": "quantity", "line": label, "before": line.quantity, "after": change.quantity}
        )
        line.quantity = change.quantity
    price = money(change.unit_price)
    if price != line.unit_price:
        if not reason.strip():
            raise InvalidInput(f"{label}: say why the unit price changes.")
        line_changes.append(
            {
                "change": "price",
                "line": label,
                "before": line.unit_price,
                "after": price,
                "reason": reason.strip(),
            }
        )
        line.unit_price = price


def _new_lines(
    order: Order, added: list[NewLine], line_changes: list[dict[str, Any]]
) -> list[OrderLine]:
    skus = {new.sku for new in added if new.sku}
    items = {
        item.sku: item
        for item in Item.objects.filter(merchant_id=order.merchant_id, sku__in=skus, active=True)
    }
    lines = []
    for new in added:
        item = items.get(new.sku) if new.sku else None
        if new.sku and item is None:
            raise InvalidInput(f"There is no item with SKU {new.sku} in the catalogue.")
        description = (new.description or (item.description if item else "")).strip()
        if not description:
            raise InvalidInput("A free-text line needs a description.")
        what = new.sku or description
        if item is not None and item.pre_order and order.stage != Stage.PRE_ORDER:
            # A pre-order item waits for its release date; an order already on its way would
            # either hold everything else back or ship it before it exists.
            raise InvalidInput(f"{item.sku} is a pre-order item; enter it as a new order.")
        _check_quantity(new.quantity, what)
        price = new.unit_price if new.unit_price is not None else (item.price if item else None)
        if price is None:
            raise InvalidInput(f"{what}: a unit price is required.")
        _check_amount(f"{what}: the unit price", price)
        line = OrderLine(
            order=order,
            item=item,
            sku=item.sku if item else "",
            description=description[:300],
            quantity=new.quantity,
            unit_price=money(price),
            unit_cost=item.cost if item else Decimal("0.00"),
            pre_order=bool(item and item.pre_order),
            shippable=item.shippable if item else True,
        )
        lines.append(line)
        line_changes.append(
            {
                "change": "added",
                "line": what,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
        )
    return lines


def _pays_by_card_on_file(order: Order) -> bool:
    return (
        order.payment_method in GATEWAY_METHODS
        and order.payment_method != PaymentMethod.ECHECK
        and bool(order.gateway_token)
    )


def _settlement_decide(plan: LinesEditPlan) -> None:
    order, difference = plan.order, plan.difference
    status = order.payment_status
    if difference == 0 or status in UNPAID_STATUSES:
        # An unpaid order owes its total, whatever it becomes (Accounts Receivable charges it).
        plan.settlement = Settlement.BALANCE if difference > 0 else Settlement.NONE
        return
    if status == PaymentStatus.AUTHORIZED:
        # The capture at shipment takes the order's total: a lower one needs nothing now.
        if difference > 0 and _pays_by_card_on_file(order):
            plan.settlement, plan.settle_amount = Settlement.REAUTHORIZE, plan.after.total
        elif difference > 0:
            plan.settlement, plan.settle_amount = Settlement.BALANCE, difference
            plan.balance_due = order.balance_due + difference
        return
    if difference > 0:
        if status in REFUNDABLE_STATUSES and _pays_by_card_on_file(order):
            plan.settlement, plan.settle_amount = Settlement.CHARGE, difference
        else:
            plan.settlement, plan.settle_amount = Settlement.BALANCE, difference
            plan.balance_due = order.balance_due + difference
        return
    # Lower: first what the customer still owed, then the rest goes back to them.
    owed_less = min(order.balance_due, -difference)
    plan.balance_due = order.balance_due - owed_less
    refund = -difference - owed_less
    if refund > 0:
        plan.settlement, plan.settle_amount = Settlement.REFUND, refund
    else:
        plan.settlement = Settlement.NONE


def order_lines_edit_has_rebills(order: Order) -> bool:
    """Whether an edit of this order's lines may also change future rebills (the question the
    edit page asks)."""
    if not order.auto_order_code:
        return False
    return AutoOrder.objects.filter(
        merchant_id=order.merchant_id, code=order.auto_order_code, status__in=LIVE
    ).exists()
