"""Import Actual Costs: preview an uploaded file, check for a second import, start the jobs."""

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet

from orders.actors import Actor
from orders.exceptions import OrderError
from orders.models import Merchant
from orders.selectors.confirmations import Confirmation
from tools.jobs import job_create
from tools.models import CostImport, Job

from .plan import CostPlan, ErrorSink, Progress, cost_rows_stage
from .reading import CostFile, cost_file_check, cost_file_open
from .staging import (
    cost_import_errors,
    order_changes_first,
    orders_counted,
    orders_repeated_first,
    plan_totals,
    staged_clear,
    staged_delete,
)

PREVIEW_ORDERS = 200
PREVIEW_REPEATED = 100
PERMISSION = "orders.import_costs"


@dataclass(frozen=True)
class CostPreview:
    """A dry run: what reading the file found, and what applying it would change."""

    plan: CostPlan
    orders_matched: int
    summary: dict


def cost_file_preview(
    *, merchant: Merchant, name: str, content: bytes, on_error: ErrorSink | None = None
) -> CostPreview:
    """Read and validate a cost file as the preview does, then roll it all back: nothing is
    stored. Every error also goes to `on_error`, in row order; CostFileRefused if unreadable."""
    with transaction.atomic():
        cost_import, plan = _preview_stage(merchant, name, content, on_error=on_error)
        transaction.set_rollback(True)
    return CostPreview(
        plan=plan, orders_matched=cost_import.orders_matched, summary=cost_import.summary
    )


def cost_import_preview(
    *, merchant: Merchant, name: str, content: bytes, by: Actor = None
) -> CostImport:
    """Store the upload and its preview now, in this process (the command; the screens use
    cost_import_upload_start). Nothing changes on orders; CostFileRefused if the file cannot
    be read as a cost file at all (and then nothing is stored)."""
    if by is not None and not by.has_perm(PERMISSION, merchant):
        raise OrderError("You may not import actual costs for this merchant.")
    with transaction.atomic():
        cost_import, _plan = _preview_stage(merchant, name, content, by=by)
        cost_import.file.save(_stored_name(name), ContentFile(content), save=False)
        cost_import.save()
    return cost_import


def cost_import_upload_start(
    *, merchant: Merchant, upload: UploadedFile, by: Actor = None, queue: str | None = None
) -> CostImport:
    """Store an upload as an import being read and start its preview job; of the file only
    its name, size and first bytes are looked at here (CostFileRefused for a file that cannot
    be a cost file). Side effect: the job is queued after commit."""
    if by is not None and not by.has_perm(PERMISSION, merchant):
        raise OrderError("You may not import actual costs for this merchant.")
    upload.seek(0)
    # Django's upload handlers always set size; the stubs allow None for one made by hand.
    size: int = upload.size  # type: ignore[assignment]
    cost_file_check(name=upload.name or "", size=size, head=upload.read(8))
    upload.seek(0)
    name = (upload.name or "costs")[-255:]
    with transaction.atomic():
        cost_import = CostImport(
            merchant=merchant,
            filename=name,
            status=CostImport.Status.READING,
            created_by=by if by is not None and by.is_authenticated else None,
        )
        cost_import.file.save(_stored_name(name), upload, save=True)
        cost_import.job = job_create(
            merchant=merchant,
            kind="cost_import_preview",
            params={"import_id": cost_import.pk, "filename": name},
            order_pks=[],
            by=by,
            queue=queue,
            permission=PERMISSION,
        )
        CostImport.objects.filter(pk=cost_import.pk).update(job=cost_import.job)
    return cost_import


def cost_import_read(*, cost_import: CostImport, progress: Progress | None = None) -> None:
    """Read an import's stored upload into its preview (the preview job's work).

    Staged a chunk at a time, committed as it goes so that `progress` can be shown; a second
    run starts again from nothing. Side effects: the import previewed, or, for a file that
    cannot be read, marked refused with nothing of it staged, and CostFileRefused raised.
    """
    staged_clear(import_pk=cost_import.pk)
    try:
        with cost_import.file.open("rb") as handle:
            content = handle.read()
        _preview_fill(cost_import, content, progress=progress)
    except Exception:
        staged_clear(import_pk=cost_import.pk)
        cost_import.file.delete(save=False)
        CostImport.objects.filter(pk=cost_import.pk).update(
            status=CostImport.Status.REFUSED, file=""
        )
        raise
    cost_import.status = CostImport.Status.PREVIEWED
    cost_import.save()


def _preview_stage(
    merchant: Merchant, name: str, content: bytes, *, by=None, on_error: ErrorSink | None = None
) -> tuple[CostImport, CostPlan]:
    """A new import row with its staged rows, errors and preview summary (in a transaction)."""
    cost_file = cost_file_open(name=name, content=content)
    cost_import = CostImport.objects.create(
        merchant=merchant,
        filename=name[-255:],
        created_by=by if by is not None and by.is_authenticated else None,
    )
    return cost_import, _preview_fill(cost_import, content, cost_file, on_error=on_error)


def _preview_fill(
    cost_import: CostImport,
    content: bytes,
    cost_file: CostFile | None = None,
    *,
    on_error: ErrorSink | None = None,
    progress: Progress | None = None,
) -> CostPlan:
    """Stage the file's rows and errors on the import and set its counts and preview summary
    (not saved). An import with errors can never be applied, so its staged rows go once
    summarised."""
    if cost_file is None:
        cost_file = cost_file_open(name=cost_import.filename, content=content)
    cost_import.content_hash = hashlib.sha256(content).hexdigest()
    plan = cost_rows_stage(
        cost_import=cost_import, cost_file=cost_file, on_error=on_error, progress=progress
    )
    orders, repeated = orders_counted(import_pk=cost_import.pk)
    cost_import.rows_hash = plan.rows_hash
    cost_import.rows_read = plan.rows_read
    cost_import.orders_matched = orders
    cost_import.errors = [error.as_dict() for error in plan.errors]
    cost_import.error_count = plan.error_count
    cost_import.summary = {
        "changes": order_changes_first(import_pk=cost_import.pk, count=PREVIEW_ORDERS),
        "repeated": orders_repeated_first(import_pk=cost_import.pk, count=PREVIEW_REPEATED),
        "repeated_count": repeated,
        "totals": plan_totals(import_pk=cost_import.pk),
    }
    if plan.error_count:
        staged_delete(import_pk=cost_import.pk)
    return plan


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


def cost_import_list(*, merchant: Merchant) -> QuerySet[CostImport]:
    return CostImport.objects.filter(merchant=merchant).select_related(
        "created_by", "applied_by", "undone_by"
    )


def cost_import_get(*, merchant: Merchant, import_id: int) -> CostImport:
    """The merchant's import; CostImport.DoesNotExist for anyone else's."""
    return cost_import_list(merchant=merchant).get(pk=import_id)


def cost_import_apply_start(
    *,
    cost_import: CostImport,
    by: Actor = None,
    allow_duplicate: bool = False,
    queue: str | None = None,
) -> Job:
    """Refuse an import with errors or an unconfirmed duplicate; else start its apply job."""
    with transaction.atomic():
        locked = CostImport.objects.select_for_update().get(pk=cost_import.pk)
        if locked.status != CostImport.Status.PREVIEWED:
            raise OrderError(f"Import {locked.pk} is {locked.get_status_display().lower()}.")
        if locked.error_count:
            raise OrderError("This file has errors: fix them and upload it again.")
        duplicate = cost_import_duplicate_of(cost_import=locked)
        if duplicate is not None and not allow_duplicate:
            raise OrderError(
                f"Nothing was applied: {duplicate_message(duplicate)} To apply it a second "
                "time, tick “apply it again” and press Apply."
            )
        job = job_create(
            merchant=locked.merchant,
            kind="cost_import_apply",
            params={"import_id": locked.pk, "filename": locked.filename},
            order_pks=[],
            by=by,
            queue=queue,
            permission=PERMISSION,
        )
        CostImport.objects.filter(pk=locked.pk).update(status=CostImport.Status.APPLYING, job=job)
    return job


def cost_import_undo_start(
    *, cost_import: CostImport, by: Actor = None, queue: str | None = None
) -> Job:
    """Start undoing an applied import (a job); refuses one that is not applied."""
    with transaction.atomic():
        locked = CostImport.objects.select_for_update().get(pk=cost_import.pk)
        if locked.status != CostImport.Status.APPLIED:
            raise OrderError(f"Import {locked.pk} is {locked.get_status_display().lower()}.")
        job = job_create(
            merchant=locked.merchant,
            kind="cost_import_undo",
            params={"import_id": locked.pk, "filename": locked.filename},
            order_pks=[],
            by=by,
            queue=queue,
            permission=PERMISSION,
        )
        CostImport.objects.filter(pk=locked.pk).update(status=CostImport.Status.UNDOING, job=job)
    return job


def cost_import_undo_confirmation(*, cost_import: CostImport) -> Confirmation:
    """What undoing an applied import asks first: which file, how many orders."""
    count = cost_import.orders_matched
    orders = "1 order" if count == 1 else f"{count:,} orders"
    question = (
        f"Undo import #{cost_import.pk} ({cost_import.filename}): put back the actual costs "
        f"and profit of {orders} as they were before it? Orders changed since are left alone."
    )
    return Confirmation(question, f"Undo the import on {orders}", count, None, True)


def duplicate_message(duplicate: CostImport) -> str:
    when = duplicate.applied_at.strftime("%Y-%m-%d %H:%M") if duplicate.applied_at else "?"
    who = duplicate.applied_by.get_username() if duplicate.applied_by else "system"
    return f"This file's content was already applied on {when} by {who} (import #{duplicate.pk})."


def cost_import_errors_csv(*, cost_import: CostImport) -> str:
    """Every error of the import as CSV text (the preview keeps only the first)."""
    return cost_errors_csv(errors=cost_import_errors(import_pk=cost_import.pk))


def cost_errors_csv(*, errors: Iterable[dict]) -> str:
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
