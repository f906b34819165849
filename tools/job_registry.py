"""The registry of runners, on top of tools: which code runs each kind of job.

The kinds themselves (name, label, permission) are tools.job_types, at the bottom; this module
imports the runners, and nothing that a runner imports imports it (tools.job_runner and the
task are above it). Per-order work is an Operation: the kind "operation" runs every one of
them; the other kinds are whole-job runners.
"""

from typing import Any

from django.db.models import QuerySet

from orders.models import Order
from tools.exports.jobs import export_job_audit, export_job_run
from tools.imports.apply import cost_import_apply_job_run
from tools.imports.preview import cost_import_preview_job_run
from tools.imports.undo import cost_import_undo_job_run
from tools.job_types import JOB_KINDS, JobRunner
from tools.models import Job
from tools.operations.registry import OPERATIONS, operation_item_run


def export_run(job: Job) -> None:
    export_job_run(job=job)
    export_job_audit(job=job)


def cost_import_preview_run(job: Job) -> None:
    cost_import_preview_job_run(job=job)


def cost_import_apply_run(job: Job) -> None:
    cost_import_apply_job_run(job=job)


def cost_import_undo_run(job: Job) -> None:
    cost_import_undo_job_run(job=job)


def operation_preload(queryset: QuerySet[Order]) -> dict[int, Order]:
    return queryset.select_related("merchant").prefetch_related("tags").in_bulk()


def operation_fast_commit(params: dict[str, Any]) -> bool:
    operation = OPERATIONS.get(params.get("operation", ""))
    return operation is not None and not operation.moves_money


JOB_RUNNERS: dict[str, JobRunner] = {
    "operation": JobRunner(
        handler=operation_item_run, fast_commit=operation_fast_commit, preload=operation_preload
    ),
    "export": JobRunner(run=export_run),
    "cost_import_preview": JobRunner(run=cost_import_preview_run),
    "cost_import_apply": JobRunner(run=cost_import_apply_run),
    "cost_import_undo": JobRunner(run=cost_import_undo_run),
}


def job_permission(job: Job) -> str:
    """The permission starting this job needed, which its files and cancelling it need too."""
    if job.kind == "operation":
        operation = OPERATIONS.get(job.params.get("operation", ""))
        if operation is not None:
            return operation.permission
    kind = JOB_KINDS.get(job.kind)
    return kind.permission if kind is not None else "orders.run_tools"
