"""The processor's chargeback report (CSV): checked whole, imported whole or not at all.

Columns: case_number, order_id, reason_code, amount, date, deadline. Every problem is reported
with its row number (the file's record, the header being row 1) and column; nothing is written
until the file has none. The report is refused by its size before any of it is read
(CHARGEBACK_IMPORT_MAX_BYTES), then read a line at a time, so that checking it takes
milliseconds within the request.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction

from backoffice.common.words import counted
from orders.actors import Actor
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
    text: str = ""  # the report as read, for the import that follows a clean check

    @property
    def is_clean(self) -> bool:
        return not self.problems and bool(self.rows)


def _amount(value: str) -> Decimal | None:
    try:
        amount = Decimal(value.replace(",", "").strip())
    except InvalidOperation:
        return None
    exponent = amount.as_tuple().exponent  # a letter, not a number, for a NaN or an infinity
    if not isinstance(exponent, int) or amount <= 0 or exponent < -2:
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
        if order is None or amount is None or received is None or deadline is None:
            return None  # each of these noted a problem above
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


def chargeback_import_preview(*, merchant: Merchant, content: bytes | str | File) -> ImportPreview:
    """Check a chargeback report (text, bytes or an uploaded file); writes nothing.

    InvalidInput, before reading any of it, for a report over the size limit, and for one
    with more than MAX_ROWS rows; every other problem is a row and column of the preview.
    """
    lines = _ReportLines(_report_text(content))
    preview = ImportPreview()
    header, records = _records_read(lines, preview.problems)
    preview.text = lines.text()
    if header is None:  # an empty file, or one unreadable from its first line
        if preview.problems:
            return preview
        header = []
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        preview.problems.append(
            ImportProblem(row=1, column=", ".join(missing), message="column missing in the header")
        )
        return preview
    checker = _Checker(merchant, [record for _number, record in records])
    for number, record in records:
        row = checker.check(number, record, preview.problems)
        if row is not None:
            preview.rows.append(row)
    if not records and not preview.problems:
        preview.problems.append(ImportProblem(row=1, column="", message="the file has no rows"))
    return preview


def _report_text(content: bytes | str | File) -> Iterator[str]:
    """The report's lines as text, read as they are needed; InvalidInput, before reading any
    of it, if it is larger than the limit."""
    limit = settings.CHARGEBACK_IMPORT_MAX_BYTES
    if isinstance(content, str):
        size = len(content.encode())
    elif isinstance(content, bytes):
        size = len(content)
    else:
        size = content.size
    if size > limit:
        raise InvalidInput(
            f"The file is {size:,} bytes; the limit is {limit:,} bytes: split the report "
            "and import each part."
        )
    if isinstance(content, str):
        return iter(io.StringIO(content, newline=""))
    return _decoded(ContentFile(content) if isinstance(content, bytes) else File(content))


def _decoded(report: File) -> Iterator[str]:
    """Each line decoded on its own (a file's lines, as Django splits them: any line ending),
    so that a bad byte is reported on its own row."""
    for number, line in enumerate(report, start=1):
        yield line.decode("utf-8-sig" if number == 1 else "utf-8")


class _ReportLines:
    """The report's lines for the CSV reader, keeping the current record's lines (to say
    which column a parser error is in) and all of them (the text handed back for the import,
    within the size limit)."""

    def __init__(self, text: Iterator[str]) -> None:
        self.source = text
        self.lines: list[str] = []
        self.record: list[str] = []

    def __iter__(self) -> Iterator[str]:
        for line in self.source:
            self.lines.append(line)
            self.record.append(line)
            yield line

    def record_done(self) -> None:
        self.record = []

    def text(self) -> str:
        return "".join(self.lines)


def _records_read(
    lines: _ReportLines, problems: list[ImportProblem]
) -> tuple[list[str] | None, list[tuple[int, dict]]]:
    """(header, [(row number, {column: value})]); a row the parser cannot read becomes a
    problem and ends the reading (what follows it cannot be trusted)."""
    # Strict: a stray quote is an error on its row, not the rest of the file read as one value.
    reader = csv.reader(lines, strict=True)
    header: list[str] | None = None
    records: list[tuple[int, dict]] = []
    number = 1
    try:
        for values in reader:
            lines.record_done()
            if header is None:
                header = [name.strip().lower() for name in values]
                continue
            number += 1
            if not any(value.strip() for value in values):
                continue
            if len(records) >= MAX_ROWS:
                raise InvalidInput(f"At most {MAX_ROWS} rows per file.")
            if len(values) != len(header):
                problems.append(
                    ImportProblem(
                        row=number,
                        column="",
                        message=f"{len(values)} values where the header has {len(header)}",
                    )
                )
                continue
            records.append((number, dict(zip(header, values, strict=True))))
    except UnicodeDecodeError:
        problems.append(
            ImportProblem(
                row=number + 1 if header is not None else 1,
                column="",
                message="not UTF-8 text (save the file as CSV, UTF-8)",
            )
        )
    except csv.Error as exc:
        current = number + 1 if header is not None else 1
        problems.append(_parser_problem(exc, current, header, "".join(lines.record)))
    return header, records


def _parser_problem(
    exc: csv.Error, number: int, header: list[str] | None, record: str
) -> ImportProblem:
    limit = csv.field_size_limit()
    index = _long_field_index(record, limit)
    if index is None:
        return ImportProblem(row=number, column="", message=f"cannot be read as CSV ({exc})")
    column = header[index] if header and index < len(header) else f"value {index + 1}"
    return ImportProblem(
        row=number, column=column, message=f"longer than the limit of {limit:,} characters"
    )


def _long_field_index(record: str, limit: int) -> int | None:
    """The position of the record's first value longer than `limit` characters, if any."""
    index, length, quoted = 0, 0, False
    for char in record:
        if char == '"':
            quoted = not quoted  # a doubled quote toggles twice: the count stays close enough
        elif char == "," and not quoted:
            index, length = index + 1, 0
            continue
        elif char in "\r\n" and not quoted:
            break
        length += 1
        if length > limit:
            return index
    return None


def chargeback_import_apply(
    *, merchant: Merchant, content: bytes | str, by: Actor = None
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
                f"The file has {counted(len(preview.problems), 'problem')}: nothing was imported."
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
