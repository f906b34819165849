"""Import Actual Costs: preview an uploaded file, check for a second import, start the jobs."""

import csv
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from orders.exceptions import OrderError
from orders.models import Merchant, Order
from tools.jobs import job_create
from tools.models import CostImport, Job

from .plan import CostPlan, OrderPlan, cost_plan_build, plan_csv
from .reading import cost_file_open

PREVIEW_ORDERS = 200
PREVIEW_REPEATED = 100
PERMISSION = "orders.import_costs"


@dataclass(frozen=True)
class CostPreview:
    """A dry run: the plan, and before → after for the first orders."""

    plan: CostPlan
    changes: list[dict]
    content_hash: str


def cost_file_preview(*, merchant: Merchant, name: str, content: bytes) -> CostPreview:
    """Read and validate a cost file without storing anything; CostFileRefused if unreadable."""
    plan = cost_plan_build(merchant=merchant, cost_file=cost_file_open(name=name, content=content))
    first = list(plan.orders.values())[:PREVIEW_ORDERS]
    return CostPreview(
        plan=plan,
        changes=order_changes_preview(merchant=merchant, plans=first),
        content_hash=hashlib.sha256(content).hexdigest(),
    )


def order_changes_preview(*, merchant: Merchant, plans: list[OrderPlan]) -> list[dict]:
    orders = Order.objects.filter(merchant=merchant, pk__in=[p.order_pk for p in plans])
    by_pk = {order.pk: order for order in orders}
    changes = []
    for plan in plans:
        order = by_pk.get(plan.order_pk)
        if order is not None:
            before = _costs(order)
            order_plan_apply(order=order, plan=plan)
            changes.append({"order_id": plan.order_id, "rows": plan.rows, "before": before,
                            "after": _costs(order)})  # fmt: skip
    return changes


def _costs(order: Order) -> dict[str, str]:
    return {
        "shipping": str(order.actual_shipping),
        "fulfillment": str(order.actual_fulfillment),
        "payment": str(order.actual_payment),
        "profit": str(order.actual_profit),
    }


def order_plan_apply(*, order: Order, plan: OrderPlan) -> None:
    """Set the plan's costs on the order in memory and recompute its profit (no save)."""
    if plan.shipping is not None:
        order.actual_shipping = plan.shipping
    if plan.fulfillment is not None:
        order.actual_fulfillment = plan.fulfillment
    if plan.payment_added is not None:
        order.actual_payment += plan.payment_added
    order.actual_profit = order.compute_actual_profit()


def cost_import_preview(*, merchant: Merchant, name: str, content: bytes, by=None) -> CostImport:
    """Store the upload and its preview (nothing changes on orders); CostFileRefused if the
    file cannot be read as a cost file at all."""
    if by is not None and not by.has_perm(PERMISSION, merchant):
        raise OrderError("You may not import actual costs for this merchant.")
    preview = cost_file_preview(merchant=merchant, name=name, content=content)
    plan = preview.plan
    cost_import = CostImport(
        merchant=merchant,
        filename=name[-255:],
        content_hash=preview.content_hash,
        rows_hash=plan.rows_hash,
        rows_read=plan.rows_read,
        orders_matched=len(plan.orders),
        errors=[error.as_dict() for error in plan.errors],
        summary={
            "changes": preview.changes,
            "repeated": dict(list(plan.repeated.items())[:PREVIEW_REPEATED]),
            "repeated_count": len(plan.repeated),
        },
        created_by=by if by is not None and by.is_authenticated else None,
    )
    cost_import.file.save(_stored_name(name), ContentFile(content), save=False)
    if not plan.errors:
        cost_import.plan.save("plan.csv", ContentFile(plan_csv(plan).encode()), save=False)
    cost_import.save()
    return cost_import


def _stored_name(name: str) -> str:
    return "costs.xlsx" if name.lower().endswith(".xlsx") else "costs.csv"


def cost_import_duplicate_of(*, cost_import: CostImport) -> CostImport | None:
    """An applied import of this merchant with the same file content or the same rows."""
    from django.db.models import Q

    return (
        CostImport.objects.filter(
            merchant_id=cost_import.merchant_id, status=CostImport.Status.APPLIED
        )
        .filter(Q(content_hash=cost_import.content_hash) | Q(rows_hash=cost_import.rows_hash))
        .exclude(pk=cost_import.pk)
        .select_related("applied_by")
        .order_by("-applied_at")
        .first()
    )


def cost_import_list(*, merchant: Merchant):
    return CostImport.objects.filter(merchant=merchant).select_related("created_by", "applied_by")


def cost_import_get(*, merchant: Merchant, import_id: int) -> CostImport:
    """The merchant's import; CostImport.DoesNotExist for anyone else's."""
    return cost_import_list(merchant=merchant).get(pk=import_id)


def cost_import_apply_start(
    *, cost_import: CostImport, by=None, allow_duplicate: bool = False, queue: str | None = None
) -> Job:
    """Refuse an import with errors or an unconfirmed duplicate; else start its apply job."""
    with transaction.atomic():
        locked = CostImport.objects.select_for_update().get(pk=cost_import.pk)
        if locked.status != CostImport.Status.PREVIEWED:
            raise OrderError(f"Import {locked.pk} is {locked.get_status_display().lower()}.")
        if locked.errors:
            raise OrderError("This file has errors: fix them and upload it again.")
        duplicate = cost_import_duplicate_of(cost_import=locked)
        if duplicate is not None and not allow_duplicate:
            raise OrderError(duplicate_message(duplicate) + " Confirm to apply it again.")
        job = job_create(
            merchant=locked.merchant, kind="cost_import_apply",
            params={"import_id": locked.pk, "filename": locked.filename}, order_pks=[],
            by=by, queue=queue, permission=PERMISSION,
        )  # fmt: skip
        CostImport.objects.filter(pk=locked.pk).update(status=CostImport.Status.APPLYING, job=job)
    return job


def cost_import_undo_start(*, cost_import: CostImport, by=None, queue: str | None = None) -> Job:
    """Start undoing an applied import (a job); refuses one that is not applied."""
    with transaction.atomic():
        locked = CostImport.objects.select_for_update().get(pk=cost_import.pk)
        if locked.status != CostImport.Status.APPLIED:
            raise OrderError(f"Import {locked.pk} is {locked.get_status_display().lower()}.")
        job = job_create(
            merchant=locked.merchant, kind="cost_import_undo",
            params={"import_id": locked.pk, "filename": locked.filename}, order_pks=[],
            by=by, queue=queue, permission=PERMISSION,
        )  # fmt: skip
        CostImport.objects.filter(pk=locked.pk).update(status=CostImport.Status.UNDOING, job=job)
    return job


def duplicate_message(duplicate: CostImport) -> str:
    when = duplicate.applied_at.strftime("%Y-%m-%d %H:%M") if duplicate.applied_at else "?"
    who = duplicate.applied_by.get_username() if duplicate.applied_by else "system"
    return f"This file's content was already applied on {when} by {who} (import #{duplicate.pk})."


def cost_errors_csv(*, errors: list[dict]) -> str:
    """The preview's errors as CSV text: row, column, value, message."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "column", "value", "message"])
    for error in errors:
        value = error.get("value", "")
        if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            value = "'" + value
        writer.writerow([error["row"], error["column"], value, error["message"]])
    return out.getvalue()


def money_delta(before: str, after: str) -> Decimal:
    return Decimal(after) - Decimal(before)
