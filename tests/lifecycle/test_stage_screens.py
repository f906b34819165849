"""Stage screens beyond the lists: pre-orders by item, and mark shipped from a pasted list."""

import datetime

import pytest

from orders.models import Role
from orders.states import Stage
from tests.factories import ItemFactory, member, place
from tests.orders.builders import order_in_stage
from tools.job_runner import job_run
from tools.models import Job

from .conftest import login

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_mark_shipped_from_a_pasted_list_runs_as_a_job_with_each_orders_tracking(
    manager_client, merchant, django_capture_on_commit_callbacks
):
    first, second = place(merchant), place(merchant)
    receivable = order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE)
    rows = (
        f"{first.order_id}\t1Z111\n"
        f"{second.order_id} → 1Z222, 1Z223\n"
        f"{receivable.order_id} 1Z333\n"
        "DEMO-9999999 1Z999\n"
    )

    with django_capture_on_commit_callbacks(execute=False):
        response = manager_client.post(
            "/stages/shipping/mark-shipped/",
            {"carrier": "UPS", "rows": rows, "do_not_notify": "on"},
            follow=True,
        )
    job = Job.objects.get()
    job_run(job_id=job.pk)

    assert response.redirect_chain[-1][0] == f"/tools/jobs/{job.pk}/"
    assert messages_of(response) == [
        f"Job {job.pk} started: mark 3 orders shipped. Not found: DEMO-9999999."
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.stage, second.stage) == (Stage.COMPLETED, Stage.COMPLETED)
    assert first.shipments.get().tracking_numbers == ["1Z111"]
    assert second.shipments.get().tracking_numbers == ["1Z222", "1Z223"]
    outcomes = dict(job.outcomes.values_list("order_id", "outcome"))
    assert outcomes == {
        first.order_id: "succeeded",
        second.order_id: "succeeded",
        receivable.order_id: "skipped",
    }
    assert (
        "not possible in Accounts Receivable"
        in job.outcomes.get(order_id=receivable.order_id).message
    )


def test_a_pasted_line_without_tracking_is_refused_and_no_job_starts(manager_client, merchant):
    order = place(merchant)

    response = manager_client.post(
        "/stages/shipping/mark-shipped/", {"carrier": "UPS", "rows": f"{order.order_id}\n"}
    )

    assert response.status_code == 200
    assert f"Line 1: {order.order_id} has no tracking number." in response.content.decode()
    assert not Job.objects.exists()


def test_bookkeeper_may_not_mark_shipped_from_a_list(client, merchant):
    order = place(merchant)
    login(client, member(merchant, Role.BOOKKEEPER))

    response = client.post(
        "/stages/shipping/mark-shipped/", {"carrier": "UPS", "rows": f"{order.order_id} 1Z1"}
    )

    assert response.status_code == 403
    assert not Job.objects.exists()


def test_pre_orders_are_grouped_by_item_with_the_expected_date(
    manager_client, merchant, other_merchant
):
    lamp = ItemFactory(
        merchant=merchant, sku="LAMP", pre_order=True, expected_date=datetime.date(2031, 5, 1)
    )
    desk = ItemFactory(
        merchant=merchant, sku="DESK", pre_order=True, expected_date=datetime.date(2031, 2, 1)
    )
    lamps = [place(merchant, item=lamp) for _ in range(2)]
    desks = [place(merchant, item=desk)]
    place(other_merchant, item=ItemFactory(merchant=other_merchant, sku="LAMP", pre_order=True))

    response = manager_client.get("/stages/pre-orders/items/")

    groups = response.context["groups"]
    assert [g.sku for g in groups] == ["DESK", "LAMP"]  # soonest expected first
    assert [o.order_id for o in groups[1].orders] == [o.order_id for o in lamps]
    assert [o.order_id for o in groups[0].orders] == [o.order_id for o in desks]
    assert "2031-05-01" in response.content.decode()


def test_release_all_orders_of_an_item_runs_as_a_job(
    manager_client, merchant, django_capture_on_commit_callbacks
):
    lamp = ItemFactory(merchant=merchant, pre_order=True)
    desk = ItemFactory(merchant=merchant, pre_order=True)
    lamps = [place(merchant, item=lamp) for _ in range(2)]
    waiting = place(merchant, item=desk)

    with django_capture_on_commit_callbacks(execute=False):
        response = manager_client.post("/stages/pre-orders/release/", {"item": lamp.pk})
    job = Job.objects.get()
    job_run(job_id=job.pk)

    assert response.url == f"/tools/jobs/{job.pk}/"
    for order in lamps:
        order.refresh_from_db()
        assert order.stage == Stage.SHIPPING
    waiting.refresh_from_db()
    assert waiting.stage == Stage.PRE_ORDER


def test_release_selected_pre_orders(manager_client, merchant, django_capture_on_commit_callbacks):
    lamp = ItemFactory(merchant=merchant, pre_order=True)
    chosen, left = place(merchant, item=lamp), place(merchant, item=lamp)

    with django_capture_on_commit_callbacks(execute=False):
        manager_client.post("/stages/pre-orders/release/", {"order": [chosen.order_id]})
    job_run(job_id=Job.objects.get().pk)

    chosen.refresh_from_db()
    left.refresh_from_db()
    assert (chosen.stage, left.stage) == (Stage.SHIPPING, Stage.PRE_ORDER)


def test_customer_service_may_not_release_pre_orders(client, merchant):
    lamp = ItemFactory(merchant=merchant, pre_order=True)
    place(merchant, item=lamp)
    login(client, member(merchant, Role.CUSTOMER_SERVICE))

    assert client.post("/stages/pre-orders/release/", {"item": lamp.pk}).status_code == 403
    assert not Job.objects.exists()
