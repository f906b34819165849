from django.urls import path

from . import webhooks

urlpatterns = [
    path("payments/<slug:gateway>/", webhooks.payment_webhook, name="payment-webhook"),
]
