"""From a cost file's rows to an import's staged plan: every row validated, matched to its order
a chunk at a time, and written to the database as it goes (the rows to apply, every error).

Nothing of the file is kept in memory beyond a few chunks and the first errors, so any file
previews in the same memory; the parsing runs a chunk or two ahead in a thread (readahead.py)
while the database stores the last. The preview, the apply job and the command's dry run all
read the plan back from the staged rows (tools.imports.staging), so what is shown is what is
applied.
"""

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import Any

from django.db import connection

from orders.models import Order
from tools.models import CostImport

from .readahead import read_ahead
from .reading import FULFILLMENT, ORDER_ID, PAYMENT, SHIPPING, CostFile, CostFileRefused
from .staging import errors_write, orders_plan_write, rows_write

AMOUNT = re.compile(
    r"^(?P<sign>-)?\s*[$€£]?\s*(?P<sign2>-)?\s*(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d*)?$"
)
LIMIT = Decimal("9999999999.99")
CENT = Decimal("0.01")
CHUNK = 2000  # rows matched with one query and written with one COPY
ERRORS_KEPT = 100  # errors kept on the import for its page; the rest are only stored
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
class CostPlan:
    """What reading a file found: its counts, its rows' hash and its first errors."""

    rows_read: int = 0
    rows_hash: str = ""
    errors: list[RowError] = field(default_factory=list)  # the first ERRORS_KEPT, by row
    error_count: int = 0


ErrorSink = Callable[[RowError], None]
# Told after each chunk: (rows read, bytes of the file read, bytes to read).
Progress = Callable[[int, int, int], None]


def amount_parse(value: Any) -> Decimal | None:
    """A cost cell's amount; None for a blank cell; AmountError saying what is wrong."""
    if type(value) is float:  # a spreadsheet's number: the usual case, checked in short
        amount = _decimal(repr(value))
        # repr() has no trailing zeros: more than 2 decimals is exactly "not a whole cent".
        if amount.is_finite() and abs(amount) <= LIMIT:
            cents = amount.quantize(CENT)
            if cents != amount:
                raise AmountError("at most 2 decimals")
            return cents
    elif value is None or (isinstance(value, str) and not value.strip()):
        return None
    elif isinstance(value, (bool, datetime | date | time)):
        raise AmountError("not an amount")
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = _decimal(repr(value))
    elif isinstance(value, Decimal):
        amount = value
    else:
        amount = _text_amount(str(value).strip())
    exponent = amount.as_tuple().exponent  # a letter, not a number, for a NaN or an infinity
    if not amount.is_finite() or not isinstance(exponent, int):
        raise AmountError("not an amount")
    if exponent < -2:
        raise AmountError("at most 2 decimals")
    if abs(amount) > LIMIT:
        raise AmountError("too large")
    return amount.quantize(CENT)


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


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(slots=True)
class _Row:
    number: int
    order_id: str  # "" when the row has none
    costs: tuple[Decimal | None, ...] | None  # shipping, fulfillment, payment; None if invalid
    errors: list[RowError]


class _RowReader:
    """Reads one row's cells by the header's columns (every named column is left of the rest)."""

    def __init__(self, columns: dict[str, int]) -> None:
        self.width = len(columns)
        self.order_index = columns[ORDER_ID]
        # A column the file lacks reads the None put after every row's named cells.
        self.costs = [(column, columns.get(column, self.width)) for column in COST_FIELDS]
        self.cost_values = itemgetter(*(index for _, index in self.costs))

    def read(self, number: int, cells: tuple[Any, ...]) -> _Row | None:
        """The row, or None for a row with no values at all (it is ignored)."""
        extra = cells[self.width :]
        named = cells[: self.width] + (None,) * (self.width + 1 - min(len(cells), self.width))
        order_cell = named[self.order_index]
        values = self.cost_values(named)
        if _blank(order_cell) and all(map(_blank, values)) and all(map(_blank, extra)):
            return None
        errors = []
        if extra and not all(map(_blank, extra)):
            errors.append(RowError(number, "", "", "a value outside the named columns"))
        try:
            costs = tuple(map(amount_parse, values))
        except AmountError:
            costs = None
        for (column, _), value, amount in zip(self.costs, values, costs or values, strict=True):
            if costs is None:
                amount = _amount_or_error(errors, number, column, value)
            if amount is not None and column != PAYMENT and amount < 0:
                errors.append(RowError(number, column, _shown(value), "cannot be negative"))
        order_id = "" if _blank(order_cell) else str(order_cell).strip().upper()
        if not order_id:
            errors.append(RowError(number, ORDER_ID, "", "Order ID is required"))
        # A row with a bad amount still has its Order ID checked, but is not planned.
        return _Row(number, order_id, None if errors else costs, errors)


def _amount_or_error(errors: list[RowError], number: int, column: str, value: Any):
    try:
        return amount_parse(value)
    except AmountError as exc:
        errors.append(RowError(number, column, _shown(value), str(exc)))
        return None


def _row_key(row: _Row) -> str:
    """The row as the duplicate check hashes it (unchanged, so older imports still match)."""
    costs = row.costs or (None, None, None)
    return row.order_id + "|" + "|".join("" if c is None else str(c) for c in costs) + "\n"


def cost_rows_stage(
    *,
    cost_import: CostImport,
    cost_file: CostFile,
    on_error: ErrorSink | None = None,
    progress: Progress | None = None,
) -> CostPlan:
    """Validate every row, match its order, store the rows to apply and every error (in row
    order; each also goes to `on_error`), then what they do to each order. CostFileRefused when
    there are no data rows."""
    plan = CostPlan()
    digest = hashlib.sha256()
    reader = _RowReader(cost_file.columns)
    for chunk in read_ahead(lambda: _chunks_read(cost_file, reader, digest)):
        plan.rows_read += len(chunk)
        _chunk_stage(plan, cost_import, chunk, on_error)
        if progress is not None:
            progress(plan.rows_read, *cost_file.progress())
    if plan.rows_read == 0:
        raise CostFileRefused("The file has no data rows: nothing to import.")
    plan.rows_hash = digest.hexdigest()
    orders_plan_write(import_pk=cost_import.pk)
    return plan


def _chunks_read(cost_file: CostFile, reader: _RowReader, digest) -> Iterator[list[_Row]]:
    """The file's non-blank rows, validated, CHUNK at a time; hashes them as it goes."""
    chunk: list[_Row] = []
    for number, cells in cost_file.rows:
        row = reader.read(number, cells)
        if row is None:
            continue
        if row.order_id:
            digest.update(_row_key(row).encode())
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _chunk_stage(plan: CostPlan, cost_import: CostImport, rows: list[_Row], on_error) -> None:
    found = _orders_find({row.order_id for row in rows if row.order_id})
    staged, errors = [], []
    for row in rows:
        errors += row.errors
        if not row.order_id:
            continue
        order_pk, message = _order_match(found.get(row.order_id), cost_import.merchant_id)
        if message:
            errors.append(RowError(row.number, ORDER_ID, _shown(row.order_id), message))
        elif row.costs is not None:
            staged.append((cost_import.pk, row.number, order_pk, row.order_id, *row.costs))
    rows_write(staged)
    if errors:
        errors_write(cost_import.pk, errors)
        plan.error_count += len(errors)
        plan.errors += errors[: max(0, ERRORS_KEPT - len(plan.errors))]
        if on_error is not None:
            for error in errors:
                on_error(error)


def _orders_find(order_ids: set[str]) -> dict[str, tuple[int, int, Any]]:
    """Order ID → (pk, merchant, deleted at) of the orders with these IDs, in one query."""
    if not order_ids:
        return {}
    # A plain query: the ORM spends longer compiling a 2,000-item IN than the database runs it.
    params: list[Any]
    if connection.vendor == "postgresql":
        condition, params = "= ANY(%s)", [list(order_ids)]  # one array, not 2,000 parameters
    else:
        condition, params = f"IN ({', '.join(['%s'] * len(order_ids))})", list(order_ids)
    sql = (
        "SELECT order_id, id, merchant_id, deleted_at FROM "  # noqa: S608
        f"{connection.ops.quote_name(Order._meta.db_table)} WHERE order_id {condition}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {order_id: match for order_id, *match in cursor.fetchall()}


def _order_match(match, merchant_id: int) -> tuple[int, str]:
    """The order's pk, or a message saying why the row's Order ID cannot be imported."""
    if match is None:
        return 0, "no such order"
    order_pk, order_merchant_id, deleted_at = match
    if order_merchant_id != merchant_id:
        return 0, "another merchant's order"
    if deleted_at is not None:
        return 0, "deleted order"
    return order_pk, ""
