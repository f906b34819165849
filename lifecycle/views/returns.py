"""Returns: the list, a return's page and its steps, the order page's "open a return" and
"email the return link", and the customer's return page behind the signed link."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from backoffice.common.caching import customer_page
from backoffice.common.confirmation import confirmation_page
from backoffice.common.tenancy import MerchantRequiredMixin
from lifecycle.forms import OneTimeTokenForm, form_errors_text
from lifecycle.return_forms import (
    OPEN_PREFIX,
    CustomerReturnForm,
    ReturnListFilter,
    ReturnOpenForm,
    ReturnReceiveForm,
    ReturnRefundForm,
    ReturnRejectForm,
    line_quantities,
)
from orders.exceptions import (
    InvalidInput,
    LimitExceeded,
    OrderError,
    PaymentFailed,
    TransitionNotPermitted,
)
from orders.models import Return, SubmissionOutcome
from orders.selectors.confirmations import refund_confirmation
from orders.selectors.returns import order_returns, return_get, return_list, returnable_quantities
from orders.services.returns import (
    order_for_return_token,
    return_authorize,
    return_cancel,
    return_link_email_send,
    return_open,
    return_receive,
    return_refund,
    return_refund_plan,
    return_reject,
)

from .edits import OrderPostView
from .one_time import OneTimeSubmissionMixin, outcome_error, outcome_success, outcome_warning

MANAGE = "orders.manage_returns"
RECEIVE = "orders.receive_returns"
REFUND = "orders.refund_order"


def merchant_return_or_404(request, pk: int) -> Return:
    try:
        return return_get(merchant=request.merchant, pk=pk)
    except Return.DoesNotExist as exc:
        raise Http404("No such return.") from exc


class ReturnListView(MerchantRequiredMixin, TemplateView):
    """Every return of the merchant, newest first; by status, or found by RMA number, order ID
    or the customer's email."""

    permission = RECEIVE
    template_name = "lifecycle/returns/list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ReturnListFilter(self.request.GET)
        data = form.cleaned_data if form.is_valid() else {}
        returns = return_list(
            merchant=self.request.merchant,
            status=data.get("status", ""),
            query=data.get("q", ""),
        )
        page = Paginator(returns, self.paginate_by).get_page(self.request.GET.get("page"))
        context.update(
            filter_form=form,
            page_obj=page,
            returns=page.object_list,
            is_paginated=page.has_other_pages(),
        )
        return context


class ReturnDetailView(MerchantRequiredMixin, TemplateView):
    """A return: its lines, its steps so far, and the forms of the next step this user may
    take."""

    permission = RECEIVE
    template_name = "lifecycle/returns/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = merchant_return_or_404(self.request, self.kwargs["pk"])
        user, merchant = self.request.user, self.request.merchant
        may_manage = user.has_perm(MANAGE, merchant)
        steps = request.steps_open()
        context.update(
            return_request=request,
            order=request.order,
            may_authorize=may_manage and "authorize" in steps,
            may_cancel=may_manage and "cancel" in steps,
        )
        if may_manage and "reject" in steps:
            context["reject_form"] = ReturnRejectForm()
        if user.has_perm(RECEIVE, merchant) and "receive" in steps:
            context["receive_form"] = ReturnReceiveForm(request=request)
        if may_manage and user.has_perm(REFUND, merchant) and "refund" in steps:
            context["refund_form"] = ReturnRefundForm(request=request)
            context["token_form"] = OneTimeTokenForm()
        return context


class ReturnPostView(OneTimeSubmissionMixin, MerchantRequiredMixin, View):
    """One step of one return: validate its form, call its service, say what happened, and
    go back to the return's page."""

    http_method_names = ["post"]
    one_time = False
    form_class = None

    def build_form(self, request, data):
        return None if self.form_class is None else self.form_class(data)

    def perform(self, request, form) -> str:
        raise NotImplementedError

    def confirmation(self, request, form):
        return None

    def post(self, http_request, pk: int, **kwargs):
        request = merchant_return_or_404(http_request, pk)
        url = reverse("return-detail", kwargs={"pk": request.pk})
        answered = self.submission_check(fallback_url=url)
        if answered is not None:
            return answered
        form = self.build_form(request, http_request.POST)
        if form is not None and not form.is_valid():
            messages.error(http_request, f"{request.label}: {form_errors_text(form)}")
            return redirect(url)
        asked = confirmation_page(http_request, self.confirmation(request, form), cancel_url=url)
        if asked is not None:
            return asked

        def run() -> SubmissionOutcome:
            try:
                message = self.perform(request, form)
            except LimitExceeded as exc:
                return outcome_error(f"{request.label}: {exc}", url)
            except TransitionNotPermitted as exc:
                raise PermissionDenied(str(exc)) from exc
            except PaymentFailed as exc:  # the gateway declined: no money moved
                return outcome_warning(f"{request.label}: refund declined. {exc}", url)
            except OrderError as exc:
                return outcome_error(f"{request.label}: {exc}", url)
            return outcome_success(message, url)

        return self.submission_run(run)


class ReturnActionView(ReturnPostView):
    """Authorize, reject or cancel a return."""

    permission = MANAGE
    ACTIONS = ("authorize", "reject", "cancel")

    def build_form(self, request, data):
        if self.kwargs["action"] not in self.ACTIONS:
            raise Http404("No such step.")
        return ReturnRejectForm(data) if self.kwargs["action"] == "reject" else None

    def perform(self, request, form) -> str:
        action, by = self.kwargs["action"], self.request.user
        if action == "authorize":
            done = return_authorize(request=request, by=by)
            return f"{done.rma_number} authorized; the customer is emailed the number."
        if action == "reject":
            done = return_reject(request=request, why=form.cleaned_data["why"], by=by)
            return f"{done.label} rejected."
        done = return_cancel(request=request, by=by)
        return f"{done.label} cancelled."


class ReturnReceiveView(ReturnPostView):
    """Record what came back, and in what condition."""

    permission = RECEIVE

    def build_form(self, request, data):
        return ReturnReceiveForm(data, request=request)

    def perform(self, request, form) -> str:
        done = return_receive(
            request=request,
            received=form.received(),
            condition=form.cleaned_data["condition"],
            by=self.request.user,
        )
        return f"{done.label} received ({done.get_condition_display().lower()})."


class ReturnRefundView(ReturnPostView):
    """Refund a received return through the order's refund: asks first, and runs once."""

    one_time = True

    def required_permissions(self) -> tuple[str, ...]:
        return (MANAGE, REFUND)

    def build_form(self, request, data):
        return ReturnRefundForm(data, request=request)

    def confirmation(self, request, form):
        inputs = form.inputs()
        try:
            plan = return_refund_plan(
                order=request.order,
                request=request,
                line_quantities=inputs["line_quantities"],
                restocking_fee=inputs["restocking_fee"],
                restocking_percent=inputs["restocking_percent"],
                refund_shipping=inputs["refund_shipping"],
            )
        except InvalidInput:
            return None  # the refund itself says why
        return refund_confirmation(
            order=request.order, amount=plan.amount, external=inputs["external"]
        )

    def perform(self, request, form) -> str:
        outcome = return_refund(request=request, by=self.request.user, **form.inputs())
        return f"{request.label}: {outcome.summary}"


class ReturnOpenView(OrderPostView):
    """The order page's "open a return" form."""

    permission = MANAGE

    def build_form(self, order, data):
        return ReturnOpenForm(
            data, order=order, returnable=returnable_quantities(order), prefix=OPEN_PREFIX
        )

    def perform(self, order, form) -> str:
        request = return_open(
            order=order,
            lines=line_quantities(form),
            reason=form.cleaned_data["reason"],
            reason_text=form.cleaned_data["reason_text"],
            by=self.request.user,
        )
        return f"{order.order_id}: {request.label} opened."


class ReturnLinkEmailView(OrderPostView):
    """Email the customer their return link."""

    permission = MANAGE

    def build_form(self, order, data):
        return None

    def perform(self, order, form) -> str:
        if not return_link_email_send(order=order, via=self.request.user.get_username()):
            raise InvalidInput(f"{order.order_id}: the return link email could not be sent.")
        return f"{order.order_id}: return link emailed to {order.email}."


@customer_page
class CustomerReturnView(View):
    """/r/<token>/: the customer chooses what to send back; staff then authorize it."""

    template_name = "lifecycle/returns/customer.html"

    def get_order(self, token: str):
        order = order_for_return_token(token=token)
        if order is None:
            raise Http404("No such order.")
        return order

    def render_page(self, order, form, status=200):
        context = {"order": order, "form": form, "returns": order_returns(order=order)}
        return render(self.request, self.template_name, context, status=status)

    def form(self, order, data=None):
        return CustomerReturnForm(data, order=order, returnable=returnable_quantities(order))

    def get(self, request, token: str):
        order = self.get_order(token)
        return self.render_page(order, self.form(order))

    def post(self, request, token: str):
        order = self.get_order(token)
        form = self.form(order, request.POST)
        if not form.is_valid():
            return self.render_page(order, form, status=422)
        try:
            return_open(
                order=order,
                lines=line_quantities(form),
                reason=form.cleaned_data["reason"],
                customer_note=form.cleaned_data["reason_text"],
                by_customer=True,
            )
        except OrderError as exc:
            form.add_error(None, str(exc))
            return self.render_page(order, form, status=422)
        messages.success(request, "Your return request was sent. We will email you its number.")
        return redirect("customer-return", token=token)
