"""Job screens: the list, the job page with its self-updating progress, downloads, cancel."""

import posixpath
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, ListView
from django_tables2 import SingleTableMixin

from backoffice.common.tenancy import MerchantRequiredMixin
from backoffice.common.words import counted
from orders.exceptions import OrderError
from tools.forms import NoteAppendJobForm
from tools.job_registry import job_permission
from tools.job_runner import job_cancel
from tools.jobs import (
    job_get,
    job_list_for_merchant,
    job_outcomes_failed_first,
    job_problems_first,
    job_report_csv,
    job_started_text,
    job_title,
)
from tools.models import Job, JobItemOutcome
from tools.operations.registry import operation_get, operation_job_create
from tools.tables import JobTable

VIEW = "orders.view_merchant_orders"
RUN = "orders.run_tools"
OUTCOMES_PER_PAGE = 100


def merchant_job_or_404(request, pk: int) -> Job:
    try:
        return job_get(merchant=request.merchant, job_id=pk)
    except Job.DoesNotExist as exc:
        raise Http404("No such job.") from exc


class JobPermissionMixin:
    """A view of one job's files or its cancelling: it needs what starting the job needed."""

    request: HttpRequest  # a mixin of Django views, which set these two
    kwargs: dict[str, Any]

    def required_permissions(self) -> tuple[str, ...]:
        self.job = merchant_job_or_404(self.request, self.kwargs["pk"])
        return (job_permission(self.job),)


class JobListView(MerchantRequiredMixin, SingleTableMixin, ListView):
    permission = VIEW
    table_class = JobTable
    template_name = "tools/job_list.html"
    paginate_by = 50

    def get_queryset(self):
        return job_list_for_merchant(merchant=self.request.merchant).order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        can_run = self.request.user.has_perm(RUN, self.request.merchant)
        return super().get_context_data(**kwargs, can_run_tools=can_run)


class JobDetailView(MerchantRequiredMixin, View):
    """The job page; an htmx request gets only the progress partial, which it polls."""

    permission = VIEW

    def get(self, request, pk: int):
        job = merchant_job_or_404(request, pk)
        may = request.user.has_perm(job_permission(job), job)
        context = {
            "job": job,
            "title": job_title(job),
            "problems": job_problems_first(job=job),
            "can_cancel": may,
            "can_download": may,
        }
        template = "tools/job_detail.html"
        if request.htmx:
            template += "#progress"
        else:
            context.update(self._orders_context(request, job))
        return render(request, template, context)

    @staticmethod
    def _orders_context(request, job: Job) -> dict[str, Any]:
        """The job's orders, failed first, a page at a time; one outcome's when asked."""
        outcome = request.GET.get("outcome", "")
        if outcome not in JobItemOutcome.Outcome.values:
            outcome = ""
        outcomes = job_outcomes_failed_first(job=job, outcome=outcome)
        page = Paginator(outcomes, OUTCOMES_PER_PAGE).get_page(request.GET.get("page"))
        return {
            "outcome_page": page,
            "outcome_shown": outcome,
            "outcome_choices": JobItemOutcome.Outcome.choices,
        }


class JobCancelView(JobPermissionMixin, MerchantRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        job = self.job
        try:
            job_cancel(job=job, by=request.user)
        except OrderError as exc:
            messages.warning(request, str(exc))
        else:
            messages.success(request, f"Job {job.pk} cancelled; orders already done stay done.")
        return redirect("job-detail", pk=job.pk)


class JobReportView(JobPermissionMixin, MerchantRequiredMixin, View):
    def get(self, request, pk: int):
        job = self.job
        response = StreamingHttpResponse(job_report_csv(job=job), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-report.csv"'
        return response


class JobResultView(JobPermissionMixin, MerchantRequiredMixin, View):
    def get(self, request, pk: int):
        job = self.job
        if not job.result_file:
            raise Http404("This job has no result file.")
        try:
            handle = job.result_file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The result file is no longer available.") from exc
        return FileResponse(
            handle, as_attachment=True, filename=posixpath.basename(job.result_file.name)
        )


class AppendNoteJobCreateView(MerchantRequiredMixin, FormView):
    """Paste order IDs and a note; a job of the operation "append a merchant note" appends it
    to each order."""

    permission = RUN
    form_class = NoteAppendJobForm
    template_name = "tools/append_note_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "merchant": self.request.merchant}

    def form_valid(self, form):
        resolved = form.resolved
        try:
            job = operation_job_create(
                merchant=self.request.merchant,
                operation=operation_get("append_note"),
                inputs={"text": form.cleaned_data["text"]},
                order_pks=resolved.order_pks,
                by=self.request.user,
                selection={
                    "kind": "ids",
                    "description": f"{counted(len(resolved.order_pks), 'order ID')} listed",
                    "not_found": resolved.not_found,
                    "deleted": resolved.deleted,
                },
            )
        except OrderError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        count = len(resolved.order_pks)
        message = (
            f"Job {job.pk} {job_started_text(job)}: append a note to {counted(count, 'order')}."
        )
        if resolved.unresolved:
            message += f" {counted(len(resolved.unresolved), 'ID')} not included, listed below."
        messages.success(self.request, message)
        return redirect(reverse("job-detail", kwargs={"pk": job.pk}))
