"""Browser: filter the Accounts Receivable list, select two orders, process their payments as
a bulk job, and watch the job page's progress bar finish.

The job runs on a real Celery worker (the fixture of tests/tools/test_worker.py) against the
same test database the live server uses: the browser sees exactly what production shows while
a worker does the job. The job is queued as in production, after commit through Redis; only
the queue's name is the worker's own, so no other test's worker can take it.
"""

import pytest
from playwright.sync_api import expect

from orders.models import Order
from orders.services.placement import CardMode
from orders.states import Stage
from tests.e2e.conftest import confirm_step
from tests.factories import member, place

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_filters_receivables_and_processes_two_payments_as_a_bulk_job(
    page,
    sign_in,
    merchant,
    jobs_on_worker,
):
    member(merchant, "manager", username="lists-manager")
    wanted = [
        place(merchant, card_mode=CardMode.NO_CHARGE, email="due@example.com") for _ in range(2)
    ]
    other = place(merchant, card_mode=CardMode.NO_CHARGE, email="later@example.com")

    sign_in("lists-manager", "pw")
    page.goto("/stages/accounts-receivable/")
    rows = page.locator("#order-table tbody tr[data-order-id]")
    expect(rows).to_have_count(3)

    page.get_by_label("Search").fill("due@example.com")  # htmx swaps in the filtered rows
    expect(rows).to_have_count(2)
    assert "q=due%40example.com" in page.url  # the filter is in the shareable URL
    for order in wanted:
        page.locator(f'tr[data-order-id="{order.order_id}"] input[name="order"]').check()
    expect(page.locator("#selected-count")).to_have_text("2 selected")

    page.get_by_role("button", name="Process payment", exact=True).click()
    confirm_step(page, "Process payment on 2 orders totalling")

    page.wait_for_url("**/tools/jobs/*/")
    progress = page.locator("#job-progress")
    expect(progress).to_have_attribute("data-status", "succeeded", timeout=30_000)
    expect(progress.locator(".job-done")).to_have_text("2 / 2")
    expect(progress.locator("progress")).to_have_attribute("value", "2")
    expect(progress).to_contain_text("applied 2 · skipped 0 · failed 0")
    stages = dict(Order.objects.values_list("order_id", "stage"))
    assert [stages[o.order_id] for o in wanted] == [Stage.SHIPPING, Stage.SHIPPING]
    assert stages[other.order_id] == Stage.ACCOUNTS_RECEIVABLE
