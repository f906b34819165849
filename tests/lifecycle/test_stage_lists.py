"""The generic list screen: scope per stage screen, sorting, keyset pages, counts, columns,
saved views, htmx partials and query counts."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.seed import orders_seed
from lifecycle.models import SavedView
from orders.models import Order
from orders.selectors.lists import ListCount, order_count_get, order_list_for_screen
from orders.selectors.search import order_search, order_search_count_probes
from orders.states import STAGE_SCREENS, Stage
from tests.factories import DECLINE_CARD, member, place
from tests.orders.builders import order_in_stage

from .conftest import ar_order
from .lists import link, listed_ids, row_classes, set_fields, soft_delete

pytestmark = pytest.mark.django_db


def test_every_stage_screen_lists_exactly_the_merchants_live_orders_in_its_stages(
    manager_client, merchant, other_merchant
):
    mine = {stage: order_in_stage(merchant, stage) for stage in Stage.values}
    for stage in (Stage.ACCOUNTS_RECEIVABLE, Stage.SHIPPING, Stage.QUOTE_SENT):
        soft_delete(order_in_stage(merchant, stage))
        order_in_stage(other_merchant, stage)

    for screen in STAGE_SCREENS:
        response = manager_client.get(f"/stages/{screen.slug}/")
        assert response.status_code == 200, screen.slug
        expected = {mine[stage].order_id for stage in screen.stages}
        assert set(listed_ids(response)) == expected, screen.slug

    everything = manager_client.get("/orders/", {"per_page": 100})
    assert set(listed_ids(everything)) == {order.order_id for order in mine.values()}


def test_unknown_stage_slug_is_404(manager_client):
    assert manager_client.get("/stages/nowhere/").status_code == 404


def test_list_needs_a_member_of_the_merchant(client, merchant, other_merchant):
    place(merchant)
    client.force_login(member(other_merchant, "manager", username="outsider"))

    response = client.get("/orders/")

    assert response.status_code == 200
    assert listed_ids(response) == []


def test_default_order_is_newest_first(manager_client, merchant):
    orders = [ar_order(merchant) for _ in range(3)]

    response = manager_client.get("/stages/accounts-receivable/")

    assert listed_ids(response) == [o.order_id for o in reversed(orders)]


def test_sorting_by_total_both_ways_breaks_ties_by_order_number(manager_client, merchant):
    cheap, dear, tie_a, tie_b = (place(merchant, price=Decimal(p)) for p in (5, 50, 20, 20))

    ascending = listed_ids(manager_client.get("/orders/", {"sort": "total"}))
    descending = listed_ids(manager_client.get("/orders/", {"sort": "-total"}))

    assert ascending == [o.order_id for o in (cheap, tie_a, tie_b, dear)]
    assert descending == [o.order_id for o in (dear, tie_b, tie_a, cheap)]


def test_sorting_by_age_puts_the_oldest_in_stage_last_when_ascending(manager_client, merchant):
    old, new = place(merchant), place(merchant)
    set_fields(old, stage_entered_at=timezone.now() - timedelta(days=9))

    ascending = listed_ids(manager_client.get("/stages/shipping/", {"sort": "age"}))
    descending = listed_ids(manager_client.get("/stages/shipping/", {"sort": "-age"}))

    assert ascending == [new.order_id, old.order_id]
    assert descending == [old.order_id, new.order_id]


def test_sorting_on_an_unindexed_column_is_ignored(manager_client, merchant):
    orders = [place(merchant) for _ in range(2)]

    response = manager_client.get("/orders/", {"sort": "company"})

    assert listed_ids(response) == [o.order_id for o in reversed(orders)]


def _walk(client, url, params, rel):
    """Follow `rel` links from the first page; every page's IDs in visiting order."""
    response = client.get(url, params)
    pages = [listed_ids(response)]
    while (href := link(response, rel)) is not None:
        response = client.get(url + href)
        pages.append(listed_ids(response))
    return pages, response


@pytest.mark.parametrize("sort", ["-number", "total", "-placed", "age"])
def test_keyset_pages_walk_older_then_back_newer_without_gaps_or_repeats(
    manager_client, merchant, sort
):
    orders = [place(merchant, price=Decimal(10 + n % 3)) for n in range(7)]
    base = timezone.now() - timedelta(days=1)
    for n, order in enumerate(orders):  # equal placed times in pairs: ties cross page edges
        set_fields(order, placed_at=base + timedelta(minutes=n // 2))
    full = listed_ids(manager_client.get("/orders/", {"sort": sort, "per_page": 100}))

    forward, last = _walk(manager_client, "/orders/", {"sort": sort, "per_page": 10}, "next")
    assert forward == [full]  # one page of 10 holds 7

    import lifecycle.views.lists as lists

    sizes = lists.PAGE_SIZES
    lists.PAGE_SIZES = (*sizes, 3)
    try:
        forward, last = _walk(manager_client, "/orders/", {"sort": sort, "per_page": 3}, "next")
        assert forward == [full[0:3], full[3:6], full[6:7]]
        assert link(last, "next") is None
        backward = [listed_ids(last)]
        response = last
        while (href := link(response, "prev")) is not None:
            response = manager_client.get("/orders/" + href)
            backward.append(listed_ids(response))
        assert backward == [full[6:7], full[3:6], full[0:3]]
        assert link(response, "prev") is None
    finally:
        lists.PAGE_SIZES = sizes


def test_a_tampered_cursor_shows_the_first_page(manager_client, merchant):
    order = place(merchant)

    response = manager_client.get("/orders/", {"sort": "total", "after": "zzz~x"})

    assert listed_ids(response) == [order.order_id]


def test_query_count_is_the_same_for_10_and_100_rows_per_page(
    manager_client, merchant, django_assert_max_num_queries
):
    for n in range(100):
        order = ar_order(merchant, email=f"b{n}@example.com") if n % 2 else place(merchant)
        if n % 10 == 0:
            set_fields(order, is_test=True, fraud_score=80)
    rejected = order_in_stage(merchant, Stage.REJECTED)
    manager_client.get("/orders/")
    for extra in ({}, {"q": "*", "sort": "total"}):  # unfiltered, and filtered and sorted
        with CaptureQueriesContext(connection) as ten:
            response = manager_client.get("/orders/", {"per_page": 10, **extra})
        assert len(listed_ids(response)) == 10

        cols = ["rejected_by", "reject_reason", "fraud", "company"]
        with django_assert_max_num_queries(len(ten)):
            response = manager_client.get("/orders/", {"per_page": 100, "cols": cols, **extra})
        assert len(listed_ids(response)) == 100
    assert rejected.order_id in listed_ids(manager_client.get("/orders/", {"per_page": 10}))


def test_highlights_are_row_classes(manager_client, merchant):
    merchant.stage_age_limits = {"accounts_receivable": 3}
    merchant.save()
    declined = place(merchant, card=DECLINE_CARD)
    overdue = set_fields(ar_order(merchant), stage_entered_at=timezone.now() - timedelta(days=5))
    fresh = ar_order(merchant)
    test = set_fields(ar_order(merchant), is_test=True)
    risky = set_fields(ar_order(merchant), fraud_score=merchant.fraud_review_threshold)

    response = manager_client.get("/stages/accounts-receivable/")

    classes = row_classes(response)
    assert "row-declined" in classes[declined.order_id]
    assert "row-overdue" in classes[overdue.order_id]
    assert "overdue" in response.content.decode()
    assert "row-test" in classes[test.order_id]
    assert "row-fraud" in classes[risky.order_id]
    assert not {c for c in classes[fresh.order_id] if c.startswith("row-")}


def test_stage_specific_columns(manager_client, merchant):
    held = order_in_stage(merchant, Stage.HOLD)
    set_fields(held, hold_until=timezone.now().date() + timedelta(days=3))
    rejected = order_in_stage(merchant, Stage.REJECTED)

    hold_page = manager_client.get("/stages/hold/").content.decode()
    rejected_page = manager_client.get("/stages/rejected/").content.decode()
    shipping_page = manager_client.get("/stages/shipping/").content.decode()

    assert "Hold reason" in hold_page
    assert "Address check" in hold_page
    assert "Release on" in hold_page
    assert held.hold_until.isoformat() in hold_page
    assert "Rejected by" in rejected_page
    assert rejected.reject_reason in rejected_page
    assert "Shipping method" in shipping_page
    assert "Destination" in shipping_page


def test_column_chooser_shows_only_the_chosen_columns_and_always_the_order_id(
    manager_client, merchant
):
    order = place(merchant, company="Acme Ltd")

    response = manager_client.get("/orders/", {"cols": ["company", "total"]})

    body = response.content.decode()
    headers = re.findall(r"<th scope=\"col\"[^>]*>(?:<a [^>]*>)?([^<]+)", body)
    assert headers == ["Order ▼", "Total", "Company"]
    assert "Acme Ltd" in body
    assert ">Customer<" not in body
    assert listed_ids(response) == [order.order_id]


def test_saved_view_round_trip(manager_client, manager, merchant):
    place(merchant, email="ann@example.com")
    query = "q=ann%40example.com&sort=-total&cols=company&after=5"

    response = manager_client.post(
        "/saved-views/", {"screen": "shipping", "name": "Ann's", "query": query}
    )

    view = SavedView.objects.get(user=manager, merchant=merchant)
    assert (view.screen, view.name) == ("shipping", "Ann's")
    assert view.query == "q=ann%40example.com&sort=-total&cols=company"
    assert view.columns == ["order_id", "company"]
    assert response.status_code == 302
    assert response["Location"] == f"/stages/shipping/?{view.query}"
    page = manager_client.get("/stages/shipping/").content.decode()
    assert f'href="/stages/shipping/?{view.query.replace("&", "&amp;")}">Ann&#x27;s</a>' in page

    other = member(merchant, "service")
    manager_client.force_login(other)
    assert manager_client.post(f"/saved-views/{view.pk}/delete/").status_code == 302
    assert SavedView.objects.filter(pk=view.pk).exists()
    manager_client.force_login(manager)
    manager_client.post(f"/saved-views/{view.pk}/delete/", {"screen": "shipping"})
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_saving_a_view_without_a_name_is_refused(manager_client, manager):
    manager_client.post("/saved-views/", {"screen": "all", "name": " ", "query": "q=x"})

    assert not SavedView.objects.exists()


def test_htmx_request_returns_only_the_results_partial(manager_client, merchant):
    order = place(merchant)

    full = manager_client.get("/orders/").content.decode()
    partial = manager_client.get("/orders/", HTTP_HX_REQUEST="true").content.decode()

    assert "<html" in full
    assert 'id="filters"' in full
    assert "<html" not in partial
    assert 'id="filters"' not in partial
    assert partial.lstrip().startswith('<div id="results"')
    assert order.order_id in partial


def test_count_is_exact_below_the_limit_and_estimated_above_on_postgres(merchant):
    for _ in range(4):
        place(merchant)
    queryset = order_list_for_screen(merchant=merchant)

    assert order_count_get(queryset, limit=10).value == 4
    assert not order_count_get(queryset, limit=10).estimated
    above = order_count_get(queryset, limit=2)
    assert above.value >= 3
    assert above.estimated == (connection.vendor == "postgresql")
    if connection.vendor != "postgresql":
        assert above.value == 4


@pytest.mark.usefixtures("needs_postgres")
def test_a_searched_count_past_the_limit_in_one_part_counts_only_that_part(merchant):
    """A postal code's start finds orders by their billing or their shipping code: counting
    the whole builds a bitmap of every match before its LIMIT, counting the billing part alone
    reads its index up to the limit."""
    for _ in range(4):
        place(merchant)  # billed and shipped to 12345
    queryset = order_search(order_list_for_screen(merchant=merchant), "123")
    whole = str(queryset.query)

    with CaptureQueriesContext(connection) as queries:
        count = order_count_get(queryset, limit=2, probes=order_search_count_probes("123"))

    assert count.estimated
    assert count.value >= 3
    counted = [query["sql"] for query in queries if "COUNT(" in query["sql"]]
    assert len(counted) == 1
    assert counted[0].count("billing_postal_code") > whole.count("billing_postal_code")
    assert order_count_get(queryset, limit=10, probes=order_search_count_probes("123")) == (
        ListCount(4)
    )


def test_summary_shows_how_many_match(manager_client, merchant):
    place(merchant, email="x@example.com")
    place(merchant)

    body = manager_client.get("/orders/", {"q": "x@example.com"}).content.decode()

    assert re.search(r'id="list-count">1</span> order match', body)


def orders_queries(queries) -> list[str]:
    return [query["sql"] for query in queries if '"orders_order"' in query["sql"]]


def test_a_search_whose_matches_fit_on_one_page_is_counted_from_the_page(manager_client, merchant):
    for _ in range(3):
        place(merchant, email="x@example.com")
    place(merchant)

    with CaptureQueriesContext(connection) as queries:
        body = manager_client.get("/orders/", {"q": "x@example.com"}).content.decode()

    assert re.search(r'id="list-count">3</span> orders match', body)
    assert not [sql for sql in orders_queries(queries) if sql.startswith("SELECT COUNT")]


def test_a_search_past_a_page_is_still_counted(manager_client, merchant):
    orders_seed(merchant=merchant, count=12)

    first = manager_client.get("/orders/", {"q": "bulk", "per_page": 10})
    second = manager_client.get("/orders/" + link(first, "next"))

    assert re.search(r'id="list-count">12</span> orders match', first.content.decode())
    assert re.search(r'id="list-count">12</span> orders match', second.content.decode())


@pytest.mark.usefixtures("needs_postgres")
@pytest.mark.parametrize("sort", ["-number", "number"])
def test_a_mid_size_search_reads_its_numbers_once_for_its_page_and_its_count(
    manager_client, merchant, sort
):
    """51 to 1,000 matches: one read of their order numbers gives the page and the count;
    the pages, forward and back, are those the keyset pages give."""
    orders_seed(merchant=merchant, count=23)
    expected = list(
        Order.objects.filter(merchant=merchant)
        .order_by(("-" if sort == "-number" else "") + "order_number")
        .values_list("order_id", flat=True)
    )
    params = {"q": "bulk", "per_page": 10, "sort": sort}

    with CaptureQueriesContext(connection) as queries:
        first = manager_client.get("/orders/", params)
    counted = [sql for sql in orders_queries(queries) if sql.startswith("SELECT COUNT")]
    second = manager_client.get("/orders/" + link(first, "next"))
    third = manager_client.get("/orders/" + link(second, "next"))
    back = manager_client.get("/orders/" + link(third, "prev"))

    assert listed_ids(first) + listed_ids(second) + listed_ids(third) == expected
    assert listed_ids(back) == listed_ids(second)
    assert link(third, "next") is None
    assert link(first, "prev") is None
    for page in (first, second, third, back):
        assert re.search(r'id="list-count">23</span> orders match', page.content.decode())
    assert not counted


def test_a_search_sorted_by_another_column_is_paged_and_counted_as_before(manager_client, merchant):
    orders_seed(merchant=merchant, count=12)

    first = manager_client.get("/orders/", {"q": "bulk", "per_page": 10, "sort": "-total"})
    second = manager_client.get("/orders/" + link(first, "next"))

    assert len(set(listed_ids(first) + listed_ids(second))) == 12
    assert re.search(r'id="list-count">12</span> orders match', second.content.decode())


@pytest.mark.usefixtures("needs_postgres")
def test_an_estimate_far_past_the_limit_is_shown_without_counting(merchant):
    orders_seed(merchant=merchant, count=40)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
    queryset = order_list_for_screen(merchant=merchant).filter(total__gte=0)

    with CaptureQueriesContext(connection) as queries:
        far = order_count_get(queryset, limit=3)  # an estimate of ~40 is 10 times the limit
    near = order_count_get(queryset, limit=50)

    assert far.estimated
    assert far.value >= 30
    assert not [sql for sql in orders_queries(queries) if sql.startswith("SELECT COUNT")]
    assert near == ListCount(40)


def test_find_box_falls_back_to_the_search_list(manager_client, merchant):
    response = manager_client.get("/find/", {"q": "nobody@example.com"})

    assert response["Location"] == "/orders/?q=nobody%40example.com"
    assert Order.objects.count() == 0
