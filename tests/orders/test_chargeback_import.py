import csv
import io
import time
from decimal import Decimal

import pytest
from django.conf import settings

from orders.exceptions import InvalidInput
from orders.models import Chargeback, OrderEvent
from orders.services.chargebacks import chargeback_import_apply, chargeback_import_preview
from orders.services.chargebacks.importer import MAX_ROWS
from tests.factories import place
from tests.orders.disputes import open_chargeback

HEADER = "case_number,order_id,reason_code,amount,date,deadline\n"


@pytest.fixture
def orders(merchant):
    merchant.chargeback_filtered_reason_codes = ["10.5"]
    merchant.chargeback_never_dispute_codes = ["12.6"]
    merchant.save()
    return [place(merchant), place(merchant)]


def report(rows: list[str]) -> str:
    return HEADER + "\n".join(rows) + "\n"


def problems_of(preview) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.message) for p in preview.problems]


@pytest.mark.django_db
def test_a_bad_file_gets_a_precise_preview_and_imports_nothing(merchant, manager, orders):
    first, second = (order.order_id for order in orders)
    open_chargeback(orders[0], case_number="OLD-1")
    content = report(
        [
            f"CB-100,{first},13.1,25.00,2026-11-01,2026-11-30",  # row 2: good
            "CB-101,DEMO-9999999,13.1,10.00,2026-11-01,2026-11-30",  # row 3: unknown order
            f"CB-102,{second},10.5,10.00,2026-11-01,2026-11-30",  # row 4: filtered code
            f"CB-103,{second},13.1,12.3.4,2026-11-01,2026-11-30",  # row 5: bad amount
            f"CB-100,{second},13.1,5.00,2026-11-01,2026-11-30",  # row 6: duplicate of row 2
            f"OLD-1,{second},13.1,5.00,2026-11-01,2026-11-30",  # row 7: already recorded
            f"CB-104,{second},12.6,7.50,2026-11-01,2026-11-30",  # row 8: good, never disputed
        ]
    )

    preview = chargeback_import_preview(merchant=merchant, content=content)

    assert problems_of(preview) == [
        (3, "order_id", "unknown order ID “DEMO-9999999”"),
        (4, "reason_code", "reason code 10.5 is filtered out for this merchant"),
        (5, "amount", "“12.3.4” is not an amount above zero"),
        (6, "case_number", "duplicate of row 2"),
        (7, "case_number", "case OLD-1 is already recorded"),
    ]
    assert [row.row for row in preview.rows] == [2, 8]
    assert not preview.is_clean
    with pytest.raises(InvalidInput, match="5 problem"):
        chargeback_import_apply(merchant=merchant, content=content, by=manager)
    assert list(Chargeback.objects.values_list("case_number", flat=True)) == ["OLD-1"]


@pytest.mark.django_db
def test_a_clean_file_imports_every_row_with_events(merchant, manager, orders):
    first, second = (order.order_id for order in orders)
    content = report(
        [
            f'CB-1,{first.lower()},13.1,"1,025.00",2026-11-01,2026-11-30',
            f"CB-2,{second},12.6,7.50,2026-11-02,2026-12-01",
        ]
    )
    assert chargeback_import_preview(merchant=merchant, content=content).is_clean

    created = chargeback_import_apply(merchant=merchant, content=content, by=manager)

    assert [(c.case_number, c.amount, c.status) for c in created] == [
        ("CB-1", Decimal("1025.00"), Chargeback.Status.OPEN),
        ("CB-2", Decimal("7.50"), Chargeback.Status.NOT_DISPUTED),
    ]
    assert str(created[0].respond_by) == "2026-11-30"
    events = OrderEvent.objects.filter(type="order_chargeback_opened")
    assert events.count() == 2
    assert {e.actor_label for e in events} == {"chargeback import"}


@pytest.mark.django_db
def test_missing_columns_and_bad_dates_are_reported(merchant, orders):
    preview = chargeback_import_preview(merchant=merchant, content="case_number,order_id\nA,B\n")
    assert problems_of(preview) == [
        (1, "reason_code, amount, date, deadline", "column missing in the header")
    ]
    content = report([f"CB-9,{orders[0].order_id},13.1,-4,yesterday,2026-13-01"])
    columns = [
        p.column for p in chargeback_import_preview(merchant=merchant, content=content).problems
    ]
    assert columns == ["amount", "date", "deadline"]


@pytest.mark.django_db
def test_another_merchants_order_is_unknown(merchant, other_merchant, orders):
    theirs = place(other_merchant)
    content = report([f"CB-5,{theirs.order_id},13.1,5.00,2026-11-01,2026-11-30"])
    preview = chargeback_import_preview(merchant=merchant, content=content)
    assert [p.column for p in preview.problems] == ["order_id"]


class ReadCounting(io.BytesIO):
    """An upload that counts what is read of it."""

    def __init__(self, content: bytes, name: str = "report.csv"):
        super().__init__(content)
        self.name = name
        self.size = len(content)
        self.bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data

    def read1(self, size=-1):
        data = super().read1(size)
        self.bytes_read += len(data)
        return data

    def readinto(self, buffer):
        count = super().readinto(buffer)
        self.bytes_read += count
        return count


@pytest.mark.django_db
def test_an_oversized_report_is_refused_by_its_size_before_any_of_it_is_read(merchant, settings):
    settings.CHARGEBACK_IMPORT_MAX_BYTES = 1000
    upload = ReadCounting(report(["CB-1,DEMO-1,13.1,5.00,2026-11-01,2026-11-30"] * 40).encode())
    with pytest.raises(InvalidInput, match=r"is 1,\d{3} bytes; the limit is 1,000 bytes"):
        chargeback_import_preview(merchant=merchant, content=upload)
    assert upload.bytes_read == 0
    assert not Chargeback.objects.exists()


@pytest.mark.django_db
def test_a_report_is_read_a_line_at_a_time_not_whole(merchant, orders):
    rows = [f"CB-{n},{orders[0].order_id},13.1,5.00,2026-11-01,2026-11-30" for n in range(2000)]
    upload = ReadCounting(report(rows).encode())
    reads = []
    original = upload.read

    def read(size=-1):
        reads.append(size)
        return original(size)

    upload.read = read
    preview = chargeback_import_preview(merchant=merchant, content=upload)
    assert preview.is_clean
    assert len(preview.rows) == 2000
    assert -1 not in reads  # never "everything at once"
    assert None not in reads
    assert max(reads) < upload.size


@pytest.mark.django_db
def test_a_value_longer_than_the_csv_field_limit_is_a_row_and_column_problem(merchant, orders):
    content = report(
        [
            f"CB-1,{orders[0].order_id},13.1,5.00,2026-11-01,2026-11-30",
            f"CB-2,{orders[0].order_id},{'9' * 200_000},5.00,2026-11-01,2026-11-30",
        ]
    ).encode()
    preview = chargeback_import_preview(merchant=merchant, content=ReadCounting(content))
    assert problems_of(preview) == [
        (3, "reason_code", f"longer than the limit of {csv.field_size_limit():,} characters")
    ]
    assert not preview.is_clean


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_names_the_row_it_goes_wrong_on(merchant, orders):
    content = report(
        [
            f"CB-1,{orders[0].order_id},13.1,5.00,2026-11-01,2026-11-30",
            f"CB-2,{orders[0].order_id},13.1,5.00,2026-11-01,2026-11-30",
        ]
    ).encode()
    content = content.replace(b"CB-2", "CB-²".encode("latin-1"))
    preview = chargeback_import_preview(merchant=merchant, content=ReadCounting(content))
    assert problems_of(preview) == [(3, "", "not UTF-8 text (save the file as CSV, UTF-8)")]
    assert not preview.is_clean


@pytest.mark.django_db
def test_parser_errors_and_wrong_value_counts_are_row_problems(merchant, orders, manager):
    order_id = orders[0].order_id
    content = report(
        [
            f"CB-1,{order_id},13.1,5.00,2026-11-01",  # row 2: a value missing
            f"CB-2,{order_id},13.1,5.00,2026-11-01,2026-11-30,extra",  # row 3: one too many
            f"CB-3,{order_id},13.1,5.00,2026-11-01,2026-11-30",  # row 4: good
            f'CB-4,"{order_id},13.1,5.00,2026-11-01,2026-11-30',  # row 5: a quote never closed
        ]
    )
    preview = chargeback_import_preview(merchant=merchant, content=content.encode())
    assert [(row, column) for row, column, _message in problems_of(preview)] == [
        (2, ""),
        (3, ""),
        (5, ""),
    ]
    assert problems_of(preview)[0][2] == "5 values where the header has 6"
    assert "cannot be read as CSV" in problems_of(preview)[2][2]
    with pytest.raises(InvalidInput, match="3 problem"):
        chargeback_import_apply(merchant=merchant, content=content, by=manager)
    assert not Chargeback.objects.exists()


@pytest.mark.django_db
def test_a_report_at_the_size_limit_is_checked_well_within_a_request(merchant, orders):
    """The report is checked in the request: at its limit, it must take well under 2 s."""
    line = f"{{}},{orders[0].order_id},13.1,5.00,2026-11-01,2026-11-30"
    rows = [line.format(f"CB-{n:06d}") for n in range(MAX_ROWS)]
    content = report(rows).encode()
    assert len(content) < settings.CHARGEBACK_IMPORT_MAX_BYTES
    started = time.perf_counter()
    preview = chargeback_import_preview(merchant=merchant, content=ReadCounting(content))
    assert time.perf_counter() - started < 1.0
    assert len(preview.rows) == MAX_ROWS
