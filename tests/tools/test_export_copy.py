"""CSV and TSV through PostgreSQL's COPY give exactly the bytes of the Python writers.

Every catalogue field, every date and money format, both granularities, CSV and TSV, over
orders full of what breaks exports: NULLs, unicode, delimiters, quotes and newlines, text that
looks like a formula, COPY's own end-of-data marker, a merchant in a zone with half hours and
summer time, deleted orders and another merchant's orders.
"""

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection

from orders.models import Merchant, Order, OrderNote, Shipment, Tag
from tests.factories import place
from tests.tools.conftest import soft_delete
from tools.exports import pgcopy, rows
from tools.exports.catalogue import DATETIME, LINE_FIELDS, MONEY, ORDER_FIELDS, TEXT, WHITESPACE
from tools.exports.formats import DATE_FORMATS, MONEY_FORMATS
from tools.exports.services import export_queryset, export_write, export_write_python
from tools.models import ExportMapping

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("needs_postgres")]

NASTY = [
    "=SUM(A1)",
    "+1 555",
    "-dash",
    "@handle",
    "\tTabbed",
    "\rCarriage",
    "a,b",
    'say "hi"',
    "two\nlines",
    "crlf\r\nlines",
    "\\.",
    "é中文🙂 עברית",
    "  padded  ",
    "%(upto)s %s 100%",
    "'quoted'",
    "",
    "\u3000ideographic space\u2003",
    "#N/A",
    "semi;colon",
    "back\\slash",
]
MONEY_VALUES = [
    Decimal("-1234.50"),
    Decimal("0.00"),
    Decimal("9999999999.99"),
    Decimal("0.05"),
    Decimal("-0.01"),
    Decimal("1000.00"),
    Decimal("123456.78"),
]
MOMENTS = [
    None,
    datetime(2024, 3, 10, 5, 29, 59, 999999, tzinfo=UTC),  # St John's: just before summer time
    datetime(2024, 11, 3, 3, 30, 0, 500000, tzinfo=UTC),  # the repeated hour in autumn
    datetime(999, 1, 1, 12, 0, 0, tzinfo=UTC),  # local mean time, a three-digit year
    datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC),
]
TEXT_COLUMNS = [
    f
    for f in Order._meta.concrete_fields
    if f.get_internal_type() == "CharField"
    and f.name in {c.name for c in ORDER_FIELDS}
    and f.name not in {"order_id", "email", "stage", "source", "payment_method", "payment_status"}
]


def _nasty_order(merchant, n: int, tags: list[Tag]) -> Order:
    order = place(merchant, email=f"buyer{n}@example.com", quantity=n + 1)
    text = {f.name: NASTY[(n + k) % len(NASTY)][: f.max_length] for k, f in enumerate(TEXT_COLUMNS)}
    money = {
        f.name: MONEY_VALUES[(n + k) % len(MONEY_VALUES)]
        for k, f in enumerate(ORDER_FIELDS)
        if f.kind == MONEY
    }
    moments = {
        f.name: MOMENTS[(n + k) % len(MOMENTS)]
        or (datetime.now(UTC) if f.name in ("placed_at", "stage_entered_at") else None)
        for k, f in enumerate(ORDER_FIELDS)
        if f.kind == DATETIME
    }
    Order.objects.filter(pk=order.pk).update(
        **text,
        **money,
        **moments,
        email=f'a,"{n}"@example.com',
        ip_address=[None, "192.0.2.1", "2001:db8::1"][n % 3],
        card_exp_month=None if n % 2 else 12,
        fraud_score=n * 7,
    )
    order.tags.add(*tags[: n % 4])
    same_time = datetime(2024, 5, 1, tzinfo=UTC)
    for k in range(n % 3):  # notes written at the same moment keep their order of writing
        OrderNote.objects.create(
            order=order, text=NASTY[(n + 3 * k) % len(NASTY)], created_at=same_time
        )
    for k in range(n % 4):
        Shipment.objects.create(
            order=order,
            carrier=["UPS", "=DHL", "UPS", "Post, fast"][k],
            tracking_numbers=[[], ["1Z1", "-2"], ["a,b", ""], None][k],
            shipped_at=datetime(2024, 6, 1 + (k % 2), tzinfo=UTC),
        )
    line = order.lines.get()
    line.sku, line.description = NASTY[n % len(NASTY)], NASTY[(n + 5) % len(NASTY)]
    line.unit_price, line.position = Decimal("9999999999.99"), 5
    line.save()
    for k in range(n % 3):
        order.lines.create(
            position=k,
            sku=NASTY[(n + k) % len(NASTY)][:64],
            description="x" * k or "=1+1",
            quantity=k + 2,
            unit_price=MONEY_VALUES[k],
            unit_cost=MONEY_VALUES[k + 1],
            refunded_quantity=k,
        )
    return order


@pytest.fixture
def nasty_orders(merchant, other_merchant):
    merchant.time_zone = "America/St_Johns"  # -3:30, with summer time
    merchant.custom_fields = {"2": {"label": 'Gift, "message"', "values": []}}
    merchant.save()
    tags = [Tag.objects.create(merchant=merchant, name=name) for name in ("vip", "=x", "ä", "b c")]
    orders = [_nasty_order(merchant, n, tags) for n in range(9)]
    orders[4].lines.all().delete()  # an order without lines still gets its row
    with connection.cursor() as cursor:  # a network, which Django's field never writes
        cursor.execute(
            "UPDATE orders_order SET ip_address = '10.0.0.0/8' WHERE id = %s", [orders[5].pk]
        )
    soft_delete(orders[6])
    place(other_merchant, email="theirs@example.com")
    # A code the form would refuse, to show the merchant's text reaches SQL only as a value.
    Merchant.objects.filter(pk=merchant.pk).update(code="=O'%s")
    merchant.refresh_from_db()
    return orders


def _columns(fields):
    columns = [{"field": f.name, "header": "", "format": ""} for f in fields]
    for f in fields:
        formats = DATE_FORMATS if f.kind == DATETIME else MONEY_FORMATS if f.kind == MONEY else {}
        columns += [
            {"field": f.name, "header": f"{f.name} {name}", "format": name}
            for name in formats
            if name
        ]
    columns[0]["header"] = '=Order, "the ID"'
    return columns


def _mapping(merchant, granularity, fields, fmt="csv"):
    return ExportMapping(
        merchant=merchant,
        name="all",
        format=fmt,
        granularity=granularity,
        columns=_columns(fields),
    )


def _both(mapping, fmt, queryset=None):
    queryset = queryset if queryset is not None else export_queryset(merchant=mapping.merchant)
    python, copied = io.BytesIO(), io.BytesIO()
    expected = export_write_python(mapping=mapping, queryset=queryset, out=python, format=fmt)
    count = export_write(mapping=mapping, queryset=queryset, out=copied, format=fmt)
    return python.getvalue(), copied.getvalue(), expected, count


def _assert_same(python: bytes, copied: bytes) -> None:
    # Line by line first: a difference then names its row.
    assert copied.split(b"\r\n") == python.split(b"\r\n")
    assert copied == python


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
@pytest.mark.parametrize("granularity", ["order", "line"])
@pytest.mark.parametrize("chunk", [2, 3, 1000])
def test_copy_writes_the_bytes_of_the_python_path(
    nasty_orders, monkeypatch, fmt, granularity, chunk
):
    monkeypatch.setattr(pgcopy, "CHUNK", chunk)
    monkeypatch.setattr(rows, "CHUNK", chunk)
    fields = ORDER_FIELDS + (LINE_FIELDS if granularity == "line" else [])
    mapping = _mapping(nasty_orders[0].merchant, granularity, fields)
    python, copied, expected, count = _both(mapping, fmt)
    _assert_same(python, copied)
    assert count == expected == 8
    lines = python.count(b"\r\n")
    assert lines > (1 + 8 + (8 if granularity == "line" else 0))  # fields with newlines, lines
    for needle in ("'=SUM(A1)", "'@handle", '"say ""hi"""', "é中文🙂", "'=O'%s", "10.0.0.0/8"):
        assert needle.encode() in python, needle


def test_line_fields_of_a_row_per_order_stay_empty_in_both_paths(nasty_orders):
    # An XML mapping (lines nested) exported as CSV: one row per order, line cells empty.
    mapping = _mapping(nasty_orders[0].merchant, "order", ORDER_FIELDS[:3] + LINE_FIELDS, "xml")
    python, copied, _, _ = _both(mapping, "csv")
    _assert_same(python, copied)
    assert python.splitlines()[1].endswith(b"," * len(_columns(LINE_FIELDS)))


def test_a_filter_with_quotes_and_percent_signs_selects_the_same_orders(nasty_orders):
    merchant = nasty_orders[0].merchant
    base = Order.objects.filter(first_name__in=["%(upto)s %s 100%", "'quoted'", "a,b"])
    queryset = export_queryset(merchant=merchant, base=base)
    python, copied, expected, count = _both(
        _mapping(merchant, "order", ORDER_FIELDS), "csv", queryset
    )
    _assert_same(python, copied)
    assert count == expected == queryset.count() > 0


def test_deleted_and_other_merchants_orders_are_not_copied(nasty_orders):
    merchant = nasty_orders[0].merchant
    mapping = _mapping(merchant, "order", ORDER_FIELDS[:2])
    out = io.BytesIO()
    export_write(mapping=mapping, queryset=Order.objects.all(), out=out, format="csv")
    ids = [line.split(b",")[0].decode() for line in out.getvalue().splitlines()[1:]]
    live = [o.order_id for o in nasty_orders if o.pk != nasty_orders[6].pk]
    assert ids == live


def test_csv_on_postgresql_reads_the_rows_with_copy(nasty_orders, django_assert_max_num_queries):
    """The Python path reads lines, tags, notes and shipments with a query each per chunk; COPY
    reads everything in its one statement, after counting the orders."""
    mapping = _mapping(nasty_orders[0].merchant, "line", ORDER_FIELDS + LINE_FIELDS)
    queryset = export_queryset(merchant=mapping.merchant)
    with django_assert_max_num_queries(2) as captured:
        export_write(mapping=mapping, queryset=queryset, out=io.BytesIO(), format="csv")
    assert [q["sql"].split(" ", 1)[0] for q in captured] == ["SELECT", "COPY"]


@pytest.mark.parametrize("granularity", ["order", "line"])
def test_progress_is_reported_chunk_by_chunk_up_to_every_order(
    nasty_orders, monkeypatch, granularity
):
    monkeypatch.setattr(pgcopy, "CHUNK", 3)
    fields = ORDER_FIELDS[:2] + (LINE_FIELDS[:1] if granularity == "line" else [])
    mapping = _mapping(nasty_orders[0].merchant, granularity, fields)
    seen = []
    queryset = export_queryset(merchant=mapping.merchant)
    count = export_write(
        mapping=mapping, queryset=queryset, out=io.BytesIO(), format="tsv", progress=seen.append
    )
    assert count == 8
    assert len(seen) >= 3
    assert seen == sorted(seen)
    assert seen[-1] == 8


def test_an_empty_selection_writes_the_header_only(merchant):
    mapping = _mapping(merchant, "line", ORDER_FIELDS[:2] + LINE_FIELDS[:1])
    out = io.BytesIO()
    queryset = export_queryset(merchant=merchant)
    assert export_write(mapping=mapping, queryset=queryset, out=out, format="csv") == 0
    # The header is Python's: quoted, and neutralised like any text cell.
    assert out.getvalue().decode("utf-8-sig") == '"\'=Order, ""the ID""",Order number,SKU\r\n'


def test_the_whitespace_trimmed_from_names_is_pythons():
    python_whitespace = "".join(ch for ch in map(chr, range(0x110000)) if ch.isspace())
    assert python_whitespace == WHITESPACE
    assert {f.kind for f in ORDER_FIELDS + LINE_FIELDS} <= {TEXT, MONEY, DATETIME, "int"}
