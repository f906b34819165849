"""Outgoing webhooks against a real HTTP receiver on loopback: the outbox, signing, retries,
ordering per order, and at-least-once delivery across a worker that dies mid-request."""

import hashlib
import hmac
import ipaddress
import socket
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from orders.models import MerchantEvent, Order, Role
from orders.models.webhook import EndpointDelivery, OutboxMessage, WebhookTopic
from orders.selectors.documents import order_document, order_documents_queryset
from orders.services.transitions import order_transition
from orders.services.webhook_endpoints import (
    WebhookEndpointInvalid,
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_replay,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_set_active,
)
from orders.services.webhook_http import MAX_RESPONSE_BYTES, webhook_post
from orders.services.webhooks import (
    LEASE,
    SIGNATURE_HEADER,
    deliveries_claim,
    delivery_send,
    outbox_fan_out,
    webhooks_dispatch,
)
from orders.states import Stage
from tests.factories import place
from tests.tools.test_worker import celery_worker_process  # noqa: F401 (fixture)
from tests.webhook_receiver import webhook_receiver

ALL_TOPICS = list(WebhookTopic.values)
PLACED_AND_MOVED = ["order.placed", "order.stage_changed"]
Status = EndpointDelivery.Status


def verify(secret: str, header: str, body: bytes) -> bool:
    """What a receiver does: recompute the HMAC of "t." + body and compare with any v1."""
    parts = [part.split("=", 1) for part in header.split(",")]
    timestamp = next(value for key, value in parts if key == "t")
    signatures = [value for key, value in parts if key == "v1"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return any(hmac.compare_digest(expected.hexdigest(), value) for value in signatures)


def send_all(now=None) -> list[EndpointDelivery]:
    """One round: fan out, then send what is due (one delivery per order and endpoint)."""
    outbox_fan_out()
    return [delivery_send(delivery_pk=pk) for pk in deliveries_claim(now=now)]


def send_until_idle(now=None) -> list[EndpointDelivery]:
    sent: list[EndpointDelivery] = []
    while round_sent := send_all(now=now):
        sent += round_sent
    return sent


@pytest.fixture
def owner(merchant):
    from tests.factories import member

    return member(merchant, Role.OWNER)


@pytest.fixture
def receiver():
    with webhook_receiver() as running:
        yield running


@pytest.fixture
def endpoint(merchant, owner, receiver):
    """An endpoint for placements and stage changes (a placement also records its payment)."""
    return webhook_endpoint_create(
        merchant=merchant, url=receiver.url, topics=PLACED_AND_MOVED, by=owner
    )


def test_a_placed_order_is_sent_signed_with_the_order_as_the_read_api_shows_it(
    merchant, endpoint, receiver
):
    order = place(merchant)

    (delivery,) = send_all()

    assert delivery.status == Status.DELIVERED
    (request,) = receiver.requests
    assert verify(endpoint.secret, request.headers[SIGNATURE_HEADER], request.body)
    assert not verify("another secret", request.headers[SIGNATURE_HEADER], request.body)
    body = request.json
    assert body["type"] == "order.placed"
    assert body["merchant"] == merchant.code
    current = order_documents_queryset(Order.objects.filter(pk=order.pk)).get()
    assert body["data"]["object"] == order_document(current)
    assert request.headers["X-Backoffice-Event-Id"] == body["id"]


def test_a_change_that_rolls_back_sends_nothing(merchant, endpoint, receiver):
    def place_then_fail():
        with transaction.atomic():
            place(merchant)
            raise RuntimeError("the change fails after its event was written")

    with pytest.raises(RuntimeError):
        place_then_fail()

    assert not OutboxMessage.objects.exists()
    assert send_all() == []
    assert receiver.requests == []


def test_only_the_topics_an_endpoint_wants_reach_it(merchant, owner, receiver):
    webhook_endpoint_create(
        merchant=merchant, url=receiver.url, topics=["order.stage_changed"], by=owner
    )
    order = place(merchant)
    order_transition(order=order, name="hold", by=owner, via="test", reason="Check stock")

    send_all()

    assert [request.json["type"] for request in receiver.requests] == ["order.stage_changed"]
    assert receiver.requests[0].json["data"]["change"]["target"] == Stage.HOLD


def test_a_server_error_is_retried_later_and_then_delivered(merchant, endpoint, receiver):
    receiver.script = [500]
    place(merchant)

    (first,) = send_all()
    assert first.status == Status.PENDING
    assert first.last_status_code == 500
    assert first.next_attempt_at > timezone.now()
    assert send_all() == [], "not due yet: the backoff holds it"

    (second,) = send_all(now=first.next_attempt_at + timedelta(seconds=1))

    assert second.status == Status.DELIVERED
    assert second.attempts == 2
    assert len(set(receiver.event_ids())) == 1
    assert len(receiver.requests) == 2


def test_a_client_error_is_not_retried(merchant, endpoint, receiver):
    receiver.script = [400]
    place(merchant)

    (delivery,) = send_all()

    assert delivery.status == Status.FAILED
    assert send_all(now=timezone.now() + timedelta(hours=2)) == []
    assert len(receiver.requests) == 1


def test_too_many_requests_is_retried(merchant, endpoint, receiver):
    receiver.script = [429]
    place(merchant)

    (delivery,) = send_all()

    assert delivery.status == Status.PENDING


def test_a_later_change_of_an_order_waits_for_an_earlier_one_still_retrying(
    merchant, owner, endpoint, receiver
):
    receiver.script = [503]
    order = place(merchant)
    other = place(merchant, email="bob@example.com")
    order_transition(order=order, name="hold", by=owner, via="test", reason="Wait")

    first_round = send_all()

    sent = [request.json for request in receiver.requests]
    assert [body["data"]["object"]["order_id"] for body in sent] == [
        order.order_id,
        other.order_id,
    ], "the hold of the first order waits for its placement, which is retrying"
    retrying = next(d for d in first_round if d.status == Status.PENDING)

    send_until_idle(now=retrying.next_attempt_at + timedelta(seconds=1))

    types = [(r.json["data"]["object"]["order_id"], r.json["type"]) for r in receiver.requests]
    assert types[2:] == [(order.order_id, "order.placed"), (order.order_id, "order.stage_changed")]


def test_retries_stop_after_a_day_and_the_endpoint_is_paused_and_the_owner_told(
    merchant, owner, endpoint, receiver, django_capture_on_commit_callbacks
):
    owner.email = "owner@example.com"
    owner.save()
    receiver.script = [500] * 10
    place(merchant)
    (delivery,) = send_all()
    a_day_later = timezone.now() + timedelta(hours=24, minutes=1)
    EndpointDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    OutboxMessage.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
    endpoint.failing_since = timezone.now() - timedelta(hours=24, minutes=1)
    endpoint.save()

    with django_capture_on_commit_callbacks(execute=True):
        (last,) = send_all(now=a_day_later)

    endpoint.refresh_from_db()
    assert last.status == Status.FAILED
    assert not endpoint.active
    assert "failed for 24 hours" in endpoint.paused_reason
    assert [message.to for message in mail.outbox] == [["owner@example.com"]]


def test_a_paused_endpoint_gets_nothing_until_resumed_then_replay_sends_what_it_missed(
    merchant, owner, endpoint, receiver
):
    webhook_endpoint_set_active(endpoint=endpoint, active=False, by=owner)
    missed = place(merchant)
    assert send_all() == []

    webhook_endpoint_set_active(endpoint=endpoint, active=True, by=owner)
    count = webhook_endpoint_replay(
        endpoint=endpoint, since=timezone.now() - timedelta(hours=1), by=owner
    )
    send_all()

    assert count == 1
    assert [r.json["data"]["object"]["order_id"] for r in receiver.requests] == [missed.order_id]
    changes = MerchantEvent.objects.filter(merchant=merchant, type="webhook_endpoint_changed")
    assert [event.payload["change"] for event in changes.order_by("id")] == [
        "created",
        "paused",
        "resumed",
        "replayed",
    ]


def test_resend_sends_the_same_event_again(merchant, owner, endpoint, receiver):
    place(merchant)
    (delivery,) = send_all()

    webhook_delivery_resend(delivery=delivery, by=owner)
    send_all()

    assert len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body


def test_after_a_rotation_both_secrets_sign_until_the_overlap_ends(
    merchant, owner, endpoint, receiver
):
    old_secret = endpoint.secret
    rotated = webhook_endpoint_rotate_secret(endpoint=endpoint, by=owner)
    place(merchant)

    send_all()

    request = receiver.requests[0]
    assert rotated.secret != old_secret
    assert verify(rotated.secret, request.headers[SIGNATURE_HEADER], request.body)
    assert verify(old_secret, request.headers[SIGNATURE_HEADER], request.body)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "https://user:pw@example.com/hook",
        "not a url",
    ],
)
def test_bad_addresses_are_refused_with_a_reason(merchant, owner, url):
    with pytest.raises(WebhookEndpointInvalid):
        webhook_endpoint_create(merchant=merchant, url=url, topics=ALL_TOPICS, by=owner)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/hook",
    ],
)
def test_outside_debug_only_public_https_addresses_are_accepted(merchant, owner, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    settings.DEBUG = False
    with pytest.raises(WebhookEndpointInvalid):
        webhook_endpoint_create(merchant=merchant, url=url, topics=ALL_TOPICS, by=owner)


def test_a_name_that_resolves_to_a_private_address_is_not_called(
    merchant, owner, endpoint, receiver, settings
):
    """The check happens at send time on the resolved address, so a name that passes the form's
    check but points inside (or is re-pointed there later: DNS rebinding) is refused. The
    machine's own host name stands for such a name: it resolves to a local address."""
    host = socket.gethostname()
    resolved = ipaddress.ip_address(socket.getaddrinfo(host, 443)[0][4][0])
    assert not resolved.is_global, f"{host} should resolve to a local address, not {resolved}"
    place(merchant)
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    settings.DEBUG = False
    EndpointDelivery.objects.all().delete()
    type(endpoint).objects.filter(pk=endpoint.pk).update(
        url=receiver.url.replace("http://127.0.0.1", f"https://{host}")
    )

    (delivery,) = send_all()

    assert receiver.requests == []
    assert delivery.status == Status.FAILED, "a refused address is not retried"
    assert "private address" in delivery.last_error


def test_a_large_answer_is_read_only_up_to_its_cap(receiver):
    receiver.answer_bytes = 1_000_000

    result = webhook_post(url=receiver.url, body=b"{}", headers={})

    assert result.status == 200
    assert len(result.body) == MAX_RESPONSE_BYTES


def test_a_redirect_is_not_followed(receiver):
    receiver.script = [302]

    result = webhook_post(url=receiver.url, body=b"{}", headers={})

    assert result.status == 302
    assert not result.delivered
    assert len(receiver.requests) == 1


def test_the_delivery_log_keeps_the_answer_and_its_time(merchant, endpoint, receiver):
    place(merchant)

    (delivery,) = send_all()

    assert delivery.last_response == '{"ok": true}'
    assert delivery.last_status_code == 200
    assert delivery.last_duration_ms is not None


def test_the_dispatch_drains_the_outbox(merchant, endpoint, receiver):
    for index in range(3):
        place(merchant, email=f"buyer{index}@example.com")

    totals = webhooks_dispatch(seconds=10)

    assert totals["fanned_out"] == OutboxMessage.objects.count()
    assert totals["sent"] == 3
    assert len(receiver.requests) == 3
    assert not OutboxMessage.objects.filter(fanned_out_at__isnull=True).exists()


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_delivers_at_least_once(request, merchant, receiver):
    """A real Celery worker takes the delivery; the receiver holds the request while the
    worker is killed; after the lease another run sends it again with the same event id."""
    from orders.tasks import webhooks_dispatch_task
    from tests.factories import member

    worker = request.getfixturevalue("celery_worker_process")
    owner = member(merchant, Role.OWNER)
    webhook_endpoint_create(merchant=merchant, url=receiver.url, topics=PLACED_AND_MOVED, by=owner)
    receiver.script = [0]  # hold the first request until released
    place(merchant)

    webhooks_dispatch_task.apply_async(queue=worker.queue)
    assert receiver.arrived.wait(timeout=60), worker.output()
    worker.process.kill()
    worker.process.wait(timeout=10)
    receiver.release.set()
    time.sleep(0.2)
    delivery = EndpointDelivery.objects.get()
    assert delivery.status == Status.SENDING, "the dead worker never recorded an answer"

    send_all(now=timezone.now() + LEASE + timedelta(seconds=1))

    assert len(receiver.requests) == 2
    assert len(set(receiver.event_ids())) == 1, "the receiver deduplicates by event id"
    assert EndpointDelivery.objects.get().status == Status.DELIVERED
