"""Telling the merchant's staff that an auto order was disabled after failed payments."""

from orders.events import order_email_sent_event
from orders.models import AutoOrder, Membership, Role
from orders.services.mailing import email_send

NOTIFIED_ROLES = (Role.OWNER, Role.ORDER_MANAGER)


def auto_order_disabled_notify(*, auto_order_pk: int) -> list[str]:
    """Email the owners and order managers; the email is logged on the original order."""
    auto_order = AutoOrder.objects.select_related("merchant", "original_order").get(
        pk=auto_order_pk
    )
    recipients = sorted(
        set(
            Membership.objects.filter(merchant=auto_order.merchant, role__in=NOTIFIED_ROLES)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    if not recipients:
        return []
    subject = f"Auto order {auto_order.code} disabled after failed payments"
    body = (
        f"The auto order {auto_order.code} of {auto_order.email} was disabled: "
        f"{auto_order.status_reason}\n\nRe-enable it from its page once the customer has "
        "updated the card."
    )
    email_send(subject=subject, body=body, to=recipients)
    order_auto_order_email = ", ".join(recipients)
    order_email_sent_event(
        order=auto_order.original_order, template="auto_order_disabled", to=order_auto_order_email
    )
    return recipients
