"""An export and a cost import on a real Celery worker over Redis, against the test database."""

from decimal import Decimal

import pytest

from orders.models import Order, OrderEvent
from tests.factories import place
from tests.tools.costfiles import csv_bytes
from tests.tools.test_worker import celery_worker_process, wait_for_job_end
from tools.exports.services import export_mapping_get, export_start
from tools.imports.services import cost_import_apply_start, cost_import_preview
from tools.models import Job

__all__ = ["celery_worker_process"]  # the fixture, shared with test_worker


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_export_and_a_cost_import_run_on_a_real_worker(celery_worker_process, merchant, manager):
    worker = celery_worker_process
    orders = [place(merchant, email=f"w{n}@example.com") for n in range(3)]

    mapping = export_mapping_get(merchant=merchant)
    job = export_start(merchant=merchant, mapping=mapping, by=manager, queue=worker.queue)
    job = wait_for_job_end(job, worker)
    assert job.status == Job.Status.SUCCEEDED, worker.output()
    with job.result_file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    assert all(order.order_id in text for order in orders)

    rows = [[order.order_id, "4.00", "", "0.50"] for order in orders]
    cost_import = cost_import_preview(merchant=merchant, name="c.csv", content=csv_bytes(rows))
    job = cost_import_apply_start(cost_import=cost_import, by=manager, queue=worker.queue)
    job = wait_for_job_end(job, worker)
    assert job.status == Job.Status.SUCCEEDED, worker.output()
    assert set(Order.objects.values_list("actual_shipping", "actual_payment")) == {
        (Decimal("4.00"), Decimal("0.50"))
    }
    assert OrderEvent.objects.filter(type="order_costs_imported").count() == 3
