from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from backoffice.common.tenancy import MerchantRequiredMixin
from orders.exceptions import OrderError, TransitionNotPermitted
from orders.models import ApiScope, ApiToken
from orders.selectors.api_tokens import api_token_get, api_token_list
from orders.services.api_tokens import api_token_create, api_token_revoke


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Name (e.g. the storefront or the ERP)", max_length=100)
    scopes = forms.MultipleChoiceField(
        label="It may",
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[ApiScope.WRITE_ORDERS],
        help_text="None ticked: write orders only, as intake tokens always did.",
    )


class ApiTokenListView(MerchantRequiredMixin, View):
    """The owner's API tokens: create one with its scopes (its secret shown once) or revoke
    one."""

    permission = "orders.manage_merchant"
    template_name = "lifecycle/api_tokens.html"

    def render_page(self, form, secret: str = "", status: int = 200):
        tokens = api_token_list(merchant=self.request.merchant)
        context = {"tokens": tokens, "form": form, "secret": secret}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(ApiTokenForm())

    def post(self, request):
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=422)
        try:
            _, secret = api_token_create(
                merchant=request.merchant,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"] or [ApiScope.WRITE_ORDERS],
                by=request.user,
            )
        except TransitionNotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        except OrderError as exc:
            form.add_error("name", str(exc))
            return self.render_page(form, status=422)
        return self.render_page(ApiTokenForm(), secret=secret)


class ApiTokenRevokeView(MerchantRequiredMixin, View):
    permission = "orders.manage_merchant"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        try:
            token = api_token_get(merchant=request.merchant, pk=pk)
        except ApiToken.DoesNotExist as exc:
            raise Http404("No such token.") from exc
        api_token_revoke(token=token, by=request.user)
        messages.success(request, f"Token {token.name} ({token.prefix}…) revoked.")
        return redirect("api-token-list")
