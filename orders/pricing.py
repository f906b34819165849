"""Order arithmetic: the server's totals, rounded half-up to the currency's minor unit."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal
    cost_of_goods: Decimal


def order_totals(
    *,
    lines: Iterable[tuple[int, Decimal, Decimal]],
    shipping: Decimal,
    discount: Decimal,
    tax_rate: Decimal,
    tax: Decimal | None = None,
) -> Totals:
    """Totals from (quantity, unit price, unit cost) lines; tax on the discounted subtotal."""
    lines = list(lines)
    subtotal = money(sum((money(q * price) for q, price, _ in lines), Decimal("0")))
    cost_of_goods = money(sum((q * cost for q, _, cost in lines), Decimal("0")))
    discount = money(min(max(discount, Decimal("0")), subtotal))
    shipping = money(shipping)
    if tax is None:
        tax = money((subtotal - discount) * tax_rate)
    total = money(subtotal - discount + shipping + money(tax))
    return Totals(subtotal, shipping, discount, money(tax), total, cost_of_goods)
