"""Editing an order's lines: the form, its server-side preview, and the save that settles."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from backoffice.common.tenancy import MerchantRequiredMixin
from lifecycle.line_edit_forms import LinesEditForm
from orders.exceptions import OrderChanged, OrderError, PaymentFailed, TransitionNotPermitted
from orders.models import SubmissionOutcome
from orders.services.line_edits import (
    CHANGED_WHILE_LOOKING,
    lines_edit_plan,
    order_lines_edit,
    order_lines_edit_has_rebills,
    order_lines_edit_refusal,
    order_lines_version,
)

from .one_time import OneTimeSubmissionMixin, outcome_error, outcome_success, outcome_warning
from .orders import merchant_order_or_404

PREVIEW = "preview"


class OrderLinesEditView(OneTimeSubmissionMixin, MerchantRequiredMixin, View):
    """GET: the form. POST with action=preview: the new totals and the money difference,
    nothing saved. POST otherwise: the one-time save through order_lines_edit."""

    permission = "orders.edit_order_lines"
    template_name = "lifecycle/order_lines_edit.html"

    def _form(self, order, data=None) -> LinesEditForm:
        return LinesEditForm(
            data,
            order=order,
            version=order_lines_version(order),
            rebills=order_lines_edit_has_rebills(order),
        )

    def _render(self, order, form, *, plan=None, error: str = "", status: int = 200):
        context = {
            "order": order,
            "form": form,
            "plan": plan,
            "error": error,
            "refusal": order_lines_edit_refusal(order),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, order_id: str):
        order = merchant_order_or_404(request, order_id)
        return self._render(order, self._form(order))

    def post(self, request, order_id: str):
        order = merchant_order_or_404(request, order_id)
        if request.POST.get("action") == PREVIEW:
            return self._preview(order)
        edit_url = reverse("order-lines-edit", kwargs={"order_id": order.order_id})
        answered = self.submission_check(fallback_url=edit_url)
        if answered is not None:
            return answered
        form = self._form(order, request.POST)
        if not form.is_valid():
            return self._render(order, form, error=form.errors_text(), status=422)
        order_url = reverse("order-detail", kwargs={"order_id": order.order_id})
        refused: list[OrderError] = []

        def run() -> SubmissionOutcome:
            try:
                result = order_lines_edit(
                    order=order,
                    edit=form.edit(),
                    version=form.cleaned_data["version"],
                    by=request.user,
                    idempotency_key=self.form_token,
                )
            except TransitionNotPermitted as exc:
                raise PermissionDenied(str(exc)) from exc
            except PaymentFailed as exc:  # the gateway refused: nothing was changed
                refused.append(exc)
                return outcome_warning(f"{order.order_id}: {exc}", edit_url)
            except OrderError as exc:
                refused.append(exc)
                return outcome_error(f"{order.order_id}: {exc}", edit_url)
            level = outcome_warning if result.payment and result.payment.mismatches else None
            return (level or outcome_success)(result.message, order_url)

        outcome = self.submission_outcome(run)
        if not refused:  # saved, or the answer to an earlier post of this form
            return self.submission_answer(outcome)
        # Refused, nothing saved: the page again with what was typed and why (a fresh token).
        self.submission_message(outcome)
        status = 409 if isinstance(refused[0], OrderChanged) else 422
        return self._retyped(order.order_id, request.POST, status=status)

    def _retyped(self, order_id: str, posted, *, status: int):
        """The form as the order is now, holding the values that were posted. The version is
        the current one: the message asks to review the order before saving again."""
        order = merchant_order_or_404(self.request, order_id)
        current = self._form(order)
        data = {name: current[name].value() for name in current.fields}
        data.update((name, posted.get(name)) for name in posted if name in current.fields)
        data["version"] = order_lines_version(order)
        return self._render(order, self._form(order, data), status=status)

    def _preview(self, order):
        form = self._form(order, self.request.POST)
        if not form.is_valid():
            return self._render(order, form, error=form.errors_text(), status=422)
        if form.cleaned_data["version"] != order_lines_version(order):
            return self._render(order, self._form(order), error=CHANGED_WHILE_LOOKING, status=409)
        try:
            plan = lines_edit_plan(order=order, edit=form.edit())
        except OrderError as exc:
            return self._render(order, form, error=str(exc), status=422)
        if not plan.changed:
            messages.info(self.request, f"{order.order_id}: nothing to change.")
        return self._render(order, form, plan=plan)
