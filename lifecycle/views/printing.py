"""Printable pages: the order, its invoice, and packing slips (one per page) for many orders:
pasted IDs, or the selection of a stage screen's list; an order's packing slip lists what is
left to ship, a shipment's only what that shipment carries."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.views import View
from django.views.generic import TemplateView

from backoffice.common.tenancy import MerchantRequiredMixin
from lifecycle.screens import list_screen_get
from lifecycle.views.lists import back_to_list, list_selection
from orders.exceptions import InvalidSelection
from orders.selectors.orders import orders_printable
from orders.selectors.selection import order_selection_resolve

# One print batch: a browser lays out 500 orders' pages in a few seconds; more is a print job
# better split by a narrower filter.
MAX_SLIPS = 500
PRINT_PERMISSION = "orders.view_merchant_orders"
# The list screens' print kinds (lifecycle.screens.PRINT_KINDS) → template.
SELECTION_TEMPLATES = {
    "packing-slips": "lifecycle/print/packing_slips.html",
    "invoices": "lifecycle/print/invoice.html",
}
PRINT_TEMPLATES = {
    "order": "lifecycle/print/order.html",
    "invoice": "lifecycle/print/invoice.html",
    "packing-slip": "lifecycle/print/packing_slips.html",
}


class OrderPrintView(MerchantRequiredMixin, TemplateView):
    """One order as a printable page: the order, its invoice, or its packing slip."""

    permission = PRINT_PERMISSION

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


class ShipmentPackingSlipView(MerchantRequiredMixin, TemplateView):
    """The packing slip of one shipment: only the lines and quantities it carries."""

    permission = PRINT_PERMISSION
    template_name = "lifecycle/print/packing_slips.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        found = orders_printable(
            merchant=self.request.merchant, order_ids=[self.kwargs["order_id"]]
        )
        shipment = (
            next((s for s in found[0].shipments.all() if s.pk == self.kwargs["shipment_id"]), None)
            if found
            else None
        )
        if shipment is None:
            raise Http404("No such shipment.")
        context.update(orders=[found[0]], missing=[], shipment=shipment)
        return context


class ManyOrdersPrintView(MerchantRequiredMixin, TemplateView):
    """Packing slips or invoices for the order IDs in ?ids= (comma-separated or repeated),
    one order per printed page."""

    permission = PRINT_PERMISSION

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


class SelectionPrintView(MerchantRequiredMixin, View):
    """Packing slips or invoices for the orders ticked on a stage screen's list (or all that
    match its filter), newest first, one order per printed page, at most MAX_SLIPS."""

    http_method_names = ["post"]

    def required_permissions(self) -> tuple[str, ...]:
        screen = list_screen_get(self.kwargs["slug"])
        if self.kwargs["kind"] not in screen.prints:
            raise Http404("This list prints no such thing.")
        return (screen.permission, PRINT_PERMISSION)

    def post(self, request, slug: str, kind: str):
        screen = list_screen_get(slug)
        selection = list_selection(request, screen)
        try:
            pks = order_selection_resolve(
                merchant=request.merchant, selection=selection, cap=MAX_SLIPS
            ).order_pks
        except InvalidSelection as exc:
            messages.error(request, f"Nothing printed. {exc}")
            return back_to_list(screen, request.POST.get("query", ""))
        if not pks:
            messages.error(request, "Select at least one order to print.")
            return back_to_list(screen, request.POST.get("query", ""))
        found = {o.pk: o for o in orders_printable(merchant=request.merchant, order_pks=pks)}
        orders = [found[pk] for pk in pks if pk in found]
        return render(request, SELECTION_TEMPLATES[kind], {"orders": orders, "missing": []})
