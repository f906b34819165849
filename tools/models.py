"""Jobs: the database row a worker updates and the job page reads.

A job works on a list of orders; every order it touched has exactly one outcome row, and the
unique (job, order) pair is what lets a re-delivered or restarted task skip finished items.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from orders.models import Merchant
from tools.job_types import JOB_KINDS, RETIRED_KIND_LABELS


def job_kind_choices() -> list[tuple[str, str]]:
    # Retired kinds too: their past jobs still show their name.
    return [(name, kind.label) for name, kind in JOB_KINDS.items()] + list(
        RETIRED_KIND_LABELS.items()
    )


def job_result_path(job: "Job", filename: str) -> str:
    return f"jobs/{job.merchant_id}/{job.pk}/{filename}"


class Job(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ENDED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=50, choices=job_kind_choices)
    params = models.JSONField(default=dict, blank=True)
    # The order pks to work on, in the order they were given.
    order_pks = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    succeeded_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    result_file = models.FileField(upload_to=job_result_path, blank=True, max_length=300)
    error = models.TextField(blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Renewed every JOB_HEARTBEAT_SECONDS while a worker runs the job: a running job whose
    # heartbeat is older than JOB_HEARTBEAT_STALE_SECONDS has lost its worker, and beat queues
    # it again (tools.jobs.job_requeue_stalled); a fresh one keeps a second delivery out.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The Celery queue its task goes to ("" for the default), kept for queuing it again.
    queue = models.CharField(max_length=100, blank=True, default="")

    # Not a field: set by job_create when the broker could not take the task, so that the
    # request that created the job can say it is queued for later rather than started.
    enqueue_failed = False
    # Not fields either, and set only while a worker runs the job (tools.job_runner): the
    # chunk's orders preloaded by pk, and whether the runner holds their locks already.
    chunk_orders: dict[int, Any]
    chunk_locked: bool

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["merchant", "-created_at"], name="job_merchant_created_idx"),
            models.Index(fields=["merchant", "status"], name="job_merchant_status_idx"),
            # Beat's search for jobs no worker is on reads only the unfinished ones.
            models.Index(
                fields=["status", "created_at"],
                condition=models.Q(status__in=["pending", "running"]),
                name="job_unfinished_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk} ({self.kind}, {self.status})"

    @property
    def has_ended(self) -> bool:
        return self.status in self.ENDED

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.has_ended else 0
        return min(100, self.done * 100 // self.total)


class JobItemOutcome(models.Model):
    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", "Succeeded"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="outcomes")
    # The item key: the order's pk (kept even if the order disappears) and its shown ID.
    order_pk = models.PositiveBigIntegerField()
    order_id = models.CharField(max_length=32, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "order_pk"], name="one_outcome_per_job_item"),
        ]
        indexes = [models.Index(fields=["job", "outcome"], name="job_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.order_id or self.order_pk}: {self.outcome}"


# ---- export mappings ------------------------------------------------------------------------


class ExportMapping(models.Model):
    """How a merchant wants orders written out: format, granularity and ordered columns."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        TSV = "tsv", "Tab-separated text"
        XLSX = "xlsx", "Excel workbook (.xlsx)"
        XML = "xml", "XML (lines nested)"

    class Granularity(models.TextChoices):
        ORDER = "order", "One row per order"
        LINE = "line", "One row per line"

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="export_mappings")
    name = models.CharField(max_length=100)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.CSV)
    granularity = models.CharField(
        max_length=10, choices=Granularity.choices, default=Granularity.ORDER
    )
    # [{"field": "order_id", "header": "Order ID", "format": ""}, ...] in output order.
    columns = models.JSONField(default=list)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "name"], name="unique_mapping_name"),
            models.UniqueConstraint(
                fields=["merchant"],
                condition=models.Q(is_default=True),
                name="one_default_mapping",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# ---- actual-cost imports ----------------------------------------------------------------------


def cost_import_path(cost_import: "CostImport", filename: str) -> str:
    return f"cost-imports/{cost_import.merchant_id}/{filename}"


class CostImport(models.Model):
    """One uploaded cost file: its preview, and once applied, what it changed (for undo)."""

    class Status(models.TextChoices):
        READING = "reading", "Reading"  # stored, its preview job reading it
        REFUSED = "refused", "Refused"  # unreadable as a cost file: the job says why
        PREVIEWED = "previewed", "Previewed"
        APPLYING = "applying", "Applying"
        APPLIED = "applied", "Applied"
        UNDOING = "undoing", "Undoing"
        UNDONE = "undone", "Undone"

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="cost_imports")
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=cost_import_path, max_length=300)
    # The duplicate checks: the file's bytes, and its rows once read (format-independent).
    content_hash = models.CharField(max_length=64, db_index=True)
    rows_hash = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    rows_read = models.PositiveIntegerField(default=0)
    orders_matched = models.PositiveIntegerField(default=0)
    # The first errors, for the preview page:
    # [{"row": 17, "column": "Actual Payment", "value": "12.345", "message": "..."}];
    # every error is a CostImportError row (the downloadable list).
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    # The first orders' before → after and the orders with several rows, for the preview.
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    # After an undo: the orders left alone because their costs changed since.
    undo_skipped = models.JSONField(default=list, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.filename})"


class CostImportChange(models.Model):
    """One order's costs before and after an applied import: what undo restores."""

    # No database constraints: change rows are only written by the apply, from the orders it
    # has locked, under the lock of their import; checking each of 100,000 rows again at commit
    # took a second. Django still deletes them with their import or order. The import is not
    # indexed on its own: the unique (import, order) index starts with it.
    cost_import = models.ForeignKey(
        CostImport,
        on_delete=models.CASCADE,
        related_name="changes",
        db_index=False,
        db_constraint=False,
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    # Null where the import did not touch that cost.
    shipping_before = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    shipping_after = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    fulfillment_before = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    fulfillment_after = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    payment_before = models.DecimalField(max_digits=12, decimal_places=2)
    payment_added = models.DecimalField(max_digits=12, decimal_places=2, null=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cost_import", "order"], name="one_change_per_order")
        ]

    def __str__(self) -> str:
        return f"Import {self.cost_import_id} · order {self.order_id}"


class CostImportRow(models.Model):
    """One valid data row of a previewed import, matched to its order. Rows are written in bulk
    as the file is read, so a file of any size previews in the same memory; what they do to
    each order is then worked out in SQL (CostImportOrder, tools.imports.staging).
    """

    # Not indexed on its own: the unique (import, row) index starts with it. No database
    # constraint: rows are only written in the transaction that creates their import, and
    # checking each of 100,000 of them again at commit took most of a second (Django still
    # deletes them with their import).
    cost_import = models.ForeignKey(
        CostImport,
        on_delete=models.CASCADE,
        related_name="rows",
        db_index=False,
        db_constraint=False,
    )
    file_row = models.PositiveIntegerField()  # the row's number in the file
    # The order's pk without a foreign key: an order purged between the preview and the apply
    # must make the apply refuse, not silently drop its rows.
    order_pk = models.BigIntegerField()
    order_id = models.CharField(max_length=32)
    # Null where the row's cell was blank.
    shipping = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    fulfillment = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    payment = models.DecimalField(max_digits=12, decimal_places=2, null=True)

    class Meta:
        ordering = ["cost_import", "file_row"]
        constraints = [
            models.UniqueConstraint(fields=["cost_import", "file_row"], name="one_row_per_line")
        ]

    def __str__(self) -> str:
        return f"Import {self.cost_import_id} · row {self.file_row} · {self.order_id}"


class CostImportOrder(models.Model):
    """What a previewed import does to one order, from its staged rows: the last non-blank
    shipping and fulfillment, the sum of its payments. Kept as a table so that the apply joins
    orders to it on indexed keys (tools.imports.apply)."""

    # As CostImportRow.cost_import (with the unique (import, order) index).
    cost_import = models.ForeignKey(
        CostImport,
        on_delete=models.CASCADE,
        related_name="plan_orders",
        db_index=False,
        db_constraint=False,
    )
    order_pk = models.BigIntegerField()  # no foreign key, as CostImportRow.order_pk
    order_id = models.CharField(max_length=32)
    first_row = models.PositiveIntegerField()  # the order's first row: file order
    row_count = models.PositiveIntegerField()
    # Null where no row of the order had a value.
    shipping = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    fulfillment = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    payment = models.DecimalField(max_digits=12, decimal_places=2, null=True)

    class Meta:
        ordering = ["cost_import", "first_row"]
        constraints = [
            models.UniqueConstraint(
                fields=["cost_import", "order_pk"], name="one_plan_per_import_order"
            )
        ]

    def __str__(self) -> str:
        return f"Import {self.cost_import_id} · {self.order_id}"


class CostImportError(models.Model):
    """One error found in a cost file: its row, column, the value shown and what is wrong."""

    cost_import = models.ForeignKey(CostImport, on_delete=models.CASCADE, related_name="error_rows")
    file_row = models.PositiveIntegerField()
    column = models.CharField(max_length=50, blank=True)
    value = models.CharField(max_length=100, blank=True)
    message = models.CharField(max_length=200)

    class Meta:
        ordering = ["id"]  # written in row order

    def __str__(self) -> str:
        return f"Import {self.cost_import_id} · row {self.file_row}: {self.message}"
