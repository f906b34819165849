"""The API's request log: one row per request, forgotten after API_REQUEST_KEEP_DAYS."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from orders.models import ApiRequest, ApiToken

MAX_PATH_LENGTH = 300


def api_request_record(
    *, token: ApiToken | None, method: str, path: str, status: int, duration_ms: int
) -> ApiRequest:
    """Log one answered request (the token when one authenticated, whatever the answer)."""
    return ApiRequest.objects.create(
        merchant_id=token.merchant_id if token else None,
        token=token,
        token_prefix=token.prefix if token else "",
        method=method[:10],
        path=path[:MAX_PATH_LENGTH],
        status=status,
        duration_ms=max(0, duration_ms),
    )


def api_requests_purge() -> int:
    """Forget requests older than API_REQUEST_KEEP_DAYS; the number deleted."""
    before = timezone.now() - timedelta(days=settings.API_REQUEST_KEEP_DAYS)
    deleted, _ = ApiRequest.objects.filter(created_at__lt=before).delete()
    return deleted
