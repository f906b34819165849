"""The auto-order screens: list and filters, the page's tabs and actions, forecast, Postpone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import AutoOrder, Order, OrderEvent
from tests.factories import ItemFactory, member
from tests.lifecycle.conftest import login, one_time
from tests.orders.auto_orders import subscribe
from tools.job_runner import job_run
from tools.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def auto_order(merchant, today):
    return subscribe(merchant, schedule="weekly", on=today - timedelta(days=2))


def test_the_list_shows_the_merchant_s_auto_orders_only(
    client, manager, merchant, auto_order, other_merchant, today
):
    subscribe(other_merchant, on=today, email="other@example.com")
    login(client, manager)
    response = client.get("/auto-orders/")
    assert response.status_code == 200
    body = response.content.decode()
    assert auto_order.code in body
    assert "other@example.com" not in body
    assert "25.00" in body  # the next rebill's amount


def test_the_list_filters(client, manager, merchant, auto_order, today):
    item = ItemFactory(merchant=merchant, sku="BEAN-1", auto_order_schedules=["monthly"])
    with_item = subscribe(merchant, on=today, email="zoe.fields@example.com", item=item)
    AutoOrder.objects.filter(pk=with_item.pk).update(failed_attempts=1)
    login(client, manager)

    def codes(**params) -> set[str]:
        rows = client.get("/auto-orders/", params).context["auto_orders"]
        return {row.code for row in rows}

    assert codes() == {auto_order.code, with_item.code}
    assert codes(item=item.pk) == {with_item.code}
    assert codes(failing="on") == {with_item.code}
    assert codes(customer="Sam") == {auto_order.code, with_item.code}
    assert codes(customer="zoe.fields@example.com") == {with_item.code}
    assert codes(original=auto_order.original_order.order_id.lower()) == {auto_order.code}
    assert codes(status="paused") == set()
    week = today + timedelta(days=7)
    assert codes(next_from=week.isoformat()) == {with_item.code}
    assert codes(next_to=(week - timedelta(days=1)).isoformat()) == {auto_order.code}


def test_the_list_runs_a_fixed_number_of_queries(
    client, manager, merchant, today, django_assert_max_num_queries
):
    for n in range(6):
        subscribe(merchant, on=today, email=f"q{n}@example.com")
    login(client, manager)
    with django_assert_max_num_queries(12):
        client.get("/auto-orders/")


@pytest.mark.parametrize("tab", ["details", "history", "future", "log"])
def test_every_tab_renders(client, manager, auto_order, tab):
    login(client, manager)
    response = client.get(f"/auto-orders/{auto_order.code}/", {"tab": tab})
    assert response.status_code == 200
    assert response.context["tab"] == tab


def test_another_merchant_s_auto_order_is_not_found(client, other_merchant, auto_order):
    login(client, member(other_merchant, "owner"))
    assert client.get(f"/auto-orders/{auto_order.code}/").status_code == 404
    assert client.post(f"/auto-orders/{auto_order.code}/skip/").status_code == 404


def test_pause_from_the_page_writes_an_event_on_the_original_order(
    client, manager, auto_order, today
):
    login(client, manager)
    until = today + timedelta(days=20)
    response = client.post(
        f"/auto-orders/{auto_order.code}/pause/", {"until": until.isoformat()}, follow=True
    )
    assert f"paused until {until:%Y-%m-%d}" in response.content.decode()
    auto_order.refresh_from_db()
    assert (auto_order.status, auto_order.paused_until) == ("paused", until)
    event = OrderEvent.objects.get(order=auto_order.original_order, type="auto_order_changed")
    assert (event.payload["action"], event.actor) == ("paused", manager)
    future = client.get(f"/auto-orders/{auto_order.code}/", {"tab": "future"}).context["projection"]
    assert future[0].on >= until


def test_a_bad_action_input_shows_a_message_and_changes_nothing(client, manager, auto_order, today):
    login(client, manager)
    response = client.post(
        f"/auto-orders/{auto_order.code}/pause/", {"until": today.isoformat()}, follow=True
    )
    assert "Pause until a date after today." in response.content.decode()
    response = client.post(f"/auto-orders/{auto_order.code}/cancel/", {"reason": ""}, follow=True)
    assert "This field is required." in response.content.decode()
    auto_order.refresh_from_db()
    assert auto_order.status == "active"


def test_rebill_now_from_the_page_shows_the_new_order_in_history(client, manager, auto_order):
    login(client, manager)
    response = client.post(f"/auto-orders/{auto_order.code}/rebill-now/", one_time(), follow=True)
    rebill = Order.objects.get(source="rebill")
    assert response.context["tab"] == "history"
    assert [o.order_id for o in response.context["history"]] == [rebill.order_id]
    assert (
        f"{auto_order.code}: rebilled as {rebill.order_id}. Charged 25.00 to Card ending 1111."
        in response.content.decode()
    )


def test_a_shipping_clerk_sees_no_actions_and_cannot_act(client, merchant, auto_order):
    login(client, member(merchant, "shipping"))
    response = client.get(f"/auto-orders/{auto_order.code}/")
    assert response.context["actions"] == []
    client.post(f"/auto-orders/{auto_order.code}/cancel/", {"reason": "no"})
    auto_order.refresh_from_db()
    assert auto_order.status == "active"


def test_the_forecast_draws_a_chart_and_a_table(client, manager, auto_order, today):
    login(client, manager)
    response = client.get("/auto-orders/forecast/")
    body = response.content.decode()
    assert response.context["forecast"].count == 8  # weekly: days 5, 12 … 54 of 60
    assert body.count("<rect ") == 60
    assert "<svg" in body


def test_the_postpone_tool_moves_next_rebills_as_a_job(client, manager, merchant, today):
    item = ItemFactory(merchant=merchant, sku="BEAN-2", auto_order_schedules=["weekly"])
    soon = subscribe(merchant, schedule="weekly", on=today, item=item, email="a@example.com")
    other = subscribe(merchant, schedule="weekly", on=today, email="b@example.com")
    login(client, manager)
    until = today + timedelta(days=30)
    response = client.post(
        "/auto-orders/postpone/",
        {
            "item": item.pk,
            "before": (today + timedelta(days=10)).isoformat(),
            "until": until.isoformat(),
        },
    )
    job = Job.objects.get()
    assert response.url == f"/tools/jobs/{job.pk}/"
    assert job.order_pks == [soon.original_order_id]
    assert (job.kind, job.params["operation"]) == ("operation", "postpone_auto_orders")

    job_run(job_id=job.pk)

    job.refresh_from_db()
    soon.refresh_from_db()
    other.refresh_from_db()
    assert (job.status, job.succeeded_count) == ("succeeded", 1)
    assert soon.next_rebill_on == until
    assert other.next_rebill_on == today + timedelta(days=7)
    event = OrderEvent.objects.get(order=soon.original_order, type="auto_order_changed")
    assert (event.payload["action"], event.payload["job_id"]) == ("postponed", job.pk)
    outcome = job.outcomes.get()
    assert outcome.message == f"{soon.code}: next rebill {until}"


def test_the_postpone_tool_refuses_when_nothing_matches(client, manager, merchant, today):
    item = ItemFactory(merchant=merchant, sku="BEAN-3", auto_order_schedules=["weekly"])
    login(client, manager)
    response = client.post(
        "/auto-orders/postpone/",
        {
            "item": item.pk,
            "before": today.isoformat(),
            "until": (today + timedelta(days=1)).isoformat(),
        },
    )
    assert "No active auto order of this item" in response.content.decode()
    assert not Job.objects.exists()


def test_an_item_s_quantity_price_and_schedule_are_edited_on_the_details_tab(
    client, manager, auto_order
):
    item = auto_order.items.get()
    login(client, manager)
    response = client.post(
        f"/auto-orders/{auto_order.code}/edit-item/",
        {"item": item.pk, "quantity": 3, "unit_price": "17.50", "schedule": "every_2_weeks"},
        follow=True,
    )
    assert "item changed." in response.content.decode()
    item.refresh_from_db()
    assert (item.quantity, str(item.unit_price), item.schedule) == (3, "17.50", "every_2_weeks")
    event = OrderEvent.objects.get(type="auto_order_changed", payload__action="item_changed")
    assert event.payload["changes"]["quantity"] == {"before": 1, "after": 3}
    future = client.get(f"/auto-orders/{auto_order.code}/", {"tab": "future"}).context["projection"]
    assert str(future[0].amount) == "57.50"

    response = client.post(
        f"/auto-orders/{auto_order.code}/edit-item/",
        {"item": item.pk, "quantity": 1, "unit_price": "1", "schedule": "hourly"},
        follow=True,
    )
    assert "Unknown schedule" in response.content.decode()
    item.refresh_from_db()
    assert item.quantity == 3
