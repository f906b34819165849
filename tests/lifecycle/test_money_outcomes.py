"""Every screen that moves money says what the gateway answered: a decline is a warning that
names its reason, never a success (order entry, order page, bulk job, auto order, quote page);
and Accounts Receivable, auto orders and the customer can try another card."""

import re
from datetime import timedelta

import pytest
from django.contrib import messages as django_messages
from django.urls import reverse
from django.utils import timezone

from orders.models import AutoOrder, Order, OrderEvent
from orders.payments import CardDetails
from orders.selectors.customers import customer_saved_cards_list
from orders.services.placement import CardMode
from orders.services.quotes import quote_token
from orders.services.transitions import order_transition
from orders.states import PaymentMethod, PaymentStatus, Stage
from tests.factories import DECLINE_CARD, INSUFFICIENT_FUNDS_CARD, member, place
from tests.orders.auto_orders import subscribe
from tools.job_runner import job_run
from tools.models import Job, JobItemOutcome

from .conftest import login, one_time
from .entry_helpers import entry_data

pytestmark = pytest.mark.django_db


def flashed(response) -> list[tuple[int, str]]:
    return [(message.level, str(message)) for message in response.context["messages"]]


def declined_receivable(merchant, card: str = DECLINE_CARD, **kwargs) -> Order:
    return place(merchant, card=card, card_mode=CardMode.NO_CHARGE, **kwargs)


def test_order_entry_with_a_declining_card_warns_with_the_reason(manager_client):
    response = manager_client.post(
        "/orders/new/", entry_data(card_number=INSUFFICIENT_FUNDS_CARD), follow=True
    )

    order = Order.objects.get()
    [(level, text)] = flashed(response)
    assert level == django_messages.WARNING
    assert text == (
        f"{order.order_id} placed; now in Accounts Receivable. Declined for insufficient funds: "
        "the charge of 25.00 to Visa ending 9995 did not go through (the gateway said: "
        "Insufficient funds). No money moved."
    )
    assert 'class="message warning' in response.content.decode()


def test_order_entry_with_an_approved_card_says_what_it_charged(manager_client):
    response = manager_client.post("/orders/new/", entry_data(), follow=True)

    order = Order.objects.get()
    assert flashed(response) == [
        (
            django_messages.SUCCESS,
            f"{order.order_id} placed; now in Shipping. Charged 25.00 to Visa ending 1111.",
        )
    ]


def test_process_payment_on_a_declined_card_is_a_warning_naming_the_reason(
    manager_client, merchant
):
    order = declined_receivable(merchant)

    response = manager_client.post(
        f"/orders/{order.order_id}/transition/process_payment/",
        {**one_time(), "expected_stage": Stage.ACCOUNTS_RECEIVABLE},
        follow=True,
    )

    [(level, text)] = flashed(response)
    assert level == django_messages.WARNING
    assert text.startswith(f"{order.order_id}: Process payment: Card declined: the charge of")
    assert text.endswith("No money moved. It stays in Accounts Receivable.")
    assert "done" not in text
    # The order page keeps saying why while the order waits for payment.
    page = response.content.decode()
    assert "Last payment attempt:" in page
    assert 'data-payment-outcome="declined"' in page


def test_bulk_process_payment_fails_declined_items_with_the_reason_on_the_job_page(
    manager_client, merchant, django_capture_on_commit_callbacks
):
    good = declined_receivable(merchant, card="4111111111111111", email="good@example.com")
    bad = declined_receivable(merchant, card=INSUFFICIENT_FUNDS_CARD, email="bad@example.com")

    with django_capture_on_commit_callbacks(execute=False):
        manager_client.post(
            "/stages/accounts-receivable/bulk/",
            {"operation": "process_payment", "order": [good.pk, bad.pk], "confirmed": "1"},
        )
    job = Job.objects.get()
    job_run(job_id=job.pk)

    outcomes = {o.order_pk: o for o in JobItemOutcome.objects.filter(job=job)}
    assert outcomes[good.pk].outcome == "succeeded"
    assert outcomes[bad.pk].outcome == "failed"
    assert "Declined for insufficient funds" in outcomes[bad.pk].message
    page = manager_client.get(f"/tools/jobs/{job.pk}/").content.decode()
    assert 'class="outcome-failed"' in page
    assert "Declined for insufficient funds" in page


def test_rebill_now_on_a_declining_card_is_a_warning_naming_the_reason(client, merchant, manager):
    auto_order = subscribe(merchant, schedule="weekly", on=timezone.localdate() - timedelta(days=2))
    AutoOrder.objects.filter(pk=auto_order.pk).update(
        gateway_token=f"tgw_x_ok_{DECLINE_CARD[-4:]}", card_last4=DECLINE_CARD[-4:]
    )
    login(client, manager)

    response = client.post(f"/auto-orders/{auto_order.code}/rebill-now/", one_time(), follow=True)

    [(level, text)] = flashed(response)
    assert level == django_messages.WARNING
    assert "Card declined: the charge of" in text
    assert "No money moved." in text


# ---- another card ------------------------------------------------------------------------


def other_card_post(order: Order, number: str = "5555 5555 5555 4444", **extra) -> dict:
    return {
        "expected_stage": Stage.ACCOUNTS_RECEIVABLE,
        "charge_other_card-card_number": number,
        "charge_other_card-card_exp": "11/30",
        "charge_other_card-card_cvv": "321",
        **extra,
    }


def test_accounts_receivable_offers_charge_another_card(manager_client, merchant):
    order = declined_receivable(merchant)
    page = manager_client.get(f"/orders/{order.order_id}/").content.decode()
    assert f"/orders/{order.order_id}/transition/charge_other_card/" in page
    assert "Save it as the customer&#x27;s card on file" in page


def test_charging_another_card_asks_first_then_charges_and_saves_it(manager_client, merchant):
    order = declined_receivable(merchant)
    url = f"/orders/{order.order_id}/transition/charge_other_card/"
    token = one_time(confirmed=False)

    asked = manager_client.post(
        url, {**token, **other_card_post(order, **{"charge_other_card-save_card": "on"})}
    )

    order.refresh_from_db()
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert not order.transactions.exists()
    page = asked.content.decode()
    assert f"Charge 25.00 to the card just entered for {order.order_id}?" in page
    assert f'value="{token["form_token"]}"' in page  # the token travels to the final post

    response = manager_client.post(
        url,
        {
            **token,
            **other_card_post(order, **{"charge_other_card-save_card": "on"}),
            "confirmed": "1",
        },
        follow=True,
    )

    order.refresh_from_db()
    assert (order.stage, order.card_last4) == (Stage.SHIPPING, "4444")
    [(level, text)] = flashed(response)
    assert level == django_messages.SUCCESS
    assert "Charged 25.00 to Mastercard ending 4444" in text
    saved = customer_saved_cards_list(merchant=merchant, email=order.email)
    assert "4444" in [card.last4 for card in saved]
    event = order.events.get(type="order_transitioned")
    assert "321" not in str(event.payload)


def test_another_card_that_declines_is_a_warning_and_changes_no_card_on_file(
    manager_client, merchant
):
    order = declined_receivable(merchant)

    response = manager_client.post(
        f"/orders/{order.order_id}/transition/charge_other_card/",
        {**one_time(), **other_card_post(order, INSUFFICIENT_FUNDS_CARD)},
        follow=True,
    )

    order.refresh_from_db()
    assert (order.stage, order.card_last4) == (Stage.ACCOUNTS_RECEIVABLE, "0002")
    [(level, text)] = flashed(response)
    assert level == django_messages.WARNING
    assert "Declined for insufficient funds" in text


def test_a_bad_card_number_changes_nothing_and_says_why(manager_client, merchant):
    order = declined_receivable(merchant)

    response = manager_client.post(
        f"/orders/{order.order_id}/transition/charge_other_card/",
        {**one_time(), **other_card_post(order, "1234")},
        follow=True,
    )

    assert not order.transactions.exists()
    [(level, text)] = flashed(response)
    assert level == django_messages.ERROR
    assert "card number" in text


def test_update_card_on_file_of_an_auto_order(client, merchant, manager):
    auto_order = subscribe(merchant, schedule="weekly", on=timezone.localdate())
    login(client, manager)
    page = client.get(f"/auto-orders/{auto_order.code}/").content.decode()
    assert f"/auto-orders/{auto_order.code}/update-card/" in page

    response = client.post(
        f"/auto-orders/{auto_order.code}/update-card/",
        {**one_time(), "card_number": "5555555555554444", "card_exp": "11/30", "card_cvv": "654"},
        follow=True,
    )

    auto_order.refresh_from_db()
    assert (auto_order.card_brand, auto_order.card_last4) == ("mastercard", "4444")
    assert auto_order.gateway_token.endswith("_4444")
    assert flashed(response) == [
        (
            django_messages.SUCCESS,
            f"{auto_order.code}: rebills now charge Mastercard ending 4444.",
        )
    ]
    event = OrderEvent.objects.filter(type="auto_order_changed").last()
    assert event.payload["action"] == "card_updated"
    assert "654" not in str(event.payload)


def test_customer_service_cannot_update_an_auto_order_card(client, merchant):
    auto_order = subscribe(merchant, schedule="weekly", on=timezone.localdate())
    login(client, member(merchant, "service"))

    response = client.post(
        f"/auto-orders/{auto_order.code}/update-card/",
        {**one_time(), "card_number": "5555555555554444", "card_exp": "11/30"},
    )

    assert response.status_code == 403
    auto_order.refresh_from_db()
    assert auto_order.card_last4 != "4444"


# ---- the customer's quote page -----------------------------------------------------------


def declined_quote(client, merchant) -> tuple[Order, str]:
    order = place(merchant, method=PaymentMethod.QUOTE_REQUEST, card=None, email="q@example.com")
    order_transition(order=order, name="send_quote")
    token = quote_token(order=order)
    client.post(
        reverse("quote-customer", args=[token]),
        {"pay_with": "card", "card_number": DECLINE_CARD, "card_exp": "12/30"},
    )
    order.refresh_from_db()
    return order, token


def test_the_quote_page_names_the_decline_and_offers_another_card(client, merchant):
    order, token = declined_quote(client, merchant)

    page = client.get(reverse("quote-customer", args=[token])).content.decode()

    assert order.payment_status == PaymentStatus.DECLINED
    assert 'class="message warning"' in page
    assert "Card declined: the charge of 25.00 to Visa ending 0002 did not go through" in page
    assert "Try another card" in page


def test_the_customer_pays_with_another_card_after_a_decline(client, merchant):
    order, token = declined_quote(client, merchant)

    response = client.post(
        reverse("quote-customer", args=[token]),
        {"other-card_number": "4242424242424242", "other-card_exp": "10/31", "other-card_cvv": "1"},
        follow=True,
    )

    order.refresh_from_db()
    assert (order.stage, order.payment_status) == (Stage.SHIPPING, PaymentStatus.PROCESSED)
    assert order.card_last4 == "4242"
    assert "Quote accepted and paid." in response.content.decode()
    assert "Charged 25.00 to Visa ending 4242." in response.content.decode()


def test_another_declining_card_on_the_quote_page_says_why_again(client, merchant):
    order, token = declined_quote(client, merchant)

    response = client.post(
        reverse("quote-customer", args=[token]),
        {"other-card_number": INSUFFICIENT_FUNDS_CARD, "other-card_exp": "10/31"},
        follow=True,
    )

    order.refresh_from_db()
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert "Declined for insufficient funds" in response.content.decode()


def test_the_card_used_once_is_kept_only_as_the_tokens_the_gateway_gave(merchant):
    order = declined_receivable(merchant)
    order_transition(
        order=order,
        name="charge_other_card",
        card=CardDetails("4242424242424242", 1, 2032, cvv="777"),
        save_card=True,
    )
    order.refresh_from_db()
    # The order's text columns (times and hashes hold digits of their own by chance).
    stored = [
        value
        for value in Order.objects.filter(pk=order.pk).values().get().values()
        if isinstance(value, str)
    ]
    assert not [value for value in stored if "4242424242424242" in value]
    assert not [value for value in stored if re.search(r"(?<![0-9a-f])777(?![0-9a-f])", value)]
