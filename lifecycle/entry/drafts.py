"""From the entry forms to the placement service's draft, and the live totals preview."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from orders.models import Item, Merchant, Order
from orders.payments import CardDetails
from orders.pricing import MAX_AMOUNT, AmountTooLarge, Totals, money, order_totals
from orders.services.placement import LineDraft, OrderDraft, PaymentDraft
from orders.states import PaymentMethod

from .forms import ADDRESS, SAVED_CARD, LineFormSet, OrderEntryForm

ZERO = Decimal("0")


@dataclass
class Preview:
    line_totals: list[Decimal | None]
    totals: Totals
    error: str = ""


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    # Past what a money column holds is no amount: the form refuses it with a message.
    return number if number.is_finite() and 0 <= number <= MAX_AMOUNT else None


def _quantity(value) -> int:
    try:
        return max(int(str(value).strip()), 0)
    except ValueError:
        return 0


def entry_preview(*, merchant: Merchant, data, prefix: str = "lines") -> Preview:
    """The server's totals for whatever the form holds now, half-typed values counted as 0."""
    count = min(_quantity(data.get(f"{prefix}-TOTAL_FORMS", 0)), 200)
    rows = [
        (
            data.get(f"{prefix}-{i}-sku", "").strip(),
            _quantity(data.get(f"{prefix}-{i}-quantity", "")),
            _decimal(data.get(f"{prefix}-{i}-unit_price", "")),
        )
        for i in range(count)
    ]
    items = {
        item.sku: item
        for item in Item.objects.filter(merchant=merchant, sku__in=[sku for sku, _, _ in rows])
    }
    lines, line_totals = [], []
    for sku, quantity, price in rows:
        item = items.get(sku)
        if price is None and item is not None:
            price = item.price
        if price is None or quantity * price > MAX_AMOUNT:
            line_totals.append(None)
            continue
        lines.append((quantity, price, ZERO))
        line_totals.append(money(quantity * price))
    try:
        totals = order_totals(
            lines=lines,
            shipping=_decimal(data.get("shipping_total", "")) or ZERO,
            discount=_decimal(data.get("discount", "")) or ZERO,
            tax_rate=merchant.tax_rate,
            tax=_decimal(data.get("tax", "")) if str(data.get("tax", "")).strip() else None,
        )
    except AmountTooLarge as exc:
        return Preview(line_totals=line_totals, totals=Totals(*[ZERO] * 6), error=str(exc))
    return Preview(line_totals=line_totals, totals=totals)


def entry_lines(formset: LineFormSet) -> list[LineDraft]:
    return [
        LineDraft(
            description=form.cleaned_data.get("description", ""),
            quantity=form.cleaned_data["quantity"],
            unit_price=form.cleaned_data.get("unit_price"),
            sku=form.item.sku if form.item else form.cleaned_data.get("sku", ""),
            item=form.item,
        )
        for form in formset.forms
        if form.cleaned_data
        and (form.cleaned_data.get("sku") or form.cleaned_data.get("description"))
    ]


def entry_draft(*, form: OrderEntryForm, formset: LineFormSet) -> OrderDraft:
    """The draft to place; no IP address, as the agent's is not the customer's."""
    data = form.cleaned_data
    return OrderDraft(
        email=data["email"],
        lines=entry_lines(formset),
        payment=_payment(form),
        first_name=data["first_name"],
        last_name=data["last_name"],
        company=data["company"],
        phone=data["phone"],
        billing={name: data[f"billing_{name}"] for name in ADDRESS},
        shipping={
            "name": data["shipping_name"] or f"{data['first_name']} {data['last_name']}".strip(),
            **{name: data[f"shipping_{name}"] for name in ADDRESS},
        },
        shipping_method=data["shipping_method"],
        shipping_total=data["shipping_total"],
        discount=data["discount"],
        tax=data.get("tax"),
        skip_fraud_score=bool(data.get("skip_fraud_score")),
        idempotency_key=f"entry:{data['form_token']}",
    )


def _payment(form: OrderEntryForm) -> PaymentDraft:
    data = form.cleaned_data
    method = data["payment_method"]
    if method == SAVED_CARD:
        return PaymentDraft(
            method=PaymentMethod.CREDIT_CARD,
            card_token=form.saved_card_token,
            card_mode=data["card_mode"],
        )
    card = None
    if method == PaymentMethod.CREDIT_CARD and data.get("card_number"):
        card = CardDetails(
            data["card_number"], data["card_exp_month"], data["card_exp_year"], data["card_cvv"]
        )
    return PaymentDraft(
        method=method,
        card=card,
        card_mode=data["card_mode"],
        purchase_order_number=data["purchase_order_number"],
        bank_account=data["bank_account"],
    )


def entry_initial_from(*, order: Order, with_lines: bool) -> tuple[dict, list[dict]]:
    """The entry form's initial values for a clone of `order` (never its payment details)."""
    initial = {
        name: getattr(order, name)
        for name in ("email", "first_name", "last_name", "company", "phone", "shipping_name")
    }
    for name in ADDRESS:
        initial[f"billing_{name}"] = getattr(order, f"billing_{name}")
        initial[f"shipping_{name}"] = getattr(order, f"shipping_{name}")
    initial.update(shipping_method=order.shipping_method)
    lines = []
    if with_lines:
        initial.update(shipping_total=order.shipping_total, discount=order.discount)
        lines = [
            {
                "sku": line.sku,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            for line in order.lines.all()
        ]
    return initial, lines
