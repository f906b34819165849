"""The customer page: one customer's whole history with the merchant, by email."""

from django.http import Http404
from django.urls import reverse
from django.views.generic import TemplateView

from backoffice.common.tenancy import MerchantRequiredMixin, url_permitted
from orders.selectors.customer_profile import customer_profile_get

from .home import MONEY_PERMISSION


class CustomerDetailView(MerchantRequiredMixin, TemplateView):
    """`/customers/?email=…`: every order, auto order, case, chargeback, return, saved card (brand
    and last four only), note and fraud signal of the customer with that email."""

    template_name = "lifecycle/customer_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        email = self.request.GET.get("email", "")[:254]
        profile = customer_profile_get(merchant=self.request.merchant, email=email)
        if profile is None:
            raise Http404("No orders from this customer.")
        context["customer"] = profile
        context["may_open_returns"] = url_permitted(self.request, reverse("return-list"))
        context["show_money"] = self.request.user.has_perm(MONEY_PERMISSION, self.request.merchant)
        return context
