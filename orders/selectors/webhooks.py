"""What the owner's webhook screens read: endpoints and each one's delivery log."""

from django.db.models import QuerySet

from orders.models import Merchant
from orders.models.webhook import EndpointDelivery, WebhookEndpoint

DELIVERY_LOG_LENGTH = 100


def webhook_endpoint_list(*, merchant: Merchant) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(merchant=merchant).order_by("created_at", "id")


def webhook_endpoint_get(*, merchant: Merchant, pk: int) -> WebhookEndpoint:
    """The merchant's endpoint; WebhookEndpoint.DoesNotExist for anyone else's."""
    return WebhookEndpoint.objects.select_related("merchant").get(merchant=merchant, pk=pk)


def webhook_deliveries_recent(
    *, endpoint: WebhookEndpoint, limit: int = DELIVERY_LOG_LENGTH
) -> list[EndpointDelivery]:
    """The endpoint's latest deliveries, newest first, without their bodies."""
    return list(
        EndpointDelivery.objects.filter(endpoint=endpoint)
        .select_related("message")
        .defer("message__body", "message__change", "last_response")
        .order_by("-id")[:limit]
    )


def webhook_delivery_get(*, endpoint: WebhookEndpoint, pk: int) -> EndpointDelivery:
    return EndpointDelivery.objects.select_related("message", "endpoint__merchant").get(
        endpoint=endpoint, pk=pk
    )
