from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from backoffice.common.tenancy import MerchantRequiredMixin
from backoffice.common.words import counted
from orders.exceptions import OrderError
from orders.models import Item
from orders.selectors.items import item_get, item_list_with_preorders
from tools.preorders import item_preorders_release


class ItemListView(MerchantRequiredMixin, TemplateView):
    """The catalogue, with each pre-order item's waiting orders and its "now available" action."""

    template_name = "lifecycle/item_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["items"] = item_list_with_preorders(merchant=self.request.merchant)
        context["may_release"] = self.request.user.has_perm(
            "orders.release_preorder", self.request.merchant
        ) and self.request.user.has_perm("orders.run_tools", self.request.merchant)
        return context


class ItemReleaseView(MerchantRequiredMixin, View):
    """The item is now available: release (charge and route) every pre-order holding it."""

    permission = "orders.release_preorder"
    http_method_names = ["post"]

    def post(self, request, sku: str):
        try:
            item = item_get(merchant=request.merchant, sku=sku)
        except Item.DoesNotExist as exc:
            raise Http404("No such item.") from exc
        try:
            job = item_preorders_release(item=item, by=request.user)
        except OrderError as exc:
            messages.error(request, str(exc))
            return redirect("item-list")
        if job is None:
            messages.info(request, f"{item.sku} is available; no pre-order was waiting for it.")
            return redirect("item-list")
        messages.success(
            request,
            f"{item.sku} is available; releasing {counted(job.total, 'pre-order')} "
            f"as job {job.pk}.",
        )
        return redirect("job-detail", pk=job.pk)
