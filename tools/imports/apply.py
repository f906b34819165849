"""The apply job: every order of an import changed in one transaction, or none at all."""

from django.db import transaction
from django.utils import timezone

from orders.events import order_costs_imported_events
from orders.exceptions import OrderError
from tools.jobs import job_progress_set
from tools.models import CostImport, CostImportChange, Job

from .changes import costs_of, orders_costs_write, orders_locked
from .plan import OrderPlan, cost_plan_build, plan_csv_read
from .reading import cost_file_open
from .services import order_plan_apply

CHUNK = 2000


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
    plans = _plans(cost_import)
    for start in range(0, len(plans), CHUNK):
        _chunk_apply(cost_import, job, plans[start : start + CHUNK])
    cost_import.status = CostImport.Status.APPLIED
    cost_import.applied_by = job.created_by
    cost_import.applied_at = timezone.now()
    cost_import.save(update_fields=["status", "applied_by", "applied_at"])
    return len(plans)


def _plans(cost_import: CostImport) -> list[OrderPlan]:
    """The validated plan stored by the preview, or (older imports) the file read again."""
    if cost_import.plan:
        with cost_import.plan.open("rb") as handle:
            return plan_csv_read(handle.read().decode())
    with cost_import.file.open("rb") as handle:
        content = handle.read()
    plan = cost_plan_build(
        merchant=cost_import.merchant,
        cost_file=cost_file_open(name=cost_import.filename, content=content),
    )
    if plan.errors:
        first = plan.errors[0]
        raise OrderError(
            f"The file no longer applies ({len(plan.errors)} error(s), first: row {first.row} "
            f"{first.column} {first.message}); nothing was changed. Upload it again."
        )
    return list(plan.orders.values())


def _chunk_apply(cost_import: CostImport, job: Job, plans) -> None:
    orders = orders_locked(
        merchant_id=cost_import.merchant_id, order_pks=[plan.order_pk for plan in plans]
    )
    changes, rows, events = [], [], []
    for plan in plans:
        order = orders.get(plan.order_pk)
        if order is None or order.deleted_at is not None:
            raise OrderError(
                f"The file no longer applies: order {plan.order_id} was deleted meanwhile; "
                "nothing was changed. Upload it again."
            )
        before = costs_of(order)
        order_plan_apply(order=order, plan=plan)
        changes.append(order)
        rows.append(_change_row(cost_import, order, plan, before))
        events.append((order, before, costs_of(order)))
    orders_costs_write(changes)
    CostImportChange.objects.bulk_create(rows, batch_size=CHUNK)
    order_costs_imported_events(
        changes=events, import_id=cost_import.pk, by=job.created_by, via=f"job {job.pk}",
        job_id=job.pk,
    )  # fmt: skip


def _change_row(cost_import, order, plan, before) -> CostImportChange:
    return CostImportChange(
        cost_import=cost_import,
        order_id=order.pk,
        shipping_before=before["shipping"] if plan.shipping is not None else None,
        shipping_after=plan.shipping,
        fulfillment_before=before["fulfillment"] if plan.fulfillment is not None else None,
        fulfillment_after=plan.fulfillment,
        payment_before=before["payment"],
        payment_added=plan.payment_added,
    )
