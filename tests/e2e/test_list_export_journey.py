"""Browser: on the Accounts Receivable list, select two orders, export them with a mapping,
watch the job page finish on a real Celery worker, and download the file: exactly those two.

As in test_bulk_list_journey, the job is queued after commit through Redis to a worker that
uses the live server's test database; only the queue's name is the worker's own.
"""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from orders.services.placement import CardMode
from tests.factories import member, place
from tools.exports.services import export_mapping_save

pytestmark = pytest.mark.django_db(transaction=True)


def test_export_two_selected_orders_from_a_stage_list(
    page,
    sign_in,
    merchant,
    jobs_on_worker,
):
    member(merchant, "manager", username="list-exporter")
    orders = [
        place(merchant, card_mode=CardMode.NO_CHARGE, email=f"due{n}@example.com") for n in range(3)
    ]
    export_mapping_save(
        merchant=merchant,
        name="IDs and totals",
        format="csv",
        granularity="order",
        columns=[{"field": "order_id", "header": "Reference"}, {"field": "total"}],
    )
    wanted = orders[:2]

    sign_in("list-exporter", "pw")
    page.goto("/stages/accounts-receivable/")
    expect(page.locator("#order-table tbody tr[data-order-id]")).to_have_count(3)
    for order in wanted:
        page.locator(f'tr[data-order-id="{order.order_id}"] input[name="order"]').check()
    expect(page.locator("#selected-count")).to_have_text("2 selected")

    page.locator("summary", has_text="More ▾").click()  # export is one of the grouped actions
    page.locator("summary", has_text="Export with a mapping").click()
    mapping = page.get_by_label("Mapping")
    expect(mapping.locator("option:checked")).to_have_text("Standard")  # the default
    mapping.select_option(label="IDs and totals")
    page.get_by_role("button", name="Export with a mapping", exact=True).click()

    page.wait_for_url("**/tools/jobs/*/")
    expect(page.locator(".job-params")).to_contain_text("Mapping: IDs and totals · CSV")
    progress = page.locator("#job-progress")
    expect(progress).to_have_attribute("data-status", "succeeded", timeout=30_000)
    expect(progress.locator(".job-done")).to_have_text("2 / 2")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download result file").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))

    assert rows[0] == ["Reference", "Total"]
    assert sorted(row[0] for row in rows[1:]) == sorted(o.order_id for o in wanted)
