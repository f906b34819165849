"""The export job: stream the selected orders to a temporary file, then store it."""

import tempfile
from datetime import date

from django.core.files import File
from django.utils import timezone

from orders.events import orders_exported_event
from orders.models import MerchantEvent
from tools.jobs import job_orders_narrow, job_progress_set
from tools.models import ExportMapping, Job

from .services import export_queryset, export_write

EXTENSIONS = {"csv": "csv", "tsv": "tsv", "xlsx": "xlsx", "xml": "xml"}


def export_job_run(*, job: Job) -> None:
    """Write the job's export and attach it. Safe to run twice: a stored result is kept."""
    if job.result_file:
        return
    params = job.params
    mapping = ExportMapping.objects.select_related("merchant").get(
        pk=params["mapping_id"], merchant_id=job.merchant_id
    )
    queryset = export_queryset(
        merchant=mapping.merchant,
        stage=params.get("stage", ""),
        placed_from=_date(params.get("placed_from")),
        placed_to=_date(params.get("placed_to")),
    )
    if job.order_pks:
        queryset = job_orders_narrow(queryset, job)
    job_progress_set(job_id=job.pk, done=0, total=queryset.count())
    fmt = params.get("format") or mapping.format
    with tempfile.TemporaryFile() as handle:
        count = export_write(
            mapping=mapping,
            queryset=queryset,
            out=handle,
            format=fmt,
            progress=lambda done: job_progress_set(job_id=job.pk, done=done),
        )
        handle.seek(0)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        name = f"orders-{mapping.merchant.code.lower()}-{stamp}.{EXTENSIONS.get(fmt, 'csv')}"
        job.result_file.save(name, File(handle), save=False)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)
    job_progress_set(job_id=job.pk, done=count, total=count)


def export_job_audit(*, job: Job) -> MerchantEvent | None:
    """Once the job's file is stored, record who exported how many orders, through which
    mapping and format, by which job (an orders_exported event; once per job)."""
    job.refresh_from_db(fields=["result_file", "done"])
    if not job.result_file:
        return None
    params = job.params
    return orders_exported_event(
        merchant=job.merchant,
        count=job.done,
        mapping=params.get("mapping", ""),
        mapping_id=params.get("mapping_id"),
        format=params.get("format", ""),
        by=job.created_by,
        via=f"job {job.pk}",
        job_id=job.pk,
        stage=params.get("stage", ""),
        placed_from=params.get("placed_from", ""),
        placed_to=params.get("placed_to", ""),
        selection=_selection_summary(params.get("selection") or {}),
    )


def _selection_summary(selection: dict) -> dict:
    # The IDs a selection could not include are on the job; the event keeps how it chose.
    return {key: value for key, value in selection.items() if key not in ("not_found", "deleted")}


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
