"""Browser: build an export mapping by picking columns (no typing of `field | header` lines),
export with it, then find the jobs on the jobs list with their counts and open the orders a job
changed. Jobs run in this process, as the worker would (a real worker runs them in
tests/tools/test_worker_exports.py and the bulk journeys)."""

import pytest
from playwright.sync_api import expect

from orders.services.fields import order_tag_change
from orders.states import Stage
from tests.factories import member, place
from tools.job_runner import job_run
from tools.models import ExportMapping, Job
from tools.operations.registry import operation_get, operation_job_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_pick_columns_export_and_open_the_orders_a_job_changed(page, sign_in, merchant):
    manager = member(merchant, "manager", username="picker-manager")
    orders = [place(merchant, email=f"pick{n}@example.com") for n in range(3)]
    order_tag_change(order=orders[0], name="audit-2026", add=True, by=manager)
    sign_in("picker-manager", "pw")

    # Start from the standard columns: drop Order ID, add it back and move it up, and write
    # the stage as labels under a header of its own.
    page.goto("/tools/export/mappings/new/")
    page.get_by_label("Name").fill("Picked")
    first_field = page.get_by_label("Field of column 1", exact=True)
    expect(first_field).to_have_value("order_id")
    page.get_by_role("button", name="Remove column 1", exact=True).click()
    expect(page.get_by_label("Field of column 1", exact=True)).to_have_value("stage")
    page.get_by_label("Add a column").select_option(label="Order ID")
    page.get_by_role("button", name="Add column").click()
    last = page.locator(".mapping-columns tbody tr").count()
    expect(page.get_by_label(f"Field of column {last}", exact=True)).to_have_value("order_id")
    page.get_by_role("button", name=f"Move column {last} up", exact=True).click()
    expect(page.get_by_label(f"Field of column {last - 1}", exact=True)).to_have_value("order_id")
    page.get_by_label("Header of column 1", exact=True).fill("Where")
    page.get_by_label("Values of column 1: codes or labels").select_option("label")
    preview = page.locator("#mapping-preview")
    expect(preview.locator("th").first).to_have_text("Where")
    expect(preview).to_contain_text("Shipping")
    expect(page.locator("#mapping-problem")).to_be_empty()
    page.get_by_role("button", name="Save mapping").click()
    expect(page.get_by_role("link", name="Picked")).to_be_visible()
    picked = ExportMapping.objects.get(merchant=merchant, name="Picked")
    assert picked.columns[0] == {
        "field": "stage",
        "header": "Where",
        "format": "",
        "values": "label",
    }
    assert picked.columns[-2] == {"field": "order_id", "header": "Order ID", "format": ""}
    assert [c["field"] for c in picked.columns].count("order_id") == 1

    # Export the Shipping stage with it.
    page.goto("/tools/export/")
    page.get_by_label("Mapping").select_option(label="Picked")
    page.get_by_label("Stage").select_option("shipping")
    page.get_by_role("button", name="Export").click()
    page.wait_for_url("**/tools/jobs/*/")
    job_run(job_id=Job.objects.filter(kind="export").latest("pk").pk)

    # A tag job over the three orders: one already has the tag.
    tagging = operation_job_create(
        merchant=merchant,
        operation=operation_get("add_tag"),
        inputs={"name": "audit-2026"},
        order_pks=[o.pk for o in orders],
        by=manager,
    )
    job_run(job_id=tagging.pk)

    page.goto("/tools/jobs/")
    rows = page.locator("table.job-table tbody tr")
    expect(rows).to_have_count(2)
    tag_row, export_row = rows.nth(0), rows.nth(1)
    expect(export_row).to_contain_text("Export with “Picked” · CSV · Shipping")
    expect(export_row).to_contain_text("applied 3 · skipped 0 · failed 0")
    expect(export_row).to_contain_text("picker-manager")
    expect(export_row).to_contain_text("3 orders exported")
    expect(tag_row).to_contain_text("applied 2 · skipped 1 · failed 0")
    tag_row.get_by_role("link", name="2 orders changed").click()

    page.wait_for_url(f"**/tools/jobs/{tagging.pk}/?outcome=succeeded#job-orders")
    listed = page.locator("#job-orders tbody tr")
    expect(listed).to_have_count(2)
    listed.first.get_by_role("link").click()
    page.wait_for_url("**/orders/*/")
    expect(page.locator("body")).to_contain_text("audit-2026")
    assert {o.stage for o in orders} == {Stage.SHIPPING}
