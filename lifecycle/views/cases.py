"""Case screens: the list, opening one from an order, the case page and its actions, and the
customer's page reached through the emailed link (no login)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView

from backoffice.common.caching import customer_page
from backoffice.common.tenancy import MerchantRequiredMixin
from lifecycle.dispute_forms import CaseFilter, CaseOpenForm, CustomerCaseOpenForm, MessageForm
from lifecycle.forms import form_errors_text
from orders.exceptions import OrderError, TransitionNotPermitted
from orders.models import Case, CaseAttachment
from orders.selectors.cases import (
    case_attachment_for_customer,
    case_attachment_get,
    case_get,
    case_list,
    case_staff_list,
    case_thread,
)
from orders.services.cases import (
    case_assign,
    case_customer_open,
    case_customer_reply,
    case_from_token,
    case_link_token,
    case_mark_read,
    case_note_add,
    case_open,
    case_reply,
    case_transition,
    order_from_case_token,
)

from .orders import merchant_order_or_404

MANAGE = "orders.manage_cases"


def merchant_case_or_404(request, pk: int) -> Case:
    try:
        return case_get(merchant=request.merchant, pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404("No such case.") from exc


class CaseListView(MerchantRequiredMixin, FilterView):
    filterset_class = CaseFilter
    template_name = "lifecycle/cases/list.html"
    paginate_by = 50

    def get_queryset(self):
        return case_list(merchant=self.request.merchant)


class CaseOpenView(MerchantRequiredMixin, View):
    """The order page's "open case" form."""

    permission = MANAGE
    http_method_names = ["post"]

    def post(self, request, order_id: str):
        order = merchant_order_or_404(request, order_id)
        form = CaseOpenForm(request.POST, prefix="case")
        if not form.is_valid():
            messages.error(request, f"Case not opened: {form_errors_text(form)}")
            return redirect("order-detail", order_id=order.order_id)
        try:
            case = case_open(order=order, by=request.user, **form.cleaned_data)
        except OrderError as exc:
            messages.error(request, f"Case not opened: {exc}")
            return redirect("order-detail", order_id=order.order_id)
        messages.success(request, f"Case {case.pk} opened.")
        return redirect("case-detail", pk=case.pk)


class CaseDetailView(MerchantRequiredMixin, TemplateView):
    """The case page. It only reads: when it shows an unread case to its staff, the page
    itself posts to CaseReadView once loaded (htmx), so "unread" still clears on viewing."""

    template_name = "lifecycle/cases/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = merchant_case_or_404(self.request, self.kwargs["pk"])
        can_manage = self.request.user.has_perm(MANAGE, case)
        context.update(
            case=case,
            order=case.order,
            thread=case_thread(case=case),
            can_manage=can_manage,
            mark_read=can_manage and case.unread,
            message_form=MessageForm(),
            staff=case_staff_list(merchant=case.merchant),
        )
        return context


class CaseReadView(MerchantRequiredMixin, View):
    """The merchant's staff have seen the case: its customer message is no longer unread."""

    permission = MANAGE
    http_method_names = ["post"]

    def post(self, request, pk: int):
        case_mark_read(case=merchant_case_or_404(request, pk))
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204)
        return redirect("case-detail", pk=pk)


class CaseActionView(MerchantRequiredMixin, View):
    """Reply, internal note, assign, close or reopen: one POST per action."""

    permission = MANAGE
    http_method_names = ["post"]

    def post(self, request, pk: int, action: str):
        case = merchant_case_or_404(request, pk)
        try:
            done = self._run(request, case, action)
        except TransitionNotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        except OrderError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
        return redirect("case-detail", pk=pk)

    def _run(self, request, case: Case, action: str) -> str:
        by = request.user
        if action in ("reply", "note"):
            form = MessageForm(request.POST, request.FILES)
            if not form.is_valid():
                raise OrderError(form_errors_text(form))
            text, files = form.cleaned_data["text"], form.cleaned_data["attachments"]
            if action == "reply":
                case_reply(case=case, text=text, by=by, attachments=files)
                return "Reply saved; it is being emailed to the customer."
            case_note_add(case=case, text=text, by=by, attachments=files)
            return "Internal note added."
        if action == "assign":
            raw = request.POST.get("user", "")
            user_id = by.pk if raw == "me" else (int(raw) if raw.isdigit() else None)
            moved = case_assign(case=case, user_id=user_id, by=by)
            return (
                f"Assigned to {moved.assigned_to.get_username()}."
                if moved.assigned_to
                else "Unassigned."
            )
        if action in ("close", "reopen"):
            moved = case_transition(case=case, name=action, by=by)
            return f"Case {moved.get_status_display().lower()}."
        raise Http404("No such action.")


@customer_page
class CustomerCaseView(View):
    """The customer's page behind a signed link (no login). A case's link shows its thread
    without internal notes and takes a reply; an order's link (in every customer email) opens
    a new case."""

    template_name = "lifecycle/cases/customer.html"

    def dispatch(self, request, *args, **kwargs):
        self.case = case_from_token(token=kwargs["token"])
        self.order = self.case.order if self.case else order_from_case_token(token=kwargs["token"])
        if self.order is None:
            raise Http404("This link is not valid or has expired.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, token: str):
        return self._render(request, MessageForm() if self.case else CustomerCaseOpenForm())

    def post(self, request, token: str):
        if self.case is None:
            return self._open(request)
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                case_customer_reply(
                    case=self.case,
                    text=form.cleaned_data["text"],
                    attachments=form.cleaned_data["attachments"],
                )
            except OrderError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect(request.path + "?sent=1")
        return self._render(request, form)

    def _open(self, request):
        form = CustomerCaseOpenForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                case = case_customer_open(order=self.order, **form.cleaned_data)
            except OrderError as exc:
                form.add_error(None, str(exc))
            else:
                token = case_link_token(case=case)
                return redirect(reverse("customer-case", kwargs={"token": token}) + "?sent=1")
        return self._render(request, form)

    def _render(self, request, form):
        context = {
            "case": self.case,
            "merchant": self.order.merchant,
            "order": self.order,
            "thread": case_thread(case=self.case, customer_view=True) if self.case else [],
            "form": form,
            "sent": request.GET.get("sent") == "1",
            "token": self.kwargs["token"],
        }
        return render(request, self.template_name, context)


def _attachment_response(attachment: CaseAttachment) -> FileResponse:
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class CaseAttachmentView(MerchantRequiredMixin, View):
    """A case attachment for the merchant's staff: another merchant's answers 404."""

    permission = "orders.view_merchant_orders"  # whoever reads the case reads its files

    def get(self, request, pk: int):
        try:
            attachment = case_attachment_get(merchant=request.merchant, pk=pk)
        except CaseAttachment.DoesNotExist as exc:
            raise Http404("No such file.") from exc
        return _attachment_response(attachment)


@customer_page
class CustomerCaseAttachmentView(View):
    """A file of the customer's case thread, through its signed link (no internal notes')."""

    def get(self, request, token: str, pk: int):
        case = case_from_token(token=token)
        if case is None:
            raise Http404("This link is not valid or has expired.")
        try:
            attachment = case_attachment_for_customer(case=case, pk=pk)
        except CaseAttachment.DoesNotExist as exc:
            raise Http404("No such file.") from exc
        return _attachment_response(attachment)
