from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from backoffice.common.confirmation import confirmation_page
from backoffice.common.tenancy import MerchantRequiredMixin
from lifecycle.forms import NoteForm, form_errors_text
from orders.exceptions import OrderError, PaymentFailed, TransitionNotPermitted
from orders.forms import transition_form_for
from orders.fsm import transition_specs
from orders.models import SubmissionOutcome
from orders.selectors.confirmations import transition_confirmation
from orders.services.notes import order_note_append
from orders.services.transitions import order_transition

from .one_time import OneTimeSubmissionMixin, outcome_error, outcome_success, outcome_warning
from .orders import merchant_order_or_404


class OrderTransitionView(OneTimeSubmissionMixin, MerchantRequiredMixin, View):
    """Run one transition from the order page's button (and its small form, if any).

    Transitions charge, capture, record, refund and void: each button is a one-time form.
    """

    http_method_names = ["post"]

    def required_permissions(self) -> tuple[str, ...]:
        spec = transition_specs().get(self.kwargs["name"])
        if spec is None:
            raise Http404("No such action.")
        permissions = spec.permissions
        if permissions is None:
            raise PermissionDenied("Only the system runs this transition.")
        return permissions

    def post(self, request, order_id: str, name: str):
        order = merchant_order_or_404(request, order_id)
        url = reverse("order-detail", kwargs={"order_id": order.order_id})
        answered = self.submission_check(fallback_url=url)
        if answered is not None:
            return answered
        inputs = {}
        form = transition_form_for(name, order=order, data=request.POST, prefix=name)
        if form is not None:
            if not form.is_valid():
                messages.error(request, f"{order.order_id}: {form_errors_text(form)}")
                return redirect(url)
            inputs = form.inputs()
        asked = confirmation_page(
            request,
            transition_confirmation(order=order, name=name, by=request.user),
            cancel_url=url,
        )
        if asked is not None:
            return asked

        def run() -> SubmissionOutcome:
            try:
                result = order_transition(
                    order=order,
                    name=name,
                    by=request.user,
                    expected_stage=request.POST.get("expected_stage") or None,
                    **inputs,
                )
            except TransitionNotPermitted as exc:
                raise PermissionDenied(str(exc)) from exc
            except PaymentFailed as exc:  # the gateway refused: no money moved
                return outcome_warning(str(exc), url)
            except OrderError as exc:
                return outcome_error(str(exc), url)
            if result.level == "success":
                return outcome_success(result.message, url)
            return outcome_warning(result.message, url)

        return self.submission_run(run)


class OrderNoteCreateView(MerchantRequiredMixin, View):
    """Append a merchant note from the order page."""

    permission = "orders.add_note"
    http_method_names = ["post"]

    def post(self, request, order_id: str):
        order = merchant_order_or_404(request, order_id)
        form = NoteForm(request.POST)
        if not form.is_valid():
            messages.error(request, f"{order.order_id}: {form_errors_text(form)}")
            return redirect("order-detail", order_id=order.order_id)
        try:
            order_note_append(order=order, text=form.cleaned_data["text"], by=request.user)
        except TransitionNotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        except OrderError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{order.order_id}: note added.")
        return redirect("order-detail", order_id=order.order_id)
