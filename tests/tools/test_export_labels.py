"""A mapping's coded columns write codes by default, or the labels people read when asked."""

import csv
import io

import pytest
from defusedxml import ElementTree
from openpyxl import load_workbook

from orders.exceptions import InvalidInput
from orders.models import Order
from tests.factories import place
from tools.export_forms import ExportMappingForm
from tools.exports.services import (
    export_mapping_save,
    export_queryset,
    export_write,
    export_write_python,
)

pytestmark = pytest.mark.django_db

CODED = ["stage", "payment_method", "payment_status", "source", "card_brand"]


@pytest.fixture
def order(merchant):
    placed = place(merchant)
    Order.objects.filter(pk=placed.pk).update(card_brand="amex")
    return Order.objects.get(pk=placed.pk)


def mapping(merchant, fmt, values):
    columns = [{"field": "order_id", "header": "Order ID"}]
    columns += [{"field": name, "header": name, "values": values} for name in CODED]
    return export_mapping_save(
        merchant=merchant, name=f"{fmt} {values}", format=fmt, granularity="order", columns=columns
    )


def written(mapping, python=False) -> bytes:
    out = io.BytesIO()
    queryset = export_queryset(merchant=mapping.merchant)
    write = export_write_python if python else export_write
    write(mapping=mapping, queryset=queryset, out=out)
    return out.getvalue()


def labels_of(order) -> list[str]:
    return [
        order.get_stage_display(),
        order.get_payment_method_display(),
        order.get_payment_status_display(),
        order.get_source_display(),
        "American Express",
    ]


def codes_of(order) -> list[str]:
    return [order.stage, order.payment_method, order.payment_status, order.source, "amex"]


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_delimited_exports_write_codes_by_default_and_labels_when_chosen(
    merchant, order, fmt, delimiter
):
    for values, expected in (("code", codes_of(order)), ("label", labels_of(order))):
        chosen = mapping(merchant, fmt, values)
        copied, python = written(chosen), written(chosen, python=True)
        assert copied == python  # PostgreSQL's COPY and the Python writer agree
        _header, row = list(
            csv.reader(io.StringIO(copied.decode("utf-8-sig")), delimiter=delimiter)
        )
        assert row[1:] == expected


def test_xlsx_writes_labels_when_chosen(merchant, order):
    sheet = load_workbook(io.BytesIO(written(mapping(merchant, "xlsx", "label")))).active
    _header, row = [[cell.value for cell in r] for r in sheet.iter_rows()]
    assert row[1:] == labels_of(order)


def test_xml_writes_labels_under_the_field_s_own_element(merchant, order):
    root = ElementTree.fromstring(written(mapping(merchant, "xml", "label")))
    element = root.find("order")
    assert [element.find(name).text for name in CODED] == labels_of(order)


def test_only_coded_fields_take_labels(merchant):
    with pytest.raises(InvalidInput, match="Column 1: email has no labels"):
        export_mapping_save(
            merchant=merchant,
            name="bad",
            format="csv",
            granularity="order",
            columns=[{"field": "email", "values": "label"}],
        )


def test_the_text_editor_reads_and_writes_the_label_choice():
    form = ExportMappingForm(
        {"name": "m", "format": "csv", "granularity": "order", "columns": "stage | Stage | label"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["columns"] == [
        {"field": "stage", "header": "Stage", "format": "", "values": "label"}
    ]
    assert ExportMappingForm.columns_text(form.cleaned_data["columns"]) == "stage | Stage | label"
