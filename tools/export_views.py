"""Export screens: mappings (list, editor with live preview) and running an export."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from backoffice.common.tenancy import MerchantRequiredMixin
from orders.exceptions import OrderError
from tools.export_forms import (
    COLUMN_PREFIX,
    ExportColumnFormSet,
    ExportMappingForm,
    ExportRunForm,
    MappingSettingsForm,
    catalogue_choices,
    columns_from_rows,
    columns_rearrange,
)
from tools.exports.catalogue import CODE, FIELDS, catalogue_for, field_label
from tools.exports.services import (
    export_columns_clean,
    export_mapping_check,
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
    """Create (no pk) or change a mapping by picking columns from the catalogue (rows of field,
    header, format and values, with buttons that add, remove and move them: plain form posts,
    no script needed), or as `field | header | format` lines (`?view=text`, the advanced
    view). Either way the preview partial follows the form as it changes."""

    permission = EXPORT
    picker_template = "tools/export_mapping_form.html"
    text_template = "tools/export_mapping_text.html"

    def get(self, request, pk: int | None = None):
        mapping = mapping_or_404(request, pk) if pk else None
        columns = mapping.columns if mapping else standard_columns(request.merchant)
        settings = {
            "name": mapping.name if mapping else "",
            "format": mapping.format if mapping else "csv",
            "granularity": mapping.granularity if mapping else "order",
            "is_default": mapping.is_default if mapping else False,
        }
        if request.GET.get("view") == "text":
            form = ExportMappingForm(
                initial={**settings, "columns": ExportMappingForm.columns_text(columns)}
            )
            return render(request, self.text_template, self._text_context(form, mapping))
        settings_form = MappingSettingsForm(initial=settings)
        return self._picker(request, mapping, settings_form, columns)

    def post(self, request, pk: int | None = None):
        mapping = mapping_or_404(request, pk) if pk else None
        if "columns" in request.POST:
            return self._text_post(request, mapping)
        settings_form = MappingSettingsForm(request.POST)
        rows = columns_from_rows(request.POST)
        action = request.POST.get("row_action", "")
        if action:
            # Moving columns is not saving: the settings come back as typed, without errors.
            rows = columns_rearrange(rows, action, add=self._added_row(request))
            typed = MappingSettingsForm(initial=settings_form.data_as_typed())
            return self._picker(request, mapping, typed, rows)
        if settings_form.is_valid():
            try:
                saved = export_mapping_save(
                    merchant=request.merchant,
                    mapping=mapping,
                    by=request.user,
                    columns=rows,
                    **settings_form.cleaned_data,
                )
            except OrderError as exc:
                return self._picker(request, mapping, settings_form, rows, str(exc), 400)
            messages.success(request, f"Mapping “{saved.name}” saved.")
            return redirect("tool-export-mappings")
        return self._picker(request, mapping, settings_form, rows, status=400)

    def _added_row(self, request) -> dict[str, str] | None:
        name = request.POST.get("add_field", "")
        if name not in FIELDS:
            return None
        header = field_label(FIELDS[name], request.merchant)
        return {"field": name, "header": header, "format": "", "values": CODE}

    def _picker(self, request, mapping, settings_form, columns, problem: str = "", status=200):
        catalogue = catalogue_for(request.merchant)
        rows = ExportColumnFormSet(
            initial=[{"values": CODE, **column} for column in columns],
            prefix=COLUMN_PREFIX,
            form_kwargs={"catalogue": catalogue},
        )
        context = {
            "form": settings_form,
            "rows": rows,
            "mapping": mapping,
            "problem": problem,
            "catalogue": catalogue,
            "add_choices": catalogue_choices(catalogue),
        }
        return render(request, self.picker_template, context, status=status)

    def _text_context(self, form, mapping=None):
        return {"form": form, "mapping": mapping, "catalogue": catalogue_for(self.request.merchant)}

    def _text_post(self, request, mapping):
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
        context = self._text_context(form, mapping)
        return render(request, self.text_template, context, status=400)


class ExportMappingPreviewView(MerchantRequiredMixin, View):
    """The editor's live preview: the first rows of real orders through the unsaved mapping,
    and the editor's message, replaced as the mapping is edited (gone once it would save)."""

    permission = EXPORT
    http_method_names = ["post"]

    def post(self, request):
        mapping_pk = request.GET.get("mapping", "")
        mapping = mapping_or_404(request, int(mapping_pk)) if mapping_pk.isdigit() else None
        if "columns" in request.POST:
            form: forms.Form = ExportMappingForm(request.POST)
        else:
            form = MappingSettingsForm(request.POST)
        context = {"headers": [], "rows": [], "problem": "", "save_problem": ""}
        if not form.is_valid():
            context["problem"] = "; ".join(e for errors in form.errors.values() for e in errors)
            context["save_problem"] = context["problem"]
            return render(request, "tools/_mapping_preview.html", context)
        data = form.cleaned_data
        columns = data["columns"] if "columns" in data else columns_from_rows(request.POST)
        try:
            columns = export_columns_clean(
                merchant=request.merchant,
                columns=columns,
                granularity=data["granularity"],
                format=data["format"],
            )
        except OrderError as exc:
            context["problem"] = context["save_problem"] = str(exc)
            return render(request, "tools/_mapping_preview.html", context)
        try:
            export_mapping_check(
                merchant=request.merchant,
                mapping=mapping,
                name=data["name"],
                format=data["format"],
                granularity=data["granularity"],
                columns=columns,
            )
        except OrderError as exc:
            context["save_problem"] = str(exc)
        preview = ExportMapping(
            merchant=request.merchant,
            name=data["name"],
            format=data["format"],
            granularity=data["granularity"],
            columns=columns,
        )
        context["headers"], context["rows"] = export_preview(mapping=preview)
        return render(request, "tools/_mapping_preview.html", context)
