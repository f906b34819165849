"""The preview job: an uploaded cost file read on a worker, never in a web request.

The request only stores the upload (tools.imports.services.cost_import_upload_start); however
large or hostile the file, reading it here ties up a worker, not a web process, and its
progress shows on the import's page.
"""

import time

from tools.models import CostImport, Job

from .services import cost_import_read

PROGRESS_EVERY = 0.5  # seconds between two progress writes


def cost_import_preview_job_run(*, job: Job) -> None:
    """Read the job's import into its preview. Safe to run twice: an import no longer being
    read is left alone, one still being read is read again from the start.

    Side effects: the import's staged rows and preview, or the import refused (the job then
    fails with the reason, CostFileRefused); the job's progress in percent of the file read.
    """
    cost_import = (
        CostImport.objects.select_related("merchant")
        .filter(pk=job.params["import_id"], merchant_id=job.merchant_id)
        .first()
    )
    if cost_import is None or cost_import.status != CostImport.Status.READING:
        return
    last = time.monotonic()

    def progress(rows: int, done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last >= PROGRESS_EVERY and total:
            last = time.monotonic()
            Job.objects.filter(pk=job.pk).update(done=min(99, done * 100 // total), total=100)

    cost_import_read(cost_import=cost_import, progress=progress)
    Job.objects.filter(pk=job.pk).update(done=100, total=100)
