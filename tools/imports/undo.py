"""The undo job: restore what an applied import replaced and subtract what it added.

Set-based, through orders' one writer of costs (orders.services.costs.order_costs_undo_changes)
over the import's change rows. An order whose costs changed since the import (another import,
an edit) is listed on the import and left alone: undoing it would overwrite a later change.
"""

from django.db import transaction
from django.utils import timezone

from orders.services.costs import order_costs_undo_changes
from tools.jobs import job_progress_set
from tools.models import CostImport, Job

from .staging import cost_change_table


def cost_import_undo_job_run(*, job: Job) -> None:
    """Undo the job's import in one transaction. Safe to run twice (an undone import is left)."""
    with transaction.atomic():
        cost_import = CostImport.objects.select_for_update().get(
            pk=job.params["import_id"], merchant_id=job.merchant_id
        )
        if cost_import.status != CostImport.Status.UNDOING:
            return
        undone = order_costs_undo_changes(
            merchant_id=cost_import.merchant_id,
            changes=cost_change_table(import_pk=cost_import.pk),
            by=job.created_by,
            via=f"job {job.pk}",
            job_id=job.pk,
        )
        cost_import.status = CostImport.Status.UNDONE
        cost_import.undone_by = job.created_by
        cost_import.undone_at = timezone.now()
        cost_import.undo_skipped = undone.skipped
        cost_import.save(update_fields=["status", "undone_by", "undone_at", "undo_skipped"])
    job_progress_set(job_id=job.pk, done=undone.restored, total=undone.total)
