"""The owner's webhook screens: add an endpoint, see its secret once, read its log."""

import pytest

from orders.models import Role
from orders.models.webhook import EndpointDelivery, OutboxMessage, WebhookEndpoint
from orders.services.webhook_endpoints import webhook_endpoint_create
from tests.factories import member, place


@pytest.fixture
def owner(merchant):
    return member(merchant, Role.OWNER)


def test_an_owner_adds_an_endpoint_and_sees_its_secret_once(client, owner, merchant):
    client.force_login(owner)

    response = client.post(
        "/settings/webhooks/",
        {"url": "https://erp.example.com/in", "topics": ["order.placed", "order.shipped"]},
    )

    endpoint = WebhookEndpoint.objects.get(merchant=merchant)
    assert endpoint.topics == ["order.placed", "order.shipped"]
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in client.get("/settings/webhooks/").content.decode()
    assert endpoint.secret not in client.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "ftp://erp.example.com/in", "topics": ["order.placed"]}, "must start with"),
        ({"url": "https://erp.example.com/in", "topics": []}, "This field is required"),
        ({"url": "https://erp.example.com/in", "topics": ["order.nothing"]}, "not one of"),
    ],
)
def test_a_bad_endpoint_is_refused_with_a_reason_and_nothing_is_added(client, owner, data, message):
    client.force_login(owner)

    response = client.post("/settings/webhooks/", data)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_another_merchants_endpoint_is_not_found(client, owner, other_merchant):
    theirs = webhook_endpoint_create(
        merchant=other_merchant, url="https://x.example.com/", topics=["order.placed"], by=None
    )
    client.force_login(owner)

    assert client.get(f"/settings/webhooks/{theirs.pk}/").status_code == 404
    assert client.post(f"/settings/webhooks/{theirs.pk}/pause/").status_code == 404
    assert WebhookEndpoint.objects.get(pk=theirs.pk).active


def test_the_delivery_log_shows_each_delivery_and_its_body_on_demand(client, owner, merchant):
    endpoint = webhook_endpoint_create(
        merchant=merchant, url="https://erp.example.com/in", topics=["order.placed"], by=owner
    )
    order = place(merchant)
    message = OutboxMessage.objects.get(topic="order.placed", order_pk=order.pk)
    message.body = {"id": str(message.event_id), "data": {"object": {"order_id": order.order_id}}}
    message.save()
    delivery = EndpointDelivery.objects.create(
        endpoint=endpoint,
        message=message,
        order_pk=order.pk,
        status=EndpointDelivery.Status.PENDING,
        attempts=2,
        last_status_code=503,
        last_duration_ms=41,
    )
    client.force_login(owner)

    log = client.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    detail = client.get(f"/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/")

    assert "Order placed" in log
    assert "503" in log
    assert "41 ms" in log
    assert order.order_id in detail.content.decode()
    assert str(message.event_id) in detail.content.decode()


def test_replay_needs_a_time_in_the_past(client, owner, merchant):
    endpoint = webhook_endpoint_create(
        merchant=merchant, url="https://erp.example.com/in", topics=["order.placed"], by=owner
    )
    client.force_login(owner)

    response = client.post(
        f"/settings/webhooks/{endpoint.pk}/replay/", {"since": "2999-01-01T00:00"}, follow=True
    )

    assert "Choose a time in the past." in response.content.decode()
