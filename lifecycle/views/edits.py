"""The order page's edit forms, refunds, replacements and email resends: POST, one service each."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from backoffice.common.confirmation import confirmation_page
from backoffice.common.tenancy import MerchantRequiredMixin
from lifecycle.forms import (
    AddressesForm,
    BalanceReceivedForm,
    CustomerForm,
    CustomFieldsForm,
    RefundForm,
    ReplacementForm,
    ShipPartForm,
    TagsForm,
    form_errors_text,
)
from orders.exceptions import LimitExceeded, OrderError, PaymentFailed, TransitionNotPermitted
from orders.models import SubmissionOutcome
from orders.selectors.confirmations import Confirmation, refund_confirmation
from orders.selectors.fulfilment import line_unshipped_quantities
from orders.services.balances import order_balance_receive
from orders.services.edits import (
    order_addresses_edit,
    order_custom_fields_edit,
    order_customer_edit,
    order_tags_edit,
)
from orders.services.notifications import TEMPLATES, order_email_resend
from orders.services.refunds import order_refund, refund_amount_get
from orders.services.replacement import order_replacement_create
from orders.services.ship_part import order_ship_part

from .one_time import OneTimeSubmissionMixin, outcome_error, outcome_success, outcome_warning
from .orders import merchant_order_or_404


class OrderPostView(OneTimeSubmissionMixin, MerchantRequiredMixin, View):
    """Validate a form for one order, call one service, and say what happened.

    A form that moves money sets one_time: a second post of it answers the first's outcome.
    """

    http_method_names = ["post"]
    one_time = False

    def build_form(self, order, data):
        raise NotImplementedError

    def perform(self, order, form) -> str:
        """Call the service; return the success message."""
        raise NotImplementedError

    def confirmation(self, order, form) -> Confirmation | None:
        """What the form asks before it acts (money that moves); None: it acts at once."""
        return None

    def post(self, request, order_id: str, **kwargs):
        order = merchant_order_or_404(request, order_id)
        self.kwargs.update(kwargs)
        url = reverse("order-detail", kwargs={"order_id": order.order_id})
        answered = self.submission_check(fallback_url=url)
        if answered is not None:
            return answered
        form = self.build_form(order, request.POST)
        if form is not None and not form.is_valid():
            messages.error(request, f"{order.order_id}: {form_errors_text(form)}")
            return redirect(url)
        asked = confirmation_page(request, self.confirmation(order, form), cancel_url=url)
        if asked is not None:
            return asked

        def run() -> SubmissionOutcome:
            try:
                message = self.perform(order, form)
            except LimitExceeded as exc:  # permitted, but not this much: say what is left
                return outcome_error(f"{order.order_id}: {exc}", url)
            except TransitionNotPermitted as exc:
                raise PermissionDenied(str(exc)) from exc
            except PaymentFailed as exc:  # the gateway refused: no money moved
                return outcome_warning(f"{order.order_id}: {exc}", url)
            except OrderError as exc:
                return outcome_error(str(exc), url)
            return outcome_success(message, url)

        return self.submission_run(run)


def _changed(order, changes) -> str:
    if not changes:
        return f"{order.order_id}: nothing changed."
    return f"{order.order_id}: {', '.join(n.replace('_', ' ') for n in changes)} changed."


class OrderCustomerEditView(OrderPostView):
    permission = "orders.edit_order"

    def build_form(self, order, data):
        return CustomerForm(data)

    def perform(self, order, form) -> str:
        changes = order_customer_edit(order=order, values=form.values(), by=self.request.user)
        return _changed(order, changes)


class OrderAddressesEditView(OrderPostView):
    permission = "orders.edit_order"

    def build_form(self, order, data):
        return AddressesForm(data)

    def perform(self, order, form) -> str:
        changes = order_addresses_edit(order=order, values=form.values(), by=self.request.user)
        return _changed(order, changes)


class OrderCustomFieldsEditView(OrderPostView):
    permission = "orders.edit_order"

    def build_form(self, order, data):
        return CustomFieldsForm(data, order=order)

    def perform(self, order, form) -> str:
        changes = order_custom_fields_edit(order=order, values=form.values(), by=self.request.user)
        return _changed(order, changes)


class OrderTagsEditView(OrderPostView):
    permission = "orders.edit_order"

    def build_form(self, order, data):
        return TagsForm(data, order=order)

    def perform(self, order, form) -> str:
        before, after = order_tags_edit(
            order=order,
            add=form.added(),
            remove=form.cleaned_data["remove"],
            by=self.request.user,
        )
        if before == after:
            return f"{order.order_id}: tags unchanged."
        return f"{order.order_id}: tags now {', '.join(after) or 'none'}."


class OrderRefundView(OrderPostView):
    permission = "orders.refund_order"
    one_time = True

    def build_form(self, order, data):
        return RefundForm(data, order=order)

    def perform(self, order, form) -> str:
        outcome = order_refund(order=order, by=self.request.user, **form.inputs())
        return f"{order.order_id}: {outcome.summary}"

    def confirmation(self, order, form) -> Confirmation | None:
        inputs = form.inputs()
        return refund_confirmation(
            order=order,
            amount=refund_amount_get(
                order=order,
                amount=inputs.get("amount"),
                line_quantities=inputs.get("line_quantities"),
                full=inputs.get("full", False),
            ),
            external=inputs.get("external", False),
        )


class OrderBalanceReceivedView(OrderPostView):
    """Record that the balance a line edit left owing was paid outside the gateway."""

    permission = "orders.record_payment"
    one_time = True

    def build_form(self, order, data):
        return BalanceReceivedForm(data)

    def perform(self, order, form) -> str:
        return order_balance_receive(order=order, by=self.request.user, **form.inputs()).message


class OrderShipPartView(OrderPostView):
    """Ship some of an order's lines; the part that ships the last of it completes it."""

    permission = "orders.ship_order"
    one_time = True  # it may capture

    def build_form(self, order, data):
        return ShipPartForm(data, order=order, unshipped=line_unshipped_quantities(order))

    def perform(self, order, form) -> str:
        return order_ship_part(order=order, by=self.request.user, **form.inputs()).message


class OrderReplacementView(OrderPostView):
    permission = "orders.place_order"

    def build_form(self, order, data):
        return ReplacementForm(data, order=order)

    def perform(self, order, form) -> str:
        replacement = order_replacement_create(order=order, by=self.request.user, **form.inputs())
        return f"{order.order_id}: replacement order {replacement.order_id} created."


class OrderEmailResendView(OrderPostView):
    permission = "orders.resend_email"

    def build_form(self, order, data):
        if self.kwargs["template"] not in TEMPLATES:
            raise Http404("No such email.")
        return

    def perform(self, order, form) -> str:
        template = self.kwargs["template"]
        order_email_resend(order=order, template=template, by=self.request.user)
        return f"{order.order_id}: the {template.replace('_', ' ')} email will be sent again."
