"""A saved card pays only for its own customer, and only people who may place orders use it."""

import pytest

from orders.exceptions import InvalidInput, TransitionNotPermitted
from orders.models import GatewayLedgerEntry, Order
from orders.selectors.customers import customer_saved_card_get, customer_saved_cards_list
from orders.services.placement import PaymentDraft, order_place
from orders.states import PaymentMethod
from tests.factories import member, place
from tests.orders.builders import card_draft

pytestmark = pytest.mark.django_db


def saved_card_draft(email: str, token: str):
    draft = card_draft(email=email, card=None)
    draft.payment = PaymentDraft(method=PaymentMethod.CREDIT_CARD, card_token=token)
    return draft


def test_a_customer_s_saved_cards_are_theirs_alone(merchant, other_merchant):
    bob = place(merchant, email="bob@example.com")
    place(merchant, email="bob@example.com")  # the same card again: listed once
    place(merchant, email="carol@example.com")
    place(other_merchant, email="bob@example.com")

    cards = customer_saved_cards_list(merchant=merchant, email="BOB@example.com ")

    assert [card.last4 for card in cards] == [bob.card_last4]
    assert customer_saved_card_get(
        merchant=merchant, email="bob@example.com", order_id=bob.order_id
    )
    assert not customer_saved_card_get(
        merchant=merchant, email="carol@example.com", order_id=bob.order_id
    )


def test_placing_with_another_customer_s_card_token_charges_nothing(merchant, manager):
    bob = place(merchant, email="bob@example.com")
    charges = GatewayLedgerEntry.objects.count()

    with pytest.raises(InvalidInput, match="belongs to another customer"):
        order_place(
            merchant=merchant,
            draft=saved_card_draft("mallory@example.com", bob.gateway_token),
            by=manager,
        )

    assert Order.objects.count() == 1
    assert GatewayLedgerEntry.objects.count() == charges


def test_the_card_s_own_customer_is_charged_with_it(merchant, manager):
    bob = place(merchant, email="bob@example.com")
    charges = GatewayLedgerEntry.objects.count()

    order = order_place(
        merchant=merchant, draft=saved_card_draft("Bob@Example.com", bob.gateway_token), by=manager
    )

    assert order.gateway_token == bob.gateway_token
    assert GatewayLedgerEntry.objects.count() == charges + 1


@pytest.mark.parametrize("role", ["service", "shipping", "bookkeeper"])
def test_only_roles_that_may_place_orders_place_them_from_the_back_end(merchant, role):
    bob = place(merchant, email="bob@example.com")
    charges = GatewayLedgerEntry.objects.count()

    with pytest.raises(TransitionNotPermitted):
        order_place(
            merchant=merchant,
            draft=saved_card_draft("bob@example.com", bob.gateway_token),
            by=member(merchant, role),
        )

    assert Order.objects.count() == 1
    assert GatewayLedgerEntry.objects.count() == charges
