from celery import shared_task

from orders.services import notifications
from orders.services.holds import hold_release_due
from orders.services.quotes import quote_expire_due


@shared_task(acks_late=True)
def order_email_send_task(order_pk: int, template: str) -> None:
    notifications.order_email_send(order_pk=order_pk, template=template)


@shared_task(acks_late=True)
def hold_release_due_task() -> int:
    return hold_release_due()


@shared_task(acks_late=True)
def quote_expire_due_task() -> int:
    return quote_expire_due()
