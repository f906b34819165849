"""The emails about returns: the RMA number once authorized, and the return link."""

import logging
from collections.abc import Callable

from django.template.loader import render_to_string

from orders.events import order_email_failed_event, order_email_sent_event
from orders.models import Order, Return
from orders.services.mailing import email_send

from .links import return_link_url

logger = logging.getLogger(__name__)


def _send(order: Order, template: str, subject: str, context: dict, via: str) -> bool:
    """Send one email to the order's customer and record it on the order either way."""
    body = render_to_string(f"emails/{template}.txt", {"order": order, **context})
    try:
        email_send(subject=subject, body=body, to=[order.email])
    except Exception as exc:  # SMTP, network or a refused address: whatever the backend raises
        logger.warning("Return email %s for %s failed: %s", template, order.order_id, exc)
        order_email_failed_event(
            order=order, template=template, to=order.email, error=str(exc)[:300], via=via
        )
        return False
    order_email_sent_event(order=order, template=template, to=order.email, via=via)
    return True


def return_authorized_email_send(*, return_pk: int) -> bool:
    """Tell the customer their return is authorized and which RMA number to write on it."""
    request = Return.objects.select_related("order__merchant").get(pk=return_pk)
    order = request.order
    subject = f"{order.merchant.name}: return {request.rma_number} authorized"
    return _send(order, "return_authorized", subject, {"request": request}, "system")


def return_authorized_email_later(return_pk: int) -> Callable[[], None]:
    """For transaction.on_commit: the email goes only if the authorization committed."""

    def send() -> None:
        return_authorized_email_send(return_pk=return_pk)

    return send


def return_link_email_send(*, order: Order, via: str = "") -> bool:
    """Email the customer the link to request a return of their order."""
    subject = f"{order.merchant.name}: return items from order {order.order_id}"
    link = return_link_url(order=order)
    return _send(order, "return_link", subject, {"link": link}, via or "staff")
