"""Fan the outbox out to the endpoints that want each change, and deliver, in order, with retries.

A message is fanned out once: its body is frozen then (the order as the read API shows it), and
one EndpointDelivery is made for each active endpoint that wants its topic. A delivery is sent
when it is due and no earlier delivery of the same order to the same endpoint is still
waiting, so a receiver sees an order's changes in the order they happened. A worker claims a
delivery with a lease; if it dies mid-request the lease runs out and another worker sends it
again — at least once, and the event id lets the receiver drop the duplicate.
"""

import hashlib
import hmac
import json
import random
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from orders.models import Membership, Merchant, Order, Role
from orders.models.webhook import EndpointDelivery, OutboxMessage, WebhookEndpoint
from orders.selectors.documents import order_document, order_documents_queryset
from orders.services.mailing import email_send
from orders.services.webhook_http import PostResult, webhook_post

Status = EndpointDelivery.Status
SIGNATURE_HEADER = "X-Backoffice-Signature"
EVENT_ID_HEADER = "X-Backoffice-Event-Id"
FAN_OUT_BATCH = 500
SEND_BATCH = 50
# Longer than a request can take (webhook_http.TOTAL_TIMEOUT), so a live worker keeps it.
LEASE = timedelta(seconds=60)
FIRST_RETRY_SECONDS = 15
LONGEST_RETRY_SECONDS = 3600
KEPT_RESPONSE_CHARACTERS = 2000


def webhook_signature(body: bytes, *, secrets: list[str], timestamp: int) -> str:
    """`t=<unix>,v1=<hex>` — one v1 per secret that signs (two during a rotation's overlap)."""
    signed = f"{timestamp}.".encode() + body
    parts = [f"t={timestamp}"] + [
        f"v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}" for secret in secrets
    ]
    return ",".join(parts)


def endpoint_signing_secrets(endpoint: WebhookEndpoint, *, now: datetime) -> list[str]:
    secrets = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_until
        and now < endpoint.previous_secret_until
    ):
        secrets.append(endpoint.previous_secret)
    return secrets


def message_body(
    message: OutboxMessage, *, merchant: Merchant, order: Order | None
) -> dict[str, Any]:
    return {
        "id": str(message.event_id),
        "type": message.topic,
        "created_at": message.created_at.isoformat(),
        "merchant": merchant.code,
        "data": {"object": order_document(order) if order else None, "change": message.change},
    }


def outbox_fan_out(*, limit: int = FAN_OUT_BATCH) -> int:
    """Fan out up to `limit` waiting messages; returns how many were fanned out."""
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.filter(fanned_out_at__isnull=True)
            .select_for_update(skip_locked=True)
            .order_by("id")[:limit]
        )
        if not messages:
            return 0
        merchant_ids = {message.merchant_id for message in messages}
        endpoints: dict[int, list[WebhookEndpoint]] = {}
        for endpoint in WebhookEndpoint.objects.filter(merchant_id__in=merchant_ids, active=True):
            endpoints.setdefault(endpoint.merchant_id, []).append(endpoint)
        wanted = {
            message.pk: [
                e for e in endpoints.get(message.merchant_id, []) if e.wants(message.topic)
            ]
            for message in messages
        }
        _bodies_freeze([message for message in messages if wanted[message.pk]])
        now = timezone.now()
        EndpointDelivery.objects.bulk_create(
            [
                EndpointDelivery(
                    endpoint=endpoint,
                    message=message,
                    order_pk=message.order_pk,
                    next_attempt_at=now,
                )
                for message in messages
                for endpoint in wanted[message.pk]
            ],
            ignore_conflicts=True,
        )
        for message in messages:
            message.fanned_out_at = now
        OutboxMessage.objects.bulk_update(messages, ["fanned_out_at", "body"])
    return len(messages)


def _bodies_freeze(messages: list[OutboxMessage]) -> None:
    if not messages:
        return
    order_pks = {message.order_pk for message in messages if message.order_pk}
    orders = {
        order.pk: order
        for order in order_documents_queryset(Order.objects.filter(pk__in=order_pks))
    }
    merchants = Merchant.objects.in_bulk({message.merchant_id for message in messages})
    for message in messages:
        order = orders.get(message.order_pk) if message.order_pk else None
        message.body = message_body(message, merchant=merchants[message.merchant_id], order=order)


def _due_deliveries(now: datetime):
    earlier_waiting = EndpointDelivery.objects.filter(
        endpoint=OuterRef("endpoint"),
        order_pk=OuterRef("order_pk"),
        message_id__lt=OuterRef("message_id"),
        status__in=[Status.PENDING, Status.SENDING],
    )
    return (
        EndpointDelivery.objects.filter(
            status__in=[Status.PENDING, Status.SENDING],
            next_attempt_at__lte=now,
            endpoint__active=True,
        )
        .filter(Q(status=Status.PENDING) | Q(lease_until__lt=now))
        .filter(~Exists(earlier_waiting))
    )


def deliveries_claim(*, limit: int = SEND_BATCH, now: datetime | None = None) -> list[int]:
    """Take up to `limit` due deliveries for this worker (a lease each); their pks."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = list(
            _due_deliveries(now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("message_id")
            .values_list("pk", flat=True)[:limit]
        )
        EndpointDelivery.objects.filter(pk__in=claimed).update(
            status=Status.SENDING, lease_until=now + LEASE
        )
    return claimed


def delivery_send(*, delivery_pk: int) -> EndpointDelivery:
    """Send one claimed delivery and record the answer."""
    delivery = EndpointDelivery.objects.select_related("endpoint", "message").get(pk=delivery_pk)
    endpoint, message = delivery.endpoint, delivery.message
    if message.body is None:  # fanned out when no endpoint wanted it; replayed since
        _bodies_freeze([message])
        OutboxMessage.objects.filter(pk=message.pk, body__isnull=True).update(body=message.body)
    body = json.dumps(message.body, separators=(",", ":")).encode()
    now = timezone.now()
    signature = webhook_signature(
        body, secrets=endpoint_signing_secrets(endpoint, now=now), timestamp=int(time.time())
    )
    result = webhook_post(
        url=endpoint.url,
        body=body,
        headers={SIGNATURE_HEADER: signature, EVENT_ID_HEADER: str(message.event_id)},
    )
    return _outcome_record(delivery_pk=delivery_pk, result=result)


def _retry_delay(attempts: int) -> timedelta:
    """Exponential, capped at an hour, with jitter so failed endpoints are not hit in step."""
    base = min(LONGEST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=base * random.uniform(0.5, 1.5))  # noqa: S311 - not security


def _outcome_record(*, delivery_pk: int, result: PostResult) -> EndpointDelivery:
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            EndpointDelivery.objects.select_for_update()
            .select_related("message")
            .get(pk=delivery_pk)
        )
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.last_status_code = result.status
        delivery.last_duration_ms = result.duration_ms
        delivery.last_error = result.error[:300]
        delivery.last_response = result.body[:KEPT_RESPONSE_CHARACTERS]
        delivery.lease_until = None
        if result.delivered:
            delivery.status = Status.DELIVERED
            delivery.delivered_at = now
            endpoint.failing_since = None
        else:
            retry_until = delivery.message.created_at + timedelta(
                hours=settings.WEBHOOK_RETRY_HOURS
            )
            if result.worth_retrying and now < retry_until:
                delivery.status = Status.PENDING
                delivery.next_attempt_at = now + _retry_delay(delivery.attempts)
            else:
                delivery.status = Status.FAILED
            endpoint.failing_since = endpoint.failing_since or now
        delivery.save()
        paused = _pause_if_failing_a_day(endpoint, now=now)
        endpoint.save(update_fields=["failing_since", "active", "paused_reason"])
        if paused:
            transaction.on_commit(lambda: _owners_tell_paused(endpoint))
    return delivery


def _pause_if_failing_a_day(endpoint: WebhookEndpoint, *, now: datetime) -> bool:
    limit = timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    if not endpoint.active or not endpoint.failing_since or now - endpoint.failing_since < limit:
        return False
    endpoint.active = False
    endpoint.paused_reason = (
        f"Paused on {now:%Y-%m-%d %H:%M} UTC: every delivery failed for "
        f"{settings.WEBHOOK_RETRY_HOURS} hours."
    )
    return True


def _owners_tell_paused(endpoint: WebhookEndpoint) -> None:
    owners = Membership.objects.filter(
        merchant_id=endpoint.merchant_id, role=Role.OWNER, user__is_active=True
    ).exclude(user__email="")
    addresses = sorted({membership.user.email for membership in owners.select_related("user")})
    if not addresses:
        return
    email_send(
        subject="A webhook endpoint was paused",
        body=(
            f"Deliveries to {endpoint.url} failed for {settings.WEBHOOK_RETRY_HOURS} hours, so "
            "the endpoint was paused. Fix the receiver, then resume the endpoint and replay "
            "the missed changes from its page: "
            f"{settings.SITE_URL}/settings/webhooks/{endpoint.pk}/"
        ),
        to=addresses,
    )


def webhooks_dispatch(*, seconds: float = 50.0) -> dict[str, int]:
    """Fan out and send until nothing is due or `seconds` have passed (one beat run)."""
    deadline = time.monotonic() + seconds
    totals = {"fanned_out": 0, "sent": 0}
    while time.monotonic() < deadline:
        fanned = outbox_fan_out()
        claimed = deliveries_claim()
        for delivery_pk in claimed:
            delivery_send(delivery_pk=delivery_pk)
        totals["fanned_out"] += fanned
        totals["sent"] += len(claimed)
        if not fanned and not claimed:
            break
    return totals


def outbox_purge(*, now: datetime | None = None) -> int:
    """Forget messages (and their deliveries) older than WEBHOOK_KEEP_DAYS."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.WEBHOOK_KEEP_DAYS)
    stale = OutboxMessage.objects.filter(created_at__lt=cutoff, fanned_out_at__isnull=False)
    deleted, _ = stale.delete()
    return deleted
