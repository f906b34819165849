"""The export job: stream the selected orders to a temporary file, then store it."""

import tempfile
from datetime import date

from django.core.files import File
from django.utils import timezone

from tools.jobs import job_progress_set
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
        queryset = queryset.filter(pk__in=job.order_pks)
    job_progress_set(job_id=job.pk, done=0, total=queryset.count())
    fmt = params.get("format") or mapping.format
    with tempfile.TemporaryFile() as handle:
        count = export_write(
            mapping=mapping, queryset=queryset, out=handle, format=fmt,
            progress=lambda done: job_progress_set(job_id=job.pk, done=done),
        )  # fmt: skip
        handle.seek(0)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        name = f"orders-{mapping.merchant.code.lower()}-{stamp}.{EXTENSIONS.get(fmt, 'csv')}"
        job.result_file.save(name, File(handle), save=False)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)
    job_progress_set(job_id=job.pk, done=count, total=count)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
