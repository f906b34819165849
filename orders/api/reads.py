"""The read API: orders (with their events), auto orders, chargebacks and cases.

Each operation parses its query, calls one selector of orders.selectors.api (scoped by the
token's merchant: another merchant's object is 404) and answers the objects' documents
(orders.selectors.documents), without the customers' data unless the token may read it.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Schema

from orders.api import schemas
from orders.api.auth import ScopeMissing, can_read_customers
from orders.api.routers import router
from orders.models import ApiScope, ApiToken, AutoOrder, Case, Chargeback, Order
from orders.selectors import api as reads
from orders.selectors.api_pages import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, CursorPage
from orders.selectors.documents import (
    auto_order_document,
    auto_order_document_redacted,
    case_document,
    case_document_redacted,
    chargeback_document,
    order_document,
    order_document_redacted,
    order_event_document,
    order_event_document_redacted,
)

ERRORS = dict.fromkeys((401, 403, 404, 422, 429), schemas.Errors)
LIST_ERRORS = dict.fromkeys((401, 403, 422, 429), schemas.Errors)


class PageQuery(Schema):
    cursor: str | None = Field(None, description="The next_cursor of the previous page.")
    limit: int = Field(PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX, description="Page size.")


class OrderListQuery(PageQuery):
    stage: str | None = Field(None, description="A stage code (e.g. shipping_department).")
    q: str | None = Field(
        None,
        description="The back office's search (order ID, email, name, SKU, tracking number…)."
        " Needs the customers:read scope: it matches customers' data.",
    )
    placed_after: date | None = None
    placed_before: date | None = None
    paid_after: date | None = None
    paid_before: date | None = None
    shipped_after: date | None = None
    shipped_before: date | None = None
    refunded_after: date | None = None
    refunded_before: date | None = None
    payment_status: str | None = None
    payment_method: str | None = None
    tag: str | None = Field(None, description="Only orders with this tag.")
    updated_since: datetime | None = Field(
        None,
        description="Only orders whose data changed at or after this time (ISO 8601). "
        "Deleting or undeleting an order leaves its data, and so updated_at, as it was: "
        "those arrive as order_deleted / order_undeleted events.",
    )
    include_deleted: bool = Field(False, description="Deleted orders too (deleted: true).")
    sort: Literal["number", "updated"] = Field(
        "number",
        description="number: by order number (new orders come last); updated: by time "
        "changed, for keeping a copy in sync with updated_since.",
    )


class StatusPageQuery(PageQuery):
    status: str | None = Field(None, description="Only objects with this status code.")


def _merchant(request: HttpRequest):
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    return token.merchant


def _page(request: HttpRequest, page: CursorPage, document, redact) -> dict[str, Any]:
    show_customers = can_read_customers(request)
    items = [document(row) for row in page.rows]
    if not show_customers:
        items = [redact(item) for item in items]
    next_url = None
    if page.next_cursor:
        query = request.GET.copy()
        query["cursor"] = page.next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"items": items, "next": next_url, "next_cursor": page.next_cursor}


def _one(request: HttpRequest, row, document, redact) -> dict[str, Any]:
    body = document(row)
    return body if can_read_customers(request) else redact(body)


@router.get(
    "/orders/",
    url_name="api-order-list",
    response={200: schemas.OrderPage, **LIST_ERRORS},
    tags=["Orders"],
    summary="List orders",
)
def order_list(request: HttpRequest, query: Query[OrderListQuery]):
    """The merchant's orders matching the filters, a cursor page at a time."""
    not_filterset = {"cursor", "limit", "tag", "updated_since", "sort", "include_deleted"}
    filters = query.model_dump(exclude=not_filterset)
    if filters.get("q") and not can_read_customers(request):
        raise ScopeMissing(ApiScope.READ_CUSTOMERS, "the search q matches customers' data")
    page = reads.api_order_page(
        merchant=_merchant(request),
        filters=filters,
        tag=query.tag or "",
        updated_since=query.updated_since,
        include_deleted=query.include_deleted,
        sort=query.sort,
        cursor=query.cursor,
        size=query.limit,
    )
    return _page(request, page, order_document, order_document_redacted)


@router.get(
    "/orders/{order_id}/",
    url_name="api-order-detail",
    response={200: schemas.OrderDocument, **ERRORS},
    tags=["Orders"],
    summary="One order",
)
def order_detail(request: HttpRequest, order_id: str):
    try:
        order = reads.api_order_get(merchant=_merchant(request), order_id=order_id)
    except Order.DoesNotExist as exc:
        raise Http404("no such order") from exc
    return _one(request, order, order_document, order_document_redacted)


@router.get(
    "/orders/{order_id}/events/",
    url_name="api-order-events",
    response={200: schemas.OrderEventPage, **ERRORS},
    tags=["Orders"],
    summary="An order's events",
)
def order_events(request: HttpRequest, order_id: str, query: Query[PageQuery]):
    """The order's audit timeline, oldest first."""
    try:
        page = reads.api_order_event_page(
            merchant=_merchant(request), order_id=order_id, cursor=query.cursor, size=query.limit
        )
    except Order.DoesNotExist as exc:
        raise Http404("no such order") from exc
    return _page(request, page, order_event_document, order_event_document_redacted)


@router.get(
    "/auto-orders/",
    url_name="api-auto-order-list",
    response={200: schemas.AutoOrderPage, **LIST_ERRORS},
    tags=["Auto orders"],
    summary="List auto orders",
)
def auto_order_list(request: HttpRequest, query: Query[StatusPageQuery]):
    page = reads.api_auto_order_page(
        merchant=_merchant(request),
        status=query.status or "",
        cursor=query.cursor,
        size=query.limit,
    )
    return _page(request, page, auto_order_document, auto_order_document_redacted)


@router.get(
    "/auto-orders/{code}/",
    url_name="api-auto-order-detail",
    response={200: schemas.AutoOrderDocument, **ERRORS},
    tags=["Auto orders"],
    summary="One auto order",
)
def auto_order_detail(request: HttpRequest, code: str):
    try:
        auto_order = reads.api_auto_order_get(merchant=_merchant(request), code=code)
    except AutoOrder.DoesNotExist as exc:
        raise Http404("no such auto order") from exc
    return _one(request, auto_order, auto_order_document, auto_order_document_redacted)


@router.get(
    "/chargebacks/",
    url_name="api-chargeback-list",
    response={200: schemas.ChargebackPage, **LIST_ERRORS},
    tags=["Chargebacks"],
    summary="List chargebacks",
)
def chargeback_list(request: HttpRequest, query: Query[StatusPageQuery]):
    page = reads.api_chargeback_page(
        merchant=_merchant(request),
        status=query.status or "",
        cursor=query.cursor,
        size=query.limit,
    )
    return _page(request, page, chargeback_document, _unchanged)


@router.get(
    "/chargebacks/{chargeback_id}/",
    url_name="api-chargeback-detail",
    response={200: schemas.ChargebackDocument, **ERRORS},
    tags=["Chargebacks"],
    summary="One chargeback",
)
def chargeback_detail(request: HttpRequest, chargeback_id: int):
    try:
        chargeback = reads.api_chargeback_get(merchant=_merchant(request), pk=chargeback_id)
    except Chargeback.DoesNotExist as exc:
        raise Http404("no such chargeback") from exc
    return chargeback_document(chargeback)


@router.get(
    "/cases/",
    url_name="api-case-list",
    response={200: schemas.CasePage, **LIST_ERRORS},
    tags=["Cases"],
    summary="List cases",
)
def case_list(request: HttpRequest, query: Query[StatusPageQuery]):
    page = reads.api_case_page(
        merchant=_merchant(request),
        status=query.status or "",
        cursor=query.cursor,
        size=query.limit,
    )
    return _page(request, page, case_document, case_document_redacted)


@router.get(
    "/cases/{case_id}/",
    url_name="api-case-detail",
    response={200: schemas.CaseDocument, **ERRORS},
    tags=["Cases"],
    summary="One case",
)
def case_detail(request: HttpRequest, case_id: int):
    try:
        case = reads.api_case_get(merchant=_merchant(request), pk=case_id)
    except Case.DoesNotExist as exc:
        raise Http404("no such case") from exc
    return _one(request, case, case_document, case_document_redacted)


def _unchanged(document: dict[str, Any]) -> dict[str, Any]:
    return document
