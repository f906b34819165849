"""What every API request goes through: the rate limit (real Redis, and the cache without it),
the request log and its purge, token scopes, and the generated OpenAPI document."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from orders.api.app import api
from orders.models import ApiRequest, ApiScope, ApiToken, Role
from orders.services.api_requests import api_requests_purge
from orders.services.api_tokens import api_token_create
from orders.tasks import api_requests_purge_task
from tests.factories import member
from tests.lifecycle.conftest import login

pytestmark = pytest.mark.django_db


def reader(merchant, *scopes) -> tuple[ApiToken, str]:
    return api_token_create(merchant=merchant, name="ERP", scopes=scopes or [ApiScope.READ_ORDERS])


def get(client, path, raw):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {raw}")


def burst_until_refused(client, raw, settings, limit=10) -> list:
    settings.API_RATE_BURST = 3
    settings.API_RATE_PER_SECOND = 0.2  # one back every 5 s: none refill during the test
    return [get(client, "/api/v1/orders/", raw) for _ in range(limit)]


@pytest.mark.usefixtures("needs_redis")
def test_a_token_past_its_burst_is_answered_429_with_retry_after_in_redis(
    client, merchant, settings
):
    _, raw = reader(merchant)
    _, other = reader(merchant)
    answers = burst_until_refused(client, raw, settings, limit=5)
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert 1 <= int(answers[3]["Retry-After"]) <= 5
    assert answers[3].json()["errors"][0]["message"].startswith("too many requests")
    assert get(client, "/api/v1/orders/", other).status_code == 200  # each token its own bucket


def test_without_redis_the_limit_lives_in_djangos_cache(client, merchant, settings):
    settings.REDIS_URL = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    _, raw = reader(merchant)
    answers = burst_until_refused(client, raw, settings, limit=4)
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[3]["Retry-After"]) >= 1


def test_an_unreachable_rate_store_lets_requests_through(client, merchant, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    _, raw = reader(merchant)
    assert get(client, "/api/v1/orders/", raw).status_code == 200


def test_every_request_is_logged_with_token_path_status_and_time(client, merchant):
    token, raw = reader(merchant)
    get(client, "/api/v1/orders/", raw)
    get(client, "/api/v1/orders/NOPE-1/", raw)
    client.get("/api/v1/orders/")  # no token: logged without one
    rows = list(ApiRequest.objects.order_by("id"))
    assert [(r.token_id, r.token_prefix, r.method, r.path, r.status) for r in rows] == [
        (token.pk, token.prefix, "GET", "/api/v1/orders/", 200),
        (token.pk, token.prefix, "GET", "/api/v1/orders/NOPE-1/", 404),
        (None, "", "GET", "/api/v1/orders/", 401),
    ]
    assert all(r.duration_ms >= 0 and r.merchant_id in (merchant.pk, None) for r in rows)


def test_the_nightly_purge_forgets_requests_past_their_retention(client, merchant, settings):
    settings.API_REQUEST_KEEP_DAYS = 30
    _, raw = reader(merchant)
    get(client, "/api/v1/orders/", raw)
    get(client, "/api/v1/orders/", raw)
    old = ApiRequest.objects.order_by("id").first()
    ApiRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert api_requests_purge_task() == 1
    assert ApiRequest.objects.count() == 1
    assert api_requests_purge() == 0


def test_tokens_made_before_scopes_keep_writing_orders(merchant):
    token, _ = api_token_create(merchant=merchant, name="Storefront")
    assert token.scopes == [ApiScope.WRITE_ORDERS]
    assert ApiToken._meta.get_field("scopes").get_default() == ["orders:write"]


def test_the_owner_chooses_a_tokens_scopes_on_the_settings_screen(client, merchant):
    login(client, member(merchant, Role.OWNER))
    page = client.post(
        reverse("api-token-list"),
        {"name": "ERP", "scopes": [ApiScope.READ_ORDERS, ApiScope.READ_CUSTOMERS]},
    )
    assert page.status_code == 200
    token = ApiToken.objects.get()
    assert token.scopes == [ApiScope.READ_ORDERS, ApiScope.READ_CUSTOMERS]
    listing = client.get(reverse("api-token-list")).content.decode()
    assert "Read customers&#x27; data" in listing or "Read customers' data" in listing
    refused = client.post(reverse("api-token-list"), {"name": "Bad", "scopes": ["orders:delete"]})
    assert refused.status_code == 422
    assert ApiToken.objects.count() == 1


def test_the_openapi_document_is_served_and_lists_every_path(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/v1/orders/",
        "/api/v1/orders/{order_id}/",
        "/api/v1/orders/{order_id}/events/",
        "/api/v1/auto-orders/",
        "/api/v1/auto-orders/{code}/",
        "/api/v1/chargebacks/",
        "/api/v1/chargebacks/{chargeback_id}/",
        "/api/v1/cases/",
        "/api/v1/cases/{case_id}/",
    }
    assert set(document["paths"]["/api/v1/orders/"]) == {"get", "post"}
    order = document["components"]["schemas"]["OrderDocument"]
    assert {"customer", "lines", "transactions", "shipments", "costs", "tags"} <= set(
        order["properties"]
    )
    assert document["info"]["title"] == api.title  # generated from the code


def test_the_docs_page_uses_only_the_apps_own_files(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def test_support_staff_read_the_request_log_in_the_admin(admin_client, merchant):
    token, raw = reader(merchant)
    get(admin_client, "/api/v1/orders/", raw)
    page = admin_client.get(reverse("admin:orders_apirequest_changelist"))
    assert page.status_code == 200
    assert token.prefix in page.content.decode()
    assert admin_client.get(reverse("admin:orders_apirequest_add")).status_code == 403


def test_token_calls_need_no_csrf_token_through_the_request_log_wrapper(merchant):
    from django.test import Client

    from tests.orders.test_intake_api import body

    _, raw = api_token_create(merchant=merchant, name="Storefront")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/api/v1/orders/",
        body(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 201
