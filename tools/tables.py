import django_tables2 as tables

from tools.models import Job


class JobTable(tables.Table):
    id = tables.Column(verbose_name="Job", linkify=("job-detail", {"pk": tables.A("pk")}))
    kind = tables.Column(verbose_name="Kind")
    created_by = tables.Column(verbose_name="Started by", default="system")
    status = tables.Column()
    progress = tables.Column(empty_values=(), orderable=False, verbose_name="Progress")
    created_at = tables.DateTimeColumn(verbose_name="Created", format="Y-m-d H:i")
    finished_at = tables.DateTimeColumn(verbose_name="Finished", format="Y-m-d H:i")

    class Meta:
        model = Job
        fields = ["id", "kind", "created_by", "status", "progress", "created_at", "finished_at"]
        orderable = False
        attrs = {"class": "data"}
        empty_text = "No jobs yet."

    def render_progress(self, record: Job) -> str:
        return f"{record.done:,} / {record.total:,}"
