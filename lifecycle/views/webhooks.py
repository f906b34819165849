"""The owner's outgoing webhooks: endpoints, their secrets, and each one's delivery log."""

import json

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from backoffice.common.tenancy import MerchantRequiredMixin
from orders.models.webhook import EndpointDelivery, WebhookEndpoint, WebhookTopic
from orders.selectors.webhooks import (
    webhook_deliveries_recent,
    webhook_delivery_get,
    webhook_endpoint_get,
    webhook_endpoint_list,
)
from orders.services.webhook_endpoints import (
    WebhookEndpointInvalid,
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_replay,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_set_active,
    webhook_endpoint_update,
)

OWNER_ONLY = "orders.manage_merchant"


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(label="Address (https://…)", max_length=500, assume_scheme="https")
    topics = forms.MultipleChoiceField(
        label="Events to send",
        choices=WebhookTopic.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class ReplayForm(forms.Form):
    since = forms.DateTimeField(
        label="Send again every event since",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class EndpointMixin(MerchantRequiredMixin):
    permission = OWNER_ONLY

    def endpoint(self, pk: int) -> WebhookEndpoint:
        try:
            return webhook_endpoint_get(merchant=self.request.merchant, pk=pk)
        except WebhookEndpoint.DoesNotExist as exc:
            raise Http404("No such webhook endpoint.") from exc


class WebhookEndpointListView(EndpointMixin, View):
    """Every endpoint of the merchant; add one (its secret shown once)."""

    def render_page(self, form, *, secret: str = "", status: int = 200):
        context = {
            "endpoints": webhook_endpoint_list(merchant=self.request.merchant),
            "form": form,
            "secret": secret,
        }
        return render(self.request, "lifecycle/webhooks/list.html", context, status=status)

    def get(self, request):
        return self.render_page(WebhookEndpointForm(initial={"topics": WebhookTopic.values}))

    def post(self, request):
        form = WebhookEndpointForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=422)
        try:
            endpoint = webhook_endpoint_create(
                merchant=request.merchant,
                url=form.cleaned_data["url"],
                topics=form.cleaned_data["topics"],
                by=request.user,
            )
        except WebhookEndpointInvalid as exc:
            form.add_error("url", str(exc))
            return self.render_page(form, status=422)
        return self.render_page(WebhookEndpointForm(), secret=endpoint.secret)


class WebhookEndpointDetailView(EndpointMixin, View):
    """One endpoint: change its address and events, and read its delivery log."""

    def render_page(self, endpoint, form, *, secret: str = "", status: int = 200):
        context = {
            "endpoint": endpoint,
            "form": form,
            "replay_form": ReplayForm(),
            "deliveries": webhook_deliveries_recent(endpoint=endpoint),
            "secret": secret,
            "topic_labels": dict(WebhookTopic.choices),
        }
        return render(self.request, "lifecycle/webhooks/detail.html", context, status=status)

    def get(self, request, pk: int):
        endpoint = self.endpoint(pk)
        form = WebhookEndpointForm(initial={"url": endpoint.url, "topics": endpoint.topics})
        return self.render_page(endpoint, form)

    def post(self, request, pk: int):
        endpoint = self.endpoint(pk)
        form = WebhookEndpointForm(request.POST)
        if not form.is_valid():
            return self.render_page(endpoint, form, status=422)
        try:
            webhook_endpoint_update(
                endpoint=endpoint,
                url=form.cleaned_data["url"],
                topics=form.cleaned_data["topics"],
                by=request.user,
            )
        except WebhookEndpointInvalid as exc:
            form.add_error("url", str(exc))
            return self.render_page(endpoint, form, status=422)
        messages.success(request, "Endpoint saved.")
        return redirect("webhook-endpoint-detail", pk=endpoint.pk)


class WebhookEndpointActionView(EndpointMixin, View):
    """Rotate the secret, pause, resume, remove, or replay since a time."""

    http_method_names = ["post"]
    ACTIONS = ("rotate", "pause", "resume", "remove", "replay")

    def post(self, request, pk: int, action: str):
        if action not in self.ACTIONS:
            raise Http404("No such action.")
        endpoint = self.endpoint(pk)
        if action == "rotate":
            rotated = webhook_endpoint_rotate_secret(endpoint=endpoint, by=request.user)
            return WebhookEndpointDetailView(request=request).render_page(
                rotated,
                WebhookEndpointForm(initial={"url": rotated.url, "topics": rotated.topics}),
                secret=rotated.secret,
            )
        if action == "remove":
            webhook_endpoint_delete(endpoint=endpoint, by=request.user)
            messages.success(request, f"Endpoint {endpoint.url} removed.")
            return redirect("webhook-endpoint-list")
        if action == "replay":
            return self.replay(endpoint)
        active = action == "resume"
        webhook_endpoint_set_active(endpoint=endpoint, active=active, by=request.user)
        messages.success(request, "Endpoint resumed." if active else "Endpoint paused.")
        return redirect("webhook-endpoint-detail", pk=endpoint.pk)

    def replay(self, endpoint: WebhookEndpoint):
        form = ReplayForm(self.request.POST)
        if not form.is_valid():
            messages.error(self.request, "Give the date and time to replay from.")
            return redirect("webhook-endpoint-detail", pk=endpoint.pk)
        since = form.cleaned_data["since"]
        if timezone.is_naive(since):
            since = timezone.make_aware(since)
        try:
            count = webhook_endpoint_replay(endpoint=endpoint, since=since, by=self.request.user)
        except WebhookEndpointInvalid as exc:
            messages.error(self.request, str(exc))
        else:
            noun = "event" if count == 1 else "events"
            messages.success(self.request, f"{count} {noun} will be sent again.")
        return redirect("webhook-endpoint-detail", pk=endpoint.pk)


class WebhookDeliveryView(EndpointMixin, View):
    """One delivery, with the body that was sent and the last answer."""

    def get(self, request, pk: int, delivery_pk: int):
        endpoint = self.endpoint(pk)
        try:
            delivery = webhook_delivery_get(endpoint=endpoint, pk=delivery_pk)
        except EndpointDelivery.DoesNotExist as exc:
            raise Http404("No such delivery.") from exc
        body = json.dumps(delivery.message.body, indent=2) if delivery.message.body else ""
        context = {"endpoint": endpoint, "delivery": delivery, "body": body}
        return render(request, "lifecycle/webhooks/delivery.html", context)


class WebhookDeliveryResendView(EndpointMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int, delivery_pk: int):
        endpoint = self.endpoint(pk)
        try:
            delivery = webhook_delivery_get(endpoint=endpoint, pk=delivery_pk)
            webhook_delivery_resend(delivery=delivery, by=request.user)
        except EndpointDelivery.DoesNotExist as exc:
            raise Http404("No such delivery.") from exc
        except WebhookEndpointInvalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The delivery will be sent again within seconds.")
        return redirect("webhook-endpoint-detail", pk=endpoint.pk)
