"""The kinds of job, at the bottom of `tools`: what each is called, who may start it, whether
it works order by order; and the shapes of the code that runs them.

Nothing here imports a runner: the mapping from a kind to the code that runs it is
tools.job_registry, on top. So the Job model (its kind's choices), the job services
(tools.jobs) and every runner can read a kind without an import cycle.

Per-order work is an Operation (tools.operations), run by the one per-item kind "operation";
the other kinds are whole-job runners (an export, an actual-cost import).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


# A per-item handler: (order_pk, params, job) -> ItemResult (succeeded, or skipped with a
# reason), or raises OrderError, which the runner records as that item's failure. The runner
# calls it inside a savepoint, in the same transaction as the item's outcome row.
Handler = Callable[[int, dict[str, Any], "Job"], ItemResult]

# A whole-job runner: does the job's work at once (an export, an import) and keeps its
# progress on the job row itself; it must be safe to call again for the same job.
Runner = Callable[["Job"], None]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    # What starting a job of this kind needs; its report and result file need the same (an
    # export's file is customer data: only those who may export download it).
    permission: str = "orders.run_tools"
    # Works order by order (a handler per item, outcomes per order), else as a whole.
    per_item: bool = False


@dataclass(frozen=True)
class JobRunner:
    """How the registry runs a kind: a handler per item, or a whole-job runner."""

    handler: Handler | None = None
    run: Runner | None = None
    # (params) -> True when no item of the job moves money at the gateway, so the runner may
    # commit items without waiting for the disk (see tools.job_runner).
    fast_commit: Callable[[dict[str, Any]], bool] = lambda params: False
    # (queryset of a chunk's orders) -> {pk: order}: loads a chunk's orders in one query; the
    # runner puts them on job.chunk_orders for the handler.
    preload: Callable[[Any], dict[int, Any]] | None = None


JOB_KINDS: dict[str, JobKind] = {
    kind.name: kind
    for kind in [
        JobKind("operation", "Operation", per_item=True),
        JobKind("export", "Export orders", permission="orders.export_orders"),
        JobKind("cost_import_preview", "Read actual costs", permission="orders.import_costs"),
        JobKind("cost_import_apply", "Import actual costs", permission="orders.import_costs"),
        JobKind("cost_import_undo", "Undo actual-cost import", permission="orders.import_costs"),
    ]
}

# Kinds no longer started: their work is an operation now ("append_note",
# "postpone_auto_orders"). Their past jobs keep their name in the lists.
RETIRED_KIND_LABELS: dict[str, str] = {
    "append_note": "Append note",
    "auto_order_postpone": "Postpone auto orders",
}
