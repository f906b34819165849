import logging

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.exceptions import WebhookRejected
from orders.services.clearance import SIGNATURE_HEADER, payment_settlement_receive, webhook_verify

logger = logging.getLogger(__name__)
KNOWN_GATEWAYS = {"test"}


@csrf_exempt  # signed by the provider with HMAC instead of a CSRF token
@require_POST
def payment_webhook(request, gateway: str):
    if gateway not in KNOWN_GATEWAYS:
        return HttpResponse(status=404)
    try:
        payload = webhook_verify(request.body, request.headers.get(SIGNATURE_HEADER, ""))
        outcome = payment_settlement_receive(gateway=gateway, payload=payload)
    except WebhookRejected as exc:
        logger.warning("Webhook refused: %s", exc)
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"ok": True, "applied": outcome})
