"""The rebill sweep on a real Celery worker, sent by the task name beat's schedule uses."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from backoffice.celery import app
from orders.models import Order
from tests.orders.auto_orders import approved_charges, subscribe
from tests.tools.test_worker import TIMEOUT, celery_worker_process  # noqa: F401 (fixture)

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_beat_s_rebill_task_bills_due_auto_orders_on_a_real_worker(
    celery_worker_process,  # noqa: F811
    merchant,
):
    worker = celery_worker_process
    today = timezone.localdate()
    due = subscribe(merchant, schedule="weekly", on=today - timedelta(days=7))
    later = subscribe(merchant, schedule="monthly", on=today, email="later@example.com")
    task_name = app.conf.beat_schedule["rebill-due-auto-orders"]["task"]

    app.send_task(task_name, queue=worker.queue)
    rebills = Order.objects.filter(source="rebill")
    deadline = time.monotonic() + TIMEOUT
    while not rebills.exists() and time.monotonic() < deadline:
        assert worker.process.poll() is None, worker.output()
        time.sleep(0.2)

    assert list(rebills.values_list("auto_order_code", flat=True)) == [due.code], worker.output()
    assert approved_charges(due) == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.next_rebill_on == today + timedelta(days=7)
    assert later.rebill_count == 0
    assert f"{task_name}[" in worker.output()
