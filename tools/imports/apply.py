"""The apply job: every order of an import changed in one transaction, or none at all.

Set-based, driven by the import's per-order plan (CostImportOrder, made by the preview), which
this job hands to orders' one writer of costs (orders.services.costs.order_costs_apply_plan):
it locks the orders, writes their change rows (what undo restores), one event per order and
their new costs in a handful of statements whatever the number of orders.
"""

from django.db import transaction
from django.utils import timezone

from backoffice.common.words import counted
from orders.exceptions import CostPlanOutdated, OrderError
from orders.services.costs import order_costs_apply_plan
from tools.jobs import job_progress_set
from tools.models import CostImport, CostImportOrder, Job

from .plan import cost_rows_stage
from .reading import cost_file_open
from .staging import cost_change_table, cost_plan_table


def cost_import_apply_job_run(*, job: Job) -> None:
    """Apply the job's import. Safe to run twice: an import no longer applying is left alone.

    Side effects: the orders' costs and profit, one change row and one event per order, the
    import marked applied; on any refusal nothing of it stays and the import is previewed again.
    """
    import_id = job.params["import_id"]
    try:
        with transaction.atomic():
            cost_import = (
                CostImport.objects.select_for_update()
                .select_related("merchant")
                .get(pk=import_id, merchant_id=job.merchant_id)
            )
            if cost_import.status != CostImport.Status.APPLYING:
                return
            count = _import_apply(cost_import, job)
    except OrderError:
        CostImport.objects.filter(pk=import_id, status=CostImport.Status.APPLYING).update(
            status=CostImport.Status.PREVIEWED
        )
        raise
    job_progress_set(job_id=job.pk, done=count, total=count)


def _import_apply(cost_import: CostImport, job: Job) -> int:
    if not CostImportOrder.objects.filter(cost_import=cost_import).exists():
        _rows_stage_again(cost_import)
    try:
        count = order_costs_apply_plan(
            merchant_id=cost_import.merchant_id,
            plan=cost_plan_table(import_pk=cost_import.pk),
            changes=cost_change_table(import_pk=cost_import.pk),
            by=job.created_by,
            via=f"job {job.pk}",
            job_id=job.pk,
        )
    except CostPlanOutdated as exc:
        raise OrderError(f"The file no longer applies: {exc} Upload it again.") from exc
    cost_import.status = CostImport.Status.APPLIED
    cost_import.applied_by = job.created_by
    cost_import.applied_at = timezone.now()
    cost_import.save(update_fields=["status", "applied_by", "applied_at"])
    return count


def _rows_stage_again(cost_import: CostImport) -> None:
    """An import previewed before rows were staged: read its stored upload again."""
    with cost_import.file.open("rb") as handle:
        content = handle.read()
    plan = cost_rows_stage(
        cost_import=cost_import,
        cost_file=cost_file_open(name=cost_import.filename, content=content),
    )
    if plan.error_count:
        first = plan.errors[0]
        raise OrderError(
            f"The file no longer applies ({counted(plan.error_count, 'error')}, "
            f"first: row {first.row} "
            f"{first.column} {first.message}); nothing was changed. Upload it again."
        )
