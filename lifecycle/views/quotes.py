from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from backoffice.common.caching import customer_page
from backoffice.common.tenancy import MerchantRequiredMixin
from lifecycle.entry.drafts import entry_initial_from, entry_lines
from lifecycle.entry.forms import EXPIRY, LineFormSet, PricingForm
from orders.exceptions import OrderError, TransitionNotPermitted
from orders.forms import CardForm
from orders.payments import CardDetails
from orders.selectors.payments import order_payment_outcome_get
from orders.services.quotes import (
    EDITABLE,
    quote_accept,
    quote_edit,
    quote_for_token,
    quote_pay_with_other_card,
)
from orders.services.transitions import order_transition
from orders.states import OFFLINE_METHODS, PaymentMethod, PaymentStatus, Stage

from .entry import entry_context
from .orders import merchant_order_or_404


class QuoteEditView(MerchantRequiredMixin, View):
    """Edit a quote's lines, prices and shipping in the entry editor; optionally send it."""

    permission = "orders.send_quote"
    template_name = "lifecycle/order_entry.html"

    def get_order(self, order_id: str):
        order = merchant_order_or_404(self.request, order_id)
        if order.stage not in EDITABLE:
            raise Http404("Not a quote.")
        return order

    def forms(self, order, data=None):
        merchant = self.request.merchant
        # Tax starts empty: the merchant's rate follows the edited prices unless typed over.
        initial, lines = entry_initial_from(order=order, with_lines=True)
        form = PricingForm(data, initial=initial)
        formset = LineFormSet(
            data, initial=lines, prefix="lines", form_kwargs={"merchant": merchant}
        )
        return form, formset

    def render_editor(self, order, form, formset, status=200):
        context = entry_context(self.request, form, formset, mode="quote", order=order)
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, order_id: str):
        order = self.get_order(order_id)
        return self.render_editor(order, *self.forms(order))

    def post(self, request, order_id: str):
        order = self.get_order(order_id)
        form, formset = self.forms(order, request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_editor(order, form, formset, status=422)
        data = form.cleaned_data
        try:
            order = quote_edit(
                order=order,
                lines=entry_lines(formset),
                shipping_method=data["shipping_method"],
                shipping_total=data["shipping_total"],
                discount=data["discount"],
                tax=data.get("tax"),
                by=request.user,
            )
            message = f"{order.order_id}: quote saved."
            if request.POST.get("then") == "send" and order.stage == Stage.QUOTE_REQUEST:
                message = order_transition(order=order, name="send_quote", by=request.user).message
        except TransitionNotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        except OrderError as exc:
            form.add_error(None, str(exc))
            return self.render_editor(order, form, formset, status=422)
        messages.success(request, message)
        return redirect("order-detail", order_id=order.order_id)


OFFLINE_CHOICES = [(m.value, m.label) for m in PaymentMethod if m.value in OFFLINE_METHODS]


class QuoteAcceptForm(forms.Form):
    pay_with = forms.ChoiceField(
        label="Pay with",
        choices=[("card", "Card"), *OFFLINE_CHOICES],
        widget=forms.RadioSelect,
        initial="card",
    )
    card_number = forms.CharField(label="Card number", max_length=23, required=False)
    card_exp = forms.CharField(label="Expiry (MM/YY)", max_length=7, required=False)
    card_cvv = forms.CharField(label="CVV", max_length=4, required=False)

    def clean(self):
        data = super().clean()
        if data.get("pay_with") != "card":
            return data
        number = "".join(data.get("card_number", "").split())
        match = EXPIRY.match(data.get("card_exp", ""))
        if not number.isdigit() or not 12 <= len(number) <= 19:
            self.add_error("card_number", "Enter the card number.")
        if match is None or not 1 <= int(match.group(1)) <= 12:
            self.add_error("card_exp", "Enter the expiry as MM/YY.")
        elif not self.errors:
            year = int(match.group(2))
            data["card"] = CardDetails(
                number,
                int(match.group(1)),
                year + 2000 if year < 100 else year,
                cvv=data.get("card_cvv", ""),
            )
        return data


@customer_page
class QuoteCustomerView(View):
    """/q/<token>/: the customer's quote page (no login); accept and pay, or see the outcome."""

    template_name = "lifecycle/quote_customer.html"

    def get_order(self, token: str):
        order = quote_for_token(token=token)
        if order is None:
            raise Http404("No such quote.")
        return order

    def get(self, request, token: str):
        order = self.get_order(token)
        return self.render_page(order, QuoteAcceptForm())

    def render_page(self, order, form, status=200, other_card_form=None):
        payment = order_payment_outcome_get(order=order)
        may_retry = order.payment_status == PaymentStatus.DECLINED
        context = {
            "order": order,
            "form": form,
            "lines": list(order.lines.all()),
            "payment": payment,
            "other_card_form": (other_card_form or CardForm(prefix="other")) if may_retry else None,
        }
        return render(self.request, self.template_name, context, status=status)

    def post(self, request, token: str):
        order = self.get_order(token)
        if order.stage == Stage.ACCOUNTS_RECEIVABLE and "other-card_number" in request.POST:
            return self.pay_with_other_card(order, token)
        if order.stage != Stage.QUOTE_SENT:
            return redirect("quote-customer", token=token)
        form = QuoteAcceptForm(request.POST)
        if not form.is_valid():
            return self.render_page(order, form, status=422)
        pay_with = form.cleaned_data["pay_with"]
        try:
            quote_accept(
                order=order,
                card=form.cleaned_data.get("card") if pay_with == "card" else None,
                method="" if pay_with == "card" else pay_with,
            )
        except OrderError as exc:
            form.add_error(None, str(exc))
            return self.render_page(order, form, status=422)
        return redirect("quote-customer", token=token)

    def pay_with_other_card(self, order, token: str):
        """After a decline: the customer's other card, charged now."""
        form = CardForm(self.request.POST, prefix="other")
        if not form.is_valid():
            return self.render_page(order, QuoteAcceptForm(), status=422, other_card_form=form)
        try:
            quote_pay_with_other_card(order=order, card=form.card())
        except OrderError as exc:
            form.add_error(None, str(exc))
            return self.render_page(order, QuoteAcceptForm(), status=422, other_card_form=form)
        return redirect("quote-customer", token=token)
