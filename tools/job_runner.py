"""Running a job: claim it, do its items chunk by chunk (or hand it to its whole-job runner),
keep its heartbeat; cancel it; and the permission a job needs.

The task receives only the job's ID. Every item's change commits together with its outcome
row, and (job, order) is unique, so a second delivery of the task, a restart after a crash, or
two workers racing on one job never do an item twice. Items that move money at the gateway
get a transaction each and claim their outcome row first; the others are done a chunk per
transaction (_job_chunk_run_together), which is what makes a batch fast.

On top of tools: it finds a kind's runner in tools.job_registry.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone

from orders.actors import Actor
from orders.exceptions import OrderError
from orders.models import Order
from orders.services.locking import orders_lock
from orders.writes import DeferredWrites, writes_deferred
from tools.job_registry import JOB_RUNNERS, job_permission
from tools.job_types import Handler, ItemResult, JobRunner
from tools.jobs import JobError, job_fail, job_progress_save
from tools.models import Job, JobItemOutcome

logger = logging.getLogger(__name__)

CHUNK_SIZE = 200
Outcome = JobItemOutcome.Outcome


def job_cancel(*, job: Job, by: Actor = None) -> bool:
    """Cancel a pending or running job; the worker stops before its next chunk."""
    if by is not None and not by.has_perm(job_permission(job), job):
        raise JobError("You may not cancel jobs for this merchant.")
    user = by if by is not None and by.is_authenticated else None
    cancelled = Job.objects.filter(
        pk=job.pk, status__in=[Job.Status.PENDING, Job.Status.RUNNING]
    ).update(status=Job.Status.CANCELLED, cancelled_by=user, finished_at=timezone.now())
    if not cancelled:
        raise JobError(f"Job {job.pk} has already ended.")
    return True


def job_run(*, job_id: int) -> Job | None:
    """Do the job's items that have no outcome yet, chunk by chunk, and set its final status.

    Side effects: whatever the kind's handler does to each order, one outcome row per item,
    progress on the job after every chunk. Stops before the next chunk once cancelled.
    """
    job = _job_claim(job_id)
    if job is None:
        return None
    with _job_heartbeat(job.pk):
        return _job_items_run(job)


def _job_items_run(job: Job) -> Job:
    kind = JOB_RUNNERS[job.kind]  # an unknown kind fails the job (tools.tasks.JobTask)
    if kind.run is not None:
        return _job_whole_run(job, kind.run)
    pending = _job_items_pending(job)
    fast = kind.fast_commit(job.params)
    with _commit_mode(fast=fast):
        for start in range(0, len(pending), CHUNK_SIZE):
            if _job_status(job.pk) != Job.Status.RUNNING:
                break
            _job_chunk_run(job, kind, pending[start : start + CHUNK_SIZE], fast=fast)
            job_progress_save(job.pk)
    job_progress_save(job.pk)
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.SUCCEEDED, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def _job_whole_run(job: Job, run) -> Job:
    """A kind that works as a whole: its refusals end the job as failed with their message."""
    try:
        run(job)
    except OrderError as exc:
        job_fail(job_id=job.pk, error=str(exc))
    except Exception as exc:
        logger.exception("Job %s failed", job.pk)
        job_fail(job_id=job.pk, error=f"Unexpected error ({exc.__class__.__name__}).")
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.SUCCEEDED, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


@contextmanager
def _commit_mode(*, fast: bool) -> Iterator[None]:
    """On PostgreSQL, let a job that moves no money commit its items without waiting for the
    disk flush of each one (synchronous_commit off, for this session only).

    Safe for these jobs: an item's change and its outcome row commit together, so the most a
    database crash can lose is the last fraction of a second of items, with their outcomes, and
    those items are simply done again when the job resumes. Jobs that charge or refund at the
    gateway keep durable commits: the gateway's side must never be repeated.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if not fast or db.vendor != "postgresql" or db.in_atomic_block:
        yield
        return
    with db.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with db.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _job_claim(job_id: int) -> Job | None:
    """The job, marked running with a fresh heartbeat; None when it is gone, has ended, or is
    running in another delivery whose heartbeat is fresh (two at once would only wait on each
    other's items)."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.JOB_HEARTBEAT_STALE_SECONDS)
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.has_ended:
            return None
        alive = job.heartbeat_at is not None and job.heartbeat_at >= stale_before
        if job.status == Job.Status.RUNNING and alive:
            logger.info("Job %s is running elsewhere; this delivery leaves it", job_id)
            return None
        if job.status == Job.Status.PENDING:
            job.status = Job.Status.RUNNING
            job.started_at = now
        job.heartbeat_at = now
        job.save(update_fields=["status", "started_at", "heartbeat_at"])
    return job


@contextmanager
def _job_heartbeat(job_id: int) -> Iterator[None]:
    """Renew the job's heartbeat every JOB_HEARTBEAT_SECONDS while the block runs.

    From a thread of its own, because no loop of the job's is short enough to do it: one
    item may wait on a gateway, and a whole-job kind (an export, a cost import's single
    transaction) has no chunks. One small UPDATE per period; the thread dies with the
    process, which is exactly when the heartbeat must stop.
    """
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    logger.warning("Job %s: heartbeat not saved", job_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    stopped_early = True
    try:
        yield
        stopped_early = False
    finally:
        stop.set()
        thread.join()
        if stopped_early:
            _job_claim_release(job_id)


def _job_claim_release(job_id: int) -> None:
    """This delivery stopped before the job ended (an error escaped it): let the next one
    take the job at once instead of waiting for the heartbeat to go stale."""
    try:
        Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(heartbeat_at=None)
    except DatabaseError:
        logger.warning("Job %s: claim not released", job_id, exc_info=True)


def _job_status(job_id: int) -> str | None:
    return Job.objects.filter(pk=job_id).values_list("status", flat=True).first()


def _job_items_pending(job: Job) -> list[int]:
    done = set(JobItemOutcome.objects.filter(job=job).values_list("order_pk", flat=True))
    return [pk for pk in job.order_pks if pk not in done]


def _job_handler(kind: JobRunner) -> Handler:
    # A kind has a handler per item or a whole-job runner (JobRunner); only the first gets here.
    if kind.handler is None:
        raise TypeError("A job kind without a whole-job runner needs a handler per item.")
    return kind.handler


def _job_chunk_run(job: Job, kind: JobRunner, order_pks: list[int], *, fast: bool) -> None:
    if fast and kind.preload is not None:
        _job_chunk_run_together(job, kind, order_pks)
        return
    handler = _job_handler(kind)
    # Scoped to the job's merchant: an order of anyone else is "not found", never touched.
    mine = Order.objects.filter(merchant_id=job.merchant_id, pk__in=order_pks)
    if kind.preload is not None:
        # The kind's handler finds the chunk's orders here instead of one query each.
        job.chunk_orders = kind.preload(mine)
        order_ids = {pk: order.order_id for pk, order in job.chunk_orders.items()}
    else:
        order_ids = dict(mine.values_list("pk", "order_id"))
    run = _job_item_run_fast if fast else _job_item_run
    for order_pk in order_pks:
        run(job, handler, order_pk, order_ids.get(order_pk))


class _ItemRaised(Exception):
    """An item of a chunk done without savepoints raised: the chunk is done again with them."""


def _job_chunk_run_together(job: Job, kind: JobRunner, order_pks: list[int]) -> None:
    """A chunk of database-only work in one transaction: lock the chunk's orders in one query,
    leave out the items already done, do the others, and make their writes (orders.writes)
    and insert their outcome rows together.

    Exactly once as with one transaction per item: the changes, their events and the outcome
    rows commit together, so a crash redoes the whole chunk; a second delivery blocks on the
    order locks until this one commits, then finds the outcomes and does nothing. Orders are
    locked in pk order so that two deliveries never deadlock.

    Items are first done without a savepoint each (a refusal is a skip, not an exception, so
    nearly every chunk passes); if one raises, the chunk rolls back and is done again with a
    savepoint per item, so that only that item fails.
    """
    try:
        _chunk_together(job, kind, order_pks, savepoints=False)
    except _ItemRaised:
        _chunk_together(job, kind, order_pks, savepoints=True)


def _chunk_together(job: Job, kind: JobRunner, order_pks: list[int], *, savepoints: bool) -> None:
    handler, preload = _job_handler(kind), kind.preload
    if preload is None:
        raise TypeError("A chunk is done together only for a kind that preloads its orders.")
    with transaction.atomic():
        mine = Order.objects.filter(merchant_id=job.merchant_id, pk__in=order_pks)
        orders = preload(orders_lock(mine))
        # Read after the locks are held: a delivery that did these items has committed by now.
        done = set(
            JobItemOutcome.objects.filter(job=job, order_pk__in=order_pks).values_list(
                "order_pk", flat=True
            )
        )
        job.chunk_orders = orders
        job.chunk_locked = True
        outcomes, not_found = [], []
        with writes_deferred() as deferred:
            for order_pk in order_pks:
                if order_pk in done:
                    continue
                order = orders.get(order_pk)
                if order is None:
                    not_found.append(
                        _outcome(job, order_pk, "", ItemResult(Outcome.FAILED, "Order not found."))
                    )
                    continue
                if savepoints:
                    result = _item_result(job, handler, order_pk, order.order_id, deferred)
                else:
                    try:
                        result = handler(order_pk, job.params, job)
                    except Exception as exc:
                        raise _ItemRaised from exc
                    if connections[DEFAULT_DB_ALIAS].needs_rollback:
                        raise _ItemRaised  # it caught an error of its own writes
                outcomes.append(_outcome(job, order_pk, order.order_id, result))
        # A second row for a locked order would mean the item was done twice: let it fail.
        JobItemOutcome.objects.bulk_create(outcomes)
        # Nothing locks a missing order, so two deliveries may both note it: keep the first.
        JobItemOutcome.objects.bulk_create(not_found, ignore_conflicts=True)


def _outcome(job: Job, order_pk: int, order_id: str, result: ItemResult) -> JobItemOutcome:
    return JobItemOutcome(
        job=job,
        order_pk=order_pk,
        order_id=order_id,
        outcome=result.outcome,
        message=result.message,
    )


def _job_item_run(job: Job, handler: Handler, order_pk: int, order_id: str | None) -> None:
    """Claim the item (its outcome row first), then do it: a second delivery never repeats it,
    even the part outside the database (a charge or a refund at the gateway)."""
    with transaction.atomic():
        outcome_pk = _outcome_insert(job, order_pk, order_id or "", ItemResult(Outcome.FAILED))
        if outcome_pk is None:
            return  # another delivery of this job has done (or is doing) this item
        if order_id is None:
            result = ItemResult(Outcome.FAILED, "Order not found.")
        else:
            result = _item_result(job, handler, order_pk, order_id)
        JobItemOutcome.objects.filter(pk=outcome_pk).update(
            outcome=result.outcome, message=result.message
        )


class _AlreadyDone(Exception):
    pass


def _job_item_run_fast(job: Job, handler: Handler, order_pk: int, order_id: str | None) -> None:
    """For work only in the database: do the item, then insert its outcome in the same
    transaction; if another delivery got there first, the insert finds its row and the whole
    item rolls back. Fewer statements per item than claiming first; equally done once."""
    failure = "Order not found."
    if order_id is not None:
        try:
            with transaction.atomic():
                result = handler(order_pk, job.params, job)
                if _outcome_insert(job, order_pk, order_id, result) is None:
                    raise _AlreadyDone
            return
        except _AlreadyDone:
            return
        except OrderError as exc:
            failure = str(exc)
        except Exception as exc:  # one broken item must not stop the others
            logger.exception("Job %s: unexpected error on order %s", job.pk, order_id)
            failure = f"Unexpected error ({exc.__class__.__name__})."
    with transaction.atomic():
        _outcome_insert(job, order_pk, order_id or "", ItemResult(Outcome.FAILED, failure))


def _outcome_insert(job: Job, order_pk: int, order_id: str, result: ItemResult) -> int | None:
    """Insert the item's outcome row; None when (job, order) already has one.

    INSERT … ON CONFLICT DO NOTHING: a racing delivery waits on the unique index until the
    first commits, then finds the row there, without a savepoint or an error to recover from.
    """
    db = connections[DEFAULT_DB_ALIAS]
    table = db.ops.quote_name(JobItemOutcome._meta.db_table)
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (job_id, order_pk, order_id, outcome, message, created_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (job_id, order_pk) DO NOTHING "
            "RETURNING id",
            [job.pk, order_pk, order_id, result.outcome, result.message, timezone.now()],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _item_result(
    job: Job, handler: Handler, order_pk: int, order_id: str, deferred: DeferredWrites | None = None
) -> ItemResult:
    """Do one item in a savepoint; a failure rolls back only that item's changes (and forgets
    its deferred writes) and becomes its outcome."""
    mark = deferred.mark() if deferred is not None else (0, 0)
    try:
        with transaction.atomic():
            return handler(order_pk, job.params, job)
    except Exception as exc:
        if deferred is not None:
            deferred.discard_since(mark)
        if isinstance(exc, OrderError):
            return ItemResult(Outcome.FAILED, str(exc))
        # One broken item must not stop the others.
        logger.exception("Job %s: unexpected error on order %s", job.pk, order_id)
        return ItemResult(Outcome.FAILED, f"Unexpected error ({exc.__class__.__name__}).")
