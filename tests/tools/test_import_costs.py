from decimal import Decimal

import pytest

from orders.models import Order, OrderEvent
from tests.factories import MerchantFactory, member, place
from tests.tools.conftest import soft_delete
from tests.tools.costfiles import HEADER, csv_bytes, xlsx_bytes
from tools.imports.reading import CostFileRefused
from tools.imports.services import (
    cost_errors_csv,
    cost_import_apply_start,
    cost_import_preview,
    cost_import_undo_start,
)
from tools.job_runner import job_run
from tools.models import CostImport, Job

D = Decimal


@pytest.fixture
def bookkeeper(merchant):
    return member(merchant, "bookkeeper")


@pytest.fixture
def order(merchant):
    return place(merchant, email="costs@example.com")


def preview(merchant, content, name="costs.csv", by=None):
    return cost_import_preview(merchant=merchant, name=name, content=content, by=by)


def apply(cost_import, by=None, allow_duplicate=False):
    job = cost_import_apply_start(cost_import=cost_import, by=by, allow_duplicate=allow_duplicate)
    return job_run(job_id=job.pk)


def costs(order):
    order.refresh_from_db()
    return (order.actual_shipping, order.actual_fulfillment, order.actual_payment)


def refused(merchant, content, name="costs.csv") -> str:
    with pytest.raises(CostFileRefused) as caught:
        preview(merchant, content, name)
    assert CostImport.objects.count() == 0
    return str(caught.value)


# ---- headers -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_header_names_match_ignoring_case_surrounding_spaces_and_order(merchant, order):
    header = ["  actual PAYMENT ", "ORDER ID", " Actual shipping"]
    cost_import = preview(merchant, csv_bytes([["1.50", order.order_id, "7.25"]], header=header))
    apply(cost_import)
    assert costs(order) == (D("7.25"), D("0.00"), D("1.50"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["Actual Shipping", "Actual Payment"], "“Order ID” column is missing"),
        (["Order ID", "Actual Shipping", "Shipping Cost"], "Unknown column “Shipping Cost”"),
        (["Order ID", "Actual Payment", "actual payment"], "“Actual Payment” appears twice"),
    ],
)
def test_a_bad_header_refuses_the_file_naming_the_expected_columns(
    merchant, order, header, expected
):
    message = refused(merchant, csv_bytes([[order.order_id, "1", "2"]], header=header))
    assert expected in message
    assert "Order ID (required), Actual Shipping, Actual Fulfillment, Actual Payment" in message


# ---- cells ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_blank_cells_leave_costs_alone_and_zero_sets_them_to_zero(merchant, order):
    apply(preview(merchant, csv_bytes([[order.order_id, "5.00", "3.00", "1.00"]])))
    apply(preview(merchant, csv_bytes([[order.order_id, "", "0", ""]])))
    assert costs(order) == (D("5.00"), D("0.00"), D("1.00"))


@pytest.mark.django_db
def test_amounts_may_carry_a_currency_symbol_and_thousands_separators(merchant, order):
    apply(preview(merchant, csv_bytes([[order.order_id, "$1,234.50", "€ 2", "-$0.30"]])))
    assert costs(order) == (D("1234.50"), D("2.00"), D("-0.30"))


@pytest.mark.django_db
def test_three_decimals_are_an_error_for_that_row_and_column(merchant, order):
    cost_import = preview(merchant, csv_bytes([[order.order_id, "", "", "12.345"]]))
    assert cost_import.errors == [
        {"row": 2, "column": "Actual Payment", "value": "12.345", "message": "at most 2 decimals"}
    ]
    with pytest.raises(Exception, match="has errors"):
        cost_import_apply_start(cost_import=cost_import)
    assert costs(order) == (D("0.00"), D("0.00"), D("0.00"))


@pytest.mark.django_db
def test_text_that_is_not_an_amount_is_an_error(merchant, order):
    cost_import = preview(merchant, csv_bytes([[order.order_id, "about 5", "1.2.3", "5$"]]))
    assert [error["column"] for error in cost_import.errors] == [
        "Actual Shipping",
        "Actual Fulfillment",
        "Actual Payment",
    ]


@pytest.mark.django_db
def test_negative_payment_is_added_and_negative_shipping_is_refused(merchant, order):
    apply(preview(merchant, csv_bytes([[order.order_id, "", "", "2.90"]])))
    apply(preview(merchant, csv_bytes([[order.order_id, "", "", "-0.40"]])))
    assert costs(order)[2] == D("2.50")
    cost_import = preview(merchant, csv_bytes([[order.order_id, "-1.00", "-2", ""]]))
    assert [(e["column"], e["message"]) for e in cost_import.errors] == [
        ("Actual Shipping", "cannot be negative"),
        ("Actual Fulfillment", "cannot be negative"),
    ]


@pytest.mark.django_db
def test_actual_payment_adds_to_existing_cost_and_profit_is_recomputed(merchant, order):
    before_profit = Order.objects.get(pk=order.pk).compute_actual_profit()
    apply(preview(merchant, csv_bytes([[order.order_id, "7.10", "1.00", "2.90"]])))
    order.refresh_from_db()
    assert order.actual_profit == before_profit - D("11.00")


@pytest.mark.django_db
def test_empty_rows_are_ignored_and_rows_keep_their_file_numbers(merchant, order):
    content = csv_bytes(
        [["", "", "", ""], [order.order_id, "1", "", ""], ["", ""], ["X-1", "", "", ""]]
    )
    cost_import = preview(merchant, content)
    assert cost_import.rows_read == 2
    assert cost_import.errors == [
        {"row": 5, "column": "Order ID", "value": "X-1", "message": "no such order"}
    ]


@pytest.mark.django_db
def test_a_value_without_an_order_id_is_an_error(merchant, order):
    cost_import = preview(merchant, csv_bytes([["", "1.00", "", ""]]))
    assert cost_import.errors[0]["message"] == "Order ID is required"


@pytest.mark.django_db
def test_a_file_with_only_a_header_is_refused_as_nothing_to_import(merchant):
    assert "nothing to import" in refused(merchant, csv_bytes([["", "", "", ""]]))


@pytest.mark.django_db
def test_several_rows_for_one_order_apply_in_file_order_and_are_pointed_out(merchant, order):
    rows = [
        [order.order_id, "5.00", "", "1.00"],
        [order.order_id, "", "2.00", "0.50"],
        [order.order_id, "6.00", "", "0.25"],
    ]
    cost_import = preview(merchant, csv_bytes(rows))
    assert cost_import.summary["repeated"] == {order.order_id: [2, 3, 4]}
    apply(cost_import)
    assert costs(order) == (D("6.00"), D("2.00"), D("1.75"))
    assert OrderEvent.objects.filter(order=order, type="order_costs_imported").count() == 1


@pytest.mark.django_db
def test_unknown_deleted_and_other_merchants_order_ids_are_errors(merchant, other_merchant):
    deleted = place(merchant, email="gone@example.com")
    soft_delete(deleted)
    theirs = place(other_merchant, email="theirs@example.com")
    rows = [
        ["DEMO-99", "1", "", ""],
        [deleted.order_id, "1", "", ""],
        [theirs.order_id, "1", "", ""],
    ]
    cost_import = preview(merchant, csv_bytes(rows))
    assert [(e["row"], e["message"]) for e in cost_import.errors] == [
        (2, "no such order"),
        (3, "deleted order"),
        (4, "another merchant's order"),
    ]
    assert "no such order" in cost_errors_csv(errors=cost_import.errors)


@pytest.mark.django_db
def test_a_csv_with_a_byte_order_mark_reads_like_one_without(merchant, order):
    apply(preview(merchant, csv_bytes([[order.order_id, "4.00", "", ""]], bom=True)))
    assert costs(order)[0] == D("4.00")


@pytest.mark.django_db
def test_a_csv_that_is_not_utf8_is_refused(merchant, order):
    content = csv_bytes([[order.order_id, "1", "", ""]]).replace(
        b"Order", "Ördér".encode("latin-1")
    )
    assert "not UTF-8" in refused(merchant, content)


@pytest.mark.django_db
def test_only_the_first_sheet_of_a_workbook_is_read_with_typed_numbers(merchant, order):
    content = xlsx_bytes(
        (HEADER, [[order.order_id, 7.1, 0, 2]]),
        (HEADER, [[order.order_id, 99, 99, 99]]),
    )
    apply(preview(merchant, content, name="costs.xlsx"))
    assert costs(order) == (D("7.10"), D("0.00"), D("2.00"))


@pytest.mark.django_db
def test_old_xls_and_other_formats_and_damaged_workbooks_are_refused(merchant):
    assert ".xls files are not supported" in refused(
        merchant, b"\xd0\xcf\x11\xe0" + b"\0" * 600, "c.xls"
    )
    assert "Upload an .xlsx workbook or a .csv" in refused(merchant, b"%PDF-1.4", "costs.pdf")
    assert "cannot be read" in refused(merchant, b"PK\x03\x04broken", "costs.xlsx")


@pytest.mark.django_db
def test_uploads_over_the_size_limit_are_refused(merchant, settings):
    settings.COST_IMPORT_MAX_UPLOAD_BYTES = 100
    assert "larger than the limit" in refused(merchant, csv_bytes([["X-1", "1", "", ""]] * 20))


@pytest.mark.django_db
def test_a_workbook_that_would_expand_too_far_is_refused_before_parsing(merchant, settings):
    content = xlsx_bytes((HEADER, [["X-1", "1", "", ""]] * 200))
    settings.COST_IMPORT_MAX_EXPANDED_BYTES = 2000
    assert "would expand" in refused(merchant, content, "costs.xlsx")


# ---- apply, twice, undo -----------------------------------------------------------------------


@pytest.mark.django_db
def test_apply_writes_one_event_per_order_with_before_after_and_the_import_id(
    merchant, order, bookkeeper
):
    other = place(merchant, email="second@example.com")
    rows = [[order.order_id, "7.25", "", "1.50"], [other.order_id, "3.00", "", ""]]
    cost_import = preview(merchant, csv_bytes(rows), by=bookkeeper)
    job = apply(cost_import, by=bookkeeper)
    assert (job.status, job.kind, job.done) == (Job.Status.SUCCEEDED, "cost_import_apply", 2)
    event = OrderEvent.objects.get(order=order, type="order_costs_imported")
    assert event.payload["import_id"] == cost_import.pk
    assert event.payload["before"]["shipping"] == "0.00"
    assert event.payload["after"]["shipping"] == "7.25"
    assert event.actor == bookkeeper
    cost_import.refresh_from_db()
    assert (cost_import.status, cost_import.applied_by) == ("applied", bookkeeper)


@pytest.mark.django_db
def test_apply_is_all_or_nothing_when_an_order_is_deleted_before_the_job_runs(merchant, order):
    other = place(merchant, email="second@example.com")
    cost_import = preview(
        merchant, csv_bytes([[order.order_id, "1", "", ""], [other.order_id, "1", "", ""]])
    )
    job = cost_import_apply_start(cost_import=cost_import)
    soft_delete(other)
    job = job_run(job_id=job.pk)
    assert job.status == Job.Status.FAILED
    assert "no longer applies" in job.error
    assert costs(order) == (D("0.00"), D("0.00"), D("0.00"))
    assert not OrderEvent.objects.filter(type="order_costs_imported").exists()
    cost_import.refresh_from_db()
    assert cost_import.status == "previewed"


@pytest.mark.django_db
def test_running_the_apply_job_twice_adds_payment_once(merchant, order):
    cost_import = preview(merchant, csv_bytes([[order.order_id, "", "", "1.50"]]))
    job = cost_import_apply_start(cost_import=cost_import)
    job_run(job_id=job.pk)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    job_run(job_id=job.pk)
    assert costs(order)[2] == D("1.50")


@pytest.mark.django_db
def test_the_same_file_imported_twice_warns_and_needs_confirmation(merchant, order, bookkeeper):
    content = csv_bytes([[order.order_id, "", "", "1.50"]])
    apply(preview(merchant, content, by=bookkeeper), by=bookkeeper)
    second = preview(merchant, content, by=bookkeeper)
    with pytest.raises(Exception, match=r"already applied on .* by demo-bookkeeper"):
        cost_import_apply_start(cost_import=second, by=bookkeeper)
    assert costs(order)[2] == D("1.50")
    apply(second, by=bookkeeper, allow_duplicate=True)
    assert costs(order)[2] == D("3.00")


@pytest.mark.django_db
def test_the_same_rows_in_another_format_count_as_imported_twice(merchant, order):
    apply(preview(merchant, csv_bytes([[order.order_id, "2.5", "", ""]])))
    again = preview(merchant, xlsx_bytes((HEADER, [[order.order_id, 2.5, None, None]])), "c.xlsx")
    with pytest.raises(Exception, match="already applied"):
        cost_import_apply_start(cost_import=again)


@pytest.mark.django_db
def test_undo_restores_replaced_values_subtracts_payment_and_leaves_orders_changed_since(
    merchant, order
):
    other = place(merchant, email="second@example.com")
    apply(preview(merchant, csv_bytes([[order.order_id, "4.00", "", "1.00"]])))
    cost_import = preview(
        merchant,
        csv_bytes([[order.order_id, "9.00", "2.00", "0.50"], [other.order_id, "5.00", "", ""]]),
    )
    apply(cost_import)
    later = preview(merchant, csv_bytes([[other.order_id, "6.00", "", ""]]))
    apply(later)

    job = job_run(job_id=cost_import_undo_start(cost_import=cost_import).pk)

    assert job.status == Job.Status.SUCCEEDED
    assert costs(order) == (D("4.00"), D("0.00"), D("1.00"))
    assert costs(other)[0] == D("6.00")
    cost_import.refresh_from_db()
    assert cost_import.status == "undone"
    assert cost_import.undo_skipped == [
        {"order_id": other.order_id, "reason": "shipping changed since the import"}
    ]
    order.refresh_from_db()
    assert order.actual_profit == order.compute_actual_profit()
    assert OrderEvent.objects.filter(order=order, type="order_costs_import_undone").count() == 1


@pytest.mark.django_db
def test_another_merchants_staff_cannot_preview_an_import(merchant, order):
    stranger = member(MerchantFactory(code="ZED"), "bookkeeper")
    with pytest.raises(Exception, match="may not import"):
        preview(merchant, csv_bytes([[order.order_id, "1", "", ""]]), by=stranger)


@pytest.mark.django_db
def test_apply_runs_the_same_number_of_queries_for_one_order_or_many(merchant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (1, 4):
        placed = [place(merchant, email=f"q{n}-{i}@example.com") for i in range(n)]
        cost_import = preview(merchant, csv_bytes([[o.order_id, "1", "", ""] for o in placed]))
        job = cost_import_apply_start(cost_import=cost_import)
        with CaptureQueriesContext(connection) as queries:
            job_run(job_id=job.pk)
        counts.append(len(queries))
    assert counts[0] == counts[1]
