from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import GatewayLedgerEntry, Order, Role
from orders.states import PaymentStatus, Stage
from tests.factories import DECLINE_CARD, ItemFactory, member, place
from tests.lifecycle.conftest import login, one_time
from tests.lifecycle.entry_helpers import entry_data

ENTRY = reverse("order-create")
TOTALS = reverse("order-entry-totals")


def placed(client, data=None, **fields):
    response = client.post(ENTRY, data or entry_data(**fields))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Order.objects.get(order_id=response.url.rstrip("/").split("/")[-1])


def test_entry_screen_replaces_coming_soon_and_issues_a_form_token(manager_client):
    response = manager_client.get(ENTRY)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="form_token"' in html
    assert "Place order" in html
    assert "coming soon" not in html.lower()


# One row per line of the routing table, through the view.
@pytest.mark.parametrize(
    ("fields", "stage", "status"),
    [
        ({}, Stage.SHIPPING, PaymentStatus.PROCESSED),
        ({"card_number": DECLINE_CARD}, Stage.ACCOUNTS_RECEIVABLE, PaymentStatus.DECLINED),
        ({"card_mode": "no_charge"}, Stage.ACCOUNTS_RECEIVABLE, PaymentStatus.UNPROCESSED),
        (
            {"card_mode": "no_charge", "card_number": "", "card_exp": ""},
            Stage.ACCOUNTS_RECEIVABLE,
            PaymentStatus.UNPROCESSED,
        ),
        ({"card_mode": "skip"}, Stage.SHIPPING, PaymentStatus.SKIPPED),
        (
            {"payment_method": "echeck", "bank_account": "12345678"},
            Stage.PENDING_CLEARANCE,
            PaymentStatus.PENDING,
        ),
        ({"payment_method": "check"}, Stage.ACCOUNTS_RECEIVABLE, PaymentStatus.UNPROCESSED),
        ({"payment_method": "money_order"}, Stage.ACCOUNTS_RECEIVABLE, PaymentStatus.UNPROCESSED),
        (
            {"payment_method": "purchase_order", "purchase_order_number": "PO-77"},
            Stage.ACCOUNTS_RECEIVABLE,
            PaymentStatus.UNPROCESSED,
        ),
        ({"payment_method": "wire"}, Stage.ACCOUNTS_RECEIVABLE, PaymentStatus.UNPROCESSED),
        ({"payment_method": "cod"}, Stage.ACCOUNTS_RECEIVABLE, PaymentStatus.UNPROCESSED),
        ({"payment_method": "cash"}, Stage.SHIPPING, PaymentStatus.PROCESSED),
        ({"payment_method": "quote_request"}, Stage.QUOTE_REQUEST, PaymentStatus.UNPROCESSED),
    ],
)
def test_every_payment_option_lands_in_the_routing_tables_stage(
    manager_client, merchant, fields, stage, status
):
    order = placed(manager_client, **fields)
    assert (order.stage, order.payment_status) == (stage, status)
    assert order.source == "backend"
    assert order.events.get(type="order_placed").actor.username == "demo-manager"


def test_an_approved_card_scoring_over_the_review_threshold_goes_to_fraud_review(
    manager_client, merchant
):
    merchant.fraud_review_threshold = 1
    merchant.save()
    order = placed(manager_client, email="burner@mailinator.com")
    assert (order.stage, order.payment_status) == (Stage.FRAUD_REVIEW, PaymentStatus.PROCESSED)
    assert order.fraud_reasons


def test_send_quote_from_the_order_page_emails_the_link(
    manager_client, merchant, mailoutbox, django_capture_on_commit_callbacks
):
    from backoffice.celery import app as celery_app

    order = placed(manager_client, payment_method="quote_request")
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            manager_client.post(
                reverse("order-transition", args=[order.order_id, "send_quote"]),
                {**one_time(), "expected_stage": Stage.QUOTE_REQUEST},
            )
    finally:
        celery_app.conf.task_always_eager = before
    order.refresh_from_db()
    assert order.stage == Stage.QUOTE_SENT
    (email,) = mailoutbox
    assert "/q/" in email.body
    assert order.events.filter(type="order_email_sent", payload__template="quote").exists()


def test_purchase_order_number_is_kept(manager_client):
    order = placed(manager_client, payment_method="purchase_order", purchase_order_number="PO-9")
    assert order.purchase_order_number == "PO-9"


def test_a_pre_order_item_holds_the_order_uncharged(manager_client, merchant):
    ItemFactory(merchant=merchant, sku="SOON", pre_order=True)
    order = placed(manager_client, lines=[{"sku": "SOON"}])
    assert order.stage == Stage.PRE_ORDER
    assert order.gateway_token
    assert not GatewayLedgerEntry.objects.filter(token=order.gateway_token).exists()


def test_saved_card_of_a_returning_customer_is_charged(manager_client, merchant):
    earlier = place(merchant, email="bob@example.com")
    order = placed(
        manager_client,
        email="bob@example.com",
        payment_method="saved_card",
        saved_card=earlier.order_id,
        card_number="",
        card_exp="",
    )
    assert order.stage == Stage.SHIPPING
    assert order.gateway_token == earlier.gateway_token
    assert order.card_last4 == earlier.card_last4


def test_another_merchants_saved_card_is_refused_next_to_the_field(manager_client, other_merchant):
    theirs = place(other_merchant)
    response = manager_client.post(
        ENTRY, entry_data(payment_method="saved_card", saved_card=theirs.order_id)
    )
    assert response.status_code == 422
    assert "Choose a saved card of this customer." in response.content.decode()
    assert Order.objects.filter(merchant__code="DEMO").count() == 0


def test_customer_search_finds_past_customers_but_not_their_saved_cards(manager_client, merchant):
    earlier = place(merchant, email="carol@example.com", phone="555-0199")
    response = manager_client.get(reverse("order-entry-customers"), {"q": "0199"})
    html = response.content.decode()
    assert "carol@example.com" in html
    assert earlier.order_id not in html
    assert earlier.card_last4 not in html


def test_the_saved_cards_come_only_with_the_customer_being_entered(manager_client, merchant):
    carol = place(merchant, email="carol@example.com")
    dave = place(merchant, email="dave@example.com")
    url = reverse("order-entry-saved-cards")

    html = manager_client.get(url, {"email": "Carol@Example.com"}).content.decode()

    assert f'value="{carol.order_id}"' in html
    assert dave.order_id not in html
    assert "no saved card" in manager_client.get(url, {"email": ""}).content.decode()


def test_another_customers_saved_card_is_refused_and_nothing_is_charged(manager_client, merchant):
    theirs = place(merchant, email="bob@example.com")
    charges = GatewayLedgerEntry.objects.count()

    response = manager_client.post(
        ENTRY,
        entry_data(
            email="mallory@example.com",
            payment_method="saved_card",
            saved_card=theirs.order_id,
            card_number="",
            card_exp="",
        ),
    )

    assert response.status_code == 422
    assert "Choose a saved card of this customer." in response.content.decode()
    assert Order.objects.count() == 1
    assert GatewayLedgerEntry.objects.count() == charges


def test_the_saved_card_pays_for_its_customer_whatever_the_email_s_case(manager_client, merchant):
    earlier = place(merchant, email="bob@example.com")
    order = placed(
        manager_client,
        email="BOB@example.com",
        payment_method="saved_card",
        saved_card=earlier.order_id,
        card_number="",
        card_exp="",
    )
    assert order.gateway_token == earlier.gateway_token
    assert order.stage == Stage.SHIPPING


def test_customer_service_gets_neither_customers_nor_their_cards(client, merchant):
    earlier = place(merchant, email="carol@example.com")
    charges = GatewayLedgerEntry.objects.count()
    login(client, member(merchant, Role.CUSTOMER_SERVICE))

    assert client.get(reverse("order-entry-customers"), {"q": "carol"}).status_code == 403
    assert (
        client.get(reverse("order-entry-saved-cards"), {"email": earlier.email}).status_code == 403
    )
    response = client.post(
        ENTRY,
        entry_data(
            email="eve@example.com",
            payment_method="saved_card",
            saved_card=earlier.order_id,
            card_number="",
            card_exp="",
        ),
    )
    assert response.status_code == 403
    assert Order.objects.count() == 1
    assert GatewayLedgerEntry.objects.count() == charges


def test_validation_errors_show_next_to_fields_and_store_nothing(manager_client):
    response = manager_client.post(
        ENTRY,
        entry_data(
            email="not-an-email",
            card_exp="13/30",
            lines=[{"sku": "NOPE"}, {"description": "Free text", "unit_price": ""}],
        ),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert "Enter the expiry as MM/YY." in html
    assert "No item with SKU NOPE" in html
    assert "Enter the unit price." in html
    assert Order.objects.count() == 0


def test_server_totals_round_half_up_and_match_the_placed_order(manager_client, merchant):
    merchant.tax_rate = Decimal("0.05")
    merchant.save()
    ItemFactory(merchant=merchant, sku="MUG", price=Decimal("4.05"))
    data = entry_data(
        lines=[
            {"sku": "MUG", "quantity": "2"},  # catalogue price 4.05
            {"description": "Engraving", "unit_price": "3.00"},
        ],
        shipping_total="7.50",
        discount="1.00",
    )
    # 8.10 + 3.00 = 11.10; less 1.00 = 10.10; tax 5% = 0.505 → 0.51 (half-up); + 7.50
    html = manager_client.post(TOTALS, data).content.decode()
    assert '<dd data-total="tax">0.51</dd>' in html
    assert '<dd class="strong" data-total="total">18.11</dd>' in html
    assert 'id="line-total-0" class="line-total" hx-swap-oob="true">8.10<' in html

    order = placed(manager_client, data)
    assert (order.subtotal, order.discount, order.tax, order.total) == (
        Decimal("11.10"),
        Decimal("1.00"),
        Decimal("0.51"),
        Decimal("18.11"),
    )


def test_edited_tax_shipping_and_discount_are_the_servers_too(manager_client, merchant):
    data = entry_data(
        lines=[{"description": "Widget", "unit_price": "19.99", "quantity": "3"}],
        shipping_total="12.34",
        discount="100.00",  # more than the subtotal: capped at it
        tax="2.50",
    )
    html = manager_client.post(TOTALS, data).content.decode()
    assert '<dd data-total="discount">59.97</dd>' in html
    assert '<dd class="strong" data-total="total">14.84</dd>' in html
    order = placed(manager_client, data)
    assert order.total == Decimal("14.84")


def test_double_submission_of_one_form_places_one_order(manager_client, merchant):
    data = entry_data(token="a" * 32)
    first = manager_client.post(ENTRY, data)
    second = manager_client.post(ENTRY, data)  # double click, or back and resubmit
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Order.objects.filter(merchant=merchant).count() == 1
    assert GatewayLedgerEntry.objects.filter(operation="charge").count() == 1
    followed = manager_client.post(ENTRY, data, follow=True).content.decode()
    assert "was already placed" in followed


def test_the_same_form_in_two_tabs_places_one_order(client, merchant, manager):
    from django.test import Client

    other_tab = Client()
    login(client, manager)
    login(other_tab, manager)
    data = entry_data(token="b" * 32)
    assert client.post(ENTRY, data).status_code == 302
    assert other_tab.post(ENTRY, data).status_code == 302
    assert Order.objects.filter(merchant=merchant).count() == 1


def test_clone_prefills_the_customer_and_lines(manager_client, merchant):
    source = place(merchant, email="dora@example.com", price=Decimal("12.34"))
    html = manager_client.get(ENTRY, {"clone": source.order_id}).content.decode()
    assert 'value="dora@example.com"' in html
    assert 'value="12.34"' in html
    without = manager_client.get(ENTRY, {"clone": source.order_id, "lines": "0"}).content.decode()
    assert 'value="dora@example.com"' in without
    assert 'value="12.34"' not in without


def test_clone_of_another_merchants_order_prefills_nothing(manager_client, other_merchant):
    theirs = place(other_merchant, email="secret@example.com")
    html = manager_client.get(ENTRY, {"clone": theirs.order_id}).content.decode()
    assert "secret@example.com" not in html


def test_order_page_links_to_clone(manager_client, merchant):
    order = place(merchant)
    html = manager_client.get(reverse("order-detail", args=[order.order_id])).content.decode()
    assert f"?clone={order.order_id}&amp;lines=0" in html


def test_skip_fraud_score_is_offered_only_with_the_permission(client, merchant, manager):
    login(client, manager)
    assert 'name="skip_fraud_score"' in client.get(ENTRY).content.decode()
    service = member(merchant, Role.CUSTOMER_SERVICE)
    login(client, service)
    assert 'name="skip_fraud_score"' not in client.get(ENTRY).content.decode()


def test_skip_fraud_score_places_without_a_score(manager_client, merchant):
    order = placed(manager_client, skip_fraud_score="on", email="x@mailinator.com")
    assert order.fraud_score == 0


def test_shipping_clerk_may_not_enter_orders(client, merchant):
    login(client, member(merchant, Role.SHIPPING_CLERK))
    assert client.get(ENTRY).status_code == 403
