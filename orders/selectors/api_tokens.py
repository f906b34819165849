"""Reads of the merchant's intake API tokens."""

from django.db.models import QuerySet

from orders.models import ApiToken, Merchant


def api_token_list(*, merchant: Merchant) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(merchant=merchant)


def api_token_get(*, merchant: Merchant, pk: int) -> ApiToken:
    """One of the merchant's tokens (ApiToken.DoesNotExist otherwise)."""
    return ApiToken.objects.get(merchant=merchant, pk=pk)
