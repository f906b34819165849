"""Customer emails: sent by a Celery task after the change commits; each sent one is an event."""

from collections.abc import Callable

from django.core.mail import send_mail
from django.template.loader import render_to_string

from orders.events import order_email_sent_event
from orders.models import Order
from orders.services.cases.links import order_case_link_url

TEMPLATES = {
    "receipt": "Your receipt for order {order_id}",
    "shipment_confirmation": "Your order {order_id} has shipped",
    "refund_notice": "A refund for order {order_id}",
}


def order_email_later(order_pk: int, template: str) -> Callable[[], None]:
    """A callback for transaction.on_commit that queues the email task."""

    def enqueue() -> None:
        from orders.tasks import order_email_send_task

        order_email_send_task.delay(order_pk, template)

    return enqueue


def order_email_send(*, order_pk: int, template: str) -> None:
    """Send one customer email and record it on the order's timeline."""
    order = Order.objects.select_related("merchant").get(pk=order_pk)
    subject = TEMPLATES[template].format(order_id=order.order_id)
    context = {
        "order": order,
        "merchant": order.merchant,
        "lines": list(order.lines.all()),
        "shipments": list(order.shipments.all()),
        "case_link": order_case_link_url(order=order),
    }
    body = render_to_string(f"emails/{template}.txt", context)
    send_mail(subject, body, None, [order.email])
    order_email_sent_event(order=order, template=template, to=order.email)
