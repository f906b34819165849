"""Export screens: mappings (list, editor with live preview) and running an export."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from backoffice.common.tenancy import MerchantRequiredMixin
from orders.exceptions import OrderError
from tools.export_forms import ExportMappingForm, ExportRunForm
from tools.exports.catalogue import catalogue_for
from tools.exports.services import (
    export_columns_clean,
    export_mapping_get,
    export_mapping_list,
    export_mapping_save,
    export_preview,
    export_start,
    standard_columns,
)
from tools.jobs import job_started_text
from tools.models import ExportMapping

EXPORT = "orders.export_orders"


def mapping_or_404(request, pk: int) -> ExportMapping:
    try:
        return export_mapping_get(merchant=request.merchant, pk=pk)
    except ExportMapping.DoesNotExist as exc:
        raise Http404("No such mapping.") from exc


class ExportRunView(MerchantRequiredMixin, View):
    permission = EXPORT
    template_name = "tools/export_run.html"

    def _form(self, data=None):
        mappings = export_mapping_list(merchant=self.request.merchant)
        return ExportRunForm(
            data, mappings=mappings, initial={"stage": self.request.GET.get("stage", "")}
        )

    def get(self, request):
        return render(request, self.template_name, {"form": self._form()})

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = export_start(
                    merchant=request.merchant,
                    mapping=data["mapping"],
                    stage=data["stage"],
                    format=data["format"],
                    placed_from=data["placed_from"],
                    placed_to=data["placed_to"],
                    by=request.user,
                )
            except OrderError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Export {job_started_text(job)} (job {job.pk}).")
                return redirect("job-detail", pk=job.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class ExportMappingListView(MerchantRequiredMixin, View):
    permission = EXPORT

    def get(self, request):
        mappings = export_mapping_list(merchant=request.merchant)
        return render(request, "tools/export_mapping_list.html", {"mappings": mappings})


class ExportMappingEditView(MerchantRequiredMixin, View):
    """Create (no pk) or change a mapping; the preview partial follows the form as it changes."""

    permission = EXPORT
    template_name = "tools/export_mapping_form.html"

    def _context(self, form, mapping=None):
        return {"form": form, "mapping": mapping, "catalogue": catalogue_for(self.request.merchant)}

    def get(self, request, pk: int | None = None):
        mapping = mapping_or_404(request, pk) if pk else None
        columns = mapping.columns if mapping else standard_columns(request.merchant)
        initial = {
            "name": mapping.name if mapping else "",
            "format": mapping.format if mapping else "csv",
            "granularity": mapping.granularity if mapping else "order",
            "is_default": mapping.is_default if mapping else False,
            "columns": ExportMappingForm.columns_text(columns),
        }
        form = ExportMappingForm(initial=initial)
        return render(request, self.template_name, self._context(form, mapping))

    def post(self, request, pk: int | None = None):
        mapping = mapping_or_404(request, pk) if pk else None
        form = ExportMappingForm(request.POST)
        if form.is_valid():
            try:
                saved = export_mapping_save(
                    merchant=request.merchant, mapping=mapping, by=request.user, **form.cleaned_data
                )
            except OrderError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Mapping “{saved.name}” saved.")
                return redirect("tool-export-mappings")
        return render(request, self.template_name, self._context(form, mapping), status=400)


class ExportMappingPreviewView(MerchantRequiredMixin, View):
    """The editor's live preview: the first rows of real orders through the unsaved mapping."""

    permission = EXPORT
    http_method_names = ["post"]

    def post(self, request):
        form = ExportMappingForm(request.POST)
        context = {"headers": [], "rows": [], "problem": ""}
        if form.is_valid():
            data = form.cleaned_data
            try:
                columns = export_columns_clean(
                    merchant=request.merchant,
                    columns=data["columns"],
                    granularity=data["granularity"],
                    format=data["format"],
                )
            except OrderError as exc:
                context["problem"] = str(exc)
            else:
                mapping = ExportMapping(
                    merchant=request.merchant,
                    name=data["name"],
                    format=data["format"],
                    granularity=data["granularity"],
                    columns=columns,
                )
                context["headers"], context["rows"] = export_preview(mapping=mapping)
        else:
            context["problem"] = "; ".join(e for errors in form.errors.values() for e in errors)
        return render(request, "tools/export_mapping_form.html#preview", context)
