"""Chargeback screens: the list, opening one from an order, the import, the dispute page,
evidence files (served only to the merchant's staff) and the evidence packet."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView

from backoffice.common.tenancy import MerchantRequiredMixin
from backoffice.common.words import counted
from lifecycle.dispute_forms import (
    ChargebackFilter,
    ChargebackImportForm,
    ChargebackOpenForm,
    EvidenceForm,
    RebuttalForm,
)
from lifecycle.forms import form_errors_text
from orders.exceptions import InvalidInput, OrderError, TransitionNotPermitted
from orders.models import (
    Chargeback,
    ChargebackEvidence,
    SubmissionOutcome,
)
from orders.selectors.chargebacks import (
    chargeback_deadline_mark,
    chargeback_evidence_get,
    chargeback_get,
    chargeback_list,
    chargeback_packet_get,
    chargeback_reason_get,
    rebuttal_text_list,
)
from orders.services.chargebacks import (
    chargeback_evidence_add,
    chargeback_import_apply,
    chargeback_import_preview,
    chargeback_open,
    chargeback_rebuttal_save,
    chargeback_transition,
    chargeback_transitions_for_user,
    rebuttal_text_save,
)

from .one_time import OneTimeSubmissionMixin, outcome_error, outcome_success
from .orders import merchant_order_or_404

MANAGE = "orders.manage_chargebacks"


def merchant_chargeback_or_404(request, pk: int) -> Chargeback:
    try:
        return chargeback_get(merchant=request.merchant, pk=pk)
    except Chargeback.DoesNotExist as exc:
        raise Http404("No such chargeback.") from exc


class ChargebackListView(MerchantRequiredMixin, FilterView):
    filterset_class = ChargebackFilter
    template_name = "lifecycle/chargebacks/list.html"
    paginate_by = 50

    def get_queryset(self):
        return chargeback_list(merchant=self.request.merchant)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chargeback_deadline_mark(context["object_list"])
        context["can_manage"] = self.request.user.has_perm(MANAGE, self.request.merchant)
        return context


class ChargebackOpenView(OneTimeSubmissionMixin, MerchantRequiredMixin, View):
    """The order page's "open chargeback dispute" form (a one-time form)."""

    permission = MANAGE
    http_method_names = ["post"]

    def post(self, request, order_id: str):
        order = merchant_order_or_404(request, order_id)
        url = reverse("order-detail", kwargs={"order_id": order.order_id})
        answered = self.submission_check(fallback_url=url)
        if answered is not None:
            return answered
        form = ChargebackOpenForm(request.POST, prefix="chargeback")
        if not form.is_valid():
            messages.error(request, f"Chargeback not opened: {form_errors_text(form)}")
            return redirect(url)

        def run() -> SubmissionOutcome:
            try:
                chargeback = chargeback_open(order=order, by=request.user, **form.cleaned_data)
            except OrderError as exc:
                return outcome_error(f"Chargeback not opened: {exc}", url)
            return outcome_success(
                f"Chargeback {chargeback.case_number} opened.",
                reverse("chargeback-detail", kwargs={"pk": chargeback.pk}),
            )

        return self.submission_run(run)


class ChargebackImportView(MerchantRequiredMixin, View):
    """Upload → preview (nothing written) → import the same file's text when it is clean."""

    permission = MANAGE
    template_name = "lifecycle/chargebacks/import.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ChargebackImportForm()})

    def post(self, request):
        if "content" in request.POST:
            return self._apply(request, request.POST["content"])
        form = ChargebackImportForm(request.POST, request.FILES)
        context = {"form": form}
        if form.is_valid():
            try:
                preview = chargeback_import_preview(
                    merchant=request.merchant, content=form.cleaned_data["file"]
                )
            except InvalidInput as exc:
                messages.error(request, str(exc))
            else:
                context.update(preview=preview, content=preview.text)
        return render(request, self.template_name, context)

    def _apply(self, request, content: str):
        try:
            created = chargeback_import_apply(
                merchant=request.merchant, content=content, by=request.user
            )
        except OrderError as exc:
            messages.error(request, str(exc))
            context = {"form": ChargebackImportForm()}
            try:
                preview = chargeback_import_preview(merchant=request.merchant, content=content)
            except InvalidInput:
                pass  # the message above says why
            else:
                context.update(preview=preview, content=preview.text)
            return render(request, self.template_name, context)
        messages.success(request, f"Imported {counted(len(created), 'chargeback')}.")
        return redirect("chargeback-list")


class ChargebackDetailView(MerchantRequiredMixin, TemplateView):
    template_name = "lifecycle/chargebacks/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chargeback = merchant_chargeback_or_404(self.request, self.kwargs["pk"])
        chargeback_deadline_mark([chargeback])
        user = self.request.user
        context.update(
            chargeback=chargeback,
            order=chargeback.order,
            actions=chargeback_transitions_for_user(chargeback=chargeback, user=user),
            can_manage=user.has_perm(MANAGE, chargeback),
            rebuttal_form=RebuttalForm(
                initial={
                    "rebuttal": chargeback.rebuttal,
                    "internal_notes": chargeback.internal_notes,
                }
            ),
            evidence_form=EvidenceForm(),
            saved_texts=rebuttal_text_list(merchant=chargeback.merchant),
            reason=chargeback_reason_get(code=chargeback.reason_code),
        )
        return context


class ChargebackRebuttalView(MerchantRequiredMixin, View):
    permission = MANAGE
    http_method_names = ["post"]

    def post(self, request, pk: int):
        chargeback = merchant_chargeback_or_404(request, pk)
        form = RebuttalForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors_text(form))
            return redirect("chargeback-detail", pk=pk)
        data = form.cleaned_data
        try:
            chargeback_rebuttal_save(
                chargeback=chargeback,
                rebuttal=data["rebuttal"],
                internal_notes=data["internal_notes"],
                by=request.user,
            )
            if data["save_as"]:
                rebuttal_text_save(
                    merchant=request.merchant,
                    title=data["save_as"],
                    text=data["rebuttal"],
                    by=request.user,
                )
        except OrderError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Rebuttal saved.")
        return redirect("chargeback-detail", pk=pk)


class ChargebackTransitionView(OneTimeSubmissionMixin, MerchantRequiredMixin, View):
    """A status button of the dispute page (a one-time form: lost and won change the order's
    chargeback total)."""

    permission = MANAGE
    http_method_names = ["post"]

    def post(self, request, pk: int, name: str):
        chargeback = merchant_chargeback_or_404(request, pk)
        url = reverse("chargeback-detail", kwargs={"pk": chargeback.pk})
        answered = self.submission_check(fallback_url=url)
        if answered is not None:
            return answered

        def run() -> SubmissionOutcome:
            try:
                moved = chargeback_transition(chargeback=chargeback, name=name, by=request.user)
            except TransitionNotPermitted as exc:
                raise PermissionDenied(str(exc)) from exc
            except OrderError as exc:
                return outcome_error(str(exc), url)
            return outcome_success(
                f"Chargeback {moved.case_number}: {moved.get_status_display()}.", url
            )

        return self.submission_run(run)


class ChargebackEvidenceUploadView(MerchantRequiredMixin, View):
    permission = MANAGE
    http_method_names = ["post"]

    def post(self, request, pk: int):
        chargeback = merchant_chargeback_or_404(request, pk)
        form = EvidenceForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, f"Not uploaded: {form_errors_text(form)}")
            return redirect("chargeback-detail", pk=pk)
        try:
            chargeback_evidence_add(
                chargeback=chargeback, upload=form.cleaned_data["file"], by=request.user
            )
        except OrderError as exc:
            messages.error(request, f"Not uploaded: {exc}")
        else:
            messages.success(request, "Evidence uploaded.")
        return redirect("chargeback-detail", pk=pk)


class ChargebackEvidenceFileView(MerchantRequiredMixin, View):
    """An evidence file, for the merchant's dispute staff only: another merchant's answers 404."""

    permission = MANAGE

    def get(self, request, pk: int):
        try:
            evidence = chargeback_evidence_get(merchant=request.merchant, pk=pk)
        except ChargebackEvidence.DoesNotExist as exc:
            raise Http404("No such file.") from exc
        response = FileResponse(
            evidence.file.open("rb"),
            content_type=evidence.content_type,
            filename=evidence.original_name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class ChargebackPacketView(MerchantRequiredMixin, TemplateView):
    """The printable evidence packet assembled from the order."""

    permission = MANAGE

    template_name = "lifecycle/chargebacks/packet.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chargeback = merchant_chargeback_or_404(self.request, self.kwargs["pk"])
        context["packet"] = chargeback_packet_get(chargeback=chargeback)
        return context
