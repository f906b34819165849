import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from orders.models import ApiToken, Order, Role
from orders.services.api_tokens import api_token_create, api_token_revoke
from orders.states import Stage
from tests.factories import APPROVE_CARD, ItemFactory, member
from tests.lifecycle.conftest import login
from tests.orders.test_concurrency import run_threads

URL = "/api/v1/orders/"
LINE = {"description": "W", "quantity": 1, "unit_price": "1.00"}


@pytest.fixture
def token(merchant):
    _, raw = api_token_create(merchant=merchant, name="Storefront")
    return raw


def body(**fields):
    data = {
        "email": "eve@example.com",
        "first_name": "Eve",
        "billing": {"address1": "1 Main St", "city": "Springfield", "country": "US"},
        "shipping": {"name": "Eve", "address1": "1 Main St", "country": "US"},
        "shipping_total": "5.00",
        "lines": [{"description": "Widget", "quantity": 2, "unit_price": "10.00"}],
        "payment": {
            "method": "credit_card",
            "card": {"number": APPROVE_CARD, "exp_month": 12, "exp_year": 2030, "cvv": "123"},
        },
    }
    data.update(fields)
    return data


def post(client, data, token="", key=None, raw=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    payload = raw if raw is not None else json.dumps(data)
    return client.post(URL, payload, content_type="application/json", **headers)


def test_valid_order_answers_its_id_and_first_stage(client, merchant, token):
    response = post(client, body(totals={"subtotal": "20.00", "total": "25.00"}), token)
    assert response.status_code == 201
    answer = response.json()
    order = Order.objects.get(order_id=answer["order_id"])
    assert answer["stage"] == Stage.SHIPPING == order.stage
    assert (order.merchant, order.source, order.total) == (merchant, "api", Decimal("25.00"))


def test_catalogue_price_is_used_when_a_line_names_only_a_sku(client, merchant, token):
    ItemFactory(merchant=merchant, sku="TEE", price=Decimal("15.00"))
    response = post(client, body(lines=[{"sku": "TEE", "quantity": 1}]), token)
    assert response.status_code == 201
    assert Order.objects.get().subtotal == Decimal("15.00")


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"email": None}, "email"),
        ({"lines": [{**LINE, "quantity": "two"}]}, "lines[0].quantity"),
        ({"lines": [{**LINE, "quantity": -1}]}, "lines[0].quantity"),
        ({"lines": [LINE, {"sku": "NOPE", "quantity": 1}]}, "lines[1].sku"),
        ({"shipping_total": "abc"}, "shipping_total"),
        ({"colour": "red"}, "colour"),
        ({"totals": {"total": "99.99"}}, "totals.total"),
        ({"payment": {"method": "barter"}}, "payment.method"),
        ({"billing": {"street": "x"}}, "billing.street"),
        ({"ip_address": "not-an-ip"}, "ip_address"),
    ],
)
def test_invalid_bodies_are_refused_with_the_field_path(client, token, change, path):
    data = body(**change)
    data = {key: value for key, value in data.items() if value is not None}
    response = post(client, data, token)
    assert response.status_code == 422
    assert path in [error["path"] for error in response.json()["errors"]]
    assert Order.objects.count() == 0


def test_a_body_that_is_not_json_is_400(client, token):
    response = post(client, None, token, raw="{not json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "$"


def test_a_body_over_the_size_limit_is_413(client, token):
    big = body(first_name="x" * 70_000)
    response = post(client, big, token)
    assert response.status_code == 413
    assert Order.objects.count() == 0


def test_missing_bad_and_revoked_tokens_are_401(client, merchant, token):
    assert post(client, body()).status_code == 401
    assert post(client, body(), "bo_wrong").status_code == 401
    api_token_revoke(token=ApiToken.objects.get())
    response = post(client, body(), token)
    assert response.status_code == 401
    assert response.json()["errors"][0]["path"] == "Authorization"
    assert Order.objects.count() == 0


def test_replay_with_the_same_key_and_body_answers_the_same_order(client, token):
    first = post(client, body(), token, key="order-1001")
    again = post(client, body(), token, key="order-1001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(client, token):
    post(client, body(), token, key="order-1002")
    response = post(client, body(email="mallory@example.com"), token, key="order-1002")
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "Idempotency-Key"
    assert Order.objects.count() == 1


def test_keys_and_orders_belong_to_the_tokens_merchant(client, merchant, other_merchant, token):
    _, theirs = api_token_create(merchant=other_merchant, name="Theirs")
    ours = post(client, body(), token, key="shared-key").json()
    other = post(client, body(), theirs, key="shared-key").json()
    assert ours["order_id"].startswith("DEMO-")
    assert other["order_id"].startswith("OTHER-")


def test_owner_creates_and_revokes_tokens_stored_hashed(client, merchant):
    owner = member(merchant, Role.OWNER)
    login(client, owner)
    page = client.post(reverse("api-token-list"), {"name": "Shop"}).content.decode()
    secret = page.split("data-secret>")[1].split("<")[0]
    stored = ApiToken.objects.get()
    assert secret.startswith(stored.prefix)
    assert secret not in (stored.key_hash, stored.prefix)
    client.post(reverse("api-token-revoke", args=[stored.pk]))
    stored.refresh_from_db()
    assert stored.revoked_at is not None


def test_only_the_owner_manages_tokens(client, manager):
    login(client, manager)
    assert client.get(reverse("api-token-list")).status_code == 403


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("needs_postgres")
def test_eight_concurrent_posts_with_one_key_answer_one_201_and_seven_identical_200s(token):
    answers: list[tuple[int, dict]] = []

    def submit(index: int) -> None:
        response = post(Client(), body(), token, key="order-race")
        answers.append((response.status_code, response.json()))

    assert run_threads(8, submit) == []

    assert sorted(status for status, _ in answers) == [200] * 7 + [201]
    assert len({json.dumps(answer, sort_keys=True) for _, answer in answers}) == 1
    assert Order.objects.count() == 1
    assert answers[0][1]["order_id"] == Order.objects.get().order_id
