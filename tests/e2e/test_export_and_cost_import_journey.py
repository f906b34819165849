import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from orders.models import Order
from orders.states import Stage
from tests.factories import member, place
from tests.tools.costfiles import csv_bytes
from tools.job_runner import job_run
from tools.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


def run_latest_job(kind: str) -> None:
    # The live server queues the job; the test process is the worker here (a real Celery
    # worker runs these jobs in tests/tools/test_worker_exports.py).
    job_run(job_id=Job.objects.filter(kind=kind).latest("pk").pk)


def upload_costs(page, content: bytes) -> None:
    """Upload: the import's page shows the file being read until its preview job has run,
    then (polling by itself) the preview."""
    page.goto("/tools/import-costs/")
    page.get_by_label("Cost file").set_input_files(
        {"name": "costs.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".import-reading")).to_contain_text("Reading costs.csv")
    run_latest_job("cost_import_preview")
    expect(page.locator(".import-reading")).to_have_count(0)


def test_mapping_export_and_cost_import_journey(page, sign_in, merchant):
    manager = member(merchant, "manager", username="demo-manager")
    manager.set_password("demo")
    manager.save()
    receivable = [
        place(merchant, email=f"ar{n}@example.com", card_mode="no_charge") for n in range(2)
    ]
    assert {o.stage for o in receivable} == {Stage.ACCOUNTS_RECEIVABLE}
    sign_in("demo-manager")

    # A mapping with reordered columns and a renamed header, typed in the advanced text view
    # and previewed live (the column picker's journey is test_mapping_picker_journey.py).
    page.goto("/tools/export/mappings/new/?view=text")
    page.get_by_label("Name").fill("Accounting")
    page.get_by_label("Format").select_option("xlsx")
    page.get_by_label("Columns").fill("total | Amount\norder_id | Reference")
    expect(page.locator("#mapping-preview th").first).to_have_text("Amount")
    page.get_by_role("button", name="Save mapping").click()
    expect(page.get_by_role("link", name="Accounting")).to_be_visible()

    # Export the A/R stage as XLSX and download it.
    page.goto("/tools/export/")
    page.get_by_label("Mapping").select_option(label="Accounting")
    page.get_by_label("Stage").select_option("accounts-receivable")
    page.get_by_role("button", name="Export").click()
    run_latest_job("export")
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download result file").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Amount", "Reference")
    assert sorted(r[1] for r in rows[1:]) == sorted(o.order_id for o in receivable)
    assert all(isinstance(r[0], int | float) for r in rows[1:])

    # A cost file with one error, then fixed, applied, and uploaded again.
    order = receivable[0]
    profit_before = Order.objects.get(pk=order.pk).actual_profit
    upload_costs(page, csv_bytes([[order.order_id, "7.25", "", "1.234"]]))
    expect(page.locator(".import-errors")).to_contain_text(
        "row 2 Actual Payment “1.234”: at most 2 decimals"
    )
    expect(page.get_by_role("button", name="Apply")).to_be_disabled()

    fixed = csv_bytes([[order.order_id, "7.25", "", "1.25"]])
    upload_costs(page, fixed)
    expect(page.locator(".import-changes")).to_contain_text("0.00 → 7.25")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#cost-import")).to_have_attribute("data-status", "applying")
    run_latest_job("cost_import_apply")
    expect(page.locator("#cost-import")).to_have_attribute("data-status", "applied")
    page.goto(f"/orders/{order.order_id}/")
    expected = profit_before - Decimal("8.50")
    expect(page.locator("dt:text-is('Actual profit') + dd")).to_have_text(f"{expected:,.2f}")

    upload_costs(page, fixed)
    expect(page.locator(".duplicate-warning")).to_contain_text("already applied on")
    expect(page.locator(".duplicate-warning")).to_contain_text("by demo-manager")
