from celery import shared_task
from django.utils import timezone

from orders.services import notifications
from orders.services.auto_orders.rebill import rebill_sweep
from orders.services.holds import hold_release_due
from orders.services.quotes import quote_expire_due
from orders.services.receivables import receivable_retry_due
from orders.services.webhooks import outbox_purge, webhooks_dispatch


@shared_task(acks_late=True)
def order_email_send_task(order_pk: int, template: str, shipment_pk: int | None = None) -> None:
    notifications.order_email_send(order_pk=order_pk, template=template, shipment_pk=shipment_pk)


@shared_task(acks_late=True)
def hold_release_due_task() -> int:
    return hold_release_due()


@shared_task(acks_late=True)
def orders_deleted_purge_task() -> list[int]:
    from orders.services.deletion import orders_deleted_purge

    return [log.pk for log in orders_deleted_purge()]


@shared_task(acks_late=True)
def receivable_retry_due_task() -> int:
    return receivable_retry_due()


@shared_task(acks_late=True)
def quote_expire_due_task() -> int:
    return quote_expire_due()


@shared_task(acks_late=True)
def rebill_due_task() -> dict[str, int]:
    """Beat's rebill sweep; safe to deliver twice (see orders.services.auto_orders.rebill)."""
    result = rebill_sweep(today=timezone.localdate(timezone.now()))
    return {str(key): count for key, count in result.counts.items()}


@shared_task(acks_late=True)
def case_email_send_task(audience: str, message_pk: int) -> None:
    from orders.services.cases import case_email_send

    case_email_send(audience=audience, message_pk=message_pk)


@shared_task(acks_late=True)
def chargeback_expire_due_task() -> int:
    from orders.services.chargebacks import chargeback_expire_due

    return chargeback_expire_due()


@shared_task(acks_late=True)
def stage_counts_fold_task() -> int:
    """Fold the counts and figures the database keeps: the stage counts and the day figures."""
    from orders.services.day_figures import day_figures_fold
    from orders.services.stage_counts import stage_counts_fold

    return stage_counts_fold() + day_figures_fold()


@shared_task(acks_late=True)
def form_submissions_purge_task() -> int:
    from orders.services.submissions import form_submissions_purge

    return form_submissions_purge()


@shared_task(acks_late=True)
def webhooks_dispatch_task() -> dict[str, int]:
    return webhooks_dispatch()


@shared_task(acks_late=True)
def webhooks_outbox_purge_task() -> int:
    return outbox_purge()


@shared_task(acks_late=True)
def api_requests_purge_task() -> int:
    from orders.services.api_requests import api_requests_purge

    return api_requests_purge()
