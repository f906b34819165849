"""Reads for case screens: the merchant's list, one case and its thread, the unread count."""

from django.db.models import QuerySet

from orders.models import Case, CaseAttachment, CaseMessage, Membership, Merchant, Order


def case_list(*, merchant: Merchant) -> QuerySet[Case]:
    return (
        Case.objects.filter(merchant=merchant)
        .select_related("order", "assigned_to")
        .order_by("-status_changed_at", "-id")
    )


def case_get(*, merchant: Merchant, pk: int) -> Case:
    """One of the merchant's cases (Case.DoesNotExist otherwise)."""
    return Case.objects.select_related("order", "merchant", "assigned_to").get(
        merchant=merchant, pk=pk
    )


def case_staff_list(*, merchant: Merchant) -> QuerySet[Membership]:
    """The merchant's staff a case can be assigned to, by user name."""
    return (
        Membership.objects.filter(merchant=merchant)
        .select_related("user")
        .order_by("user__username")
    )


def case_thread(*, case: Case, customer_view: bool = False) -> list[CaseMessage]:
    """The case's messages, oldest first; the customer's view never holds internal notes."""
    messages = case.messages.select_related("author").prefetch_related("attachments")
    if customer_view:
        messages = messages.filter(kind__in=CaseMessage.CUSTOMER_VISIBLE)
    return list(messages)


def case_attachment_get(*, merchant: Merchant, pk: int) -> CaseAttachment:
    """An attachment of one of the merchant's cases, for its staff (internal notes' too)."""
    return CaseAttachment.objects.select_related("message__case").get(
        message__case__merchant=merchant, pk=pk
    )


def case_attachment_for_customer(*, case: Case, pk: int) -> CaseAttachment:
    """An attachment the case's customer may open: on a message of theirs or of the
    merchant's reply, never on an internal note."""
    return CaseAttachment.objects.get(
        message__case=case, message__kind__in=CaseMessage.CUSTOMER_VISIBLE, pk=pk
    )


def case_unread_count(*, merchant: Merchant) -> int:
    """Open cases with a customer message nobody at the merchant has read yet."""
    return (
        Case.objects.filter(merchant=merchant, unread=True)
        .exclude(status=Case.Status.CLOSED)
        .count()
    )


def cases_for_order(*, order: Order) -> list[Case]:
    return list(order.cases.order_by("-created_at"))
