"""The case email task on a real Celery worker over Redis, against the test database."""

import time

import pytest

from orders.models import OrderEvent
from orders.tasks import case_email_send_task
from tests.factories import place
from tests.orders.disputes import open_case
from tests.tools.test_worker import TIMEOUT, celery_worker_process  # noqa: F401 (fixture)


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_reply_email_task_runs_on_a_real_worker(request, merchant, manager):
    worker = request.getfixturevalue("celery_worker_process")
    order = place(merchant, email="ann@example.com")
    case = open_case(order, manager)
    # Sent by hand to the worker's own queue (the on-commit hook uses the default queue).
    message = case.messages.create(kind="merchant", body="Sent by the worker", author=manager)

    case_email_send_task.apply_async(("customer", message.pk), queue=worker.queue)

    deadline = time.monotonic() + TIMEOUT
    sent = OrderEvent.objects.filter(order=order, type="order_email_sent")
    while not sent.exists() and time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(f"The worker exited early:\n{worker.output()}")
        time.sleep(0.2)
    event = sent.first()
    assert event is not None, worker.output()
    assert event.payload == {"template": "case_reply", "to": "ann@example.com"}
