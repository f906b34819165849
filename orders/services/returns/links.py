"""The customer's return link: signed, expiring, naming the merchant and the order, so it
cannot be guessed, altered, or used for another order."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from orders.models import Order

SALT = "orders.return-link"


def return_link_token(*, order: Order) -> str:
    return signing.dumps({"m": order.merchant.code, "o": order.order_id}, salt=SALT)


def return_link_url(*, order: Order) -> str:
    path = reverse("customer-return", kwargs={"token": return_link_token(order=order)})
    return settings.SITE_URL.rstrip("/") + path


def order_for_return_token(*, token: str) -> Order | None:
    """The live order a return link names, or None (tampered, expired or unknown)."""
    max_age = settings.RETURN_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(data, dict):
        return None
    return (
        Order.objects.live()
        .select_related("merchant")
        .filter(merchant__code=data.get("m"), order_id=data.get("o"))
        .first()
    )
