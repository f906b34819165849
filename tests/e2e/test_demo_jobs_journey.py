"""In the demo (no broker), a job started from a screen runs in a thread of the server: the page
that started it is back at once, and the job page's progress bar moves until the job is done."""

import pytest
from playwright.sync_api import expect

import tools.job_runner
from orders.models import OrderNote
from tests.factories import MerchantFactory, member, place
from tests.tools.test_job_threads import RowLock


@pytest.fixture
def jobs_in_threads(settings, monkeypatch):
    settings.JOBS_IN_THREAD = True
    monkeypatch.setattr(tools.job_runner, "CHUNK_SIZE", 2)  # two chunks of two orders


def test_a_job_started_in_the_demo_shows_its_progress_bar_moving(
    page, sign_in, jobs_in_threads, needs_postgres
):
    merchant = MerchantFactory(code="DEMO")
    manager = member(merchant, "manager")
    orders = [place(merchant, email=f"j{n}@example.com") for n in range(4)]
    sign_in(manager.username, "pw")
    page.goto("/tools/jobs/new/append-note/")
    page.get_by_label("Order IDs").fill("\n".join(order.order_id for order in orders))
    page.get_by_label("Note").fill("Called the carrier")

    lock = RowLock(orders[2])  # the second chunk waits here until the test lets it go on
    try:
        page.get_by_role("button", name="Start job").click()
        progress = page.locator("#job-progress progress")
        expect(progress).to_have_attribute("value", "2")
        expect(page.locator("#job-progress")).to_have_attribute("data-status", "running")
    finally:
        lock.release()

    # The page asks again every second: the bar reaches the end without a reload.
    expect(progress).to_have_attribute("value", "4")
    expect(page.locator("#job-progress")).to_have_attribute("data-status", "succeeded")
    assert OrderNote.objects.filter(text="Called the carrier").count() == 4
