"""The plain stage lists and View All Orders: scope, search, keyset pages, query count."""

import re

import pytest
from django.utils import timezone

from orders.models import Order
from orders.states import STAGE_SCREENS, PaymentMethod
from tests.factories import place

from .conftest import ar_order

pytestmark = pytest.mark.django_db


def listed_ids(response) -> list[str]:
    return re.findall(r'<td><a href="/orders/([A-Z]+-\d+)/">', response.content.decode())


def test_stage_list_shows_exactly_that_stages_live_orders_of_the_merchant(
    manager_client, merchant, other_merchant
):
    ar_one, ar_two = ar_order(merchant), ar_order(merchant)
    place(merchant)  # shipping
    deleted = ar_order(merchant)
    Order.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    ar_order(other_merchant)

    response = manager_client.get("/stages/accounts-receivable/")

    assert response.status_code == 200
    assert listed_ids(response) == [ar_two.order_id, ar_one.order_id]  # newest first


def test_quote_requests_screen_covers_both_quote_stages(manager_client, merchant):
    quote = place(merchant, method=PaymentMethod.QUOTE_REQUEST, card=None)
    place(merchant)

    response = manager_client.get("/stages/quote-requests/")

    assert listed_ids(response) == [quote.order_id]


def test_every_registered_slug_renders_and_unknown_slug_is_404(manager_client):
    for screen in STAGE_SCREENS:
        assert manager_client.get(f"/stages/{screen.slug}/").status_code == 200, screen.slug
    assert manager_client.get("/stages/nowhere/").status_code == 404


def test_all_orders_lists_every_live_order(manager_client, merchant):
    orders = [place(merchant), ar_order(merchant)]

    response = manager_client.get("/orders/")

    assert set(listed_ids(response)) == {order.order_id for order in orders}


def test_search_matches_exact_order_id_or_email(manager_client, merchant):
    ann = place(merchant, email="ann@example.com")
    bo = place(merchant, email="Bo@Example.com")

    by_id = manager_client.get("/orders/", {"q": ann.order_id.lower()})
    by_email = manager_client.get("/orders/", {"q": "bo@example.com"})

    assert listed_ids(by_id) == [ann.order_id]
    assert listed_ids(by_email) == [bo.order_id]


def test_keyset_pages_walk_older_and_back_newer(manager_client, merchant, monkeypatch):
    monkeypatch.setattr("lifecycle.views.orders.PAGE_SIZE", 2)
    orders = [place(merchant) for _ in range(5)]
    newest_first = [order.order_id for order in reversed(orders)]

    first = manager_client.get("/orders/")
    assert listed_ids(first) == newest_first[:2]
    assert 'rel="prev"' not in first.content.decode()
    older = re.search(r'rel="next" href="([^"]+)"', first.content.decode()).group(1)

    second = manager_client.get("/orders/" + older.replace("&amp;", "&"))
    assert listed_ids(second) == newest_first[2:4]
    newer = re.search(r'rel="prev" href="([^"]+)"', second.content.decode()).group(1)

    back = manager_client.get("/orders/" + newer.replace("&amp;", "&"))
    assert listed_ids(back) == newest_first[:2]
    assert 'rel="prev"' not in back.content.decode()


def test_list_query_count_is_constant(manager_client, merchant, django_assert_max_num_queries):
    place(merchant)
    manager_client.get("/orders/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one_row:
        manager_client.get("/orders/")
    for _ in range(10):
        place(merchant)

    with django_assert_max_num_queries(len(one_row)):
        response = manager_client.get("/orders/")
    assert len(listed_ids(response)) == 11
