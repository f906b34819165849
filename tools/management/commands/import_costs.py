"""python manage.py import_costs FILE --merchant CODE [--dry-run] [--allow-duplicate]"""

import sys
from collections.abc import Iterable
from pathlib import Path

from django.core.management.base import BaseCommand

from backoffice.common.words import counted
from orders.exceptions import OrderError
from orders.models import Merchant
from tools.imports.reading import CostFileRefused
from tools.imports.services import (
    cost_file_preview,
    cost_import_apply_start,
    cost_import_duplicate_of,
    cost_import_errors,
    cost_import_preview,
    duplicate_message,
)
from tools.job_runner import job_run
from tools.models import Job


class Command(BaseCommand):
    help = "Import actual costs from an .xlsx or UTF-8 .csv file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--merchant", required=True)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--allow-duplicate", action="store_true")

    def handle(self, *args, **options):
        merchant = Merchant.objects.filter(code=options["merchant"].upper()).first()
        if merchant is None:
            self._refuse([f"No merchant with code {options['merchant']}."])
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            self._refuse([f"Cannot read {path}: {exc.strerror}."])
        try:
            if options["dry_run"]:
                self._dry_run(merchant, path.name, content)
                return
            self._apply(merchant, path.name, content, options["allow_duplicate"])
        except CostFileRefused as exc:
            self._refuse([str(exc)])

    def _dry_run(self, merchant, name, content) -> None:
        preview = cost_file_preview(
            merchant=merchant,
            name=name,
            content=content,
            on_error=lambda error: self.stderr.write(_error_line(error.as_dict())),
        )
        if preview.plan.error_count:
            sys.exit(1)
        self.stdout.write(
            f"Dry run: {counted(preview.plan.rows_read, 'row')}, "
            f"{counted(preview.orders_matched, 'order')} "
            "would change."
        )

    def _apply(self, merchant, name, content, allow_duplicate: bool) -> None:
        cost_import = cost_import_preview(merchant=merchant, name=name, content=content)
        if cost_import.error_count:
            self._refuse(map(_error_line, cost_import_errors(import_pk=cost_import.pk)))
        duplicate = cost_import_duplicate_of(cost_import=cost_import)
        if duplicate is not None and not allow_duplicate:
            self._refuse(
                [duplicate_message(duplicate) + " Use --allow-duplicate to apply it again."]
            )
        try:
            job = cost_import_apply_start(cost_import=cost_import, allow_duplicate=allow_duplicate)
        except OrderError as exc:
            self._refuse([str(exc)])
        # Run here rather than wait for a worker: the command is the worker.
        job = job_run(job_id=job.pk) or Job.objects.get(pk=job.pk)
        if job.status != Job.Status.SUCCEEDED:
            self._refuse([job.error or f"Job {job.pk} {job.status}."])
        self.stdout.write(
            f"Applied import #{cost_import.pk}: "
            f"{counted(cost_import.orders_matched, 'order')} changed "
            f"from {counted(cost_import.rows_read, 'row')} (job {job.pk})."
        )

    def _refuse(self, lines: Iterable[str]):
        for line in lines:
            self.stderr.write(line)
        sys.exit(1)


def _error_line(error: dict) -> str:
    value = f" “{error['value']}”" if error["value"] else ""
    return f"row {error['row']} {error['column'] or '(row)'}{value}: {error['message']}"
