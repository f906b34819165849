"""The registry: every operation by name, and the preview and run that all of them share."""

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms

from orders.actors import Actor
from orders.exceptions import OrderError
from orders.models import Merchant, Order
from orders.services.locking import order_lock
from orders.states import SCREEN_BY_SLUG
from tools.job_types import ItemResult
from tools.jobs import job_create

from . import auto_orders, deletion, exports, notes_fields, payments, shipping
from .base import Operation, OperationPreview, PreviewRow, WholeJobStart
from .transitions import transition_operations

if TYPE_CHECKING:
    from tools.models import Job

PREVIEW_ROWS = 100
PREVIEW_CHUNK = 1000
# What the preview shows of an order (with its pk), whatever the operation checks; and the
# stage, which django-fsm's protected field reads on every instance.
PREVIEW_FIELDS = ("order_id", "order_number", "total", "stage")

OPERATIONS: dict[str, Operation] = {
    operation.name: operation
    for operation in [
        *notes_fields.OPERATIONS,
        *transition_operations(),
        *shipping.OPERATIONS,
        *payments.OPERATIONS,
        *exports.OPERATIONS,
        *deletion.OPERATIONS,
        *auto_orders.OPERATIONS,
    ]
}


def operation_inputs(form: forms.Form | None) -> dict[str, Any]:
    """A valid input form's values as job parameters (JSON: dates and amounts as text)."""
    if form is None:
        return {}
    values = form.inputs() if hasattr(form, "inputs") else dict(form.cleaned_data)
    return {
        key: value.isoformat()
        if hasattr(value, "isoformat")
        else str(value)
        if isinstance(value, Decimal)
        else value
        for key, value in values.items()
    }


def operation_get(name: str) -> Operation:
    try:
        return OPERATIONS[name]
    except KeyError as exc:
        raise OrderError(f"Unknown operation “{name}”.") from exc


def operations_for_batch() -> list[Operation]:
    """The operations the Batch Order Operation tool offers: all but those on deleted orders
    and those only their own screen starts."""
    return [
        operation
        for operation in OPERATIONS.values()
        if operation.offered and not operation.on_deleted
    ]


def operations_for_screen(slug: str | None) -> list[Operation]:
    """The operations that can apply to some order on a stage screen (all, for View All)."""
    if slug is None:
        return operations_for_batch()
    shown = set(SCREEN_BY_SLUG[slug].stages)
    return [
        operation
        for operation in operations_for_batch()
        if operation.stages is None or shown & set(operation.stages)
    ]


# ---- preview and run ------------------------------------------------------------------------


def _orders_checked(
    *,
    merchant: Merchant,
    operation: Operation,
    inputs: dict[str, Any],
    order_pks: Iterable[int],
    by=None,
) -> Iterator[tuple[Order, str | None]]:
    """The merchant's orders among `order_pks` (order-number order within each chunk), each
    with why the operation would skip it (None: it applies). The one dry run of the rules."""
    pks = list(order_pks)
    for start in range(0, len(pks), PREVIEW_CHUNK):
        chunk = Order.objects.filter(merchant=merchant, pk__in=pks[start : start + PREVIEW_CHUNK])
        if operation.check_fields is None:
            chunk = chunk.select_related("merchant").prefetch_related("tags")
        else:
            chunk = chunk.only(*PREVIEW_FIELDS, *operation.check_fields)
        for order in chunk.order_by("order_number"):
            yield order, operation.check(order, inputs, by)


def operation_preview(
    *,
    merchant: Merchant,
    operation: Operation,
    inputs: dict[str, Any],
    order_pks: Iterable[int],
    by: Actor = None,
) -> OperationPreview:
    """The dry run: for each order, whether the operation will apply or why it will skip."""
    preview = OperationPreview(operation=operation)
    checked = _orders_checked(
        merchant=merchant, operation=operation, inputs=inputs, order_pks=order_pks, by=by
    )
    for order, reason in checked:
        preview.count += 1
        if reason is None:
            preview.applies += 1
            preview.total += order.total
        else:
            preview.skips += 1
            preview.skip_reasons[reason] = preview.skip_reasons.get(reason, 0) + 1
        if len(preview.rows) < PREVIEW_ROWS:
            preview.rows.append(PreviewRow(order.order_id, reason is None, reason or ""))
    return preview


def operation_item_run(order_pk: int, params: dict[str, Any], job: "Job") -> ItemResult:
    """The job kind "operation": lock the order, re-check it (it may have changed since the
    preview), then apply. Operations' apply functions get the order locked in the current
    transaction, so the services they call need not read it again (lock_held)."""
    operation = operation_get(params["operation"])
    if getattr(job, "chunk_locked", False):
        order = job.chunk_orders[order_pk]
    else:
        order = order_lock(order_pk)
    reason = operation.check(order, params.get("inputs", {}), job.created_by)
    if reason is not None:
        return ItemResult.skipped(reason)
    if operation.apply is None:
        raise OrderError(f"“{operation.label}” runs as one job, not order by order.")
    return operation.apply(order, params.get("inputs", {}), job)


def operation_job_create(
    *,
    merchant: Merchant,
    operation: Operation,
    inputs: dict[str, Any],
    order_pks: Iterable[int],
    by: Actor = None,
    selection: dict[str, Any] | None = None,
) -> "Job":
    """Run an operation over orders as a job. Side effect: the job's task is queued on commit."""
    if by is not None and not by.has_perm(operation.permission, merchant):
        raise OrderError(f"You may not “{operation.label}”.")
    selection = selection or {}
    if operation.explicit_ids_only and selection.get("kind", "ids") != "ids":
        raise OrderError(f"“{operation.label}” takes a list of order IDs only, never a range.")
    if operation.whole_job is not None:
        return _whole_job_start(
            operation.whole_job,
            merchant=merchant,
            operation=operation,
            inputs=inputs,
            order_pks=order_pks,
            by=by,
            selection=selection,
        )
    return job_create(
        merchant=merchant,
        kind="operation",
        params={
            "operation": operation.name,
            "label": operation.label,
            "inputs": inputs,
            "selection": selection,
        },
        order_pks=order_pks,
        by=by,
        # The operation's permission is what this job needs (a shipping clerk's mark shipped),
        # not the Batch tool's.
        permission=operation.permission,
    )


def _whole_job_start(
    start: WholeJobStart,
    *,
    merchant: Merchant,
    operation: Operation,
    inputs: dict[str, Any],
    order_pks: Iterable[int],
    by,
    selection: dict[str, Any],
) -> "Job":
    """Check every order again now (it may have changed since the preview), then hand the
    ones that apply to the operation's one job; the others become its "skipped" outcomes."""
    applying: list[int] = []
    skipped: list[tuple[int, str, str]] = []
    checked = _orders_checked(
        merchant=merchant, operation=operation, inputs=inputs, order_pks=order_pks, by=by
    )
    for order, reason in checked:
        if reason is None:
            applying.append(order.pk)
        else:
            skipped.append((order.pk, order.order_id, reason))
    return start(
        merchant=merchant,
        inputs=inputs,
        order_pks=applying,
        skipped=skipped,
        by=by,
        selection=selection,
    )
