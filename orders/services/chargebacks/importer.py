"""The processor's chargeback report (CSV): checked whole, imported whole or not at all.

Columns: case_number, order_id, reason_code, amount, date, deadline. Every problem is reported
with its row number (the file's line, the header being row 1) and column; nothing is written
until the file has none.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from orders.exceptions import InvalidInput, TransitionNotPermitted
from orders.models import Chargeback, Merchant, Order
from orders.pricing import MAX_AMOUNT

from .core import PERMISSION, chargeback_open

COLUMNS = ("case_number", "order_id", "reason_code", "amount", "date", "deadline")
MAX_ROWS = 5000


@dataclass(frozen=True)
class ImportProblem:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class ImportRow:
    row: int
    case_number: str
    order: Order
    reason_code: str
    amount: Decimal
    received_on: date
    respond_by: date
    never_dispute: bool


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.problems and bool(self.rows)


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The file is not UTF-8 text (save it as CSV, UTF-8).") from exc


def _amount(value: str) -> Decimal | None:
    try:
        amount = Decimal(value.replace(",", "").strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:
        return None
    return amount if amount <= MAX_AMOUNT else None


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


class _Checker:
    """Checks one row at a time against the merchant's orders, settings and earlier rows."""

    def __init__(self, merchant: Merchant, records: list[dict]):
        self.merchant = merchant
        self.filtered = set(merchant.chargeback_filtered_reason_codes or [])
        self.never = set(merchant.chargeback_never_dispute_codes or [])
        order_ids = {(r.get("order_id") or "").strip().upper() for r in records}
        self.orders = {
            o.order_id: o
            for o in Order.objects.live()
            .for_merchant(merchant)
            .select_related("merchant")
            .filter(order_id__in=order_ids)
        }
        numbers = {(r.get("case_number") or "").strip() for r in records}
        self.known = set(
            Chargeback.objects.filter(merchant=merchant, case_number__in=numbers).values_list(
                "case_number", flat=True
            )
        )
        self.seen: dict[str, int] = {}

    def check(self, number: int, record: dict, problems: list[ImportProblem]) -> ImportRow | None:
        def problem(column: str, message: str) -> None:
            problems.append(ImportProblem(row=number, column=column, message=message))

        before = len(problems)
        values = {column: (record.get(column) or "").strip() for column in COLUMNS}
        case_number = values["case_number"]
        if not case_number:
            problem("case_number", "missing")
        elif case_number in self.known:
            problem("case_number", f"case {case_number} is already recorded")
        elif case_number in self.seen:
            problem("case_number", f"duplicate of row {self.seen[case_number]}")
        else:
            self.seen[case_number] = number
        order = self.orders.get(values["order_id"].upper())
        if order is None:
            problem("order_id", f"unknown order ID “{values['order_id']}”")
        code = values["reason_code"]
        if not code:
            problem("reason_code", "missing")
        elif code in self.filtered:
            problem("reason_code", f"reason code {code} is filtered out for this merchant")
        amount = _amount(values["amount"])
        if amount is None:
            problem("amount", f"“{values['amount']}” is not an amount above zero")
        received, deadline = _date(values["date"]), _date(values["deadline"])
        if received is None:
            problem("date", f"“{values['date']}” is not a date (YYYY-MM-DD)")
        if deadline is None:
            problem("deadline", f"“{values['deadline']}” is not a date (YYYY-MM-DD)")
        if len(problems) > before:
            return None
        return ImportRow(
            row=number,
            case_number=case_number,
            order=order,
            reason_code=code,
            amount=amount,
            received_on=received,
            respond_by=deadline,
            never_dispute=code in self.never,
        )


def chargeback_import_preview(*, merchant: Merchant, content: bytes | str) -> ImportPreview:
    """Check a chargeback report; writes nothing."""
    # newline="": a lone CR ends a row as the csv module expects, not in the middle of a field.
    reader = csv.DictReader(io.StringIO(_decode(content), newline=""))
    try:
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
        missing = [column for column in COLUMNS if column not in header]
        preview = ImportPreview()
        if missing:
            preview.problems.append(
                ImportProblem(
                    row=1, column=", ".join(missing), message="column missing in the header"
                )
            )
            return preview
        reader.fieldnames = header
        records = list(reader)
    except csv.Error as exc:
        raise InvalidInput(f"The file is not readable as CSV: {exc}.") from exc
    if len(records) > MAX_ROWS:
        raise InvalidInput(f"At most {MAX_ROWS} rows per file.")
    checker = _Checker(merchant, records)
    for index, record in enumerate(records, start=2):
        row = checker.check(index, record, preview.problems)
        if row is not None:
            preview.rows.append(row)
    if not records:
        preview.problems.append(ImportProblem(row=1, column="", message="the file has no rows"))
    return preview


def chargeback_import_apply(
    *, merchant: Merchant, content: bytes | str, by=None
) -> list[Chargeback]:
    """Import a clean report in one transaction; refuses (writing nothing) if any row is wrong.

    Side effects: one order_chargeback_opened event per row.
    """
    if by is not None and not by.has_perm(PERMISSION, merchant):
        raise TransitionNotPermitted("You may not import chargebacks.")
    with transaction.atomic():
        preview = chargeback_import_preview(merchant=merchant, content=content)
        if not preview.is_clean:
            raise InvalidInput(
                f"The file has {len(preview.problems)} problem(s): nothing was imported."
            )
        return [
            chargeback_open(
                order=row.order,
                case_number=row.case_number,
                reason_code=row.reason_code,
                amount=row.amount,
                received_on=row.received_on,
                respond_by=row.respond_by,
                by=by,
                via="chargeback import",
            )
            for row in preview.rows
        ]
