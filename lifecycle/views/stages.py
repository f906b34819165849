"""Stage screens beyond the list: pre-orders by item, and mark shipped from a pasted list."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views import View
from django.views.generic import FormView, TemplateView

from backoffice.common.tenancy import MerchantRequiredMixin
from backoffice.common.words import counted
from lifecycle.forms import ShipListForm
from orders.exceptions import OrderError
from orders.selectors.preorders import preorder_groups_list
from orders.selectors.selection import OrderSelection, SelectionKind, order_selection_resolve
from orders.states import Stage
from tools.jobs import job_started_text
from tools.operations.registry import operation_get, operation_job_create
from tools.operations.shipping import ship_list_inputs

from .orders import merchant_orders


class PreorderItemsView(MerchantRequiredMixin, TemplateView):
    """Pre-orders grouped by the item they wait for, with its expected date."""

    permission = "orders.view_order_lists"

    template_name = "lifecycle/preorder_items.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        merchant = self.request.merchant
        context.update(
            groups=preorder_groups_list(merchant=merchant),
            can_release=self.request.user.has_perm("orders.release_preorder", merchant),
        )
        return context


class PreorderReleaseView(MerchantRequiredMixin, View):
    """Release an item's pre-orders (item=…) or the selected ones (order=… repeated) as a job."""

    permission = "orders.release_preorder"
    http_method_names = ["post"]

    def post(self, request):
        merchant = request.merchant
        item_id = request.POST.get("item", "")
        if item_id.isdigit():
            selection = OrderSelection(
                kind=SelectionKind.ITEM, item_id=int(item_id), stages=(Stage.PRE_ORDER,)
            )
        else:
            selection = OrderSelection(
                kind=SelectionKind.IDS,
                text="\n".join(request.POST.getlist("order")),
                stages=(Stage.PRE_ORDER,),
            )
        try:
            order_pks = order_selection_resolve(merchant=merchant, selection=selection).order_pks
            if not order_pks:
                messages.error(request, "Choose pre-orders to release.")
                return redirect("preorder-items")
            job = operation_job_create(
                merchant=merchant,
                operation=operation_get("release_preorder"),
                inputs={},
                order_pks=order_pks,
                by=request.user,
            )
        except OrderError as exc:
            messages.error(request, str(exc))
            return redirect("preorder-items")
        messages.success(
            request,
            f"Job {job.pk} {job_started_text(job)}: "
            f"release {counted(len(order_pks), 'pre-order')}.",
        )
        return redirect("job-detail", pk=job.pk)


class ShipListView(MerchantRequiredMixin, FormView):
    """Paste "order ID → tracking [line:quantity …]" lines; a job marks each order shipped with
    its numbers, or ships the part its line:quantity pairs name."""

    permission = "orders.ship_order"
    form_class = ShipListForm
    template_name = "lifecycle/ship_list_form.html"

    def form_valid(self, form):
        parsed = form.cleaned_data["rows"]
        tracking = parsed.tracking
        found = dict(
            merchant_orders(self.request)
            .filter(order_id__in=list(tracking))
            .values_list("order_id", "pk")
        )
        if not found:
            form.add_error("rows", "None of these IDs is a live order of this merchant.")
            return self.form_invalid(form)
        inputs = ship_list_inputs(
            parsed,
            carrier=form.cleaned_data["carrier"],
            notify=not form.cleaned_data["do_not_notify"],
            order_ids=found,
        )
        try:
            job = operation_job_create(
                merchant=self.request.merchant,
                operation=operation_get("mark_shipped_from_list"),
                inputs=inputs,
                order_pks=list(found.values()),
                by=self.request.user,
                selection={"pasted": len(tracking)},
            )
        except OrderError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        message = (
            f"Job {job.pk} {job_started_text(job)}: mark {counted(len(found), 'order')} shipped."
        )
        missing = sorted(set(tracking) - set(found))
        if missing:
            message += f" Not found: {', '.join(missing[:20])}{' …' if len(missing) > 20 else ''}."
        messages.success(self.request, message)
        return redirect("job-detail", pk=job.pk)
