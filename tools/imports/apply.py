"""The apply job: every order of an import changed in one transaction, or none at all.

Set-based: a handful of statements whatever the number of orders, all driven by the import's
per-order plan (CostImportOrder, made by the preview). The orders are locked and their costs
before the import written as change rows (what undo restores); then one event per order
(INSERT … SELECT) and the orders' new costs (UPDATE … FROM), computing "after" with the one
SQL definition the preview shows (tools.imports.staging.costs_after_sql).
"""

from django.db import connection, transaction
from django.utils import timezone

from orders.events import COSTS_RECORDED, order_costs_imported_events_insert
from orders.exceptions import OrderError
from orders.models import Order
from tools.jobs import job_progress_set
from tools.models import CostImport, CostImportChange, CostImportOrder, Job

from .plan import cost_rows_stage
from .reading import cost_file_open
from .staging import costs_after_sql, plan_join_sql


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
    _changes_write(cost_import)
    gone = _order_gone(cost_import)
    if gone is not None:
        raise OrderError(
            f"The file no longer applies: order {gone} was deleted meanwhile; nothing was "
            "changed. Upload it again."
        )
    count = order_costs_imported_events_insert(
        source_sql=_events_source_sql(), params=[cost_import.pk], import_id=cost_import.pk,
        by=job.created_by, via=f"job {job.pk}", job_id=job.pk,
    )  # fmt: skip
    _orders_update(cost_import)
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
            f"The file no longer applies ({plan.error_count} error(s), first: row {first.row} "
            f"{first.column} {first.message}); nothing was changed. Upload it again."
        )


def _quoted(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _changes_write(cost_import: CostImport) -> None:
    """Lock the import's orders and record each one's costs before it (a change row)."""
    lock = " FOR UPDATE OF o" if connection.features.has_select_for_update_of else ""
    sql = (
        f"INSERT INTO {_quoted(CostImportChange)} (cost_import_id, order_id, shipping_before, "  # noqa: S608
        "shipping_after, fulfillment_before, fulfillment_after, payment_before, payment_added) "
        "SELECT p.cost_import_id, o.id, "
        "CASE WHEN p.shipping IS NULL THEN NULL ELSE o.actual_shipping END, p.shipping, "
        "CASE WHEN p.fulfillment IS NULL THEN NULL ELSE o.actual_fulfillment END, p.fulfillment, "
        f"o.actual_payment, p.payment FROM {plan_join_sql()} ORDER BY o.id{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [cost_import.pk])


def _order_gone(cost_import: CostImport) -> str | None:
    """The first order ID (in file order) that is no longer one of the merchant's live orders;
    asked once the orders are locked, so the answer holds until the import commits."""
    sql = (
        f"SELECT p.order_id FROM {_quoted(CostImportOrder)} p "  # noqa: S608
        f"LEFT JOIN {_quoted(Order)} o ON o.id = p.order_pk WHERE p.cost_import_id = %s "
        "AND (o.id IS NULL OR o.deleted_at IS NOT NULL OR o.merchant_id <> %s) "
        "ORDER BY p.first_row LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [cost_import.pk, cost_import.merchant_id])
        row = cursor.fetchone()
    return row[0] if row else None


def _events_source_sql() -> str:
    after = costs_after_sql()
    columns = [f"o.{field} AS before_{key}" for key, field in COSTS_RECORDED.items()]
    columns += [f"{after[key]} AS after_{key}" for key in COSTS_RECORDED]
    return f"SELECT p.order_pk, {', '.join(columns)} FROM {plan_join_sql()}"  # noqa: S608


def _orders_update(cost_import: CostImport) -> None:
    after = costs_after_sql()
    assignments = ", ".join(f"{field} = {after[key]}" for key, field in COSTS_RECORDED.items())
    sql = (
        f"UPDATE {_quoted(Order)} AS o SET {assignments}, updated_at = %s "  # noqa: S608
        f"FROM {_quoted(CostImportOrder)} p WHERE p.cost_import_id = %s AND o.id = p.order_pk"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, cost_import.pk])
