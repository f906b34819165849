"""Hostile values in query strings, forms and the intake API: a message or an empty result,
never a server error."""

from datetime import date
from decimal import Decimal

import pytest

from orders.models import Chargeback, Order
from orders.pricing import AmountTooLarge
from orders.services.api_tokens import api_token_create
from orders.services.chargebacks import chargeback_open
from tests.factories import place
from tests.orders.test_intake_api import body, post

HUGE = "99999999999999999999999"
OK = {200, 302, 400, 404, 422}


@pytest.fixture
def order(merchant):
    return place(merchant)


@pytest.mark.parametrize(
    "url",
    [
        f"/cases/?waiting_days={HUGE}",
        f"/chargebacks/?due_within={HUGE}",
        "/find/?q=DEMO%00",
        "/orders/print/packing-slips/?ids=DEMO%00",
        "/orders/new/?clone=DEMO%00",
    ],
)
def test_hostile_query_strings_never_answer_500(needs_postgres, manager_client, order, url):
    response = manager_client.get(url)
    assert response.status_code in OK


def test_batch_date_range_ending_at_the_last_day_is_accepted(needs_postgres, manager_client, order):
    response = manager_client.post(
        "/tools/batch/",
        {
            "kind": "dates",
            "date_field": "placed",
            "date_from": "2000-01-01",
            "date_to": "9999-12-31",
            "operation": "append_note",
        },
    )
    assert response.status_code in OK


def test_live_totals_of_a_huge_quantity_and_price(needs_postgres, manager_client):
    response = manager_client.post(
        "/orders/new/totals/",
        {
            "lines-TOTAL_FORMS": "1",
            "lines-0-quantity": "1" + "0" * 30,
            "lines-0-unit_price": "9" * 30,
        },
    )
    assert response.status_code in OK


@pytest.mark.parametrize(
    "change",
    [
        {"first_name": "Eve\x00"},
        {"lines": [{"description": "W\x00", "quantity": 1, "unit_price": "1.00"}]},
        {"lines": [{"description": "W", "quantity": 10**30, "unit_price": "1.00"}]},
        {"lines": [{"description": "W", "quantity": 1, "unit_price": "1" + "0" * 30}]},
    ],
)
def test_hostile_intake_fields_are_refused_with_their_path(
    needs_postgres, client, merchant, change
):
    _, raw = api_token_create(merchant=merchant, name="Storefront")
    response = post(client, body(**change), raw)
    assert response.status_code == 422, response.content
    assert Order.objects.count() == 0


def test_a_nul_in_a_query_string_is_refused_with_a_message(needs_postgres, manager_client, order):
    response = manager_client.get("/find/", {"q": f"{order.order_id}\x00"})
    assert response.status_code == 400
    assert b"NUL character" in response.content


@pytest.mark.parametrize(
    ("url", "name"), [("/cases/", "waiting_days"), ("/chargebacks/", "due_within")]
)
def test_a_day_count_past_ten_years_is_an_empty_list(needs_postgres, manager_client, url, name):
    response = manager_client.get(url, {name: HUGE})
    assert response.status_code == 200
    assert response.context["filter"].errors[name]
    assert not response.context["object_list"]


def test_live_totals_say_an_amount_is_too_large(needs_postgres, manager_client):
    response = manager_client.post(
        "/orders/new/totals/",
        {
            "lines-TOTAL_FORMS": "2",
            "lines-0-quantity": "1000",
            "lines-0-unit_price": "9999999.00",
            "lines-1-quantity": "1000",
            "lines-1-unit_price": "9999999.00",
        },
    )
    assert response.status_code == 200
    assert "larger than 9,999,999,999.99 allows" in response.content.decode()


def test_a_chargeback_report_with_a_stray_carriage_return_is_refused_with_a_message(
    needs_postgres, manager_client, order
):
    content = (
        "case_number,order_id,reason_code,amount,date,deadline\n" + f'CB-1,"{order.order_id}\r'
    )
    content += 'x",13.1,1.00,2026-01-01,2026-02-01\n' + 'CB-2,a"b\rc,13.1,1.00,2026-01-01,2026\n'
    response = manager_client.post("/chargebacks/import/", {"content": content}, follow=True)
    assert response.status_code == 200
    assert not Chargeback.objects.exists()


def test_a_chargeback_larger_than_an_amount_column_holds_is_refused(needs_postgres, manager, order):
    with pytest.raises(AmountTooLarge):
        chargeback_open(
            order=order,
            case_number="CB-9",
            reason_code="13.1",
            amount=Decimal("99999999999.00"),
            respond_by=date(2026, 2, 1),
            by=manager,
        )
    assert not Chargeback.objects.exists()
