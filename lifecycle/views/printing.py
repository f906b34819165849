"""Printable pages: the order, its invoice, and packing slips (one per page) for many orders."""

from django.http import Http404
from django.views.generic import TemplateView

from backoffice.common.tenancy import MerchantRequiredMixin
from orders.selectors.orders import orders_printable

MAX_SLIPS = 500
PRINT_TEMPLATES = {
    "order": "lifecycle/print/order.html",
    "invoice": "lifecycle/print/invoice.html",
    "packing-slip": "lifecycle/print/packing_slips.html",
}


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
        order_ids = [self.kwargs["order_id"]]
        found = orders_printable(merchant=self.request.merchant, order_ids=order_ids)
        if not found:
            raise Http404("No such order.")
        order = found[0]
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
        printable = orders_printable(merchant=self.request.merchant, order_ids=wanted)
        found = {order.order_id: order for order in printable}
        context.update(
            orders=[found[order_id] for order_id in wanted if order_id in found],
            missing=[order_id for order_id in wanted if order_id not in found],
        )
        return context
