from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views import View

from backoffice.common.tenancy import SESSION_KEY, MerchantRequiredMixin


class MerchantSwitchView(MerchantRequiredMixin, View):
    """Make another of the user's merchants the current one (kept in the session)."""

    permission = ""
    http_method_names = ["post"]

    def post(self, request):
        code = request.POST.get("merchant", "")
        membership = next((m for m in request.memberships if m.merchant.code == code), None)
        if membership is None:
            raise Http404("You are not a member of that merchant.")
        request.session[SESSION_KEY] = membership.merchant_id
        merchant = membership.merchant
        messages.success(request, f"Now working in {merchant.name} ({merchant.code}).")
        # Whatever page the user was on belongs to the previous merchant: start at its home.
        return redirect("home")
