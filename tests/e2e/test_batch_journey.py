"""Batch journey in a browser: set custom field 3 over an order ID range, preview, run on a
real worker, watch the progress bar, download the report."""

import csv
import io

import pytest
from playwright.sync_api import expect

from bench.seed import orders_seed
from orders.models import Order
from tests.factories import member
from tests.tools.test_worker_batch import _clean_queue, _spawn, _stop

pytestmark = pytest.mark.django_db(transaction=True)
DEFAULT_QUEUE = "celery"  # the view's jobs go to Celery's default queue


@pytest.fixture
def default_queue_worker(needs_postgres, needs_redis, tmp_path):
    _clean_queue(DEFAULT_QUEUE)
    worker = _spawn(DEFAULT_QUEUE, tmp_path / "worker.log")
    yield worker
    _stop(worker)
    _clean_queue(DEFAULT_QUEUE)


def test_batch_sets_custom_field_3_over_a_range_and_reports(
    page, sign_in, merchant, default_queue_worker
):
    pks = orders_seed(merchant=merchant, count=600)
    orders = list(Order.objects.filter(pk__in=pks).order_by("order_number"))
    first, last = orders[50], orders[549]
    Order.objects.filter(pk=orders[60].pk).update(custom_3="rush")  # already set: skipped
    member(merchant, "manager", username="batcher")
    sign_in("batcher", "pw")

    page.goto("/tools/batch/")
    page.get_by_label("An order ID range").check()
    page.get_by_label("From order").fill(first.order_id)
    page.get_by_label("To order").fill(last.order_id)
    page.get_by_label("Operation").select_option("set_custom_field")
    expect(page.get_by_label("Custom field")).to_be_visible()  # its inputs appeared
    page.get_by_label("Custom field").select_option("3")
    page.get_by_label("Value").fill("rush")
    page.get_by_role("button", name="Preview").click()

    expect(page.locator('[data-preview="count"]')).to_have_text("500")
    expect(page.locator('[data-preview="applies"]')).to_have_text("499")
    expect(page.locator(f'tr[data-order="{orders[60].order_id}"]')).to_contain_text(
        "will skip: already has that value"
    )
    page.get_by_role("button", name="Run on 500 orders").click()

    expect(page.locator("#job-progress progress")).to_be_visible()
    expect(page.locator("#job-progress")).to_have_attribute(
        "data-status", "succeeded", timeout=120_000
    )
    expect(page.locator(".job-done")).to_have_text("500 / 500")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download report (CSV)").click()
    report = list(csv.reader(io.StringIO(download_info.value.path().read_text())))

    assert report[0] == ["order_id", "outcome", "message"]
    outcomes = {row[0]: row[1] for row in report[1:]}
    assert len(outcomes) == 500
    assert outcomes[orders[60].order_id] == "skipped"
    assert list(outcomes.values()).count("succeeded") == 499
    assert Order.objects.filter(pk__in=pks, custom_3="rush").count() == 500
