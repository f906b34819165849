"""With Redis unreachable (Django's cache and the Celery broker at a closed port) the back office
keeps working: sessions are in the database, a job is stored and queued for later, and an email
that could not be queued says so on the timeline."""

import pytest
from django.core import mail

from orders.models import OrderEvent
from orders.states import Stage
from tests.factories import place
from tests.orders.builders import order_in_stage
from tools.models import Job

from .test_stage_screens import messages_of

QUEUED_LATER = "queued; it will start when the worker is reachable"


@pytest.mark.django_db
def test_sign_in_a_list_and_an_order_page_answer_with_redis_unreachable(
    client, merchant, manager, redis_unreachable
):
    order = place(merchant)

    response = client.post("/login/", {"username": manager.username, "password": "pw"})

    assert response.status_code == 302, response.content.decode()[:500]
    assert client.get("/").status_code == 200
    assert client.get("/stages/accounts-receivable/").status_code == 200
    page = client.get(f"/orders/{order.order_id}/")
    assert page.status_code == 200
    assert order.order_id in page.content.decode()


# Committed for real, so that job_create's on-commit hook meets the closed broker in the request.
@pytest.mark.django_db(transaction=True)
def test_a_job_started_with_the_broker_unreachable_is_kept_pending_and_said_queued(
    client, merchant, manager, redis_unreachable
):
    orders = [place(merchant, email=f"q{n}@example.com") for n in range(2)]
    client.force_login(manager)

    response = client.post(
        "/tools/jobs/new/append-note/",
        {"order_ids": " ".join(order.order_id for order in orders), "text": "Later"},
        follow=True,
    )

    assert response.status_code == 200
    job = Job.objects.get()
    assert messages_of(response) == [f"Job {job.pk} {QUEUED_LATER}: append a note to 2 orders."]
    assert "Waiting for a worker" in response.content.decode()
    assert (job.status, job.done, job.total) == (Job.Status.PENDING, 0, 2)


@pytest.mark.django_db(transaction=True)
def test_an_email_the_broker_cannot_take_is_recorded_as_not_queued(
    client, merchant, manager, redis_unreachable
):
    # Shipping it queues the shipment confirmation after the commit: that one is not queued.
    order = order_in_stage(merchant, Stage.COMPLETED)
    client.force_login(manager)

    response = client.post(f"/orders/{order.order_id}/email/shipment_confirmation/", follow=True)

    assert response.status_code == 200
    events = OrderEvent.objects.filter(order=order, type__startswith="order_email").order_by("pk")
    assert list(events.values_list("type", "payload__template", "payload__resend")) == [
        ("order_email_not_queued", "shipment_confirmation", None),  # on shipping
        ("order_email_not_queued", "shipment_confirmation", True),  # the resend
    ]
    assert events.last().actor == manager
    assert {event.payload["reason"] for event in events} == {"the task queue was unreachable"}
    assert mail.outbox == []
    page = client.get(f"/orders/{order.order_id}/").content.decode()
    assert "Email “shipment confirmation” not sent: the task queue was unreachable" in page
