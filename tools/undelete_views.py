"""The Undelete Order tool: the merchant's deleted orders; restore selected or all matching."""

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.views import View

from backoffice.common.tenancy import MerchantRequiredMixin
from backoffice.common.words import counted
from orders.exceptions import OrderError
from orders.selectors.deleted import DeletedOrdersFilter, orders_deleted_list
from orders.selectors.selection import (
    Deleted,
    OrderSelection,
    SelectionKind,
    order_selection_resolve,
)
from tools.jobs import job_started_text
from tools.operations.registry import operation_get, operation_job_create

PAGE_ROWS = 200


class DeletedOrdersFilterForm(forms.Form):
    deleted_from = forms.DateField(
        label="Deleted from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    deleted_to = forms.DateField(
        label="to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    deleted_by = forms.TypedChoiceField(label="Deleted by", required=False, coerce=int)
    order_id = forms.CharField(label="Order ID", required=False, max_length=40)
    customer = forms.CharField(label="Customer email or name", required=False, max_length=200)

    def __init__(self, *args, merchant, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(memberships__merchant=merchant).order_by("username")
        cast(forms.ChoiceField, self.fields["deleted_by"]).choices = [("", "anyone")] + [
            (user.pk, user.get_username()) for user in users
        ]
        self.merchant = merchant

    def filters(self) -> DeletedOrdersFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return DeletedOrdersFilter(
            deleted_from=data.get("deleted_from"),
            deleted_to=data.get("deleted_to"),
            deleted_by=data.get("deleted_by") or None,
            order_id=data.get("order_id", ""),
            customer=data.get("customer", ""),
        )

    def queryset(self):
        return orders_deleted_list(merchant=self.merchant, filters=self.filters())


class UndeleteView(MerchantRequiredMixin, View):
    permission = "orders.undelete_order"
    template_name = "tools/undelete.html"

    def get(self, request):
        form = DeletedOrdersFilterForm(request.GET or None, merchant=request.merchant)
        queryset = form.queryset()
        context = {
            "form": form,
            "orders": list(queryset[:PAGE_ROWS]),
            "count": queryset.count(),
            "query": request.GET.urlencode(),
        }
        return render(request, self.template_name, context)

    def post(self, request):
        """Restore the ticked orders, or (restore_all) every order matching the filters."""
        form = DeletedOrdersFilterForm(request.POST, merchant=request.merchant)
        scope = {"deleted": Deleted.ONLY_DELETED, "deleted_filter": form.filters()}
        if request.POST.get("action") == "restore_all":
            selection = OrderSelection(kind=SelectionKind.FILTER, **scope)
        else:
            rows = tuple(_ints(request.POST.getlist("order")))
            selection = OrderSelection(kind=SelectionKind.ROWS, rows=rows, **scope)
        try:
            resolved = order_selection_resolve(merchant=request.merchant, selection=selection)
            order_pks = resolved.order_pks
            job = operation_job_create(
                merchant=request.merchant,
                operation=operation_get("undelete"),
                inputs={},
                order_pks=order_pks,
                by=request.user,
                selection={"kind": "undelete", "description": f"{len(order_pks):,} deleted"},
            )
        except OrderError as exc:
            messages.error(request, str(exc))
            return redirect(f"{request.path}?{request.POST.get('query', '')}")
        messages.success(
            request, f"Job {job.pk} {job_started_text(job)}: restore {counted(job.total, 'order')}."
        )
        return redirect("job-detail", pk=job.pk)


def _ints(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]
