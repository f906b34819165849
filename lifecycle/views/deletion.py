"""Deleting one order from its page (soft: the Undelete tool restores it)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from backoffice.common.confirmation import confirmation_page
from backoffice.common.tenancy import MerchantRequiredMixin
from lifecycle.forms import form_errors_text
from orders.exceptions import OrderError, TransitionNotPermitted
from orders.selectors.confirmations import delete_confirmation
from orders.services.deletion import MAX_REASON_LENGTH, order_delete

from .orders import merchant_order_or_404


class OrderDeleteForm(forms.Form):
    reason = forms.CharField(
        label="Why delete",
        max_length=MAX_REASON_LENGTH,
        error_messages={"required": "Give a reason for deleting the order."},
    )


class OrderDeleteView(MerchantRequiredMixin, View):
    permission = "orders.delete_order_soft"
    http_method_names = ["post"]

    def post(self, request, order_id: str):
        order = merchant_order_or_404(request, order_id)
        form = OrderDeleteForm(request.POST, prefix="delete")
        if not form.is_valid():
            messages.error(request, f"{order.order_id}: {form_errors_text(form)}")
            return redirect("order-detail", order_id=order.order_id)
        asked = confirmation_page(
            request,
            delete_confirmation(order=order),
            cancel_url=reverse("order-detail", kwargs={"order_id": order.order_id}),
        )
        if asked is not None:
            return asked
        try:
            order_delete(order=order, by=request.user, reason=form.cleaned_data["reason"])
        except TransitionNotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        except OrderError as exc:
            messages.error(request, str(exc))
            return redirect("order-detail", order_id=order.order_id)
        messages.success(
            request, f"{order.order_id} deleted. Undelete Order restores it as it was."
        )
        return redirect("order-list")
