"""Each stage screen's own columns right after Order, Accounts Receivable's facts from other
rows in one query per page, and the column choice saved per user and screen."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lifecycle.models import ColumnChoice
from lifecycle.screens import list_screen_get
from orders.models import OrderEvent
from orders.services.receivables import receivable_retry_due
from orders.states import STAGE_SCREENS, Stage
from tests.factories import DECLINE_CARD, INSUFFICIENT_FUNDS_CARD, member, place
from tests.orders.builders import order_in_stage

from .conftest import ar_order, login
from .lists import listed_ids, set_fields

pytestmark = pytest.mark.django_db

# What the issue asks each stage screen to show right after Order.
OWN_COLUMNS = {
    "hold": ["Hold reason", "Held since", "Release on"],
    "quote-requests": ["Quote sent", "Expires"],
    "shipping": ["Shipping method", "Destination", "Age"],
    "accounts-receivable": ["Last attempt", "Next retry", "Decline reason"],
    "fraud-review": ["Fraud score", "Top rule"],
    "pending-clearance": ["Method", "Submitted"],
}


def headers(response) -> list[str]:
    body = response.content.decode()
    found = re.findall(r"<th scope=\"col\"[^>]*>(?:<a [^>]*>)?([^<]+)", body)
    return [text.replace("▼", "").replace("▲", "").strip() for text in found]


def cells(response, order_id: str) -> list[str]:
    body = response.content.decode()
    row = re.search(rf'<tr[^>]*data-order-id="{order_id}"[^>]*>(.*?)</tr>', body, re.S)
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]


@pytest.mark.parametrize("slug", sorted(OWN_COLUMNS))
def test_each_stage_screen_shows_its_own_columns_right_after_order(manager_client, slug):
    response = manager_client.get(f"/stages/{slug}/")

    own = OWN_COLUMNS[slug]
    assert headers(response)[: 1 + len(own)] == ["Order", *own]


def test_every_screen_defaults_to_at_most_eight_columns_after_the_checkbox():
    for screen in STAGE_SCREENS:
        columns = list_screen_get(screen.slug).default_columns
        assert columns[0] == "order_id", screen.slug
        assert len(columns) <= 8, screen.slug


def test_hold_fraud_and_clearance_columns_show_the_orders_facts(manager_client, merchant):
    held = order_in_stage(merchant, Stage.HOLD)
    set_fields(held, hold_until=timezone.localdate() + timedelta(days=4))
    risky = order_in_stage(merchant, Stage.FRAUD_REVIEW)
    clearing = order_in_stage(merchant, Stage.PENDING_CLEARANCE)

    hold = cells(manager_client.get("/stages/hold/"), held.order_id)
    fraud = cells(manager_client.get("/stages/fraud-review/"), risky.order_id)
    clearance = cells(manager_client.get("/stages/pending-clearance/"), clearing.order_id)

    entered = timezone.localtime(held.stage_entered_at).date().isoformat()
    assert hold[1:5] == [held.order_id, "Address check", entered, held.hold_until.isoformat()]
    top = max(risky.fraud_reasons, key=lambda hit: hit["points"])
    assert fraud[2:4] == [str(risky.fraud_score), f"+{top['points']} {top['reason']}"]
    submitted = timezone.localtime(clearing.stage_entered_at).strftime("%Y-%m-%d %H:%M")
    assert clearance[2:4] == ["E-check", submitted]


def test_receivables_show_last_attempt_decline_reason_and_next_retry(manager_client, merchant):
    merchant.ar_retry_days = [1, 3]
    merchant.save()
    tried = place(merchant, card=DECLINE_CARD, email="bo@example.com")
    placed_on = timezone.localdate(tried.placed_at)
    receivable_retry_due(today=placed_on + timedelta(days=1))  # its first retry, declined
    declined = place(merchant, card=INSUFFICIENT_FUNDS_CARD)
    untouched = ar_order(merchant, email="cy@example.com")  # card on file, never charged

    response = manager_client.get("/stages/accounts-receivable/")

    last = declined.transactions.order_by("-created_at", "-id").first()
    row = cells(response, declined.order_id)
    assert row[2] == timezone.localtime(last.created_at).strftime("%Y-%m-%d %H:%M")
    assert row[3] == (placed_on + timedelta(days=1)).isoformat()
    assert row[4] == last.message
    assert "insufficient" in row[4].lower()
    assert cells(response, tried.order_id)[3] == (placed_on + timedelta(days=3)).isoformat()
    assert OrderEvent.objects.filter(order=tried, type="order_ar_retried").count() == 1
    assert cells(response, untouched.order_id)[2:5] == [
        "—",
        (placed_on + timedelta(days=1)).isoformat(),
        "—",
    ]


def test_receivable_columns_cost_the_same_queries_for_10_and_100_rows(
    manager_client, merchant, django_assert_max_num_queries
):
    merchant.ar_retry_days = [1]
    merchant.save()
    for n in range(100):
        place(merchant, card=DECLINE_CARD, email=f"r{n}@example.com")
    url = "/stages/accounts-receivable/"
    manager_client.get(url)
    with CaptureQueriesContext(connection) as ten:
        response = manager_client.get(url, {"per_page": 10})
    assert len(listed_ids(response)) == 10

    with django_assert_max_num_queries(len(ten)):
        response = manager_client.get(url, {"per_page": 100})
    assert len(listed_ids(response)) == 100
    assert all(cells(response, order_id)[4] != "—" for order_id in listed_ids(response))


def test_a_column_choice_is_saved_per_user_and_screen_and_shown_on_the_next_visit(
    client, manager_client, manager, merchant
):
    held = order_in_stage(merchant, Stage.HOLD)

    response = manager_client.post(
        "/list-columns/",
        {"screen": "hold", "cols": ["hold_reason", "company", "total"], "query": "q=ann&cols=x"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/stages/hold/?q=ann"
    choice = ColumnChoice.objects.get(user=manager, merchant=merchant, screen="hold")
    assert choice.columns == ["order_id", "hold_reason", "total", "company"]
    page = manager_client.get("/stages/hold/")
    assert headers(page) == ["Order", "Hold reason", "Total", "Company"]
    assert listed_ids(page) == [held.order_id]
    # Other screens and other people keep their defaults.
    assert headers(manager_client.get("/stages/shipping/"))[1] == "Shipping method"
    login(client, member(merchant, "service"))
    assert headers(client.get("/stages/hold/"))[1] == "Hold reason"
    assert headers(client.get("/stages/hold/"))[2] == "Held since"


def test_columns_in_the_url_win_over_the_saved_choice(manager_client, manager, merchant):
    manager_client.post("/list-columns/", {"screen": "hold", "cols": ["company"]})

    response = manager_client.get("/stages/hold/", {"cols": ["total"]})

    assert headers(response) == ["Order", "Total"]


def test_default_columns_forget_the_choice(manager_client, manager):
    manager_client.post("/list-columns/", {"screen": "shipping", "cols": ["company"]})

    manager_client.post("/list-columns/", {"screen": "shipping", "reset": "1", "cols": ["company"]})

    assert not ColumnChoice.objects.exists()
    assert headers(manager_client.get("/stages/shipping/"))[1] == "Shipping method"


def test_an_htmx_column_choice_swaps_the_results_in_at_once(manager_client, manager):
    response = manager_client.post(
        "/list-columns/",
        {"screen": "all", "cols": ["company"], "query": "sort=total"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 204
    location = json.loads(response["HX-Location"])
    assert location == {"path": "/orders/?sort=total", "target": "#results", "swap": "outerHTML"}
    assert ColumnChoice.objects.get(user=manager).columns == ["order_id", "company"]


def test_the_column_chooser_is_its_own_form_that_saves_on_change(manager_client):
    body = manager_client.get("/stages/hold/").content.decode()

    form = re.search(r'<form id="columns-form"[^>]*>', body).group(0)
    assert 'hx-post="/list-columns/"' in form
    assert 'hx-trigger="change, submit"' in form
    assert 'form="filters"' not in body.split('id="columns-form"')[1].split("</form>")[0]
