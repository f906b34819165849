"""The import streams: rows and errors are stored as they are read, a chunk at a time, and the
preview and the apply work from the stored rows in SQL."""

import threading
from decimal import Decimal

import pytest
from django.urls import reverse

from orders.events import order_costs_of
from orders.models import Order, OrderEvent
from tests.factories import member, place
from tests.tools.conftest import login
from tests.tools.costfiles import csv_bytes
from tools.imports.readahead import read_ahead
from tools.imports.reading import CostFileRefused
from tools.imports.services import (
    cost_file_preview,
    cost_import_apply_start,
    cost_import_preview,
)
from tools.job_runner import job_run
from tools.models import CostImport, CostImportChange, CostImportError, CostImportRow, Job

D = Decimal


def preview(merchant, rows, by=None):
    return cost_import_preview(merchant=merchant, name="costs.csv", content=csv_bytes(rows), by=by)


def apply(cost_import):
    return job_run(job_id=cost_import_apply_start(cost_import=cost_import).pk)


def costs(order):
    order.refresh_from_db()
    return (order.actual_shipping, order.actual_fulfillment, order.actual_payment)


@pytest.fixture
def small_chunks(monkeypatch):
    """Three rows per chunk, so a few rows cross several chunk boundaries."""
    monkeypatch.setattr("tools.imports.plan.CHUNK", 3)


@pytest.mark.django_db
def test_rows_for_one_order_across_chunks_apply_in_file_order(merchant, small_chunks):
    order, other = place(merchant, email="a@example.com"), place(merchant, email="b@example.com")
    rows = [
        [order.order_id, "5.00", "", "1.00"],  # row 2
        [other.order_id, "1.00", "", ""],
        ["DEMO-404", "1", "", ""],  # row 4: error, second chunk
        [order.order_id, "", "2.00", "0.50"],  # row 5
        [other.order_id, "bad", "", ""],  # row 6: error
        [order.order_id, "", "", ""],  # row 7: a valid row that changes nothing
        [order.order_id, "6.00", "", "-0.25"],  # row 8, third chunk
    ]
    cost_import = preview(merchant, rows)

    assert (cost_import.rows_read, cost_import.orders_matched) == (7, 2)
    assert [(e["row"], e["message"]) for e in cost_import.errors] == [
        (4, "no such order"),
        (6, "not an amount (e.g. 1234.50 or $1,234.50)"),
    ]
    assert cost_import.summary["repeated"] == {order.order_id: [2, 5, 7, 8]}
    first = cost_import.summary["changes"][0]
    assert (first["order_id"], first["rows"]) == (order.order_id, [2, 5, 7, 8])
    after = first["after"]
    assert (after["shipping"], after["fulfillment"], after["payment"]) == ("6.00", "2.00", "1.25")

    fixed = preview(merchant, [row for row in rows if row[0] != "DEMO-404" and row[1] != "bad"])
    apply(fixed)
    assert costs(order) == (D("6.00"), D("2.00"), D("1.25"))
    assert costs(other) == (D("1.00"), D("0.00"), D("0.00"))


@pytest.mark.django_db
def test_every_error_is_stored_and_the_page_shows_the_first(client, merchant):
    order = place(merchant, email="e@example.com")
    rows = [[order.order_id, "", "", f"{n}.001"] for n in range(130)]
    cost_import = preview(merchant, rows)

    assert cost_import.error_count == 130
    assert len(cost_import.errors) == 100
    assert CostImportError.objects.filter(cost_import=cost_import).count() == 130
    assert not CostImportRow.objects.filter(cost_import=cost_import).exists()
    login(client, member(merchant, "bookkeeper"))
    page = client.get(reverse("cost-import-detail", args=[cost_import.pk])).content.decode()
    assert "130 errors" in page
    assert "… and 30 more in the CSV." in page
    download = client.get(reverse("cost-import-errors", args=[cost_import.pk]))
    lines = download.content.decode().splitlines()
    assert len(lines) == 131
    assert lines[-1] == "131,Actual Payment,129.001,at most 2 decimals"


@pytest.mark.django_db
def test_a_clean_preview_stores_each_valid_row_once(merchant, orders):
    rows = [[o.order_id, "1.00", "", "0.10"] for o in orders] + [[orders[0].order_id, "2", "", ""]]
    cost_import = preview(merchant, rows)

    staged = CostImportRow.objects.filter(cost_import=cost_import).order_by("file_row")
    assert [(r.file_row, r.order_pk, r.shipping) for r in staged] == [
        (2, orders[0].pk, D("1.00")),
        (3, orders[1].pk, D("1.00")),
        (4, orders[2].pk, D("1.00")),
        (5, orders[0].pk, D("2.00")),
    ]
    assert cost_import.summary["repeated_count"] == 1


@pytest.mark.django_db
def test_a_dry_run_reports_every_error_in_row_order_and_stores_nothing(merchant, small_chunks):
    order = place(merchant, email="d@example.com")
    rows = [
        ["X-1", "1", "", ""],
        [order.order_id, "-1", "", "1.001"],
        [order.order_id, "1", "", ""],
    ]
    rows += [["X-2", "", "", ""]] * 3
    seen = []

    result = cost_file_preview(
        merchant=merchant, name="costs.csv", content=csv_bytes(rows), on_error=seen.append
    )

    assert [(e.row, e.column) for e in seen] == [
        (2, "Order ID"),
        (3, "Actual Shipping"),
        (3, "Actual Payment"),
        (5, "Order ID"),
        (6, "Order ID"),
        (7, "Order ID"),
    ]
    assert (result.plan.rows_read, result.plan.error_count, result.orders_matched) == (6, 6, 1)
    assert not CostImport.objects.exists()
    assert not CostImportRow.objects.exists()
    assert not CostImportError.objects.exists()


@pytest.mark.django_db
def test_apply_refuses_when_an_order_was_purged_since_the_preview(merchant, orders):
    cost_import = preview(merchant, [[o.order_id, "", "", "1.00"] for o in orders])
    job = cost_import_apply_start(cost_import=cost_import)
    gone = orders[1]
    Order.objects.filter(pk=gone.pk).delete()

    job = job_run(job_id=job.pk)

    assert job.status == Job.Status.FAILED
    assert f"order {gone.order_id} was deleted meanwhile" in job.error
    assert costs(orders[0])[2] == D("0.00")
    assert not CostImportChange.objects.exists()
    assert not OrderEvent.objects.filter(type="order_costs_imported").exists()
    cost_import.refresh_from_db()
    assert cost_import.status == "previewed"


@pytest.mark.django_db
def test_apply_starts_from_the_costs_as_they_are_when_it_runs(merchant, order_with_costs):
    order = order_with_costs
    cost_import = preview(merchant, [[order.order_id, "", "4.00", "1.50"]])
    Order.objects.filter(pk=order.pk).update(actual_payment=D("2.00"))  # changed meanwhile
    order.refresh_from_db()
    before = order_costs_of(order)

    apply(cost_import)

    order.refresh_from_db()
    assert (order.actual_fulfillment, order.actual_payment) == (D("4.00"), D("3.50"))
    assert order.actual_profit == order.compute_actual_profit()
    event = OrderEvent.objects.get(order=order, type="order_costs_imported")
    assert event.payload["before"] == {key: str(value) for key, value in before.items()}
    assert event.payload["after"] == {k: str(v) for k, v in order_costs_of(order).items()}
    change = CostImportChange.objects.get(cost_import=cost_import)
    assert (change.payment_before, change.payment_added) == (D("2.00"), D("1.50"))
    assert (change.fulfillment_before, change.shipping_before) == (D("0.50"), None)


@pytest.mark.django_db
def test_an_import_previewed_before_rows_were_staged_reads_its_upload_again(merchant, orders):
    cost_import = preview(merchant, [[o.order_id, "3.00", "", "0.20"] for o in orders])
    CostImportRow.objects.filter(cost_import=cost_import).delete()  # as imports made before

    job = apply(cost_import)

    assert job.status == Job.Status.SUCCEEDED
    assert [costs(o) for o in orders] == [(D("3.00"), D("0.00"), D("0.20"))] * 3
    assert OrderEvent.objects.filter(type="order_costs_imported").count() == 3


@pytest.fixture
def order_with_costs(merchant):
    order = place(merchant, email="c@example.com")
    Order.objects.filter(pk=order.pk).update(
        refunded_total=D("1.00"),
        actual_shipping=D("7.00"),
        actual_fulfillment=D("0.50"),
        actual_payment=D("0.90"),
        actual_profit=D("12.34"),
    )
    order.refresh_from_db()
    return order


@pytest.mark.django_db
def test_a_csv_unreadable_far_down_is_refused_after_chunks_were_stored_and_leaves_nothing(
    merchant, small_chunks
):
    order = place(merchant, email="f@example.com")
    content = csv_bytes([[order.order_id, "1.00", "", ""]] * 2000) + b"X-1,\xff\r\n"

    with pytest.raises(CostFileRefused, match=r"not UTF-8 \(unreadable byte at position \d+\)"):
        cost_import_preview(merchant=merchant, name="costs.csv", content=content)

    assert not CostImport.objects.exists()
    assert not CostImportRow.objects.exists()
    assert not CostImportError.objects.exists()


def test_read_ahead_stops_its_producer_when_the_consumer_stops():
    made = []

    def produce():
        for number in range(1000):
            made.append(number)
            yield number

    items = read_ahead(produce, depth=2)
    assert next(items) == 0
    items.close()  # the consumer gives up: the producer thread ends, and is joined

    assert len(made) <= 4
    assert not [t for t in threading.enumerate() if t.name == "read-ahead"]


def test_read_ahead_raises_the_producers_error_in_the_consumer():
    def produce():
        yield 1
        raise CostFileRefused("damaged sheet data")

    items = read_ahead(produce)
    assert next(items) == 1
    with pytest.raises(CostFileRefused, match="damaged sheet data"):
        next(items)
