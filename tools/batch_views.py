"""The Batch Order Operation screen: choose orders and an operation, preview, then run."""

from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from backoffice.common.tenancy import MerchantRequiredMixin
from backoffice.common.words import counted
from orders.exceptions import OrderError
from tools.batch import batch_fingerprint
from tools.batch_forms import BatchSelectionForm
from tools.jobs import job_started_text
from tools.operations.registry import (
    Operation,
    operation_inputs,
    operation_job_create,
    operation_preview,
)

SESSION_KEY = "batch_previews"
KEEP_PREVIEWS = 5
NOT_PREVIEWED = (
    "Preview first: the run must match a preview of the same orders, operation and inputs "
    "(something changed since the preview, or none was made)."
)


def _op_form(operation: Operation, request, data=None):
    if operation.form is None:
        return None
    return operation.form(data, merchant=request.merchant, prefix="op")


def _initial_from_list(request) -> dict[str, Any]:
    """Arriving from a list screen: its selected rows (?ids=) or "all matching" (?filter=)."""
    initial: dict[str, Any] = {"kind": "ids", "date_field": "placed"}
    if request.GET.get("ids"):
        initial["order_ids"] = "\n".join(request.GET["ids"].replace(",", " ").split())
    if request.GET.get("filter"):
        initial.update(kind="filter", filter=request.GET["filter"])
    if request.GET.get("operation"):
        initial["operation"] = request.GET["operation"]
    return initial


class BatchOperationView(MerchantRequiredMixin, View):
    permission = "orders.run_tools"
    template_name = "tools/batch.html"

    def get(self, request):
        form = BatchSelectionForm(initial=_initial_from_list(request), merchant=request.merchant)
        operation = form.chosen_operation
        return self._render(request, form, operation, _op_form(operation, request))

    def post(self, request):
        form = BatchSelectionForm(request.POST, merchant=request.merchant)
        operation = form.chosen_operation
        action = request.POST.get("action", "preview")
        if action == "change":  # the operation changed: show its inputs, empty
            form = BatchSelectionForm(initial=request.POST.dict(), merchant=request.merchant)
            return self._render(request, form, operation, _op_form(operation, request))
        op_form = _op_form(operation, request, request.POST)
        if not form.is_valid() or (op_form is not None and not op_form.is_valid()):
            return self._render(request, form, operation, op_form)
        inputs = operation_inputs(op_form)
        fingerprint = batch_fingerprint(
            selection=form.selection,
            operation=operation.name,
            inputs=inputs,
            order_pks=form.resolved.order_pks,
        )
        if action == "run":
            return self._run(request, form, operation, op_form, inputs, fingerprint)
        preview = operation_preview(
            merchant=request.merchant,
            operation=operation,
            inputs=inputs,
            order_pks=form.resolved.order_pks,
            by=request.user,
        )
        previews = [fingerprint, *request.session.get(SESSION_KEY, [])]
        request.session[SESSION_KEY] = list(dict.fromkeys(previews))[:KEEP_PREVIEWS]
        return self._render(request, form, operation, op_form, preview=preview)

    def _run(self, request, form, operation, op_form, inputs, fingerprint):
        previews = request.session.get(SESSION_KEY, [])
        if fingerprint not in previews:
            form.add_error(None, NOT_PREVIEWED)
            return self._render(request, form, operation, op_form)
        selection = {key: value for key, value in form.selection.items() if key != "text"}
        selection.update(
            description=form.resolved.description,
            not_found=form.resolved.not_found,
            deleted=form.resolved.deleted,
        )
        try:
            job = operation_job_create(
                merchant=request.merchant,
                operation=operation,
                inputs=inputs,
                order_pks=form.resolved.order_pks,
                by=request.user,
                selection=selection,
            )
        except OrderError as exc:
            form.add_error(None, str(exc))
            return self._render(request, form, operation, op_form)
        # One run per preview: a second click (or a reload) must preview again.
        request.session[SESSION_KEY] = [fp for fp in previews if fp != fingerprint]
        messages.success(
            request,
            f"Job {job.pk} {job_started_text(job)}: {operation.label} "
            f"over {counted(job.total, 'order')}.",
        )
        return redirect("job-detail", pk=job.pk)

    def _render(self, request, form, operation, op_form, preview=None):
        context = {
            "form": form,
            "operation": operation,
            "op_form": op_form,
            "preview": preview,
            "resolved": form.resolved,
        }
        return render(request, self.template_name, context)
