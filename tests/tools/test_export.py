import csv
import io
import itertools
from datetime import datetime
from decimal import Decimal

import pytest
from defusedxml import ElementTree
from django.core.management import call_command
from openpyxl import load_workbook

from orders.models import Order, Shipment, Tag
from orders.services.notes import order_note_append
from tests.factories import place
from tests.tools.conftest import soft_delete
from tools.exports.catalogue import DATETIME, FIELDS, INT, LINE_FIELDS, MONEY, ORDER_FIELDS
from tools.exports.rows import OrderSpan, order_records
from tools.exports.services import (
    export_mapping_get,
    export_mapping_save,
    export_mapping_standard_ensure,
    export_preview,
    export_queryset,
    export_start,
    export_write,
)
from tools.exports.writers import text_safe
from tools.job_runner import job_run
from tools.models import ExportMapping, Job

FORMULA_NAME = '=HYPERLINK("http://evil")'


@pytest.fixture
def rich_order(merchant, manager):
    merchant.custom_fields = {"2": {"label": "Gift message", "values": []}}
    merchant.save()
    order = place(merchant, email="rich@example.com", quantity=2)
    Order.objects.filter(pk=order.pk).update(
        first_name=FORMULA_NAME,
        company="+1 Corp",
        custom_2="-dash",
        custom_3="@at",
        actual_shipping=Decimal("7.25"),
        actual_profit=Decimal("-3.10"),
    )
    order.tags.add(Tag.objects.create(merchant=merchant, name="vip"))
    order_note_append(order=order, text="Leave at door", by=manager)
    Shipment.objects.create(order=order, carrier="UPS", tracking_numbers=["1Z1", "1Z2"])
    return Order.objects.get(pk=order.pk)


def all_fields_mapping(merchant, fmt, fields=ORDER_FIELDS, granularity="order"):
    return export_mapping_save(
        merchant=merchant,
        name=f"All {fmt} {granularity}",
        format=fmt,
        granularity=granularity,
        columns=[{"field": f.name, "header": "", "format": ""} for f in fields],
    )


def expected(order, field):
    """The database value of a catalogue field, computed here independently of the exporter."""
    derived = {
        "merchant_code": order.merchant.code,
        "customer_name": f"{order.first_name} {order.last_name}".strip(),
        "tags": ", ".join(order.tags.values_list("name", flat=True)),
        "notes": "\n".join(order.notes.order_by("created_at").values_list("text", flat=True)),
        "carrier": ", ".join(order.shipments.values_list("carrier", flat=True)),
        "tracking_numbers": ", ".join(n for s in order.shipments.all() for n in s.tracking_numbers),
    }
    value = derived[field.name] if field.name in derived else getattr(order, field.name)
    if field.kind == DATETIME and value is not None:
        value = value.replace(microsecond=0, tzinfo=None)  # the test merchant's zone is UTC
    return value


def as_text(value, field) -> str:
    if value is None:
        return ""
    if field.kind == MONEY:
        return f"{value:.2f}"
    if field.kind == DATETIME:
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return text_safe(text) if field.kind not in (INT, MONEY, DATETIME) else text


def export_bytes(mapping, queryset=None, fmt=None) -> bytes:
    out = io.BytesIO()
    queryset = queryset if queryset is not None else export_queryset(merchant=mapping.merchant)
    export_write(mapping=mapping, queryset=queryset, out=out, format=fmt)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_every_catalogue_field_round_trips_through_csv_and_tsv(rich_order, fmt, delimiter):
    mapping = all_fields_mapping(rich_order.merchant, fmt)
    text = export_bytes(mapping).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert header[header.index("Gift message")] == "Gift message"
    for field, cell in zip(ORDER_FIELDS, row, strict=True):
        assert cell == as_text(expected(rich_order, field), field), field.name
    assert row[header.index("First name")] == "'" + FORMULA_NAME


@pytest.mark.django_db
def test_every_catalogue_field_round_trips_through_xlsx_with_typed_numbers_and_dates(rich_order):
    mapping = all_fields_mapping(rich_order.merchant, "xlsx")
    sheet = load_workbook(io.BytesIO(export_bytes(mapping))).active
    header, row = [[cell.value for cell in r] for r in sheet.iter_rows()]
    for field, cell in zip(ORDER_FIELDS, row, strict=True):
        value = expected(rich_order, field)
        if field.kind == MONEY:
            assert isinstance(cell, int | float), field.name
            assert Decimal(str(cell)).quantize(Decimal("0.01")) == value, field.name
        elif field.kind == DATETIME and value is not None:
            assert isinstance(cell, datetime), field.name
            assert cell == value, field.name
        elif value in (None, ""):
            assert cell is None, field.name
        else:
            assert cell == (value if field.kind == INT else str(value)), field.name
    cells = {c.column_letter: c for c in next(sheet.iter_rows(min_row=2, max_row=2))}
    first_name = cells[chr(ord("A") + header.index("First name"))]
    assert (first_name.value, first_name.data_type) == (FORMULA_NAME, "s")


@pytest.mark.django_db
def test_every_catalogue_field_round_trips_through_xml_with_lines_nested(rich_order):
    fields = [*ORDER_FIELDS, *LINE_FIELDS]
    mapping = all_fields_mapping(rich_order.merchant, "xml", fields)
    root = ElementTree.fromstring(export_bytes(mapping))
    (order,) = root.findall("order")
    for field in ORDER_FIELDS:
        value = expected(rich_order, field)
        text = order.find(field.name).text or ""
        assert text == (as_text(value, field) if field.kind != "text" else str(value or "")), (
            field.name
        )
    (line,) = order.findall("lines/line")
    db_line = rich_order.lines.get()
    assert line.find("line_quantity").text == "2"
    assert line.find("line_total").text == f"{db_line.unit_price * 2:.2f}"
    assert order.find("custom_2").get("header") == "Gift message"


@pytest.mark.django_db
def test_one_row_per_line_repeats_the_order_fields(merchant):
    first = place(merchant, email="a@example.com")
    mapping = export_mapping_save(
        merchant=merchant,
        name="Lines",
        format="csv",
        granularity="line",
        columns=[
            {"field": "order_id", "header": "ID"},
            {"field": "line_sku", "header": "SKU"},
            {"field": "line_quantity", "header": "Qty"},
        ],
    )
    first.lines.create(description="Second", sku="B-2", quantity=3, unit_price=Decimal("1.00"))
    rows = list(csv.reader(io.StringIO(export_bytes(mapping).decode("utf-8-sig"))))
    assert rows[0] == ["ID", "SKU", "Qty"]
    assert [r[0] for r in rows[1:]] == [first.order_id, first.order_id]
    assert rows[2][1:] == ["B-2", "3"]


@pytest.mark.django_db
def test_line_fields_in_a_row_per_order_mapping_are_refused(merchant):
    with pytest.raises(Exception, match="line fields need one row per line"):
        export_mapping_save(
            merchant=merchant,
            name="Bad",
            format="csv",
            granularity="order",
            columns=[{"field": "line_sku"}],
        )


@pytest.mark.django_db
def test_deleted_orders_and_other_merchants_orders_are_never_exported(merchant, other_merchant):
    kept = place(merchant, email="kept@example.com")
    gone = place(merchant, email="gone@example.com")
    soft_delete(gone)
    place(other_merchant, email="theirs@example.com")
    mapping = export_mapping_get(merchant=merchant)
    text = export_bytes(mapping, queryset=Order.objects.all()).decode("utf-8-sig")
    ids = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert ids == [kept.order_id]


@pytest.mark.django_db
def test_every_merchant_starts_with_a_standard_csv_default_mapping(merchant):
    mapping = export_mapping_get(merchant=merchant)
    assert (mapping.name, mapping.format, mapping.granularity, mapping.is_default) == (
        "Standard",
        "csv",
        "order",
        True,
    )
    assert export_mapping_standard_ensure(merchant=merchant).pk == mapping.pk


@pytest.mark.django_db
def test_a_new_default_mapping_replaces_the_old_default(merchant):
    export_mapping_get(merchant=merchant)
    mine = export_mapping_save(
        merchant=merchant,
        name="Mine",
        format="xlsx",
        granularity="order",
        columns=[{"field": "total"}],
        is_default=True,
    )
    assert list(ExportMapping.objects.filter(merchant=merchant, is_default=True)) == [mine]


@pytest.mark.django_db
def test_the_preview_shows_the_first_rows_with_renamed_headers(merchant):
    order = place(merchant, email="p@example.com")
    mapping = ExportMapping(
        merchant=merchant,
        name="tmp",
        format="csv",
        granularity="order",
        columns=[
            {"field": "total", "header": "Amount", "format": "thousands"},
            {"field": "order_id", "header": "Ref"},
        ],
    )
    headers, rows = export_preview(mapping=mapping)
    assert headers == ["Amount", "Ref"]
    assert rows == [[f"{order.total:,.2f}", order.order_id]]


@pytest.mark.django_db
def test_an_export_job_stores_its_file_for_the_stage(merchant, manager):
    place(merchant, email="x@example.com")
    mapping = export_mapping_get(merchant=merchant)
    job = export_start(merchant=merchant, mapping=mapping, stage="shipping", by=manager)
    job = job_run(job_id=job.pk)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result_file.name.endswith(".csv")
    with job.result_file.open("rb") as handle:
        lines = handle.read().decode("utf-8-sig").splitlines()
    shipping = Order.objects.filter(merchant=merchant, stage="shipping").count()
    assert len(lines) == 1 + shipping
    assert job.done == shipping


@pytest.mark.django_db
def test_export_orders_command_writes_the_file_and_refuses_unknown_mappings(
    merchant, tmp_path, capsys
):
    order = place(merchant, email="cmd@example.com")
    out = tmp_path / "orders.xlsx"
    call_command("export_orders", "--merchant", "DEMO", "--format", "xlsx", "--out", str(out))
    assert load_workbook(out).active["A2"].value == order.order_id
    with pytest.raises(SystemExit) as exited:
        call_command("export_orders", "--merchant", "DEMO", "--mapping", "Nope", "--out", str(out))
    assert exited.value.code == 1
    assert "no mapping named “Nope”" in capsys.readouterr().err


@pytest.mark.django_db
def test_an_export_of_selected_orders_writes_only_those(merchant, manager):
    chosen = place(merchant, email="chosen@example.com")
    place(merchant, email="left@example.com")
    mapping = export_mapping_get(merchant=merchant)
    job = export_start(merchant=merchant, mapping=mapping, by=manager, order_pks=[chosen.pk])
    job = job_run(job_id=job.pk)
    with job.result_file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [chosen.order_id]


@pytest.mark.django_db
def test_orders_are_read_in_pk_windows_that_cover_the_selection_once(merchant, other_merchant):
    mine = [place(merchant, email=f"w{n}@example.com") for n in range(5)]
    place(other_merchant, email="between@example.com")
    mine.append(place(merchant, email="late@example.com"))
    soft_delete(mine[2])
    span = OrderSpan.of(Order.objects.filter(merchant=merchant, deleted_at__isnull=True))
    assert (span.count, span.first, span.last) == (5, mine[0].pk, mine[-1].pk)
    windows = list(span.windows(2))
    assert windows[0][0] == mine[0].pk - 1
    assert windows[-1][1] == mine[-1].pk
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
    records = order_records(
        merchant=merchant, queryset=Order.objects.all(), fields=[FIELDS["order_id"]], chunk=2
    )
    assert [r.values[0] for r in records] == [o.order_id for o in mine if o != mine[2]]
    assert list(OrderSpan.of(Order.objects.none()).windows(2)) == []
