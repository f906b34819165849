import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from backoffice.celery import app as celery_app
from orders.models import GatewayLedgerEntry, Order
from orders.services.quotes import QUOTE_SALT, quote_expire_due, quote_token
from orders.services.transitions import order_transition
from orders.states import PaymentMethod, PaymentStatus, Stage
from tests.factories import APPROVE_CARD, DECLINE_CARD, ItemFactory, place
from tests.lifecycle.conftest import one_time
from tests.lifecycle.entry_helpers import entry_data


@pytest.fixture
def eager_celery():
    """Run queued tasks in-process, so the email sent after commit lands in the outbox."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def quote_request(merchant):
    return place(merchant, method=PaymentMethod.QUOTE_REQUEST, card=None, email="quote@example.com")


def edit_data(**fields):
    return entry_data(
        lines=[
            {"sku": "DESK", "quantity": "2", "unit_price": "150.00"},
            {"description": "Assembly", "unit_price": "40.00"},
        ],
        shipping_total="25.00",
        shipping_method="Freight",
        **fields,
    )


def sent_quote(client, merchant, django_capture_on_commit_callbacks):
    ItemFactory(merchant=merchant, sku="DESK", price=Decimal("180.00"))
    order = quote_request(merchant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("quote-edit", args=[order.order_id]), edit_data(then="send"))
    assert response.status_code == 302
    order.refresh_from_db()
    return order


def test_editing_a_quote_recomputes_totals_and_records_the_change(manager_client, merchant):
    ItemFactory(merchant=merchant, sku="DESK", price=Decimal("180.00"))
    order = quote_request(merchant)
    response = manager_client.post(reverse("quote-edit", args=[order.order_id]), edit_data())
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.stage == Stage.QUOTE_REQUEST
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines.all()] == [
        ("DESK", 2, Decimal("150.00")),
        ("", 1, Decimal("40.00")),
    ]
    assert (order.subtotal, order.shipping_total, order.total) == (
        Decimal("340.00"),
        Decimal("25.00"),
        Decimal("365.00"),
    )
    event = order.events.get(type="order_edited")
    assert event.payload["changes"]["total"] == {"before": "25.00", "after": "365.00"}
    assert event.actor.username == "demo-manager"


def test_edited_quote_tax_follows_the_merchants_rate(manager_client, merchant):
    merchant.tax_rate = Decimal("0.0825")
    merchant.save()
    ItemFactory(merchant=merchant, sku="DESK", price=Decimal("180.00"))
    order = quote_request(merchant)
    manager_client.post(reverse("quote-edit", args=[order.order_id]), edit_data())
    order.refresh_from_db()
    # 340.00 × 8.25% = 28.05; + 25.00 shipping
    assert (order.tax, order.total) == (Decimal("28.05"), Decimal("393.05"))


def test_editor_shows_the_quote_in_the_entry_editor(manager_client, merchant):
    order = quote_request(merchant)
    html = manager_client.get(reverse("quote-edit", args=[order.order_id])).content.decode()
    assert "Save and send quote" in html
    assert 'id="totals"' in html


def test_sent_quote_accepted_with_an_approving_card_is_in_shipping_with_quoted_prices(
    manager_client, client, merchant, mailoutbox, eager_celery, django_capture_on_commit_callbacks
):
    order = sent_quote(manager_client, merchant, django_capture_on_commit_callbacks)
    assert order.stage == Stage.QUOTE_SENT
    (email,) = mailoutbox
    assert email.to == ["quote@example.com"]
    link = re.search(r"https?://\S+(/q/\S+/)", email.body).group(1)

    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "365.00" in page.content.decode()

    response = client.post(
        link,
        {"pay_with": "card", "card_number": APPROVE_CARD, "card_exp": "12/30", "card_cvv": "1"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING
    assert order.payment_status == PaymentStatus.PROCESSED
    assert order.total == Decimal("365.00")
    assert GatewayLedgerEntry.objects.get(operation="charge").amount == Decimal("365.00")
    event = order.events.get(type="order_transitioned", payload__transition="accept_quote")
    assert (event.actor, event.actor_label) == (None, "customer")
    assert "Thank you" in client.get(link).content.decode()


def test_declined_card_or_offline_method_sends_the_accepted_quote_to_receivables(client, merchant):
    declined, offline = quote_request(merchant), quote_request(merchant)
    for order in (declined, offline):
        order_transition(order=order, name="send_quote")
    client.post(
        reverse("quote-customer", args=[quote_token(order=declined)]),
        {"pay_with": "card", "card_number": DECLINE_CARD, "card_exp": "12/30"},
    )
    client.post(reverse("quote-customer", args=[quote_token(order=offline)]), {"pay_with": "wire"})
    declined.refresh_from_db()
    offline.refresh_from_db()
    assert (declined.stage, declined.payment_status) == (
        Stage.ACCOUNTS_RECEIVABLE,
        PaymentStatus.DECLINED,
    )
    assert (offline.stage, offline.payment_method) == (Stage.ACCOUNTS_RECEIVABLE, "wire")


def test_tampered_unsent_and_other_merchants_tokens_are_404(client, merchant, other_merchant):
    order = quote_request(merchant)
    unsent = quote_token(order=order)
    assert client.get(reverse("quote-customer", args=[unsent])).status_code == 404
    order_transition(order=order, name="send_quote")
    token = quote_token(order=order)
    assert client.get(reverse("quote-customer", args=[token])).status_code == 200
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(reverse("quote-customer", args=[tampered])).status_code == 404
    theirs = signing.dumps({"m": other_merchant.code, "o": order.order_id}, salt=QUOTE_SALT)
    assert client.get(reverse("quote-customer", args=[theirs])).status_code == 404


def test_beat_expires_quotes_after_the_merchants_days_and_their_links_404(client, merchant):
    merchant.quote_expiry_days = 10
    merchant.save()
    old, fresh = quote_request(merchant), quote_request(merchant)
    for order in (old, fresh):
        order_transition(order=order, name="send_quote")
    Order.objects.filter(pk=old.pk).update(quote_sent_at=timezone.now() - timedelta(days=11))

    assert quote_expire_due() == 1

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.stage, old.reject_reason) == (Stage.REJECTED, "quote_expired")
    assert fresh.stage == Stage.QUOTE_SENT
    assert old.events.get(payload__transition="expire_quote").actor_label == "beat"
    assert client.get(reverse("quote-customer", args=[quote_token(order=old)])).status_code == 404
    schedule = celery_app.conf.beat_schedule
    assert schedule["expire-quotes"]["task"] == "orders.tasks.quote_expire_due_task"


def test_staff_reject_a_quote_request(manager_client, merchant):
    order = quote_request(merchant)
    manager_client.post(
        reverse("order-transition", args=[order.order_id, "reject"]),
        {**one_time(), "expected_stage": Stage.QUOTE_REQUEST, "reject-reason": "customer_request"},
    )
    order.refresh_from_db()
    assert order.stage == Stage.REJECTED
