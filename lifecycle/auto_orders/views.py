"""Auto-order screens. Each view parses input, calls one service or selector, and renders."""

from django.contrib import messages
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from backoffice.common.confirmation import confirmation_page
from backoffice.common.tenancy import MerchantRequiredMixin
from backoffice.common.words import counted
from lifecycle.forms import form_errors_text
from lifecycle.views.one_time import (
    OneTimeSubmissionMixin,
    outcome_error,
    outcome_success,
    outcome_warning,
)
from orders.exceptions import OrderError
from orders.forms import CardForm
from orders.models import AutoOrder, SubmissionOutcome
from orders.payments.outcome import card_label
from orders.selectors.auto_orders import (
    auto_order_attempts,
    auto_order_forecast,
    auto_order_get,
    auto_order_history,
    auto_order_list,
    auto_order_log_events,
    auto_order_projection,
    forecast_chart,
    rebill_amount,
)
from orders.selectors.confirmations import (
    Confirmation,
    auto_order_cancel_confirmation,
    auto_order_rebill_confirmation,
)
from orders.selectors.payments import order_payment_outcome_find
from orders.services.auto_orders import actions
from orders.services.auto_orders.drafts import items_due
from tools.jobs import job_started_text
from tools.operations.registry import operation_get, operation_job_create

from .forms import ACTION_FORMS, AutoOrderFilter, PostponeForm

TABS = ("details", "history", "future", "log")
ACTION_LABELS = {
    "rebill-now": "Rebill now",
    "pause": "Pause until",
    "resume": "Resume",
    "skip": "Skip next rebill",
    "change-date": "Change next date",
    "cancel": "Cancel auto order",
    "reenable": "Re-enable",
    "update-card": "Update card on file",
}
# The actions that move money: their forms carry a one-time token.
ONE_TIME_ACTIONS = frozenset({"rebill-now", "update-card"})
Status = AutoOrder.Status


def merchant_auto_order_or_404(request, code: str) -> AutoOrder:
    try:
        auto_order = auto_order_get(merchant=request.merchant, code=code)
    except AutoOrder.DoesNotExist as exc:
        raise Http404("No such auto order.") from exc
    return auto_order


def _with_next_amount(auto_orders, merchant) -> None:
    for auto_order in auto_orders:
        auto_order.merchant = merchant  # the one merchant of the list: no query per row
        due = items_due(auto_order, auto_order.next_rebill_on) if auto_order.next_rebill_on else []
        auto_order.next_amount = rebill_amount(auto_order, due) if due else None


class AutoOrderListView(MerchantRequiredMixin, ListView):
    template_name = "lifecycle/auto_order_list.html"
    paginate_by = 50
    context_object_name = "auto_orders"

    def get_queryset(self):
        queryset = auto_order_list(merchant=self.request.merchant).order_by(
            F("next_rebill_on").asc(nulls_last=True), "pk"
        )
        self.filterset = AutoOrderFilter(
            self.request.GET or None, queryset=queryset, merchant=self.request.merchant
        )
        return self.filterset.qs if self.filterset.is_bound else queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs, filter=self.filterset)
        _with_next_amount(context["auto_orders"], self.request.merchant)
        return context


def auto_order_actions(auto_order: AutoOrder, user) -> list[dict]:
    """The action buttons this user may use on the auto order in its status."""
    can_edit = user.has_perm(actions.EDIT, auto_order)
    available = {
        "pause": auto_order.status in actions.LIVE,
        "resume": auto_order.status == Status.PAUSED,
        "skip": auto_order.status in actions.LIVE,
        "change-date": auto_order.status in actions.LIVE,
        "cancel": auto_order.status in actions.LIVE,
        "reenable": auto_order.status in actions.ENDED,
        "update-card": auto_order.status in actions.CARD_UPDATABLE,
    }
    buttons = [
        {
            "name": name,
            "label": ACTION_LABELS[name],
            "form": ACTION_FORMS[name]() if ACTION_FORMS[name] else None,
            "one_time": name in ONE_TIME_ACTIONS,
        }
        for name, ok in available.items()
        if ok and can_edit
    ]
    if auto_order.status == Status.ACTIVE and user.has_perm(actions.CHARGE, auto_order):
        rebill = {"name": "rebill-now", "label": ACTION_LABELS["rebill-now"], "form": None}
        buttons.insert(0, {**rebill, "one_time": True})
    return buttons


class AutoOrderDetailView(MerchantRequiredMixin, TemplateView):
    template_name = "lifecycle/auto_order_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        auto_order = merchant_auto_order_or_404(self.request, self.kwargs["code"])
        tab = self.request.GET.get("tab", "details")
        tab = tab if tab in TABS else "details"
        context.update(auto_order=auto_order, tab=tab, tabs=TABS)
        context["actions"] = auto_order_actions(auto_order, self.request.user)
        context["can_edit_items"] = auto_order.status in actions.LIVE and (
            self.request.user.has_perm(actions.EDIT, auto_order)
        )
        if tab == "history":
            context["history"] = auto_order_history(auto_order=auto_order)
        elif tab == "future":
            context["projection"] = auto_order_projection(auto_order=auto_order)
        elif tab == "log":
            context["attempts"] = auto_order_attempts(auto_order=auto_order)
            context["events"] = auto_order_log_events(auto_order=auto_order)
        return context


class AutoOrderActionView(OneTimeSubmissionMixin, MerchantRequiredMixin, View):
    """One action's button; "rebill now" charges, so it is a one-time form."""

    http_method_names = ["post"]

    def required_permissions(self) -> tuple[str, ...]:
        action = self.kwargs["action"]
        if action not in ACTION_FORMS:
            raise Http404("No such action.")
        # Rebilling now charges the customer; every other action changes the schedule.
        return (actions.CHARGE,) if action == "rebill-now" else (actions.EDIT,)

    def post(self, request, code: str, action: str):
        auto_order = merchant_auto_order_or_404(request, code)
        self.one_time = action in ONE_TIME_ACTIONS
        url = reverse("auto-order-detail", kwargs={"code": auto_order.code})
        answered = self.submission_check(fallback_url=url)
        if answered is not None:
            return answered
        form_class = ACTION_FORMS[action]
        form = form_class(request.POST) if form_class else None
        if form is not None and not form.is_valid():
            messages.error(request, f"{auto_order.code}: {form_errors_text(form)}")
            return redirect(url)
        inputs = form.cleaned_data if form is not None else {}
        if isinstance(form, CardForm):
            inputs = {"card": form.card()}  # typed once: only its token is kept
        asked = confirmation_page(
            request, auto_order_action_confirmation(auto_order, action), cancel_url=url
        )
        if asked is not None:
            return asked

        def run() -> SubmissionOutcome:
            try:
                if action == "rebill-now":
                    return _rebill_now(auto_order, request.user, url)
                message = _run(action, auto_order, inputs, request.user)
            except OrderError as exc:
                return outcome_error(f"{auto_order.code}: {exc}", url)
            return outcome_success(f"{auto_order.code}: {message}", url)

        return self.submission_run(run)


def auto_order_action_confirmation(auto_order: AutoOrder, action: str) -> Confirmation | None:
    """Rebilling now charges and cancelling stops the rebills: both are confirmed first."""
    if action not in {"rebill-now", "cancel"}:
        return None
    _with_next_amount([auto_order], auto_order.merchant)
    if action == "rebill-now":
        return auto_order_rebill_confirmation(auto_order=auto_order, amount=auto_order.next_amount)
    return auto_order_cancel_confirmation(auto_order=auto_order, amount=auto_order.next_amount)


def _rebill_now(auto_order: AutoOrder, user, url: str) -> SubmissionOutcome:
    """Rebill now, saying what the charge came to: a decline is a warning, never success."""
    outcome = actions.auto_order_rebill_now(
        auto_order=auto_order, by=user, via="auto order page", today=timezone.localdate()
    )
    payment = (
        order_payment_outcome_find(merchant=auto_order.merchant, order_id=outcome.order_id)
        if outcome.order_id
        else None
    )
    said = payment.summary if payment is not None else outcome.message
    if outcome.order_id:
        message = f"{auto_order.code}: rebilled as {outcome.order_id}. {said}".strip()
    else:
        message = f"{auto_order.code}: not rebilled: {said}"
    done_url = url + "?tab=history"
    if outcome.result == "approved" and (payment is None or payment.level == "success"):
        return outcome_success(message, done_url)
    return outcome_warning(message, done_url)


def _run(action: str, auto_order: AutoOrder, inputs: dict, user) -> str:
    today = timezone.localdate()
    common = {"auto_order": auto_order, "by": user, "via": "auto order page"}
    if action == "pause":
        done = actions.auto_order_pause(**common, until=inputs["until"], today=today)
        return f"paused until {done.paused_until:%Y-%m-%d}."
    if action == "resume":
        done = actions.auto_order_resume(**common, today=today)
        return f"resumed; next rebill {done.next_rebill_on:%Y-%m-%d}."
    if action == "skip":
        done = actions.auto_order_skip_next(**common)
        return f"next rebill skipped; now {done.next_rebill_on or '—'}."
    if action == "change-date":
        done = actions.auto_order_next_date_change(**common, day=inputs["day"], today=today)
        return f"next rebill moved to {done.next_rebill_on:%Y-%m-%d}."
    if action == "cancel":
        actions.auto_order_cancel(
            **common, reason=inputs["reason"], by_customer=inputs["by_customer"]
        )
        return "cancelled. Orders already placed are unchanged."
    if action == "update-card":
        done = actions.auto_order_card_update(**common, card=inputs["card"])
        return f"rebills now charge {card_label(done.card_brand, done.card_last4)}."
    if action == "edit-item":
        actions.auto_order_item_change(
            **common,
            item_pk=inputs["item"],
            quantity=inputs["quantity"],
            unit_price=inputs["unit_price"],
            schedule=inputs["schedule"],
        )
        return "item changed."
    done = actions.auto_order_reenable(**common, today=today, bill_missed=inputs["bill_missed"])
    return f"re-enabled; next rebill {done.next_rebill_on or '—'}."


class AutoOrderForecastView(MerchantRequiredMixin, TemplateView):
    template_name = "lifecycle/auto_order_forecast.html"

    def get_context_data(self, **kwargs):
        forecast = auto_order_forecast(merchant=self.request.merchant, today=timezone.localdate())
        return super().get_context_data(**kwargs, forecast=forecast, chart=forecast_chart(forecast))


class AutoOrderPostponeView(MerchantRequiredMixin, FormView):
    """The Postpone tool: a job moves the selected auto orders' next rebill."""

    form_class = PostponeForm
    template_name = "lifecycle/auto_order_postpone.html"

    def required_permissions(self) -> tuple[str, ...]:
        return ("orders.run_tools", actions.EDIT)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "merchant": self.request.merchant}

    def form_valid(self, form):
        data = form.cleaned_data
        order_pks = actions.auto_orders_to_postpone(
            merchant=self.request.merchant,
            item_pk=data["item"].pk,
            before=data["before"],
            original_order_ids=data["order_id_list"],
        )
        if not order_pks:
            form.add_error(None, "No active auto order of this item has a rebill before then.")
            return self.form_invalid(form)
        inputs = {
            "item": data["item"].pk,
            "before": data["before"].isoformat(),
            "until": data["until"].isoformat(),
        }
        selection = {
            "kind": "item_due",
            "description": f"{data['item']}: next rebill before {data['before']:%Y-%m-%d}",
            "order_ids": data["order_id_list"],
        }
        try:
            job = operation_job_create(
                merchant=self.request.merchant,
                operation=operation_get("postpone_auto_orders"),
                inputs=inputs,
                order_pks=order_pks,
                by=self.request.user,
                selection=selection,
            )
        except OrderError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Job {job.pk} {job_started_text(job)}: "
            f"postpone {counted(len(order_pks), 'auto order')}.",
        )
        return redirect("job-detail", pk=job.pk)
