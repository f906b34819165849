"""Who works for a merchant, and the merchant's own audit trail (settings, staff, tokens)."""

from django.db.models import QuerySet

from orders.models import Membership, Merchant, MerchantEvent, MerchantEventType

MERCHANT_CHANGE_EVENTS = (
    MerchantEventType.SETTINGS_CHANGED,
    MerchantEventType.STAFF_INVITED,
    MerchantEventType.STAFF_ROLE_CHANGED,
    MerchantEventType.STAFF_REMOVED,
    MerchantEventType.API_TOKEN_CREATED,
    MerchantEventType.API_TOKEN_REVOKED,
)


def staff_list(*, merchant: Merchant) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(merchant=merchant)
        .select_related("user")
        .order_by("user__username")
    )


def staff_membership_get(*, merchant: Merchant, pk: int) -> Membership:
    """One of the merchant's memberships (Membership.DoesNotExist otherwise)."""
    return Membership.objects.select_related("user", "merchant").get(merchant=merchant, pk=pk)


def merchant_changes_recent(*, merchant: Merchant, limit: int = 20) -> list[MerchantEvent]:
    """The latest changes to the merchant itself, newest first."""
    return list(
        MerchantEvent.objects.filter(merchant=merchant, type__in=MERCHANT_CHANGE_EVENTS)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
