"""The job kinds: an explicit registry from kind name to the handler that does one item.

A handler takes (order_pk, params, job) and returns an ItemResult (succeeded, or skipped with a
reason), or raises OrderError, which the runner records as that item's failure. The runner
calls it inside a savepoint, in the same transaction as the item's outcome row.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orders.models import Order
from orders.services.notes import order_note_append

if TYPE_CHECKING:
    from tools.models import Job


@dataclass(frozen=True)
class ItemResult:
    outcome: str  # a JobItemOutcome.Outcome value
    message: str = ""

    @classmethod
    def succeeded(cls, message: str = "") -> "ItemResult":
        return cls("succeeded", message)

    @classmethod
    def skipped(cls, reason: str) -> "ItemResult":
        return cls("skipped", reason)


Handler = Callable[[int, dict[str, Any], "Job"], ItemResult]


# A whole-job runner: does the job's work at once (an export, an import) and keeps its
# progress on the job row itself; it must be safe to call again for the same job.
Runner = Callable[["Job"], None]


@dataclass(frozen=True)
class JobKind:
    label: str
    handler: Handler | None = None
    run: Runner | None = None
    # (params) -> True when no item of the job moves money at the gateway, so the runner may
    # commit items without waiting for the disk (see tools.jobs.job_run).
    fast_commit: Callable[[dict[str, Any]], bool] = lambda params: False
    # (queryset of a chunk's orders) -> {pk: order}: loads a chunk's orders in one query; the
    # runner puts them on job.chunk_orders for the handler.
    preload: Callable[[Any], dict[int, Order]] | None = None
    # What starting a job of this kind needs; its report and result file need the same (an
    # export's file is customer data: only those who may export download it).
    permission: str = "orders.run_tools"


def note_append_item(order_pk: int, params: dict[str, Any], job: "Job") -> ItemResult:
    """Append the job's note to one order (a note and an order_note_added event naming the job)."""
    if Order.objects.filter(pk=order_pk, deleted_at__isnull=False).exists():
        return ItemResult.skipped("deleted")
    order_note_append(
        order=order_pk,
        text=params.get("text", ""),
        by=job.created_by,
        via=f"job {job.pk}",
        job_id=job.pk,
    )
    return ItemResult.succeeded()


def operation_item(order_pk: int, params: dict[str, Any], job: "Job") -> ItemResult:
    from tools.operations.registry import operation_item_run

    return operation_item_run(order_pk, params, job)


def export_run(job: "Job") -> None:
    from tools.exports.jobs import export_job_audit, export_job_run

    export_job_run(job=job)
    export_job_audit(job=job)


def cost_import_preview_run(job: "Job") -> None:
    from tools.imports.preview import cost_import_preview_job_run

    cost_import_preview_job_run(job=job)


def cost_import_apply_run(job: "Job") -> None:
    from tools.imports.apply import cost_import_apply_job_run

    cost_import_apply_job_run(job=job)


def cost_import_undo_run(job: "Job") -> None:
    from tools.imports.undo import cost_import_undo_job_run

    cost_import_undo_job_run(job=job)


def auto_order_postpone_item(order_pk: int, params: dict[str, Any], job: "Job") -> ItemResult:
    """Postpone the auto order this (original) order started; see auto_order_postpone."""
    from datetime import date

    from orders.services.auto_orders.actions import auto_order_postpone

    auto_order, moved = auto_order_postpone(
        original_order_pk=order_pk,
        item_pk=int(params["item"]),
        before=date.fromisoformat(params["before"]),
        until=date.fromisoformat(params["until"]),
        by=job.created_by,
        via=f"job {job.pk}",
        job_id=job.pk,
    )
    if not moved:
        return ItemResult.skipped(f"{auto_order.code}: no rebill before {params['before']} now")
    return ItemResult.succeeded(f"{auto_order.code}: next rebill {auto_order.next_rebill_on}")


def operation_preload(queryset) -> dict[int, Order]:
    return queryset.select_related("merchant").prefetch_related("tags").in_bulk()


def operation_fast_commit(params: dict[str, Any]) -> bool:
    from tools.operations.registry import OPERATIONS

    operation = OPERATIONS.get(params.get("operation", ""))
    return operation is not None and not operation.moves_money


JOB_KINDS: dict[str, JobKind] = {
    "append_note": JobKind(
        label="Append note", handler=note_append_item, fast_commit=lambda params: True
    ),
    "operation": JobKind(
        label="Operation",
        handler=operation_item,
        fast_commit=operation_fast_commit,
        preload=operation_preload,
    ),
    "export": JobKind(label="Export orders", run=export_run, permission="orders.export_orders"),
    "cost_import_preview": JobKind(
        label="Read actual costs", run=cost_import_preview_run, permission="orders.import_costs"
    ),
    "cost_import_apply": JobKind(
        label="Import actual costs", run=cost_import_apply_run, permission="orders.import_costs"
    ),
    "cost_import_undo": JobKind(
        label="Undo actual-cost import", run=cost_import_undo_run, permission="orders.import_costs"
    ),
    "auto_order_postpone": JobKind(label="Postpone auto orders", handler=auto_order_postpone_item),
}
