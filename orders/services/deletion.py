"""Soft deletion: a deleted order keeps every field and row; only deleted_at/by/reason mark it.

Every list, count, search, export and report reads Order.objects.live(), so a deleted order
disappears from all of them, and undeleting it brings it back exactly as it was. After the
merchant's retention period, beat purges deleted orders for good and logs their IDs.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from orders.actors import Actor
from orders.events import order_deleted_event, order_undeleted_event
from orders.exceptions import InvalidInput, TransitionNotAvailable, TransitionNotPermitted
from orders.models import Merchant, Order, PurgeLog

from .locking import order_change_atomic, order_lock

MAX_REASON_LENGTH = 300
DELETION_FIELDS = ["deleted_at", "deleted_by", "delete_reason"]
PURGE_BATCH = 500

logger = logging.getLogger(__name__)


def _user(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def order_delete(
    *,
    order: Order | int,
    by: Actor = None,
    reason: str,
    via: str = "",
    job_id: int | None = None,
    lock_held: bool = False,
) -> Order:
    """Soft-delete an order (who, when, why). Side effect: an order_deleted event."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason for deleting the order.")
    with order_change_atomic(lock_held=lock_held):
        locked = order_lock(order, lock_held=lock_held)
        if by is not None and not by.has_perm("orders.delete_order_soft", locked):
            raise TransitionNotPermitted("You may not delete orders.")
        if locked.deleted_at is not None:
            raise TransitionNotAvailable(f"{locked.order_id} is already deleted.")
        locked.deleted_at = timezone.now()
        locked.deleted_by = _user(by)
        locked.delete_reason = reason[:MAX_REASON_LENGTH]
        # Only the deletion fields are written: the order's data (and updated_at) stay as they
        # were, so an undelete restores it exactly.
        locked.save(update_fields=DELETION_FIELDS)
        order_deleted_event(
            order=locked, reason=reason, by=by, via=via, stage=locked.stage, job_id=job_id
        )
    return locked


def order_undelete(
    *, order: Order | int, by: Actor = None, via: str = "", job_id: int | None = None
) -> Order:
    """Restore a soft-deleted order to the stage and data it had. Side effect: an event."""
    with transaction.atomic():
        locked = order_lock(order)
        if by is not None and not by.has_perm("orders.undelete_order", locked):
            raise TransitionNotPermitted("You may not undelete orders.")
        if locked.deleted_at is None:
            raise TransitionNotAvailable(f"{locked.order_id} is not deleted.")
        deleted = {"deleted_at": locked.deleted_at, "reason": locked.delete_reason}
        locked.deleted_at = None
        locked.deleted_by = None
        locked.delete_reason = ""
        locked.save(update_fields=DELETION_FIELDS)
        order_undeleted_event(
            order=locked, by=by, via=via, stage=locked.stage, job_id=job_id, **deleted
        )
    return locked


def orders_deleted_purge(*, now: datetime | None = None) -> list[PurgeLog]:
    """Remove for good the deleted orders past each merchant's retention; log their IDs.

    Side effects: the orders and everything that cascades with them (lines, events, notes,
    payments) are deleted; one PurgeLog row per merchant that had any.
    """
    now = now or timezone.now()
    logs = []
    for merchant in Merchant.objects.filter(retention_days__isnull=False):
        log = merchant_deleted_orders_purge(merchant=merchant, now=now)
        if log is not None:
            logs.append(log)
    return logs


def merchant_deleted_orders_purge(*, merchant: Merchant, now: datetime) -> PurgeLog | None:
    if merchant.retention_days is None:
        return None
    cutoff = now - timedelta(days=merchant.retention_days)
    expired = Order.objects.deleted().for_merchant(merchant).filter(deleted_at__lt=cutoff)
    purged: list[str] = []
    with transaction.atomic():
        while True:
            batch = dict(expired.order_by("pk").values_list("pk", "order_id")[:PURGE_BATCH])
            if not batch:
                break
            # Orders made from a purged order keep existing; their link is cleared.
            Order.objects.filter(original_order_id__in=batch).update(original_order=None)
            Order.objects.filter(pk__in=batch).delete()
            purged.extend(batch.values())
        if not purged:
            return None
        logger.info("Purged %d deleted orders of %s: %s", len(purged), merchant.code, purged)
        return PurgeLog.objects.create(
            merchant=merchant,
            purged_at=now,
            retention_days=merchant.retention_days,
            order_ids=purged,
            count=len(purged),
        )
