"""What an owner does with webhook endpoints: add, change, rotate the secret, pause, resume,
remove, resend one delivery, replay an endpoint's changes since a time. Each is audited."""

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from orders.actors import Actor
from orders.events import webhook_endpoint_changed_event
from orders.exceptions import OrderError
from orders.models import Merchant
from orders.models.webhook import EndpointDelivery, OutboxMessage, WebhookEndpoint, WebhookTopic
from orders.services.webhook_http import webhook_url_problem

ROTATION_OVERLAP = timedelta(hours=24)
SECRET_PREFIX = "whsec_"  # noqa: S105 - a label, not a secret


class WebhookEndpointInvalid(OrderError):
    """The endpoint's address or topics cannot be used."""


def _secret_new() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _clean(*, url: str, topics: list[str]) -> tuple[str, list[str]]:
    url = url.strip()
    problem = webhook_url_problem(url)
    if problem:
        raise WebhookEndpointInvalid(problem)
    known = set(WebhookTopic.values)
    unknown = sorted(set(topics) - known)
    if unknown:
        raise WebhookEndpointInvalid(f"Unknown event types: {', '.join(unknown)}.")
    if not topics:
        raise WebhookEndpointInvalid("Choose at least one event type.")
    return url, [topic for topic in WebhookTopic.values if topic in topics]


def webhook_endpoint_create(
    *, merchant: Merchant, url: str, topics: list[str], by: Actor
) -> WebhookEndpoint:
    """A new active endpoint with a fresh secret (the caller shows it once)."""
    url, topics = _clean(url=url, topics=topics)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            merchant=merchant,
            url=url,
            topics=topics,
            secret=_secret_new(),
            created_by=by if by is not None and by.is_authenticated else None,
        )
        webhook_endpoint_changed_event(
            merchant=merchant,
            by=by,
            endpoint_id=endpoint.pk,
            change="created",
            url=url,
            topics=topics,
        )
    return endpoint


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, topics: list[str], by: Actor
) -> WebhookEndpoint:
    url, topics = _clean(url=url, topics=topics)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = {"url": locked.url, "topics": locked.topics}
        locked.url, locked.topics = url, topics
        locked.save(update_fields=["url", "topics"])
        webhook_endpoint_changed_event(
            merchant=locked.merchant,
            by=by,
            endpoint_id=locked.pk,
            change="edited",
            before=before,
            after={"url": url, "topics": topics},
        )
    return locked


def webhook_endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, by: Actor, now: datetime | None = None
) -> WebhookEndpoint:
    """A new secret; the old one keeps signing for ROTATION_OVERLAP so receivers can switch."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.previous_secret = locked.secret
        locked.previous_secret_until = now + ROTATION_OVERLAP
        locked.secret = _secret_new()
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
        webhook_endpoint_changed_event(
            merchant=locked.merchant,
            by=by,
            endpoint_id=locked.pk,
            change="secret rotated",
            old_secret_signs_until=locked.previous_secret_until,
        )
    return locked


def webhook_endpoint_set_active(
    *, endpoint: WebhookEndpoint, active: bool, by: Actor
) -> WebhookEndpoint:
    """Pause (nothing is fanned out to it, nothing sent) or resume (waiting deliveries go)."""
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.active = active
        locked.paused_reason = "" if active else "Paused by staff."
        if active:
            locked.failing_since = None
        locked.save(update_fields=["active", "paused_reason", "failing_since"])
        webhook_endpoint_changed_event(
            merchant=locked.merchant,
            by=by,
            endpoint_id=locked.pk,
            change="resumed" if active else "paused",
        )
    return locked


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, by: Actor) -> None:
    with transaction.atomic():
        webhook_endpoint_changed_event(
            merchant=endpoint.merchant,
            by=by,
            endpoint_id=endpoint.pk,
            change="removed",
            url=endpoint.url,
        )
        endpoint.delete()


def webhook_delivery_resend(*, delivery: EndpointDelivery, by: Actor) -> EndpointDelivery:
    """Send one delivery again, now (its event id stays, so a receiver can tell)."""
    with transaction.atomic():
        locked = EndpointDelivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status == EndpointDelivery.Status.SENDING:
            raise WebhookEndpointInvalid("This delivery is being sent right now.")
        locked.status = EndpointDelivery.Status.PENDING
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "next_attempt_at"])
        webhook_endpoint_changed_event(
            merchant=delivery.endpoint.merchant,
            by=by,
            endpoint_id=locked.endpoint_id,
            change="delivery resent",
            event_id=str(delivery.message.event_id),
        )
    return locked


def webhook_endpoint_replay(*, endpoint: WebhookEndpoint, since: datetime, by: Actor) -> int:
    """Deliver again every change since `since` that the endpoint wants — those it was sent and
    those it missed (while paused, or before it was added). Returns how many will go."""
    now = timezone.now()
    if since > now:
        raise WebhookEndpointInvalid("Choose a time in the past.")
    with transaction.atomic():
        wanted = OutboxMessage.objects.filter(
            merchant_id=endpoint.merchant_id,
            topic__in=endpoint.topics,
            created_at__gte=since,
            fanned_out_at__isnull=False,
        )
        again = EndpointDelivery.objects.filter(endpoint=endpoint, message__in=wanted).exclude(
            status=EndpointDelivery.Status.SENDING
        )
        resent = again.update(status=EndpointDelivery.Status.PENDING, next_attempt_at=now)
        missed = wanted.exclude(
            Exists(EndpointDelivery.objects.filter(endpoint=endpoint, message=OuterRef("pk")))
        )
        new = EndpointDelivery.objects.bulk_create(
            [
                EndpointDelivery(
                    endpoint=endpoint,
                    message=message,
                    order_pk=message.order_pk,
                    next_attempt_at=now,
                )
                for message in missed.only("pk", "order_pk")
            ],
            ignore_conflicts=True,
        )
        webhook_endpoint_changed_event(
            merchant=endpoint.merchant,
            by=by,
            endpoint_id=endpoint.pk,
            change="replayed",
            since=since,
            deliveries=resent + len(new),
        )
    return resent + len(new)
