"""The owner's Settings section: the merchant's settings group by group, and its staff.

Each group's form posts to its own URL and is saved by orders.services.merchant_settings; a
refused value re-renders the page with the message on the field and nothing saved. API tokens
have their own screens (api_tokens.py), linked from here.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from backoffice.common.tenancy import MerchantRequiredMixin
from lifecycle.settings_forms import (
    SETTINGS_FORMS,
    SettingsForm,
    StaffInviteForm,
    StaffRoleForm,
)
from orders.exceptions import InvalidInput, TransitionNotPermitted
from orders.models import Membership
from orders.selectors.staff import merchant_changes_recent, staff_list, staff_membership_get
from orders.services.merchant_settings import SettingsInvalid, merchant_settings_update
from orders.services.staff import staff_invite, staff_remove, staff_role_change

SETTINGS_PERMISSION = "orders.manage_merchant"


class SettingsView(MerchantRequiredMixin, View):
    """Every settings group's form on one page, with the latest changes to the merchant."""

    permission = SETTINGS_PERMISSION
    template_name = "lifecycle/settings/index.html"

    def render_page(self, bound: SettingsForm | None = None, status: int = 200):
        merchant = self.request.merchant
        forms = [
            bound if bound is not None and bound.group == group else form(merchant=merchant)
            for group, form in SETTINGS_FORMS.items()
        ]
        context = {"forms": forms, "changes": merchant_changes_recent(merchant=merchant)}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page()


class SettingsGroupView(SettingsView):
    """Save one group; the page again, with the messages, when a value is refused."""

    http_method_names = ["post"]

    def post(self, request, group: str):
        form_class = SETTINGS_FORMS.get(group)
        if form_class is None:
            raise Http404("No such settings group.")
        form = form_class(request.POST, merchant=request.merchant)
        if not form.is_valid():
            return self.render_page(form, status=422)
        try:
            changes = merchant_settings_update(
                merchant=request.merchant, group=group, values=form.values(), by=request.user
            )
        except TransitionNotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        except SettingsInvalid as exc:
            form.add_problems(exc)
            return self.render_page(form, status=422)
        if changes:
            count = len(changes)
            messages.success(
                request, f"{form.title} saved: {count} setting{'s' if count != 1 else ''} changed."
            )
        else:
            messages.info(request, f"{form.title}: nothing changed.")
        return redirect(f"{reverse('settings')}#settings-{group}")


class StaffView(MerchantRequiredMixin, View):
    """Who works here and in which role; invite someone by email."""

    permission = SETTINGS_PERMISSION
    template_name = "lifecycle/settings/staff.html"

    def render_page(self, invite_form, status: int = 200):
        memberships = list(staff_list(merchant=self.request.merchant))
        rows = [(m, StaffRoleForm(membership=m)) for m in memberships]
        context = {"rows": rows, "invite_form": invite_form}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(StaffInviteForm())

    def post(self, request):
        form = StaffInviteForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=422)
        try:
            membership = staff_invite(
                merchant=request.merchant,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except TransitionNotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        except InvalidInput as exc:
            form.add_error("email", str(exc))
            return self.render_page(form, status=422)
        messages.success(
            request,
            f"Invited {membership.user.email} as {membership.get_role_display()}; "
            "they have been emailed how to sign in.",
        )
        return redirect("settings-staff")


class StaffMembershipView(MerchantRequiredMixin, View):
    permission = SETTINGS_PERMISSION
    http_method_names = ["post"]

    def get_membership(self, pk: int) -> Membership:
        try:
            return staff_membership_get(merchant=self.request.merchant, pk=pk)
        except Membership.DoesNotExist as exc:
            raise Http404("No such staff member.") from exc


class StaffRoleView(StaffMembershipView):
    def post(self, request, pk: int):
        membership = self.get_membership(pk)
        form = StaffRoleForm(request.POST, membership=membership)
        if not form.is_valid():
            messages.error(request, "Choose one of the roles.")
            return redirect("settings-staff")
        try:
            changed = staff_role_change(
                membership=membership, role=form.cleaned_data["role"], by=request.user
            )
        except TransitionNotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        except InvalidInput as exc:
            messages.error(request, str(exc))
            return redirect("settings-staff")
        messages.success(
            request, f"{changed.user.get_username()} is now {changed.get_role_display()}."
        )
        return redirect("settings-staff")


class StaffRemoveView(StaffMembershipView):
    def post(self, request, pk: int):
        membership = self.get_membership(pk)
        try:
            staff_remove(membership=membership, by=request.user)
        except TransitionNotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        except InvalidInput as exc:
            messages.error(request, str(exc))
            return redirect("settings-staff")
        messages.success(request, f"{membership.user.get_username()} no longer works here.")
        return redirect("settings-staff")
