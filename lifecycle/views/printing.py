"""Printable pages: the order, its invoice, and packing slips (one per page) for many orders."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from backoffice.common.tenancy import MerchantRequiredMixin
from orders.models import OrderLine

from .orders import merchant_orders

MAX_SLIPS = 500
PRINT_TEMPLATES = {
    "order": "lifecycle/print/order.html",
    "invoice": "lifecycle/print/invoice.html",
    "packing-slip": "lifecycle/print/packing_slips.html",
}


def _printable(request):
    return (
        merchant_orders(request)
        .select_related("merchant")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("position", "id")), "shipments"
        )
    )


class OrderPrintView(MerchantRequiredMixin, TemplateView):
    """One order as a printable page: the order, its invoice, or its packing slip."""

    permission = "orders.view_merchant_orders"

    def get_template_names(self):
        try:
            return [PRINT_TEMPLATES[self.kwargs["kind"]]]
        except KeyError:
            raise Http404("No such print view.") from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = get_object_or_404(_printable(self.request), order_id=self.kwargs["order_id"])
        context.update(order=order, orders=[order], missing=[])
        return context


class ManyOrdersPrintView(MerchantRequiredMixin, TemplateView):
    """Packing slips or invoices for the order IDs in ?ids= (comma-separated or repeated),
    one order per printed page."""

    permission = "orders.view_merchant_orders"

    template_name = "lifecycle/print/packing_slips.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        wanted = []
        for value in self.request.GET.getlist("ids"):
            for order_id in value.replace(",", " ").split():
                if order_id.upper() not in wanted:
                    wanted.append(order_id.upper())
        wanted = wanted[:MAX_SLIPS]
        found = {o.order_id: o for o in _printable(self.request).filter(order_id__in=wanted)}
        context.update(
            orders=[found[order_id] for order_id in wanted if order_id in found],
            missing=[order_id for order_id in wanted if order_id not in found],
        )
        return context
