"""The signed settlement webhook and the simulate_clearance command."""

import json
import time
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orders.models import Order, OrderEvent, PaymentTransaction, WebhookDelivery
from orders.services.clearance import SIGNATURE_HEADER, webhook_sign
from orders.states import PaymentMethod, PaymentStatus, Stage
from tests.factories import ItemFactory, place

URL = "/webhooks/payments/test/"


@pytest.fixture
def pending(merchant):
    return place(merchant, method=PaymentMethod.ECHECK, card=None)


def event_body(order: Order, type_: str = "payment.settled", **fields) -> dict:
    return {"id": f"evt_{uuid.uuid4().hex}", "type": type_, "order_id": order.order_id, **fields}


def deliver(client, body, *, timestamp=None, secret=None, signature=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    header = (
        signature
        if signature is not None
        else webhook_sign(raw, timestamp=timestamp, secret=secret)
    )
    return client.post(
        URL, data=raw, content_type="application/json", headers={SIGNATURE_HEADER: header}
    )


def state(order: Order) -> tuple:
    fresh = Order.objects.get(pk=order.pk)
    return (
        fresh.stage,
        fresh.payment_status,
        fresh.updated_at,
        OrderEvent.objects.filter(order=order).count(),
        PaymentTransaction.objects.filter(order=order).count(),
    )


def test_a_settled_echeck_moves_the_order_to_shipping(client, pending):
    response = deliver(client, event_body(pending, reference="bank-ref-1"))

    assert response.status_code == 200
    assert response.json() == {"ok": True, "applied": "confirm_clearance"}
    pending.refresh_from_db()
    assert pending.stage == Stage.SHIPPING
    assert pending.payment_status == PaymentStatus.PROCESSED
    assert pending.paid_at is not None
    settlement = pending.transactions.get(kind=PaymentTransaction.Kind.SETTLEMENT)
    assert (settlement.result, settlement.amount) == ("approved", pending.total)
    assert settlement.gateway_reference == "bank-ref-1"
    event = pending.events.get(type="order_transitioned")
    assert event.actor_label == "webhook:test"
    assert (event.payload["source"], event.payload["target"]) == (
        Stage.PENDING_CLEARANCE,
        Stage.SHIPPING,
    )


def test_a_settled_echeck_with_nothing_to_ship_completes_the_order(client, merchant):
    order = place(
        merchant,
        method=PaymentMethod.ECHECK,
        card=None,
        item=ItemFactory(merchant=merchant, shippable=False),
    )

    assert deliver(client, event_body(order)).status_code == 200

    order.refresh_from_db()
    assert order.stage == Stage.COMPLETED


def test_a_returned_echeck_moves_the_order_to_accounts_receivable(client, pending):
    response = deliver(client, event_body(pending, "payment.returned"))

    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.stage == Stage.ACCOUNTS_RECEIVABLE
    assert pending.payment_status == PaymentStatus.DECLINED
    settlement = pending.transactions.get(kind=PaymentTransaction.Kind.SETTLEMENT)
    assert settlement.result == "declined"


@pytest.mark.parametrize(
    "signature",
    ["", "garbage", "t=abc,v1=00", f"t={int(time.time())},v1={'0' * 64}"],
    ids=["missing", "garbage", "bad-timestamp", "wrong-digest"],
)
def test_a_badly_signed_webhook_is_refused_and_changes_nothing(client, pending, signature):
    before = state(pending)

    response = deliver(client, event_body(pending), signature=signature)

    assert response.status_code == 400
    assert state(pending) == before
    assert not WebhookDelivery.objects.exists()


def test_a_webhook_signed_with_another_secret_is_refused(client, pending):
    before = state(pending)

    response = deliver(client, event_body(pending), secret="not-our-secret")

    assert response.status_code == 400
    assert "signature" in response.json()["error"].lower()
    assert state(pending) == before


def test_a_tampered_body_is_refused(client, pending):
    body = json.dumps(event_body(pending)).encode()
    signature = webhook_sign(body)
    tampered = body.replace(b"payment.settled", b"payment.returned")
    before = state(pending)

    response = deliver(client, tampered, signature=signature)

    assert response.status_code == 400
    assert state(pending) == before


def test_a_stale_webhook_is_refused(client, pending, settings):
    before = state(pending)

    response = deliver(
        client,
        event_body(pending),
        timestamp=int(time.time()) - settings.PAYMENT_WEBHOOK_TOLERANCE - 60,
    )

    assert response.status_code == 400
    assert "stale" in response.json()["error"].lower()
    assert state(pending) == before


def test_a_replayed_event_is_refused_and_changes_nothing(client, pending):
    body = event_body(pending)
    assert deliver(client, body).status_code == 200
    after_first = state(pending)

    replay = deliver(client, body)

    assert replay.status_code == 400
    assert "replay" in replay.json()["error"].lower()
    assert state(pending) == after_first
    assert pending.events.filter(type="order_transitioned").count() == 1
    assert WebhookDelivery.objects.count() == 1


def test_a_second_event_for_a_settled_order_is_refused(client, pending):
    assert deliver(client, event_body(pending)).status_code == 200
    after_first = state(pending)

    response = deliver(client, event_body(pending, "payment.returned"))

    assert response.status_code == 400
    assert state(pending) == after_first


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'"text"',
        b'{"id": "evt_1", "type": "payment.settled"}',
        b'{"id": "evt_1", "type": "payment.refunded", "order_id": "DEMO-0000001"}',
        b'{"id": "evt_1", "type": "payment.settled", "order_id": "DEMO-9999999"}',
        b'{"id": "evt_1", "type": "payment.settled", "order_id": {"a": 1}}',
        b'{"id": ["evt_1"], "type": "payment.settled", "order_id": "DEMO-0000001"}',
        (
            '{"id": "' + "e" * 500 + '", "type": "payment.settled", "order_id": "DEMO-0000001"}'
        ).encode(),
    ],
    ids=[
        "not-json",
        "not-utf8",
        "list",
        "string",
        "no-order",
        "unknown-type",
        "unknown-order",
        "order-id-object",
        "id-list",
        "id-too-long",
    ],
)
def test_a_signed_but_malformed_event_is_refused_without_a_server_error(client, pending, body):
    before = state(pending)

    response = deliver(client, body)

    assert response.status_code == 400
    assert state(pending) == before
    assert not WebhookDelivery.objects.exists()


def test_an_overlong_reference_is_cut_to_fit(client, pending):
    response = deliver(client, event_body(pending, reference="r" * 500))

    assert response.status_code == 200
    settlement = pending.transactions.get(kind=PaymentTransaction.Kind.SETTLEMENT)
    assert settlement.gateway_reference == "r" * 100


def test_an_unknown_gateway_is_not_found(client, pending):
    body = json.dumps(event_body(pending)).encode()
    response = client.post(
        "/webhooks/payments/acme/",
        data=body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: webhook_sign(body)},
    )

    assert response.status_code == 404


def test_the_webhook_only_accepts_post(client):
    assert client.get(URL).status_code == 405


# ---- simulate_clearance -------------------------------------------------------------------


def test_simulate_clearance_settles_through_the_webhook(pending, capsys):
    call_command("simulate_clearance", pending.order_id)

    pending.refresh_from_db()
    assert pending.stage == Stage.SHIPPING
    assert pending.transactions.filter(kind=PaymentTransaction.Kind.SETTLEMENT).exists()
    assert WebhookDelivery.objects.count() == 1
    charge = pending.transactions.get(kind=PaymentTransaction.Kind.CHARGE)
    assert WebhookDelivery.objects.get().payload["reference"] == charge.gateway_reference
    assert "confirm_clearance" in capsys.readouterr().out


def test_simulate_clearance_fail_returns_the_payment(pending):
    call_command("simulate_clearance", pending.order_id, "--fail")

    pending.refresh_from_db()
    assert pending.stage == Stage.ACCOUNTS_RECEIVABLE
    assert pending.payment_status == PaymentStatus.DECLINED


def test_simulate_clearance_of_an_unknown_order_is_an_error(db):
    with pytest.raises(CommandError, match="No order"):
        call_command("simulate_clearance", "DEMO-0999999")


def test_simulate_clearance_of_an_order_not_pending_is_an_error(merchant):
    order = place(merchant)

    with pytest.raises(CommandError, match="not pending clearance"):
        call_command("simulate_clearance", order.order_id)

    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING


def test_simulate_clearance_works_behind_https_only_settings(pending, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["backoffice.example.com"]

    call_command("simulate_clearance", pending.order_id)

    pending.refresh_from_db()
    assert pending.stage == Stage.SHIPPING


def test_a_cleared_echeck_can_be_refunded_through_the_gateway(merchant):
    from orders.models import GatewayLedgerEntry
    from orders.services.refunds import order_refund

    order = place(merchant, method=PaymentMethod.ECHECK, card=None)
    call_command("simulate_clearance", order.order_id, stdout=StringIO())

    order_refund(order=order, full=True, notify=False)

    order.refresh_from_db()
    assert order.payment_status == "refunded"
    assert GatewayLedgerEntry.objects.filter(operation="refund", result="approved").count() == 1
