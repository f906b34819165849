from django.contrib import admin, messages
from django.utils.html import format_html_join

from backoffice.common.admin import ReadOnlyAdmin
from backoffice.common.words import counted
from orders.exceptions import OrderError
from tools.job_runner import job_cancel
from tools.jobs import job_problems_first
from tools.models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Read-only for support staff; the only change offered is cancelling through the service."""

    list_display = ["id", "merchant", "kind", "status", "created_by", "progress", "created_at"]
    list_filter = ["merchant", "kind", "status"]
    list_select_related = ["merchant", "created_by"]
    search_fields = ["=id"]
    date_hierarchy = "created_at"
    actions = ["cancel_jobs"]
    exclude = ["order_pks"]
    readonly_fields = ["first_problems"]

    @admin.display(description="progress")
    def progress(self, job: Job) -> str:
        return f"{job.done} / {job.total}"

    @admin.display(description="first problems")
    def first_problems(self, job: Job) -> str:
        problems = job_problems_first(job=job)
        return (
            format_html_join(
                "",
                "<div>{} {}: {}</div>",
                ((p.order_id or p.order_pk, p.outcome, p.message) for p in problems),
            )
            or "—"
        )

    @admin.action(description="Cancel selected jobs")
    def cancel_jobs(self, request, queryset) -> None:
        cancelled = 0
        for job in queryset:
            try:
                job_cancel(job=job)
            except OrderError as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                cancelled += 1
        if cancelled:
            self.message_user(request, f"{counted(cancelled, 'job')} cancelled.", messages.SUCCESS)
