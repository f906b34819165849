"""Words people read: one message per fault, amounts that mean what they say."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import AutoOrder
from orders.services.auto_orders.actions import auto_order_cancel
from tests.factories import place
from tests.lifecycle.conftest import ar_order
from tests.lifecycle.entry_helpers import entry_data
from tests.orders.auto_orders import subscribe
from tests.orders.disputes import open_chargeback

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lines", [[], [{}]], ids=["no line", "a blank line"])
def test_an_entry_without_lines_says_so_once_in_words_about_lines(manager_client, lines):
    response = manager_client.post(reverse("order-create"), entry_data(lines=lines))

    body = response.content.decode()
    assert response.status_code == 422
    assert body.count("Add at least one line to the order.") == 1
    assert "Please submit" not in body
    assert 'class="errorlist nonform"' not in body


def test_an_open_chargeback_shows_its_disputed_amount_not_a_zero_total(manager_client, merchant):
    order = place(merchant, price=Decimal("2165.91"))
    chargeback = open_chargeback(order, amount="2165.91")

    body = manager_client.get(reverse("chargeback-detail", args=[chargeback.pk])).content.decode()

    assert "Disputed while open: <strong>2,165.91</strong>" in body
    assert "Chargeback total on the order (lost)" not in body


def test_a_cancelled_auto_order_shows_no_next_rebill_date(manager_client, merchant):
    auto_order = subscribe(merchant, schedule="weekly", on=timezone.localdate())
    rebill_on = auto_order.next_rebill_on.isoformat()
    assert rebill_on in manager_client.get(f"/auto-orders/{auto_order.code}/").content.decode()

    auto_order_cancel(auto_order=auto_order, by=None, reason="Customer asked")

    page = manager_client.get(f"/auto-orders/{auto_order.code}/").content.decode()
    listed = manager_client.get("/auto-orders/").content.decode()
    assert rebill_on not in page
    assert "<strong data-next-rebill>—</strong>" in page
    assert rebill_on not in listed


def test_auto_order_payment_reads_method_and_card_brand_by_name(manager_client, merchant):
    auto_order = subscribe(merchant)
    AutoOrder.objects.filter(pk=auto_order.pk).update(card_brand="amex")

    page = manager_client.get(f"/auto-orders/{auto_order.code}/").content.decode()

    assert "Credit card · American Express ·" in page
    assert "credit_card · amex" not in page


def test_a_bulk_action_on_one_order_says_one_order(manager_client, merchant):
    order = ar_order(merchant)

    response = manager_client.post(
        "/stages/accounts-receivable/bulk/",
        {
            "operation": "append_note",
            "order": [order.pk],
            "append_note-text": "Called",
            "query": "",
        },
        follow=True,
    )

    shown = [str(message) for message in response.context["messages"]]
    assert any(text.endswith("on 1 order.") for text in shown), shown
    assert not any("1 orders" in text for text in shown)
