"""Order arithmetic: the server's totals, rounded half-up to the currency's minor unit."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from orders.exceptions import InvalidInput

CENT = Decimal("0.01")
# The largest amount a money column (12 digits, 2 of them decimals) stores, and the largest
# quantity a line may hold: every entry point bounds its input with them, and the totals
# refuse a sum past them before the database would.
MAX_AMOUNT = Decimal("9999999999.99")
MAX_QUANTITY = 100_000


class AmountTooLarge(InvalidInput):
    def __init__(self, what: str = "The order's total") -> None:
        super().__init__(f"{what} is larger than {MAX_AMOUNT:,} allows.")


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
    """Totals from (quantity, unit price, unit cost) lines; tax on the discounted subtotal.

    Raises AmountTooLarge for an amount no money column can hold.
    """
    lines = list(lines)
    for quantity, price, cost in lines:
        if quantity * max(price, cost) > MAX_AMOUNT:
            raise AmountTooLarge("A line's amount")
    for what, value in (("The shipping", shipping), ("The discount", discount), ("The tax", tax)):
        if value is not None and value > MAX_AMOUNT:
            raise AmountTooLarge(what)
    subtotal = money(sum((money(q * price) for q, price, _ in lines), Decimal("0")))
    cost_of_goods = money(sum((q * cost for q, _, cost in lines), Decimal("0")))
    discount = money(min(max(discount, Decimal("0")), subtotal))
    shipping = money(shipping)
    if tax is None:
        tax = money((subtotal - discount) * tax_rate)
    total = money(subtotal - discount + shipping + money(tax))
    if max(subtotal, total, cost_of_goods) > MAX_AMOUNT:
        raise AmountTooLarge()
    return Totals(subtotal, shipping, discount, money(tax), total, cost_of_goods)
