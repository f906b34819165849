"""Job services: create a job and queue its task, record what its runner reports, read it.

Below the runners: an operation, an export or a cost import starts its job here, and its
runner reports progress and result files here. Running a job (claiming it, doing its items in
chunks, its heartbeat) and cancelling it are in tools.job_runner, on top of the registry of
runners (tools.job_registry), which imports the runners; nothing here imports either.
"""

import csv
import logging
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import BooleanField, Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from orders.actors import Actor
from orders.exceptions import OrderError
from orders.models import Merchant, Order
from orders.states import SCREEN_BY_SLUG
from tools.job_threads import job_thread_submit
from tools.job_types import JOB_KINDS
from tools.models import Job, JobItemOutcome

logger = logging.getLogger(__name__)

FIRST_PROBLEMS = 10
Outcome = JobItemOutcome.Outcome
# The task that runs a job, sent by its name: it runs jobs through the registry of runners,
# which imports this module (runners start jobs too). tools.apps registers it in every process.
JOB_RUN_TASK = "tools.tasks.job_run_task"


class JobError(OrderError):
    """A job that cannot be created or changed; the message is shown to the person acting."""


# ---- create ----------------------------------------------------------------------------------


def job_create(
    *,
    merchant: Merchant,
    kind: str,
    params: dict[str, Any],
    order_pks: Iterable[int],
    by: Actor = None,
    queue: str | None = None,
    permission: str | None = None,
) -> Job:
    """Store a pending job over these orders. Side effect: its task is queued after commit.

    `queue` names a Celery queue other than the default, e.g. for long exports; `permission`
    is the one the person needs when it is not the kind's (an operation's own); keep it what
    job_permission answers for the job.
    """
    if kind not in JOB_KINDS:
        raise JobError(f"Unknown kind of job “{kind}”.")
    permission = permission or JOB_KINDS[kind].permission
    if by is not None and not by.has_perm(permission, merchant):
        raise JobError("You may not run tools for this merchant.")
    pks = list(dict.fromkeys(int(pk) for pk in order_pks))
    if not pks and JOB_KINDS[kind].per_item:
        raise JobError("There are no orders to work on.")
    user = by if by is not None and by.is_authenticated else None
    with transaction.atomic():
        job = Job.objects.create(
            merchant=merchant,
            kind=kind,
            params=params,
            order_pks=pks,
            total=len(pks),
            created_by=user,
            queue=queue or "",
        )
        transaction.on_commit(lambda: _job_enqueue_after_create(job))
    return job


def job_skips_record(*, job: Job, skipped: Iterable[tuple[int, str, str]]) -> int:
    """Give a whole-job kind's job the outcome "skipped" (with the reason) of each order that
    its creator checked and left out: (order pk, order ID, reason). The number recorded."""
    rows = [
        JobItemOutcome(
            job=job, order_pk=pk, order_id=order_id, outcome=Outcome.SKIPPED, message=reason
        )
        for pk, order_id, reason in skipped
    ]
    JobItemOutcome.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    # Outside the job's total, which counts the orders it works on.
    Job.objects.filter(pk=job.pk).update(skipped_count=len(rows))
    job.skipped_count = len(rows)
    return len(rows)


def _job_enqueue(job_id: int, queue: str) -> bool:
    """Send the job's task; False when the broker cannot be reached. The job then stays
    pending, and beat's job_requeue_stalled sends it again once the broker is back."""
    if settings.JOBS_IN_THREAD:
        job_thread_submit(job_id=job_id, task_name=JOB_RUN_TASK)
        return True
    options = {"queue": queue} if queue else {}
    try:
        current_app.tasks[JOB_RUN_TASK].apply_async(args=[job_id], **options)
    except BrokerError as exc:
        logger.warning("Job %s not queued, the broker is unreachable: %s", job_id, exc)
        return False
    return True


def _job_enqueue_after_create(job: Job) -> None:
    job.enqueue_failed = not _job_enqueue(job.pk, job.queue)


def job_started_text(job: Job) -> str:
    """How the request that created the job tells what happened to it: "started", or queued for
    later when the broker could not be reached (the job is stored and will run)."""
    if job.enqueue_failed:
        return "queued; it will start when the worker is reachable"
    return "started"


def job_requeue_stalled() -> int:
    """Send again the task of every job no worker is on: pending longer than
    JOB_PENDING_REQUEUE_SECONDS (its task never reached the broker, or was lost) or running
    with a heartbeat older than JOB_HEARTBEAT_STALE_SECONDS (its worker died). The number sent.

    Safe to overdo: a delivery finds an ended job ended, and a job another delivery is
    running (fresh heartbeat) claimed; every item with an outcome is skipped (job_run).
    """
    now = timezone.now()
    pending_before = now - timedelta(seconds=settings.JOB_PENDING_REQUEUE_SECONDS)
    stale_before = now - timedelta(seconds=settings.JOB_HEARTBEAT_STALE_SECONDS)
    stalled = Job.objects.filter(
        Q(status=Job.Status.PENDING, created_at__lt=pending_before)
        | Q(status=Job.Status.RUNNING, heartbeat_at__lt=stale_before)
        | Q(status=Job.Status.RUNNING, heartbeat_at__isnull=True, started_at__lt=stale_before)
    ).order_by("created_at")
    sent = 0
    for job_id, queue in stalled.values_list("pk", "queue"):
        if not _job_enqueue(job_id, queue):
            break  # the broker is down again: the next run tries
        logger.info("Job %s queued again (no worker was on it)", job_id)
        sent += 1
    return sent


# ---- what runners report -------------------------------------------------------------------


def job_fail(*, job_id: int, error: str) -> None:
    """Mark a job that broke outside its items as failed; finished items keep their outcomes."""
    Job.objects.filter(pk=job_id, status__in=[Job.Status.PENDING, Job.Status.RUNNING]).update(
        status=Job.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    job_progress_save(job_id)


def job_progress_set(*, job_id: int, done: int, total: int | None = None) -> None:
    """Progress of a whole-job kind, kept on the row (it has no per-item outcomes)."""
    values = {"done": done, "succeeded_count": done}
    if total is not None:
        values["total"] = total
    Job.objects.filter(pk=job_id).update(**values)


def job_progress_save(job_id: int) -> None:
    """Count a per-item job's outcomes onto its row."""
    counts = dict(
        JobItemOutcome.objects.filter(job_id=job_id)
        .values_list("outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    succeeded = counts.get(Outcome.SUCCEEDED, 0)
    skipped = counts.get(Outcome.SKIPPED, 0)
    failed = counts.get(Outcome.FAILED, 0)
    # update(), not save(): a cancel that lands meanwhile must not be overwritten.
    Job.objects.filter(pk=job_id).update(
        done=succeeded + skipped + failed,
        succeeded_count=succeeded,
        skipped_count=skipped,
        failed_count=failed,
    )


# ---- read ----------------------------------------------------------------------------------


def job_orders_narrow(queryset: QuerySet[Order], job: Job) -> QuerySet[Order]:
    """The queryset narrowed to the job's orders. On PostgreSQL the pks go as one array
    parameter (`id = ANY(…)`, which PostgreSQL hashes) rather than a parameter each: a
    selection of 100,000 orders would otherwise repeat 100,000 parameters in every query
    that reads a window of the orders."""
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        return queryset.filter(pk__in=job.order_pks)
    column = f"{connections[DEFAULT_DB_ALIAS].ops.quote_name(queryset.model._meta.db_table)}.id"
    in_job = RawSQL(f"{column} = ANY(%s::bigint[])", [list(job.order_pks)], BooleanField())  # noqa: S611
    return queryset.filter(in_job)


def job_list_for_merchant(*, merchant: Merchant) -> QuerySet[Job]:
    return Job.objects.filter(merchant=merchant).select_related("created_by")


def job_get(*, merchant: Merchant, job_id: int) -> Job:
    """The merchant's job; Job.DoesNotExist for anyone else's."""
    return job_list_for_merchant(merchant=merchant).get(pk=job_id)


def job_problems_first(*, job: Job, limit: int = FIRST_PROBLEMS) -> list[JobItemOutcome]:
    return list(job_outcomes_failed_first(job=job).exclude(outcome=Outcome.SUCCEEDED)[:limit])


# Failed orders need someone's attention, skipped ones may; applied ones are the record.
_OUTCOME_RANK = Case(
    When(outcome=Outcome.FAILED, then=Value(0)),
    When(outcome=Outcome.SKIPPED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def job_outcomes_failed_first(*, job: Job, outcome: str = "") -> QuerySet[JobItemOutcome]:
    """The job's per-order outcomes, failed first, then skipped, then applied, each in the
    order the job did them; only one outcome's when `outcome` names one."""
    outcomes = job.outcomes.all()
    if outcome in Outcome.values:
        outcomes = outcomes.filter(outcome=outcome)
    return outcomes.annotate(rank=_OUTCOME_RANK).order_by("rank", "id")


def job_title(job: Job) -> str:
    """What the job does, as people name it: the operation ("Add a tag"), the export and its
    mapping, the cost file; the kind's name when it says nothing more."""
    params = job.params if isinstance(job.params, dict) else {}
    if job.kind == "operation":
        return str(params.get("label") or params.get("operation") or job.get_kind_display())
    if job.kind == "export":
        parts = [f"Export with “{params.get('mapping', '?')}”"]
        if params.get("format"):
            parts.append(str(params["format"]).upper())
        screen = SCREEN_BY_SLUG.get(params.get("stage") or "")
        if screen is not None:
            parts.append(screen.label)
        return " · ".join(parts)
    if params.get("filename"):
        return f"{job.get_kind_display()} · {params['filename']}"
    return job.get_kind_display()


class _Echo:
    def write(self, value: str) -> str:
        return value


def job_report_csv(*, job: Job) -> Iterator[str]:
    """The full report, one CSV line at a time: order ID, outcome, message."""
    writer = csv.writer(_Echo())
    yield writer.writerow(["order_id", "outcome", "message"])
    rows = job.outcomes.order_by("id").values_list("order_id", "order_pk", "outcome", "message")
    for order_id, order_pk, outcome, message in rows.iterator(chunk_size=2000):
        yield writer.writerow([order_id or f"#{order_pk}", outcome, message])
