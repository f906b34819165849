import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from backoffice.common.words import counted
from tools.jobs import job_title
from tools.models import Job

# Jobs whose changes are orders of an import rather than per-order outcomes.
COST_IMPORT_KINDS = ("cost_import_preview", "cost_import_apply", "cost_import_undo")


class JobTable(tables.Table):
    id = tables.Column(verbose_name="Job", linkify=("job-detail", {"pk": tables.A("pk")}))
    operation = tables.Column(empty_values=(), orderable=False, verbose_name="Operation")
    created_by = tables.Column(verbose_name="Started by", default="system")
    created_at = tables.DateTimeColumn(verbose_name="Started", format="Y-m-d H:i")
    status = tables.Column()
    outcomes = tables.Column(empty_values=(), orderable=False, verbose_name="Outcome")
    orders = tables.Column(empty_values=(), orderable=False, verbose_name="Orders")

    class Meta:
        model = Job
        fields = ["id", "operation", "created_by", "created_at", "status", "outcomes", "orders"]
        orderable = False
        attrs = {"class": "data job-table"}
        empty_text = "No jobs yet."

    def render_operation(self, record: Job) -> str:
        return job_title(record)

    def render_outcomes(self, record: Job) -> str:
        return format_html(
            '<span class="job-counts">applied {} · skipped {} · failed {}</span>'
            '<span class="muted"> ({} of {})</span>',
            f"{record.succeeded_count:,}",
            f"{record.skipped_count:,}",
            f"{record.failed_count:,}",
            f"{record.done:,}",
            f"{record.total:,}",
        )

    def render_orders(self, record: Job) -> str:
        if record.kind in COST_IMPORT_KINDS and (record.params or {}).get("import_id"):
            url = reverse("cost-import-detail", args=[record.params["import_id"]])
            return format_html('<a href="{}">The import’s orders</a>', url)
        if record.kind == "operation" and record.succeeded_count:
            url = reverse("job-detail", args=[record.pk]) + "?outcome=succeeded#job-orders"
            changed = counted(record.succeeded_count, "order")
            return format_html('<a href="{}">{} changed</a>', url, changed)
        if record.kind == "export" and record.succeeded_count:
            # An export changes no order: it says how many it wrote, its page has the file.
            return f"{counted(record.succeeded_count, 'order')} exported"
        if record.failed_count or record.skipped_count:
            url = reverse("job-detail", args=[record.pk]) + "#job-orders"
            return format_html('<a href="{}">See the orders</a>', url)
        return "—"
