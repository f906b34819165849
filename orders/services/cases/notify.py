"""Case emails: the merchant's reply to the customer (with the case link), and the assignee's
notice of a customer reply. Sent by a Celery task after commit; each is an order event, and the
message that caused it records whether it went out."""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerError

from orders.events import (
    order_email_failed_event,
    order_email_not_queued_event,
    order_email_sent_event,
)
from orders.models import CaseMessage
from orders.services.mailing import email_send

from .links import case_link_url

logger = logging.getLogger(__name__)
EmailStatus = CaseMessage.EmailStatus
CASE_TEMPLATES = {"customer": "case_reply", "assignee": "case_reply_received"}


def case_email_later(audience: str, message_pk: int) -> Callable[[], None]:
    """A callback for transaction.on_commit that queues the email task."""

    def enqueue() -> None:
        from orders.tasks import case_email_send_task

        try:
            case_email_send_task.delay(audience, message_pk)
        except BrokerError as exc:
            logger.warning("Case email %s/%s not queued: %s", audience, message_pk, exc)
            message = CaseMessage.objects.select_related("case__order").get(pk=message_pk)
            CaseMessage.objects.filter(pk=message_pk).update(
                email_status=EmailStatus.FAILED, email_error="not queued: the broker is unreachable"
            )
            order_email_not_queued_event(
                order=message.case.order, template=CASE_TEMPLATES[audience]
            )

    return enqueue


def case_email_send(*, audience: str, message_pk: int) -> None:
    """Send the email about one case message to the customer or to the case's assignee."""
    message = CaseMessage.objects.select_related("case__order__merchant", "case__assigned_to").get(
        pk=message_pk
    )
    case = message.case
    context: dict[str, Any] = {
        "case": case,
        "message": message,
        "merchant": case.merchant,
        "order": case.order,
    }
    if audience == "customer":
        to = case.email
        subject = f"{case.merchant.name}: {case.subject} (order {case.order.order_id})"
        context["link"] = case_link_url(case=case)
        template = CASE_TEMPLATES["customer"]
    else:
        if case.assigned_to is None or not case.assigned_to.email:
            CaseMessage.objects.filter(pk=message.pk).update(email_status=EmailStatus.NONE)
            return
        to = case.assigned_to.email
        subject = f"Customer replied: {case.subject} (order {case.order.order_id})"
        path = reverse("case-detail", kwargs={"pk": case.pk})
        context["link"] = f"{settings.SITE_URL.rstrip('/')}{path}"
        template = CASE_TEMPLATES["assignee"]
    body = render_to_string(f"emails/{template}.txt", context)
    try:
        email_send(subject=subject, body=body, to=[to])
    except Exception as exc:  # SMTP, network or a refused address: whatever the backend raises
        # Recorded rather than raised: a retry would not fix a refused message, and the case
        # page must say that this one did not go out.
        logger.exception("Case %s: the %s email to %s failed", case.pk, template, to)
        error = f"{type(exc).__name__}: {exc}"[:300]
        CaseMessage.objects.filter(pk=message.pk).update(
            email_status=EmailStatus.FAILED, email_error=error
        )
        order_email_failed_event(order=case.order, template=template, to=to, error=error)
        return
    CaseMessage.objects.filter(pk=message.pk).update(email_status=EmailStatus.SENT, email_error="")
    order_email_sent_event(order=case.order, template=template, to=to)
