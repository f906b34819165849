import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views import View

from backoffice.common.tenancy import MerchantRequiredMixin
from lifecycle.entry.drafts import entry_draft, entry_initial_from, entry_preview
from lifecycle.entry.forms import LineFormSet, OrderEntryForm
from orders.exceptions import OrderError, TransitionNotPermitted
from orders.selectors.customers import customer_saved_cards_list, customer_search
from orders.selectors.items import item_catalogue_list
from orders.selectors.orders import order_live_find
from orders.selectors.payments import order_payment_outcome_get
from orders.services.placement import order_place, order_placed_with_key
from orders.states import Stage

CATALOGUE_LIMIT = 1000


def entry_context(request, form, formset, *, mode: str = "entry", order=None) -> dict:
    data = form.data if form.is_bound else _initial_data(form, formset)
    catalogue = item_catalogue_list(merchant=request.merchant, limit=CATALOGUE_LIMIT)
    return {
        "form": form,
        "formset": formset,
        "mode": mode,
        "order": order,
        "catalogue": catalogue,
        "catalogue_prices": {item.sku: [item.description, str(item.price)] for item in catalogue},
        "preview": entry_preview(merchant=request.merchant, data=data),
        "currency": request.merchant.currency,
    }


def _initial_data(form, formset) -> dict:
    """The unbound forms' initial values in the shape of POST data, for the first preview."""
    data = {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
    data["lines-TOTAL_FORMS"] = len(formset.forms)
    for i, line in enumerate(formset.forms):
        for name in ("sku", "quantity", "unit_price"):
            data[f"lines-{i}-{name}"] = line.initial.get(name, "") or ""
    return {k: "" if v is None else v for k, v in data.items()}


class OrderEntryView(MerchantRequiredMixin, View):
    """Manually Add Order: the keyboard-first entry screen; placing goes through order_place."""

    permission = "orders.place_order"
    template_name = "lifecycle/order_entry.html"

    def forms(self, data=None, initial=None, lines=None):
        merchant = self.request.merchant
        may_skip = self.request.user.has_perm("orders.skip_fraud_score", merchant)
        form = OrderEntryForm(data, initial=initial, merchant=merchant, may_skip_fraud=may_skip)
        formset = LineFormSet(
            data, initial=lines or None, prefix="lines", form_kwargs={"merchant": merchant}
        )
        return form, formset

    def get(self, request):
        initial = {"form_token": uuid.uuid4().hex, "same_as_billing": True}
        lines = []
        clone_id = request.GET.get("clone", "").strip()
        if clone_id:
            source = order_live_find(merchant=request.merchant, order_id=clone_id)
            if source is not None:
                values, lines = entry_initial_from(
                    order=source, with_lines=request.GET.get("lines") != "0"
                )
                initial.update(values, same_as_billing=False)
        form, formset = self.forms(initial=initial, lines=lines)
        return render(request, self.template_name, entry_context(request, form, formset))

    def post(self, request):
        form, formset = self.forms(request.POST)
        if form.is_valid() and formset.is_valid():
            draft = entry_draft(form=form, formset=formset)
            earlier = order_placed_with_key(merchant=request.merchant, key=draft.idempotency_key)
            try:
                order = order_place(merchant=request.merchant, draft=draft, by=request.user)
            except TransitionNotPermitted as exc:
                raise PermissionDenied(str(exc)) from exc
            except OrderError as exc:
                form.add_error(None, str(exc))
            else:
                done = "was already placed" if earlier else "placed"
                where = f"now in {Stage(order.stage).label}."
                payment = order_payment_outcome_get(order=order)
                if payment is None:
                    messages.success(request, f"{order.order_id} {done}; {where}")
                else:
                    level = messages.WARNING if payment.level == "warning" else messages.SUCCESS
                    text = f"{order.order_id} {done}; {where} {payment.summary}"
                    messages.add_message(request, level, text)
                return redirect("order-detail", order_id=order.order_id)
        context = entry_context(request, form, formset)
        return render(request, self.template_name, context, status=422)


class OrderEntryTotalsView(MerchantRequiredMixin, View):
    """The live totals: the entry form posted as it is typed, answered with the server's sums."""

    permission = "orders.place_order"
    http_method_names = ["post"]

    def post(self, request):
        preview = entry_preview(merchant=request.merchant, data=request.POST)
        context = {"preview": preview, "currency": request.merchant.currency, "oob": True}
        return render(request, "lifecycle/partials/entry_totals.html", context)


class CustomerSearchView(MerchantRequiredMixin, View):
    """Returning customers for the entry screen's search box (email, name or phone)."""

    permission = "orders.place_order"

    def get(self, request):
        customers = customer_search(merchant=request.merchant, query=request.GET.get("q", ""))
        return render(
            request,
            "lifecycle/partials/customer_results.html",
            {"customers": customers, "q": request.GET.get("q", "")},
        )


class CustomerSavedCardsView(MerchantRequiredMixin, View):
    """The saved cards of the customer being entered (?email=), as the saved-card options."""

    permission = "orders.place_order"

    def get(self, request):
        cards = customer_saved_cards_list(
            merchant=request.merchant, email=request.GET.get("email", "")
        )
        context = {"cards": cards, "chosen": request.GET.get("saved_card", "")}
        return render(request, "lifecycle/partials/saved_card_options.html", context)
