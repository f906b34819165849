"""factory-boy factories and small helpers that place real orders through the services."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from orders.models import Item, Membership, Merchant, Role
from orders.payments import CardDetails
from orders.permissions import ROLE_PERMISSIONS
from orders.services.placement import (
    CardMode,
    LineDraft,
    OrderDraft,
    PaymentDraft,
    order_place,
)
from orders.states import PaymentMethod

APPROVE_CARD = "4111111111111111"
DECLINE_CARD = "4000000000000002"
INSUFFICIENT_FUNDS_CARD = "4000000000009995"
PROCESSING_ERROR_CARD = "4000000000000119"
CAPTURE_FAILS_CARD = "4000000000000341"
REAL_LOOKING_CARD = "4012888888881881"


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: "M" + "".join(chr(65 + int(d)) for d in f"{n:04d}"))
    name = factory.LazyAttribute(lambda o: f"Merchant {o.code}")
    fraud_review_threshold = 50
    fraud_decline_threshold = 95


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    merchant = factory.SubFactory(MerchantFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    description = factory.LazyAttribute(lambda o: f"Item {o.sku}")
    price = Decimal("20.00")
    cost = Decimal("8.00")


def role_permissions(role: str) -> frozenset[str]:
    """The role's row of the permission table as has_perm names them ("orders.<codename>")."""
    return frozenset(f"orders.{codename}" for codename in ROLE_PERMISSIONS[role])


def member(merchant: Merchant, role: str = Role.ORDER_MANAGER, username: str | None = None):
    user = UserFactory(username=username or f"{merchant.code.lower()}-{role}")
    Membership.objects.get_or_create(user=user, merchant=merchant, defaults={"role": role})
    return user


def place(
    merchant: Merchant,
    *,
    method: str = PaymentMethod.CREDIT_CARD,
    card: str | None = APPROVE_CARD,
    card_mode: str = CardMode.CHARGE_NOW,
    email: str = "ann@example.com",
    price: Decimal = Decimal("20.00"),
    quantity: int = 1,
    item: Item | None = None,
    lines: list[LineDraft] | None = None,
    by=None,
    **draft_fields,
):
    """Place an order through the real placement service (one Widget line unless `lines`)."""
    line = LineDraft(description="Widget", quantity=quantity, unit_price=price, item=item)
    payment = PaymentDraft(
        method=method,
        card=CardDetails(card, 12, 2030, cvv="123") if card and method == "credit_card" else None,
        card_mode=card_mode,
        purchase_order_number=draft_fields.pop("purchase_order_number", ""),
        wallet_funded_by_bank=draft_fields.pop("wallet_funded_by_bank", False),
    )
    draft = OrderDraft(
        email=email,
        first_name="Ann",
        last_name="Lee",
        lines=lines or [line],
        payment=payment,
        billing={
            "address1": "1 Main St",
            "city": "Springfield",
            "postal_code": "12345",
            "country": "US",
        },
        shipping={
            "address1": "1 Main St",
            "city": "Springfield",
            "postal_code": "12345",
            "country": "US",
        },
        shipping_total=Decimal("5.00"),
        **draft_fields,
    )
    return order_place(merchant=merchant, draft=draft, by=by)
