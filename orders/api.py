"""POST /api/v1/orders/: a storefront pushes a placed order, authenticated by an API token."""

import hashlib
import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.exceptions import OrderError
from orders.intake import IntakeInvalid, intake_draft
from orders.services.api_tokens import api_token_authenticate
from orders.services.placement import order_place_once, order_placed_with_key

MAX_BODY_BYTES = 64 * 1024
MAX_KEY_LENGTH = 100


def _errors(status: int, *errors: tuple[str, str]) -> JsonResponse:
    body = {"errors": [{"path": path, "message": message} for path, message in errors]}
    return JsonResponse(body, status=status)


def _answer(order, status: int) -> JsonResponse:
    return JsonResponse(
        {"order_id": order.order_id, "stage": order.stage, "total": str(order.total)},
        status=status,
    )


def _bearer(request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


@csrf_exempt  # token-authenticated, never by cookie
@require_POST
def order_intake(request):
    token = api_token_authenticate(raw=_bearer(request))
    if token is None:
        response = _errors(401, ("Authorization", "a valid, unrevoked API token is required"))
        response["WWW-Authenticate"] = "Bearer"
        return response
    if int(request.headers.get("Content-Length") or 0) > MAX_BODY_BYTES:
        return _errors(413, ("$", f"the body is larger than {MAX_BODY_BYTES} bytes"))
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > MAX_KEY_LENGTH:
        return _errors(422, ("Idempotency-Key", f"must be at most {MAX_KEY_LENGTH} characters"))
    if not key.isprintable():
        return _errors(422, ("Idempotency-Key", "must hold printable characters only"))
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _errors(400, ("$", "the body is not JSON"))
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    placement_key = f"api:{key}" if key else ""
    merchant = token.merchant
    placed = order_placed_with_key(merchant=merchant, key=placement_key)
    if placed is not None:
        return _replayed(placed, digest)
    try:
        draft = intake_draft(merchant=merchant, body=body, key=placement_key, digest=digest)
        placement = order_place_once(
            merchant=merchant, draft=draft, by=None, via=f"api {token.prefix}"
        )
    except IntakeInvalid as exc:
        return JsonResponse({"errors": exc.errors}, status=422)
    except OrderError as exc:
        return _errors(422, ("$", str(exc)))
    if not placement.placed_now:  # a concurrent request with this key placed it first
        return _replayed(placement.order, digest)
    return _answer(placement.order, 201)


def _replayed(order, digest: str) -> JsonResponse:
    if order.placement_digest != digest:
        return _errors(422, ("Idempotency-Key", "was already used with a different body"))
    return _answer(order, 200)
