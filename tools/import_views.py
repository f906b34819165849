"""Import Actual Costs screens: upload, preview, errors CSV, apply, undo."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from backoffice.common.confirmation import confirmation_page
from backoffice.common.tenancy import MerchantRequiredMixin
from orders.exceptions import OrderError
from tools.export_forms import CostFileForm
from tools.imports.services import (
    cost_import_apply_start,
    cost_import_duplicate_of,
    cost_import_errors_csv,
    cost_import_get,
    cost_import_list,
    cost_import_undo_confirmation,
    cost_import_undo_start,
    cost_import_upload_start,
    duplicate_message,
)
from tools.jobs import job_started_text
from tools.models import CostImport

IMPORT = "orders.import_costs"
PAST_IMPORTS = 50
BUSY = (CostImport.Status.READING, CostImport.Status.APPLYING, CostImport.Status.UNDOING)


def import_or_404(request, pk: int) -> CostImport:
    try:
        return cost_import_get(merchant=request.merchant, import_id=pk)
    except CostImport.DoesNotExist as exc:
        raise Http404("No such import.") from exc


class CostImportUploadView(MerchantRequiredMixin, View):
    permission = IMPORT
    template_name = "tools/cost_import_upload.html"

    def _render(self, form, status=200):
        imports = cost_import_list(merchant=self.request.merchant)[:PAST_IMPORTS]
        return render(
            self.request, self.template_name, {"form": form, "imports": imports}, status=status
        )

    def get(self, request):
        return self._render(CostFileForm())

    def post(self, request):
        """Store the file and start reading it on a worker: nothing here parses it."""
        form = CostFileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                cost_import = cost_import_upload_start(
                    merchant=request.merchant, upload=form.cleaned_data["file"], by=request.user
                )
            except OrderError as exc:  # CostFileRefused too
                form.add_error("file", str(exc))
            else:
                return redirect("cost-import-detail", pk=cost_import.pk)
        return self._render(form, status=400)


class CostImportDetailView(MerchantRequiredMixin, View):
    """The preview: counts, the imported-twice warning, errors, before → after, apply, undo.
    While a job works on the import the page polls itself (an htmx request gets only the
    import's partial): the file's reading progress, then its preview."""

    permission = IMPORT

    def get(self, request, pk: int):
        cost_import = import_or_404(request, pk)
        duplicate = None
        if cost_import.status == CostImport.Status.PREVIEWED:
            duplicate = cost_import_duplicate_of(cost_import=cost_import)
        repeated = cost_import.summary.get("repeated", {})
        context = {
            "imp": cost_import,
            # The import keeps its first errors; the rest are in the downloadable CSV.
            "errors": cost_import.errors,
            "more_errors": max(0, cost_import.error_count - len(cost_import.errors)),
            "duplicate": duplicate,
            "duplicate_message": duplicate_message(duplicate) if duplicate else "",
            "changes": cost_import.summary.get("changes", []),
            "repeated": repeated,
            "more_repeated": cost_import.summary.get("repeated_count", 0) - len(repeated),
            "busy": cost_import.status in BUSY,
        }
        template = "tools/cost_import_detail.html"
        if request.htmx:
            template += "#import"
        return render(request, template, context)


class CostImportErrorsView(MerchantRequiredMixin, View):
    permission = IMPORT

    def get(self, request, pk: int):
        cost_import = import_or_404(request, pk)
        response = HttpResponse(
            cost_import_errors_csv(cost_import=cost_import), content_type="text/csv"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="import-{cost_import.pk}-errors.csv"'
        )
        return response


class CostImportApplyView(MerchantRequiredMixin, View):
    permission = IMPORT
    http_method_names = ["post"]

    def post(self, request, pk: int):
        cost_import = import_or_404(request, pk)
        try:
            job = cost_import_apply_start(
                cost_import=cost_import,
                by=request.user,
                allow_duplicate=request.POST.get("confirm_duplicate") == "on",
            )
        except OrderError as exc:
            messages.error(request, str(exc))
            return redirect("cost-import-detail", pk=cost_import.pk)
        messages.success(
            request, f"Applying import #{cost_import.pk}: job {job.pk} {job_started_text(job)}."
        )
        return redirect("cost-import-detail", pk=cost_import.pk)


class CostImportUndoView(MerchantRequiredMixin, View):
    permission = IMPORT
    http_method_names = ["post"]

    def post(self, request, pk: int):
        cost_import = import_or_404(request, pk)
        asked = confirmation_page(
            request,
            cost_import_undo_confirmation(cost_import=cost_import),
            cancel_url=reverse("cost-import-detail", kwargs={"pk": cost_import.pk}),
        )
        if asked is not None:
            return asked
        try:
            job = cost_import_undo_start(cost_import=cost_import, by=request.user)
        except OrderError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"Undoing import #{cost_import.pk}: job {job.pk} {job_started_text(job)}."
            )
        return redirect("cost-import-detail", pk=cost_import.pk)
