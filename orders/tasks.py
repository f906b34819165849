from celery import shared_task

from orders.services import notifications
from orders.services.holds import hold_release_due


@shared_task(acks_late=True)
def order_email_send_task(order_pk: int, template: str) -> None:
    notifications.order_email_send(order_pk=order_pk, template=template)


@shared_task(acks_late=True)
def hold_release_due_task() -> int:
    return hold_release_due()


@shared_task(acks_late=True)
def case_email_send_task(audience: str, message_pk: int) -> None:
    from orders.services.cases import case_email_send

    case_email_send(audience=audience, message_pk=message_pk)


@shared_task(acks_late=True)
def chargeback_expire_due_task() -> int:
    from orders.services.chargebacks import chargeback_expire_due

    return chargeback_expire_due()
