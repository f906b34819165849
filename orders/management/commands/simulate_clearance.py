import json
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import reverse

from orders.models import Order
from orders.payments import TestGateway
from orders.services.clearance import RETURNED, SETTLED, SIGNATURE_HEADER, webhook_sign


def _host() -> str:
    """A host name the site accepts, so that the request passes the host check."""
    for host in settings.ALLOWED_HOSTS:
        if host and host != "*":
            return host.lstrip(".")
    return "localhost"


class Command(BaseCommand):
    help = (
        "Send the test gateway's signed settlement webhook for a pending payment, through the "
        "real webhook URL, so the whole path is exercised."
    )

    def add_arguments(self, parser):
        parser.add_argument("order_id")
        parser.add_argument("--fail", action="store_true", help="Report a returned payment.")

    def handle(self, *args, order_id: str, fail: bool, **options):
        order = Order.objects.filter(order_id=order_id).first()
        if order is None:
            raise CommandError(f"No order {order_id}.")
        reference = (
            order.transactions.filter(kind="charge")
            .order_by("-id")
            .values_list("gateway_reference", flat=True)
            .first()
            or ""
        )
        TestGateway().settle(reference=reference, returned=fail)
        body = json.dumps(
            {
                "id": f"evt_{uuid.uuid4().hex}",
                "type": RETURNED if fail else SETTLED,
                "order_id": order.order_id,
                "reference": reference,
            }
        ).encode()
        # Sent over "https" so that a production site's HTTPS redirect lets it through.
        response = Client(raise_request_exception=False).post(
            reverse("payment-webhook", args=["test"]),
            data=body,
            content_type="application/json",
            headers={SIGNATURE_HEADER: webhook_sign(body)},
            secure=True,
            SERVER_NAME=_host(),
        )
        answer = response.json() if response.get("Content-Type") == "application/json" else {}
        if response.status_code != 200:
            raise CommandError(
                f"The webhook refused it ({response.status_code}): "
                f"{answer.get('error', 'no explanation')}"
            )
        self.stdout.write(f"{order.order_id}: {answer['applied']}")
