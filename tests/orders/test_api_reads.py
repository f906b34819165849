"""The read API: every endpoint against tokens (none 401, wrong scope 403, another merchant's
object 404, ok 200), bodies equal to the documents, customers' data only with its scope,
cursor pages stable under inserts, and the list filters."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import ApiScope, Order, Tag
from orders.selectors.documents import (
    auto_order_document,
    case_document,
    chargeback_document,
    order_document,
    order_documents_queryset,
)
from orders.services.api_tokens import api_token_create
from orders.states import Stage
from tests.factories import place
from tests.orders.auto_orders import subscribe
from tests.orders.builders import order_in_stage
from tests.orders.disputes import open_case, open_chargeback

pytestmark = pytest.mark.django_db

EVERYTHING = (ApiScope.READ_ORDERS, ApiScope.READ_CUSTOMERS)


def token_for(merchant, *scopes) -> str:
    _, raw = api_token_create(merchant=merchant, name="ERP", scopes=scopes)
    return raw


def get(client, path, token="", **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(path, params, **headers)


@dataclass
class Objects:
    order: Order
    auto_order_code: str
    chargeback_id: int
    case_id: int


def objects_of(merchant, manager) -> Objects:
    auto_order = subscribe(merchant)
    order = order_in_stage(merchant, Stage.COMPLETED)
    case = open_case(order, manager, message="Your parcel left.")
    chargeback = open_chargeback(order)
    return Objects(order, auto_order.code, chargeback.pk, case.pk)


def detail_paths(objects: Objects) -> list[str]:
    return [
        f"/api/v1/orders/{objects.order.order_id}/",
        f"/api/v1/orders/{objects.order.order_id}/events/",
        f"/api/v1/auto-orders/{objects.auto_order_code}/",
        f"/api/v1/chargebacks/{objects.chargeback_id}/",
        f"/api/v1/cases/{objects.case_id}/",
    ]


LIST_PATHS = ["/api/v1/orders/", "/api/v1/auto-orders/", "/api/v1/chargebacks/", "/api/v1/cases/"]


def test_every_endpoint_answers_401_403_404_and_200_by_token_scope_and_merchant(
    client, merchant, other_merchant, manager
):
    ours = objects_of(merchant, manager)
    theirs = objects_of(other_merchant, None)
    reader = token_for(merchant, ApiScope.READ_ORDERS)
    writer = token_for(merchant, ApiScope.WRITE_ORDERS)
    for path in LIST_PATHS + detail_paths(ours):
        assert get(client, path).status_code == 401, path
        assert get(client, path, "bo_not-a-token").status_code == 401, path
        assert get(client, path, writer).status_code == 403, path
        assert get(client, path, reader).status_code == 200, path
    for path in detail_paths(theirs):
        assert get(client, path, reader).status_code == 404, path
    for path in LIST_PATHS:  # another merchant's objects are not listed either
        items = get(client, path, reader).json()["items"]
        assert len(items) == (2 if path == "/api/v1/orders/" else 1), path
        assert {item["merchant"] for item in items} == {merchant.code}


def test_refusals_name_the_header_and_the_missing_scope(client, merchant):
    writer = token_for(merchant, ApiScope.WRITE_ORDERS)
    missing = get(client, "/api/v1/orders/")
    assert missing["WWW-Authenticate"] == "Bearer"
    assert missing.json()["errors"][0]["path"] == "Authorization"
    refused = get(client, "/api/v1/orders/", writer).json()["errors"][0]
    assert "orders:read" in refused["message"]


def test_order_detail_and_list_items_are_exactly_the_order_document(client, merchant):
    placed = place(merchant, price=Decimal("19.99"), quantity=2)
    placed.tags.add(Tag.objects.create(merchant=merchant, name="vip"))
    token = token_for(merchant, *EVERYTHING)
    document = order_document(order_documents_queryset(Order.objects.filter(pk=placed.pk)).get())

    detail = get(client, f"/api/v1/orders/{placed.order_id}/", token).json()
    listed = get(client, "/api/v1/orders/", token).json()["items"]

    assert detail == document
    assert listed == [document]
    assert detail["tags"] == ["vip"]
    assert detail["lines"]
    assert detail["transactions"]


def test_other_bodies_are_their_documents(client, merchant, manager):
    objects = objects_of(merchant, manager)
    token = token_for(merchant, *EVERYTHING)
    auto_order = get(client, f"/api/v1/auto-orders/{objects.auto_order_code}/", token).json()
    chargeback = get(client, f"/api/v1/chargebacks/{objects.chargeback_id}/", token).json()
    case = get(client, f"/api/v1/cases/{objects.case_id}/", token).json()
    events = get(client, f"/api/v1/orders/{objects.order.order_id}/events/", token).json()

    from orders.models import AutoOrder, Case, Chargeback

    assert auto_order == auto_order_document(AutoOrder.objects.get(code=objects.auto_order_code))
    assert chargeback == chargeback_document(Chargeback.objects.get(pk=objects.chargeback_id))
    assert case == case_document(Case.objects.get(pk=objects.case_id))
    assert case["messages"][0]["body"] == "Your parcel left."
    types = [event["type"] for event in events["items"]]
    assert types[0] == "order_placed"
    assert "order_chargeback_opened" in types
    assert events["items"][0]["payload"] is not None


def test_without_the_customers_scope_customers_data_is_null(client, merchant, manager):
    objects = objects_of(merchant, manager)
    token = token_for(merchant, ApiScope.READ_ORDERS)
    order = get(client, f"/api/v1/orders/{objects.order.order_id}/", token).json()
    auto_order = get(client, f"/api/v1/auto-orders/{objects.auto_order_code}/", token).json()
    case = get(client, f"/api/v1/cases/{objects.case_id}/", token).json()
    events = get(client, f"/api/v1/orders/{objects.order.order_id}/events/", token).json()

    assert set(order["customer"].values()) == {None}
    assert set(order["billing_address"].values()) == {None}
    assert set(order["shipping_address"].values()) == {None}
    assert order["order_id"] == objects.order.order_id
    assert order["totals"]["total"]
    assert auto_order["customer"]["email"] is None
    assert auto_order["shipping_address"]["name"] is None
    assert (case["email"], case["messages"]) == (None, [])
    assert {event["payload"] for event in events["items"]} == {None}
    searched = get(client, "/api/v1/orders/", token, q="example.com")
    assert searched.status_code == 403
    assert "customers:read" in searched.json()["errors"][0]["message"]


def walk_pages(client, token, **params) -> tuple[list[str], int]:
    ids, pages = [], 0
    response = get(client, "/api/v1/orders/", token, **params).json()
    while True:
        pages += 1
        ids += [item["order_id"] for item in response["items"]]
        if not response["next"]:
            return ids, pages
        response = client.get(response["next"], HTTP_AUTHORIZATION=f"Bearer {token}").json()


def test_cursor_pages_are_stable_under_inserts_and_follow_next(client, merchant):
    first = [place(merchant) for _ in range(5)]
    token = token_for(merchant, ApiScope.READ_ORDERS)
    page = get(client, "/api/v1/orders/", token, limit=2).json()
    assert [item["order_id"] for item in page["items"]] == [o.order_id for o in first[:2]]
    assert page["next"].startswith("http://testserver/api/v1/orders/?")
    assert "limit=2" in page["next"]

    newer = [place(merchant) for _ in range(2)]  # inserted while the client pages
    seen = [item["order_id"] for item in page["items"]]
    rest, _ = walk_pages(client, token, limit=2, cursor=page["next_cursor"])
    seen += rest
    assert seen == [o.order_id for o in first + newer]  # nothing skipped, nothing twice


def test_sorted_by_time_changed_a_changed_order_comes_again_at_the_end(client, merchant):
    orders = [place(merchant) for _ in range(3)]
    token = token_for(merchant, ApiScope.READ_ORDERS)
    page = get(client, "/api/v1/orders/", token, sort="updated", limit=2).json()
    assert [item["order_id"] for item in page["items"]] == [o.order_id for o in orders[:2]]
    Order.objects.filter(pk=orders[0].pk).update(updated_at=timezone.now())
    rest, _ = walk_pages(client, token, sort="updated", limit=2, cursor=page["next_cursor"])
    assert rest == [orders[2].order_id, orders[0].order_id]


def test_a_forged_or_foreign_cursor_and_a_bad_limit_are_422(client, merchant):
    place(merchant)
    token = token_for(merchant, ApiScope.READ_ORDERS)
    assert get(client, "/api/v1/orders/", token, cursor="forged").status_code == 422
    number_cursor = get(client, "/api/v1/orders/", token, limit=1)
    place(merchant)
    cursor = get(client, "/api/v1/orders/", token, limit=1).json()["next_cursor"]
    assert get(client, "/api/v1/orders/", token, sort="updated", cursor=cursor).status_code == 422
    assert number_cursor.status_code == 200
    for limit in (0, 501, "many"):
        response = get(client, "/api/v1/orders/", token, limit=limit)
        assert response.status_code == 422
        assert response.json()["errors"][0]["path"] == "limit"


def test_filters_stage_dates_payment_status_search_tag_updated_since_and_deleted(client, merchant):
    shipping = place(merchant)
    completed = order_in_stage(merchant, Stage.COMPLETED)
    old = place(merchant)
    Order.objects.filter(pk=old.pk).update(
        placed_at=timezone.now() - timedelta(days=40),
        updated_at=timezone.now() - timedelta(days=40),
    )
    tagged = place(merchant, email="zelda@example.org")
    tagged.tags.add(Tag.objects.create(merchant=merchant, name="wholesale"))
    token = token_for(merchant, *EVERYTHING)

    def ids(**params):
        response = get(client, "/api/v1/orders/", token, **params)
        assert response.status_code == 200, response.json()
        return {item["order_id"] for item in response.json()["items"]}

    assert ids(stage=Stage.COMPLETED) == {completed.order_id}
    assert ids(tag="wholesale") == {tagged.order_id}
    assert ids(q="zelda") == {tagged.order_id}
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert old.order_id not in ids(updated_since=since)
    assert ids(placed_before=(timezone.localdate() - timedelta(days=30)).isoformat()) == {
        old.order_id
    }
    assert ids(payment_status=shipping.payment_status) >= {shipping.order_id}
    bad = get(client, "/api/v1/orders/", token, stage="nowhere")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == "stage"
    assert get(client, "/api/v1/orders/", token, placed_after="yesterday").status_code == 422

    Order.objects.filter(pk=shipping.pk).update(deleted_at=timezone.now())
    assert shipping.order_id not in ids()
    assert shipping.order_id in ids(include_deleted="true")
    deleted = get(client, f"/api/v1/orders/{shipping.order_id}/", token).json()
    assert deleted["deleted"] is True


def test_list_reads_in_a_fixed_number_of_queries(client, merchant, django_assert_max_num_queries):
    for _ in range(5):
        place(merchant)
    token = token_for(merchant, ApiScope.READ_ORDERS)
    get(client, "/api/v1/orders/", token)  # the token's last use is written once a minute
    with django_assert_max_num_queries(9):
        response = get(client, "/api/v1/orders/", token)
    assert len(response.json()["items"]) == 5


HOSTILE = ["", " ", "-1", "0", "9" * 40, "x" * 5000, "\x00", "é✓", "' OR 1=1 --", "%", "*", "[]"]
ORDER_PARAMS = [
    "stage", "q", "placed_after", "paid_before", "payment_status", "payment_method", "tag",
    "updated_since", "include_deleted", "sort", "limit", "cursor",
]  # fmt: skip


@pytest.mark.parametrize("param", ORDER_PARAMS)
def test_hostile_query_values_are_refused_clearly_never_a_500(client, merchant, settings, param):
    settings.API_RATE_BURST = 1000  # 48 quick requests: more than a token's burst
    place(merchant)
    token = token_for(merchant, *EVERYTHING)
    for value in HOSTILE:
        response = get(client, "/api/v1/orders/", token, **{param: value})
        assert response.status_code in (200, 400, 422), (param, value, response.content[:200])
        if response.status_code == 422:
            assert response.json()["errors"][0]["path"] in (param, "$")
    for path in ("/api/v1/chargebacks/", "/api/v1/cases/", "/api/v1/auto-orders/"):
        for value in HOSTILE:
            response = get(client, path, token, status=value, cursor=value)
            assert response.status_code in (200, 400, 422), (path, value)
