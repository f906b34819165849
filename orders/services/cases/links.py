"""Customer case links: signed, expiring, naming one case and its secret nonce."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from orders.models import Case, Order

SALT = "orders.case-link"
ORDER_SALT = "orders.order-case-link"


def case_link_token(*, case: Case) -> str:
    return signing.dumps({"case": case.pk, "n": case.link_nonce}, salt=SALT, compress=True)


def case_link_url(*, case: Case) -> str:
    path = reverse("customer-case", kwargs={"token": case_link_token(case=case)})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def case_from_token(*, token: str) -> Case | None:
    """The case a link names, or None when it is tampered with, expired, or not that case's."""
    max_age = settings.CASE_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(data, dict):
        return None
    case = (
        Case.objects.select_related("order", "merchant")
        .filter(pk=data.get("case"), order__deleted_at__isnull=True)
        .first()
    )
    if case is None or case.link_nonce != data.get("n"):
        return None
    return case


def order_case_link_url(*, order: Order) -> str:
    """The link in every customer email: write to the merchant about this order."""
    token = signing.dumps({"order": order.pk}, salt=ORDER_SALT, compress=True)
    path = reverse("customer-case", kwargs={"token": token})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def order_from_case_token(*, token: str) -> Order | None:
    """The order an email's "write to us" link names, or None when it is not a valid one."""
    max_age = settings.CASE_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=ORDER_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return Order.objects.live().select_related("merchant").filter(pk=data.get("order")).first()
