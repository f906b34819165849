from celery import shared_task
from django.utils import timezone

from orders.services import notifications
from orders.services.auto_orders.rebill import rebill_sweep
from orders.services.holds import hold_release_due


@shared_task(acks_late=True)
def order_email_send_task(order_pk: int, template: str) -> None:
    notifications.order_email_send(order_pk=order_pk, template=template)


@shared_task(acks_late=True)
def hold_release_due_task() -> int:
    return hold_release_due()


@shared_task(acks_late=True)
def rebill_due_task() -> dict[str, int]:
    """Beat's rebill sweep; safe to deliver twice (see orders.services.auto_orders.rebill)."""
    result = rebill_sweep(today=timezone.localdate(timezone.now()))
    return {str(key): count for key, count in result.counts.items()}
