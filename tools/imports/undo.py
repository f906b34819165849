"""The undo job: restore what an applied import replaced and subtract what it added.

An order whose costs changed since the import (another import, an edit) is listed on the
import and left alone: undoing it would overwrite a later change.
"""

from django.db import transaction
from django.utils import timezone

from orders.events import order_costs_import_undone_events, order_costs_of
from tools.jobs import job_progress_set
from tools.models import CostImport, CostImportChange, Job

from .changes import orders_costs_write, orders_locked

CHUNK = 2000


def cost_import_undo_job_run(*, job: Job) -> None:
    """Undo the job's import in one transaction. Safe to run twice (an undone import is left)."""
    with transaction.atomic():
        cost_import = CostImport.objects.select_for_update().get(
            pk=job.params["import_id"], merchant_id=job.merchant_id
        )
        if cost_import.status != CostImport.Status.UNDOING:
            return
        changes = list(cost_import.changes.order_by("id"))
        skipped: list[dict] = []
        restored = 0
        for start in range(0, len(changes), CHUNK):
            restored += _chunk_undo(cost_import, job, changes[start : start + CHUNK], skipped)
        cost_import.status = CostImport.Status.UNDONE
        cost_import.undone_by = job.created_by
        cost_import.undone_at = timezone.now()
        cost_import.undo_skipped = skipped
        cost_import.save(update_fields=["status", "undone_by", "undone_at", "undo_skipped"])
    job_progress_set(job_id=job.pk, done=restored, total=len(changes))


def _chunk_undo(cost_import, job, changes: list[CostImportChange], skipped: list[dict]) -> int:
    orders = orders_locked(
        merchant_id=cost_import.merchant_id, order_pks=[change.order_id for change in changes]
    )
    restored, events = [], []
    for change in changes:
        order = orders.get(change.order_id)
        if order is None:
            continue
        reason = _changed_since(order, change)
        if reason:
            skipped.append({"order_id": order.order_id, "reason": reason})
            continue
        before = order_costs_of(order)
        if change.shipping_after is not None:
            order.actual_shipping = change.shipping_before
        if change.fulfillment_after is not None:
            order.actual_fulfillment = change.fulfillment_before
        if change.payment_added is not None:
            order.actual_payment -= change.payment_added
        order.actual_profit = order.compute_actual_profit()
        restored.append(order)
        events.append((order, before, order_costs_of(order)))
    orders_costs_write(restored)
    order_costs_import_undone_events(
        changes=events, import_id=cost_import.pk, by=job.created_by, via=f"job {job.pk}",
        job_id=job.pk,
    )  # fmt: skip
    return len(restored)


def _changed_since(order, change: CostImportChange) -> str:
    changed = []
    if change.shipping_after is not None and order.actual_shipping != change.shipping_after:
        changed.append("shipping")
    if (
        change.fulfillment_after is not None
        and order.actual_fulfillment != change.fulfillment_after
    ):
        changed.append("fulfillment")
    if (
        change.payment_added is not None
        and order.actual_payment != change.payment_before + change.payment_added
    ):
        changed.append("payment")
    if order.deleted_at is not None:
        changed.append("deleted")
    return ", ".join(changed) + " changed since the import" if changed else ""
