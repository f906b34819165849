"""Customer emails: sent by a Celery task after the change commits; each sent one is an event,
and so is one that could not be queued (the broker unreachable), so the timeline never claims
an email that nobody will send.

Each template has a text body (emails/<name>.txt) and a simple HTML alternative
(emails/<name>.html).
"""

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from kombu.exceptions import OperationalError as BrokerError

from orders.actors import Actor
from orders.events import (
    order_email_not_queued_event,
    order_email_queued_event,
    order_email_sent_event,
)
from orders.exceptions import InvalidInput, TransitionNotPermitted
from orders.models import Order
from orders.selectors.fulfilment import line_unshipped_quantities, shipment_lines_get
from orders.services.cases.links import order_case_link_url
from orders.services.locking import order_lock
from orders.services.mailing import email_send
from orders.states import PaymentStatus, Stage

TEMPLATES = {
    "receipt": "Your receipt for order {order_id}",
    "shipment_confirmation": "Your order {order_id} has shipped",
    "refund_notice": "A refund for order {order_id}",
    "quote": "Your quote {order_id}",
}
# A receipt shows the amount as paid for these; otherwise it shows the amount due.
PAID_STATUSES = {
    PaymentStatus.PROCESSED,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.REFUNDED,
    PaymentStatus.AUTHORIZED,
    PaymentStatus.SKIPPED,
}


logger = logging.getLogger(__name__)


def order_email_enqueue(
    *, order: Order | int, template: str, shipment_pk: int | None = None, **event: Any
) -> bool:
    """Hand the email to the task queue. Side effect: an order_email_not_queued event when the
    broker cannot be reached (never an error: the change it follows has committed)."""
    from orders.tasks import order_email_send_task

    order_pk = order.pk if isinstance(order, Order) else order
    try:
        if shipment_pk is None:
            order_email_send_task.delay(order_pk, template)
        else:
            order_email_send_task.delay(order_pk, template, shipment_pk)
    except BrokerError as exc:
        logger.warning("Email %s for order %s not queued: %s", template, order_pk, exc)
        found = order if isinstance(order, Order) else Order.objects.get(pk=order_pk)
        order_email_not_queued_event(order=found, template=template, **event)
        return False
    return True


def order_email_later(
    order_pk: int, template: str, *, shipment_pk: int | None = None
) -> Callable[[], None]:
    """A callback for transaction.on_commit that queues the email task; a shipment's
    confirmation names the shipment, whose lines it lists."""

    def enqueue() -> None:
        order_email_enqueue(order=order_pk, template=template, shipment_pk=shipment_pk)

    return enqueue


def order_email_send(*, order_pk: int, template: str, shipment_pk: int | None = None) -> None:
    """Send one customer email and record it on the order's timeline."""
    order = (
        Order.objects.select_related("merchant")
        .prefetch_related("merchant__carriers")  # the shipments' tracking links
        .get(pk=order_pk)
    )
    subject = TEMPLATES[template].format(order_id=order.order_id)
    shipments = list(order.shipments.all())
    shipment = next((s for s in shipments if s.pk == shipment_pk), None)
    context = {
        "order": order,
        "merchant": order.merchant,
        "lines": list(order.lines.all()),
        "shipments": [shipment] if shipment else shipments,
        # One shipment's email lists what that box carries; more may follow.
        "shipment_lines": shipment_lines_get(shipment) if shipment else [],
        "more_to_ship": bool(shipment and line_unshipped_quantities(order)),
        "case_link": order_case_link_url(order=order),
        "paid": order.payment_status in PAID_STATUSES,
    }
    if template == "quote":
        from .quotes import quote_url

        context["quote_url"] = quote_url(order=order)
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    email_send(subject=subject, body=text, to=[order.email], html=html)
    order_email_sent_event(order=order, template=template, to=order.email)


def order_email_resend_reason(order: Order, template: str) -> str | None:
    """Why this email cannot be sent again for this order now, or None when it can."""
    if not order.email:
        return "no email address"
    if template == "receipt" and order.stage in {Stage.QUOTE_REQUEST, Stage.QUOTE_SENT}:
        return "a quote has no receipt yet"
    if template == "shipment_confirmation" and order.stage != Stage.COMPLETED:
        return "the order has not shipped"
    if template == "refund_notice" and order.refunded_total <= 0:
        return "nothing was refunded"
    if template == "quote" and order.stage != Stage.QUOTE_SENT:
        return "no quote has been sent"
    return None


def order_email_resend(
    *, order: Order | int, template: str, by: Actor = None, via: str = "", job_id: int | None = None
) -> Order:
    """Send a customer email again. Side effects, after commit: the email task and an
    order_email_queued event, or an order_email_not_queued event when the broker is down."""
    if template not in TEMPLATES:
        raise InvalidInput(f"Unknown email “{template}”.")
    with transaction.atomic():
        locked = order_lock(order)
        if locked.deleted_at is not None:
            raise InvalidInput(f"{locked.order_id} is deleted.")
        if by is not None and not by.has_perm("orders.resend_email", locked):
            raise TransitionNotPermitted("You may not email customers.")
        reason = order_email_resend_reason(locked, template)
        if reason is not None:
            raise InvalidInput(f"{locked.order_id}: cannot resend the email: {reason}.")
        event = {"by": by, "via": via, "resend": True, "job_id": job_id}
        transaction.on_commit(lambda: _order_email_resend_enqueue(locked, template, event))
    return locked


def _order_email_resend_enqueue(order: Order, template: str, event: dict) -> None:
    # Recorded once the queue has the task, not before: "queued" must be true.
    if order_email_enqueue(order=order, template=template, **event):
        order_email_queued_event(order=order, template=template, **event)
