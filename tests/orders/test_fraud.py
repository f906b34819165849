"""Explainable fraud scoring: each rule's points and sentence, and who may skip the score."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.exceptions import TransitionNotPermitted
from orders.fraud import POINTS, FraudSignals, fraud_assess, shipping_address_key
from orders.models import BlockListEntry, Order
from orders.services.placement import order_place
from orders.states import Stage
from tests.factories import member, place
from tests.orders.builders import card_draft

D = Decimal


def assess(merchant, **signals):
    signals.setdefault("email", "ann@example.com")
    signals.setdefault("total", D("25.00"))
    return fraud_assess(merchant=merchant, signals=FraudSignals(**signals))


def rules(assessment) -> list[str]:
    return [hit["rule"] for hit in assessment.hits]


def test_an_ordinary_order_scores_nothing(merchant):
    place(merchant)

    assessment = assess(merchant, billing_country="US", shipping_country="US")

    assert (assessment.score, assessment.hits) == (0, [])


def test_an_amount_over_the_multiple_of_the_average_scores(merchant):
    for _ in range(2):
        place(merchant, email="regular@example.com")  # 25.00 each
    merchant.fraud_amount_multiple = D("3.00")

    at_limit = assess(merchant, total=D("75.00"))
    over = assess(merchant, total=D("75.01"))

    assert at_limit.hits == []
    assert over.hits == [
        {
            "rule": "amount",
            "points": POINTS["amount"],
            "reason": "Total 75.01 is over 3.00× the average order (25.00).",
        }
    ]
    assert over.score == 25


def test_the_average_is_taken_over_the_most_recent_orders(merchant, monkeypatch):
    monkeypatch.setattr("orders.fraud.AVERAGE_OVER_RECENT_ORDERS", 2)
    for _ in range(3):
        place(merchant, email="big@example.com", price=D("995.00"))  # 1,000.00 each
    for _ in range(2):
        place(merchant, email="regular@example.com")  # 25.00 each

    assessment = assess(merchant, total=D("100.00"))

    assert rules(assessment) == ["amount"]
    assert "the average order (25.00)" in assessment.hits[0]["reason"]


def test_the_first_order_of_a_merchant_has_no_average_to_exceed(merchant):
    assert assess(merchant, total=D("100000.00")).hits == []


def test_billing_and_shipping_countries_that_differ_score(merchant):
    assessment = assess(merchant, billing_country="US", shipping_country="NG")

    assert assessment.hits == [
        {
            "rule": "countries_differ",
            "points": 20,
            "reason": "Billing country US differs from shipping country NG.",
        }
    ]


@pytest.mark.parametrize(
    ("kind", "value", "signals", "sentence"),
    [
        ("email", "bad@example.com", {"email": " Bad@Example.com "}, "email bad@example.com"),
        ("ip", "198.51.100.7", {"ip_address": "198.51.100.7"}, "ip address 198.51.100.7"),
        ("card", "f" * 32, {"card_fingerprint": "f" * 32}, f"card fingerprint {'f' * 32}"),
        (
            "address",
            shipping_address_key("1 Main St", "12345", "US"),
            {"shipping_address": shipping_address_key("1  MAIN st", "12345", "us")},
            "shipping address 1 main st 12345 us",
        ),
    ],
)
def test_anything_on_the_block_list_scores(merchant, kind, value, signals, sentence):
    BlockListEntry.objects.create(merchant=merchant, kind=kind, value=value)

    assessment = assess(merchant, **signals)

    assert assessment.hits == [
        {"rule": "block_list", "points": 60, "reason": f"The {sentence} is blocked."}
    ]


def test_another_merchants_block_list_does_not_count(merchant, other_merchant):
    BlockListEntry.objects.create(merchant=other_merchant, kind="email", value="ann@example.com")

    assert assess(merchant).hits == []


def test_more_orders_than_the_velocity_limit_in_a_day_score(merchant):
    merchant.fraud_velocity_limit = 2
    merchant.save()
    place(merchant, email="fast@example.com")
    assert "velocity" not in rules(assess(merchant, email="fast@example.com"))

    place(merchant, email="FAST@example.com")
    assessment = assess(merchant, email="Fast@Example.com")

    assert assessment.hits == [
        {
            "rule": "velocity",
            "points": 20,
            "reason": "2 orders from this email in the last 24 hours.",
        }
    ]


def test_orders_older_than_a_day_do_not_count_for_velocity(merchant):
    merchant.fraud_velocity_limit = 1
    merchant.save()
    order = place(merchant)
    Order.objects.filter(pk=order.pk).update(
        placed_at=timezone.now() - datetime.timedelta(hours=25)
    )

    assert "velocity" not in rules(assess(merchant))


def test_velocity_counts_orders_from_one_ip_or_card(merchant):
    merchant.fraud_velocity_limit = 1
    merchant.save()
    first = order_place(merchant=merchant, draft=card_draft(ip_address="203.0.113.5"))

    by_ip = assess(merchant, email="new@example.com", ip_address="203.0.113.5")
    by_card = assess(merchant, email="new@example.com", card_fingerprint=first.card_fingerprint)

    assert by_ip.hits[0]["reason"] == "1 order from this IP address in the last 24 hours."
    assert by_card.hits[0]["reason"] == "1 order from this card in the last 24 hours."


def test_a_free_or_disposable_email_domain_scores(merchant):
    merchant.fraud_free_email_domains = ["mailinator.com", "freemail.test"]

    assessment = assess(merchant, email="someone@FreeMail.test")

    assert assessment.hits == [
        {
            "rule": "free_email",
            "points": 10,
            "reason": "The email domain freemail.test is a disposable address.",
        }
    ]


@pytest.mark.parametrize(
    ("card", "rule", "points", "sentence"),
    [
        (
            {"cvv": "000"},
            "cvv_mismatch",
            20,
            "The security code did not match the card (CVV).",
        ),
        (
            {"card_postal_code": "00000"},
            "avs_mismatch",
            15,
            "The billing address did not match the card (AVS).",
        ),
    ],
)
def test_the_gateways_avs_and_cvv_answers_score_at_placement(
    merchant, card, rule, points, sentence
):
    order = order_place(merchant=merchant, draft=card_draft(**card))

    assert order.fraud_reasons == [{"rule": rule, "points": points, "reason": sentence}]
    assert order.fraud_score == points
    assert order.events.get(type="order_placed").payload["fraud_score"] == points


def test_the_score_is_capped_at_a_hundred(merchant):
    merchant.fraud_velocity_limit = 0
    merchant.fraud_free_email_domains = ["mailinator.com"]
    for kind, value in [("email", "x@mailinator.com"), ("ip", "192.0.2.1")]:
        BlockListEntry.objects.create(merchant=merchant, kind=kind, value=value)

    assessment = assess(
        merchant,
        email="x@mailinator.com",
        ip_address="192.0.2.1",
        billing_country="US",
        shipping_country="FR",
    )

    assert assessment.score == 100
    assert sum(hit["points"] for hit in assessment.hits) > 100


def test_placement_stores_the_score_and_its_reasons(merchant):
    order = order_place(
        merchant=merchant,
        draft=card_draft(email="a@mailinator.com", billing_country="GB", shipping_country="US"),
    )

    assert order.fraud_score == 30
    assert rules_of(order) == ["countries_differ", "free_email"]
    assert order.stage == Stage.SHIPPING


def rules_of(order: Order) -> list[str]:
    return [hit["rule"] for hit in order.fraud_reasons]


def test_staff_with_permission_may_skip_the_fraud_score(merchant, manager):
    BlockListEntry.objects.create(merchant=merchant, kind="email", value="ann@example.com")

    order = order_place(merchant=merchant, draft=card_draft(skip_fraud_score=True), by=manager)

    assert (order.fraud_score, order.fraud_reasons) == (0, [])
    assert order.stage == Stage.SHIPPING


@pytest.mark.parametrize("role", ["shipping", "service", "bookkeeper"])
def test_skipping_the_fraud_score_needs_the_permission(merchant, role):
    user = member(merchant, role)

    with pytest.raises(TransitionNotPermitted):
        order_place(merchant=merchant, draft=card_draft(skip_fraud_score=True), by=user)

    assert not Order.objects.exists()


def test_a_member_of_another_merchant_cannot_skip_the_fraud_score(merchant, other_merchant):
    outsider = member(other_merchant, "owner")

    with pytest.raises(TransitionNotPermitted):
        order_place(merchant=merchant, draft=card_draft(skip_fraud_score=True), by=outsider)
