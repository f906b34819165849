import io
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from orders.models import Order
from tests.factories import place
from tools.exports.services import export_queryset, export_write
from tools.models import ExportMapping

pytestmark = pytest.mark.django_db


def _sheet(mapping):
    out = io.BytesIO()
    export_write(mapping=mapping, queryset=export_queryset(merchant=mapping.merchant), out=out)
    return load_workbook(io.BytesIO(out.getvalue())).active


def _mapping(merchant, columns, granularity="order"):
    return ExportMapping(
        merchant=merchant, name="x", format="xlsx", granularity=granularity, columns=columns
    )


def test_money_and_dates_stay_typed_in_the_columns_formats(merchant):
    order = place(merchant, email="f@example.com", price=Decimal("1234.50"))
    mapping = _mapping(
        merchant,
        [
            {"field": "total", "header": "Total"},
            {"field": "total", "header": "Total", "format": "thousands"},
            {"field": "placed_at", "header": "Placed"},
            {"field": "placed_at", "header": "Placed", "format": "us"},
            {"field": "paid_at", "header": "Paid", "format": "iso"},
            {"field": "fraud_score", "header": "Score"},
        ],
    )
    (row,) = _sheet(mapping).iter_rows(min_row=2)
    assert [c.number_format for c in row] == [
        "0.00",
        "#,##0.00",
        "yyyy-mm-dd hh:mm:ss",
        "mm/dd/yyyy",
        "yyyy-mm-dd\\Thh:mm:ss",
        "General",
    ]
    assert row[0].value == row[1].value == pytest.approx(float(order.total))
    assert all(isinstance(c.value, datetime) for c in row[2:5])
    assert row[2].value == order.placed_at.replace(tzinfo=None, microsecond=0)
    assert row[5].value == order.fraud_score


def test_text_that_looks_like_a_formula_or_an_error_stays_text(merchant):
    order = place(merchant, email="t@example.com")
    Order.objects.filter(pk=order.pk).update(
        first_name="=1+2", last_name="#N/A", company="bell\x07 and tab\tkept", custom_1="0042"
    )
    mapping = _mapping(
        merchant,
        [
            {"field": name, "header": f"={name}"}
            for name in ("first_name", "last_name", "company", "custom_1", "phone")
        ],
    )
    header, row = list(_sheet(mapping).iter_rows())
    assert (header[0].value, header[0].data_type) == ("=first_name", "s")
    assert [(c.value, c.data_type) for c in row] == [
        ("=1+2", "s"),
        ("#N/A", "s"),
        ("bell and tab\tkept", "s"),
        ("0042", "s"),
        (None, "n"),
    ]


def test_one_row_per_line_repeats_the_order_and_keeps_line_order(merchant):
    order = place(merchant, email="l@example.com", quantity=2)
    order.lines.create(position=9, sku="LAST", description="Last", quantity=1, unit_price=1)
    order.lines.create(position=0, sku="FIRST", description="First", quantity=3, unit_price=2)
    lineless = place(merchant, email="none@example.com")
    lineless.lines.all().delete()
    mapping = _mapping(
        merchant,
        [
            {"field": "order_id", "header": "ID"},
            {"field": "line_sku", "header": "SKU"},
            {"field": "line_total", "header": "Line total"},
            {"field": "email", "header": "Email"},
        ],
        granularity="line",
    )
    rows = [[c.value for c in row] for row in _sheet(mapping).iter_rows(min_row=2)]
    first = order.lines.get(position=0, sku="")  # the placed line, also at position 0
    assert rows == [
        [order.order_id, None, float(first.unit_price * 2), "l@example.com"],
        [order.order_id, "FIRST", 6, "l@example.com"],
        [order.order_id, "LAST", 1, "l@example.com"],
        [lineless.order_id, None, None, "none@example.com"],
    ]
