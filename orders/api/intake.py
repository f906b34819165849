"""POST /api/v1/orders/: a storefront pushes a placed order (the "write orders" scope).

The contract is the intake API's as it always was: the body is read and validated by
orders.intake (every error with its path), an Idempotency-Key replays the first answer, and
every refusal is {"errors": [{"path", "message"}]}.
"""

import hashlib
import json

from django.http import HttpRequest, JsonResponse

from orders.api.auth import WRITE_ORDERS
from orders.api.routers import router
from orders.api.schemas import Errors, IntakeAnswer
from orders.exceptions import OrderError
from orders.intake import IntakeInvalid, intake_draft
from orders.models import ApiToken, Order
from orders.services.placement import order_place_once, order_placed_with_key

MAX_BODY_BYTES = 64 * 1024
MAX_KEY_LENGTH = 100


INTAKE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": (
                        "The placed order: email, names, company, phone, ip_address, billing "
                        "and shipping addresses, shipping_method, shipping_total, discount, "
                        "tax, lines (sku or description, quantity, unit_price), payment "
                        "(method and card, card_token, card_mode, purchase_order_number or "
                        "bank_account) and optional totals checked to the cent. Unknown "
                        "fields are refused."
                    ),
                    "required": ["email", "lines", "payment"],
                }
            }
        },
    },
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
            "description": "Sending the same key again answers the first order (200).",
        }
    ],
}


def _errors(status: int, *errors: tuple[str, str]) -> JsonResponse:
    body = {"errors": [{"path": path, "message": message} for path, message in errors]}
    return JsonResponse(body, status=status)


def _answer(order: Order, status: int) -> JsonResponse:
    return JsonResponse(
        {"order_id": order.order_id, "stage": order.stage, "total": str(order.total)},
        status=status,
    )


@router.post(
    "/orders/",
    auth=WRITE_ORDERS,
    url_name="api-order-intake",
    tags=["Orders"],
    summary="Place an order",
    response={
        200: IntakeAnswer,
        201: IntakeAnswer,
        400: Errors,
        401: Errors,
        403: Errors,
        413: Errors,
        422: Errors,
        429: Errors,
    },
    openapi_extra=INTAKE_BODY,
)
def order_intake(request: HttpRequest):
    """Place an order from a storefront; 201 with its ID, first stage and total."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
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


def _replayed(order: Order, digest: str) -> JsonResponse:
    if order.placement_digest != digest:
        return _errors(422, ("Idempotency-Key", "was already used with a different body"))
    return _answer(order, 200)
