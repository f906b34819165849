"""From a cost file's rows to a plan: per order, the costs it sets and adds, and every error.

The same plan drives the preview, the apply job and the command's dry run, so what is shown is
what is applied.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from orders.models import Merchant, Order

from .reading import FULFILLMENT, ORDER_ID, PAYMENT, SHIPPING, CostFile, CostFileRefused

AMOUNT = re.compile(
    r"^(?P<sign>-)?\s*[$€£]?\s*(?P<sign2>-)?\s*(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d*)?$"
)
LIMIT = Decimal("9999999999.99")
LOOKUP_CHUNK = 5000
COST_FIELDS = {SHIPPING: "shipping", FULFILLMENT: "fulfillment", PAYMENT: "payment"}


class AmountError(ValueError):
    pass


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class OrderPlan:
    """What the file does to one order: replacements (last non-blank wins) and an addition."""

    order_pk: int
    order_id: str
    rows: list[int] = field(default_factory=list)
    shipping: Decimal | None = None
    fulfillment: Decimal | None = None
    payment_added: Decimal | None = None


@dataclass
class CostPlan:
    orders: dict[str, OrderPlan] = field(default_factory=dict)  # by order ID, in file order
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0
    rows_hash: str = ""

    @property
    def repeated(self) -> dict[str, list[int]]:
        return {oid: plan.rows for oid, plan in self.orders.items() if len(plan.rows) > 1}


def plan_csv(plan: CostPlan) -> str:
    """The plan's orders as CSV text: pk, order ID, shipping, fulfillment, payment added, rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    for entry in plan.orders.values():
        writer.writerow([
            entry.order_pk, entry.order_id, _plain(entry.shipping), _plain(entry.fulfillment),
            _plain(entry.payment_added), " ".join(map(str, entry.rows)),
        ])  # fmt: skip
    return out.getvalue()


def plan_csv_read(text: str) -> list[OrderPlan]:
    plans = []
    for pk, order_id, shipping, fulfillment, payment, rows in csv.reader(io.StringIO(text)):
        plans.append(
            OrderPlan(
                order_pk=int(pk), order_id=order_id, rows=[int(r) for r in rows.split()],
                shipping=_amount(shipping), fulfillment=_amount(fulfillment),
                payment_added=_amount(payment),
            )
        )  # fmt: skip
    return plans


def _plain(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _amount(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def amount_parse(value: Any) -> Decimal | None:
    """A cost cell's amount; None for a blank cell; AmountError saying what is wrong."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (bool, datetime | date | time)):
        raise AmountError("not an amount")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = _decimal(repr(value))
    elif isinstance(value, Decimal):
        amount = value
    else:
        amount = _text_amount(str(value).strip())
    if not amount.is_finite():
        raise AmountError("not an amount")
    if amount.as_tuple().exponent < -2:
        raise AmountError("at most 2 decimals")
    if abs(amount) > LIMIT:
        raise AmountError("too large")
    return amount.quantize(Decimal("0.01"))


def _text_amount(text: str) -> Decimal:
    match = AMOUNT.match(text)
    if match is None or (match["sign"] and match["sign2"]) or match["frac"] == ".":
        raise AmountError("not an amount (e.g. 1234.50 or $1,234.50)")
    amount = _decimal(match["digits"].replace(",", "") + (match["frac"] or ""))
    return -amount if match["sign"] or match["sign2"] else amount


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise AmountError("not an amount") from exc


def _shown(value: Any) -> str:
    return "" if value is None else str(value)[:100]


def _cell(cells: tuple[Any, ...], index: int | None) -> Any:
    if index is None or index >= len(cells):
        return None
    return cells[index]


@dataclass
class _Row:
    number: int
    order_id: str
    costs: dict[str, Decimal | None]


def cost_plan_build(*, merchant: Merchant, cost_file: CostFile) -> CostPlan:
    """Validate every row and match its order; CostFileRefused when there are no data rows."""
    plan = CostPlan()
    digest = hashlib.sha256()
    pending: list[_Row] = []
    for number, cells in cost_file.rows:
        row = _row_read(plan, cost_file.columns, number, cells)
        if row is None:
            continue
        digest.update(_row_key(row).encode())
        pending.append(row)
        if len(pending) >= LOOKUP_CHUNK:
            _rows_match(plan, merchant, pending)
            pending = []
    _rows_match(plan, merchant, pending)
    if plan.rows_read == 0:
        raise CostFileRefused("The file has no data rows: nothing to import.")
    plan.rows_hash = digest.hexdigest()
    plan.errors.sort(key=lambda error: error.row)
    return plan


def _row_read(plan: CostPlan, columns: dict[str, int], number: int, cells) -> _Row | None:
    values = {name: _cell(cells, index) for name, index in columns.items()}
    extra = [cell for i, cell in enumerate(cells) if i not in columns.values()]
    if all(_blank(value) for value in [*values.values(), *extra]):
        return None  # a row with no values at all is ignored
    plan.rows_read += 1
    ok = True
    if extra and not all(_blank(cell) for cell in extra):
        plan.errors.append(RowError(number, "", "", "a value outside the named columns"))
        ok = False
    costs: dict[str, Decimal | None] = {}
    for column, key in COST_FIELDS.items():
        try:
            costs[key] = amount_parse(values.get(column))
        except AmountError as exc:
            plan.errors.append(RowError(number, column, _shown(values.get(column)), str(exc)))
            ok = False
            continue
        if key != "payment" and costs[key] is not None and costs[key] < 0:
            plan.errors.append(
                RowError(number, column, _shown(values[column]), "cannot be negative")
            )
            ok = False
    order_id = "" if _blank(values[ORDER_ID]) else str(values[ORDER_ID]).strip().upper()
    if not order_id:
        plan.errors.append(RowError(number, ORDER_ID, "", "Order ID is required"))
        return None
    row = _Row(number, order_id, costs)
    # A row with a bad amount still has its Order ID checked, but is not planned.
    return row if ok else _Row(number, order_id, {})


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _row_key(row: _Row) -> str:
    costs = [row.costs.get(key) for key in ("shipping", "fulfillment", "payment")]
    return row.order_id + "|" + "|".join("" if c is None else str(c) for c in costs) + "\n"


def _rows_match(plan: CostPlan, merchant: Merchant, rows: list[_Row]) -> None:
    if not rows:
        return
    found = {
        order_id: (pk, merchant_id, deleted_at)
        for pk, order_id, merchant_id, deleted_at in Order.objects.filter(
            order_id__in={row.order_id for row in rows}
        ).values_list("pk", "order_id", "merchant_id", "deleted_at")
    }
    for row in rows:
        match = found.get(row.order_id)
        if match is None:
            message = "no such order"
        elif match[1] != merchant.pk:
            message = "another merchant's order"
        elif match[2] is not None:
            message = "deleted order"
        else:
            message = ""
        if message:
            plan.errors.append(RowError(row.number, ORDER_ID, row.order_id, message))
        elif row.costs:
            _row_plan(plan, match[0], row)


def _row_plan(plan: CostPlan, order_pk: int, row: _Row) -> None:
    entry = plan.orders.get(row.order_id)
    if entry is None:
        entry = plan.orders[row.order_id] = OrderPlan(order_pk=order_pk, order_id=row.order_id)
    entry.rows.append(row.number)
    if row.costs["shipping"] is not None:
        entry.shipping = row.costs["shipping"]
    if row.costs["fulfillment"] is not None:
        entry.fulfillment = row.costs["fulfillment"]
    if row.costs["payment"] is not None:
        entry.payment_added = (entry.payment_added or Decimal("0.00")) + row.costs["payment"]
