"""The owner's carriers: the built-in ones, and the merchant's own with their tracking pages."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from backoffice.common.tenancy import MerchantRequiredMixin
from orders.models import Carrier
from orders.selectors.carriers import BUILT_IN_CARRIERS, carrier_get, carrier_list
from orders.services.carriers import (
    CarrierInvalid,
    carrier_create,
    carrier_delete,
    carrier_update,
)

OWNER_ONLY = "orders.manage_merchant"


class CarrierForm(forms.Form):
    # The lengths are checked by the service, so that a long value gets its message too.
    name = forms.CharField(label="Name", help_text="As staff type it when marking shipped.")
    tracking_url_pattern = forms.CharField(
        label="Tracking page address",
        help_text="https://…, with {tracking} where the tracking number goes.",
        widget=forms.TextInput(attrs={"placeholder": "https://carrier.example/track?n={tracking}"}),
    )


def carrier_form_problem(form: CarrierForm, problem: CarrierInvalid) -> None:
    form.add_error(problem.field, str(problem))


class CarrierMixin(MerchantRequiredMixin):
    permission = OWNER_ONLY

    def carrier(self, pk: int) -> Carrier:
        try:
            return carrier_get(merchant=self.request.merchant, pk=pk)
        except Carrier.DoesNotExist as exc:
            raise Http404("No such carrier.") from exc


class CarrierListView(CarrierMixin, View):
    """The built-in carriers and the merchant's own; add one."""

    def render_page(self, form: CarrierForm, status: int = 200):
        context = {
            "built_in": BUILT_IN_CARRIERS,
            "carriers": carrier_list(merchant=self.request.merchant),
            "form": form,
        }
        return render(self.request, "lifecycle/carriers/list.html", context, status=status)

    def get(self, request):
        return self.render_page(CarrierForm())

    def post(self, request):
        form = CarrierForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=422)
        try:
            carrier = carrier_create(
                merchant=request.merchant, by=request.user, **form.cleaned_data
            )
        except CarrierInvalid as exc:
            carrier_form_problem(form, exc)
            return self.render_page(form, status=422)
        messages.success(request, f"Carrier {carrier.name} added.")
        return redirect("carrier-list")


class CarrierDetailView(CarrierMixin, View):
    """Change one of the merchant's carriers."""

    def render_page(self, carrier: Carrier, form: CarrierForm, status: int = 200):
        context = {"carrier": carrier, "form": form}
        return render(self.request, "lifecycle/carriers/detail.html", context, status=status)

    def get(self, request, pk: int):
        carrier = self.carrier(pk)
        initial = {"name": carrier.name, "tracking_url_pattern": carrier.tracking_url_pattern}
        return self.render_page(carrier, CarrierForm(initial=initial))

    def post(self, request, pk: int):
        carrier = self.carrier(pk)
        form = CarrierForm(request.POST)
        if not form.is_valid():
            return self.render_page(carrier, form, status=422)
        try:
            carrier = carrier_update(carrier=carrier, by=request.user, **form.cleaned_data)
        except CarrierInvalid as exc:
            carrier_form_problem(form, exc)
            return self.render_page(carrier, form, status=422)
        messages.success(request, f"Carrier {carrier.name} saved.")
        return redirect("carrier-list")


class CarrierRemoveView(CarrierMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        carrier = self.carrier(pk)
        carrier_delete(carrier=carrier, by=request.user)
        messages.success(
            request, f"Carrier {carrier.name} removed; its shipments' numbers show without links."
        )
        return redirect("carrier-list")
