from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from backoffice.common.tenancy import MerchantRequiredMixin, url_permitted
from lifecycle.forms import NoteForm
from lifecycle.screens import LIST_PERMISSION
from orders.forms import TransitionForm, transition_form_for
from orders.models import Order
from orders.models.order import CUSTOM_FIELD_NUMBERS
from orders.selectors.order_page import order_page_get
from orders.selectors.orders import order_deleted_find, order_live_get, order_live_list
from orders.selectors.search import order_id_for_term, search_term_clean
from orders.services.transitions import (
    order_transitions_for_user,
)


def merchant_orders(request: HttpRequest) -> QuerySet[Order]:
    """The current merchant's live orders: everything else answers 404."""
    return order_live_list(merchant=request.merchant)


def merchant_order_or_404(request: HttpRequest, order_id: str) -> Order:
    try:
        return order_live_get(merchant=request.merchant, order_id=order_id)
    except Order.DoesNotExist as exc:
        raise Http404("No such order.") from exc


def may_open(request: HttpRequest, name: str, *args) -> bool:
    """Whether this user may use the route `name` (its view's declared permissions decide, as
    they do when the route is followed): the order page offers a button only then."""
    return url_permitted(request, reverse(name, args=args))


@dataclass
class OrderAction:
    name: str
    label: str
    danger: bool
    form: TransitionForm | None


class OrderFindView(MerchantRequiredMixin, View):
    """The top bar's box: straight to the order when the ID exists, else the search list."""

    def get(self, request):
        query = search_term_clean(request.GET.get("q", ""))
        if query:
            order_id = order_id_for_term(merchant=request.merchant, term=query)
            if order_id:
                return redirect("order-detail", order_id=order_id)
        url = reverse("order-list")
        if not request.user.has_perm(LIST_PERMISSION, request.merchant):
            # A shipping clerk searches the one list of theirs that holds the open orders.
            url = reverse("stage-list", kwargs={"slug": "shipping"})
        return redirect(f"{url}?{urlencode({'q': query})}" if query else url)


class OrderDetailView(MerchantRequiredMixin, TemplateView):
    """The order page: everything about one order, its actions and its timeline."""

    template_name = "lifecycle/order_detail.html"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            deleted = order_deleted_find(merchant=request.merchant, order_id=kwargs["order_id"])
            if deleted is None:
                raise  # never this merchant's order, or purged: a plain 404
            return self.render_deleted(deleted)

    def render_deleted(self, order: Order):
        """A deleted order's URL says so (when, by whom, why) and, for a role that may
        undelete, where to restore it; 410: the order is gone from every list."""
        undelete_url = f"{reverse('tool-undelete')}?{urlencode({'order_id': order.order_id})}"
        context = {
            "order": order,
            "undelete_url": undelete_url if url_permitted(self.request, undelete_url) else "",
        }
        return render(self.request, "lifecycle/order_deleted.html", context, status=410)

    def get_order(self) -> Order:
        try:
            return order_page_get(merchant=self.request.merchant, order_id=self.kwargs["order_id"])
        except Order.DoesNotExist as exc:
            raise Http404("No such order.") from exc

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.get_order()
        request = self.request
        context.update(
            order=order,
            actions=order_actions(order, request.user),
            custom_fields=_custom_fields(order),
            can_add_note=may_open(request, "order-note-create", order.order_id),
            note_form=NoteForm(),
            can_delete=may_open(request, "order-delete", order.order_id),
        )
        return context


def order_actions(order: Order, user) -> list[OrderAction]:
    """One button (with its small form, if it needs inputs) per transition the user may run."""
    actions = []
    for spec in order_transitions_for_user(order=order, user=user):
        form = transition_form_for(spec.name, order=order, prefix=spec.name)
        actions.append(OrderAction(name=spec.name, label=spec.label, danger=spec.danger, form=form))
    return actions


def _custom_fields(order: Order) -> list[tuple[str, str]]:
    """Custom fields that hold a value or that the merchant has labelled."""
    configured = order.merchant.custom_fields or {}
    return [
        (order.merchant.custom_field_label(number), order.custom_field(number))
        for number in CUSTOM_FIELD_NUMBERS
        if order.custom_field(number) or str(number) in configured
    ]
