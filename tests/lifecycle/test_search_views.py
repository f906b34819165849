"""Search through the screens: the find box opens an exact order ID in any form and lists the
rest; lists rank the exact order ID, then the exact email, before their sort. Runs on
PostgreSQL and SQLite (tests/orders/test_search.py::test_search_behaviour_holds_on_sqlite)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.seed import orders_seed
from orders.models import Order
from orders.selectors.lists import SEARCH_READ_WHOLE_LIMIT
from tests.factories import place

from .lists import link, listed_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(merchant):
    return [place(merchant, email=f"buyer{n}@example.com") for n in range(1, 13)]


@pytest.mark.parametrize("form", ["{id}", "{id_lower}", "{number}", "{padded}", "demo{number}"])
def test_find_box_opens_an_exact_order_id_in_any_form(manager_client, orders, form):
    order = orders[10]
    term = form.format(
        id=order.order_id,
        id_lower=order.order_id.lower(),
        number=order.order_number,
        padded=f"{order.order_number:07d}",
    )

    response = manager_client.get("/find/", {"q": term})

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.order_id}/"


def test_find_box_lists_a_bare_number_that_other_orders_have(manager_client, orders):
    """`20095` may be a postal code: the list, with the order of that number first."""
    order, hamburg = orders[10], orders[3]
    Order.objects.filter(pk=hamburg.pk).update(shipping_postal_code=f"{order.order_number:05d}")

    bare = manager_client.get("/find/", {"q": f"{order.order_number:05d}"}, follow=True)
    prefixed = manager_client.get("/find/", {"q": order.order_id})

    assert listed_ids(bare) == [order.order_id, hamburg.order_id]
    assert prefixed["Location"] == f"/orders/{order.order_id}/"


def test_find_box_lists_a_partial_email(manager_client, orders):
    response = manager_client.get("/find/", {"q": "buyer11@exa"}, follow=True)

    assert listed_ids(response) == [orders[10].order_id]


def test_find_box_ignores_another_merchants_prefix(manager_client, orders, other_merchant):
    theirs = place(other_merchant)

    response = manager_client.get("/find/", {"q": theirs.order_id})

    assert response["Location"].startswith("/orders/?q=")


def test_exact_order_id_is_ranked_first(manager_client, merchant, orders):
    newer = place(merchant, email="ref0000002@example.com")  # contains the number searched

    response = manager_client.get("/orders/", {"q": "0000002"})

    assert listed_ids(response) == [orders[1].order_id, newer.order_id]


def test_exact_email_is_ranked_before_the_lists_sort(manager_client, merchant, orders):
    newer = place(merchant, email="xbuyer1@example.com")  # contains the email searched

    response = manager_client.get("/orders/", {"q": "BUYER1@example.com"})

    assert listed_ids(response) == [orders[0].order_id, newer.order_id]


def test_ranked_rows_are_not_repeated_on_later_pages(manager_client, merchant, orders):
    for _ in range(12):
        place(merchant, email="zbuyer1@example.com")
    first = manager_client.get("/orders/", {"q": "buyer1@example.com", "per_page": 10})
    rows = listed_ids(first)
    assert rows[0] == orders[0].order_id
    second = manager_client.get("/orders/" + link(first, "next"))

    assert orders[0].order_id not in listed_ids(second)
    assert len(set(rows) | set(listed_ids(second))) == 13


def test_search_list_query_count_is_bounded(manager_client, orders, django_assert_max_num_queries):
    manager_client.get("/orders/", {"q": "buyer"})
    with CaptureQueriesContext(connection) as baseline:
        manager_client.get("/orders/")
    with django_assert_max_num_queries(len(baseline) + 4):
        response = manager_client.get("/orders/", {"q": "buyer1@example.com"})
    assert response.status_code == 200
    assert Order.objects.count() == 12


def test_a_search_of_a_few_thousand_orders_is_counted_from_their_numbers(
    needs_postgres, manager_client, merchant
):
    orders_seed(merchant=merchant, count=1005)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")

    response = manager_client.get("/orders/", {"q": "bulk"})

    assert re.search(r'id="list-count">1,005</span>', response.content.decode())
    assert len(listed_ids(response)) == 50


def test_a_search_expected_past_the_numbers_read_whole_shows_an_estimate(
    needs_postgres, manager_client, merchant
):
    orders_seed(merchant=merchant, count=SEARCH_READ_WHOLE_LIMIT + 50)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")

    response = manager_client.get("/orders/", {"q": "bulk"})

    assert re.search(r'id="list-count">about [\d,]+</span>', response.content.decode())
    assert len(listed_ids(response)) == 50
