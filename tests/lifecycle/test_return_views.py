"""Return screens: the list, a return's page and its steps, the order and customer pages, and
the customer's signed return link; who may use which, and bad input."""

import re
from decimal import Decimal

import pytest
from django.core import mail, signing
from django.test import TestCase

from orders.models import GatewayLedgerEntry, Order, OrderEvent, Return
from orders.services.quotes import QUOTE_SALT
from orders.services.returns import return_link_token
from tests.factories import member, place
from tests.lifecycle.conftest import login, one_time
from tests.orders.returns import authorized, opened, received, shipped_order

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def order(merchant):
    return shipped_order(merchant)


def line_field(order) -> str:
    return f"line_{order.lines.get().pk}"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# ---- the staff journey through the screens ---------------------------------------------------


def test_staff_open_authorize_receive_and_refund_from_the_screens(manager_client, order):
    response = manager_client.post(
        f"/orders/{order.order_id}/returns/new/",
        {
            f"return-{line_field(order)}": "1",
            "return-reason": "defective",
            "return-reason_text": "Cracked",
        },
        follow=True,
    )
    request = Return.objects.get()
    assert messages_of(response) == [f"{order.order_id}: Return request {request.pk} opened."]

    with TestCase.captureOnCommitCallbacks(execute=True):
        manager_client.post(f"/returns/{request.pk}/authorize/")
    request.refresh_from_db()
    assert request.rma_number == f"RMA-{order.order_id}-1"
    assert request.rma_number in mail.outbox[-1].body

    manager_client.post(
        f"/returns/{request.pk}/receive/", {line_field(order): "1", "condition": "opened"}
    )
    page = manager_client.get(f"/returns/{request.pk}/").content.decode()
    assert 'data-form="return-refund"' in page

    token = one_time(confirmed=False)
    asked = manager_client.post(f"/returns/{request.pk}/refund/", {line_field(order): "1", **token})
    assert "Refund 20.00" in asked.content.decode()
    assert Order.objects.get(pk=order.pk).refunded_total == D("0.00")

    data = {line_field(order): "1", "restocking_fee": "2.50", **token, "confirmed": "1"}
    done = manager_client.post(f"/returns/{request.pk}/refund/", data, follow=True)
    again = manager_client.post(f"/returns/{request.pk}/refund/", data, follow=True)

    assert Order.objects.get(pk=order.pk).refunded_total == D("17.50")
    assert GatewayLedgerEntry.objects.filter(operation="refund").count() == 1
    assert messages_of(done)[-1].startswith(f"{request.rma_number}: ")
    assert messages_of(again)[-1] == messages_of(done)[-1]
    request.refresh_from_db()
    assert (request.status, request.refunded_amount) == ("refunded", D("17.50"))
    order_page = manager_client.get(f"/orders/{order.order_id}/").content.decode()
    assert request.rma_number in order_page
    assert 'data-status="refunded"' in order_page


def test_a_refund_the_gateway_declines_reads_as_a_decline(manager_client, order):
    request = received(order, 1)
    GatewayLedgerEntry.objects.filter(operation="charge").update(reference="gone")

    response = manager_client.post(
        f"/returns/{request.pk}/refund/", {line_field(order): "1", **one_time()}, follow=True
    )

    assert "refund declined" in messages_of(response)[-1]
    assert Return.objects.get(pk=request.pk).status == "received"
    assert Order.objects.get(pk=order.pk).refunded_total == D("0.00")


def test_a_refund_post_without_its_one_time_token_is_refused(manager_client, order):
    request = received(order, 1)

    manager_client.post(
        f"/returns/{request.pk}/refund/", {line_field(order): "1", "confirmed": "1"}
    )

    assert Return.objects.get(pk=request.pk).status == "received"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "defective"}, "Choose at least one item"),
        ({"reason": "defective", "LINE": "-1"}, "greater than or equal to 0"),
        ({"reason": "defective", "LINE": "4"}, "at most 3 can be returned"),
        ({"reason": "defective", "LINE": "lots"}, "whole number"),
        ({"reason": "whim", "LINE": "1"}, "Select a valid choice"),
    ],
)
def test_bad_input_to_open_a_return_is_said_and_changes_nothing(
    manager_client, order, data, message
):
    data = {f"return-{line_field(order) if k == 'LINE' else k}": v for k, v in data.items()}

    response = manager_client.post(f"/orders/{order.order_id}/returns/new/", data, follow=True)

    assert message in messages_of(response)[-1]
    assert not Return.objects.exists()


def test_more_received_than_authorized_is_said_on_the_return_page(manager_client, order):
    request = authorized(order, 1)

    response = manager_client.post(
        f"/returns/{request.pk}/receive/",
        {line_field(order): "2", "condition": "new"},
        follow=True,
    )

    assert "at most 1 were authorized" in messages_of(response)[-1]
    assert Return.objects.get(pk=request.pk).status == "authorized"


def test_a_return_cannot_be_opened_on_an_unshipped_order(manager_client, merchant):
    unshipped = place(merchant)
    page = manager_client.get(f"/orders/{unshipped.order_id}/").content.decode()
    assert 'data-form="return-open"' not in page

    response = manager_client.post(
        f"/orders/{unshipped.order_id}/returns/new/",
        {f"return-{line_field(unshipped)}": "1", "return-reason": "defective"},
        follow=True,
    )

    assert not Return.objects.exists()
    assert messages_of(response)


# ---- the list --------------------------------------------------------------------------------


def test_the_list_filters_by_status_and_finds_by_rma_order_and_email(
    manager_client, merchant, other_merchant
):
    first = authorized(shipped_order(merchant), 1)
    second = opened(shipped_order(merchant, quantity=1), 1)
    Order.objects.filter(pk=second.order_id).update(email="bea@example.com")
    foreign = opened(shipped_order(other_merchant), 1)

    def shown(query: str) -> set[int]:
        response = manager_client.get(f"/returns/{query}")
        return {r.pk for r in response.context["returns"]}

    assert shown("") == {first.pk, second.pk}
    assert foreign.pk not in shown("")
    assert shown("?status=requested") == {second.pk}
    assert shown(f"?q={first.rma_number.lower()}") == {first.pk}
    assert shown(f"?q={second.order.order_id}") == {second.pk}
    assert shown("?q=BEA@example.com") == {second.pk}
    assert shown(f"?q={foreign.order.order_id}") == set()


def test_the_list_pages_fifty_at_a_time(manager_client, merchant):
    order = shipped_order(merchant, quantity=60)
    for _ in range(51):
        opened(order, 1)

    first = manager_client.get("/returns/")
    second = manager_client.get("/returns/?page=2")

    assert len(first.context["returns"]) == 50
    assert len(second.context["returns"]) == 1
    assert 'rel="next"' in first.content.decode()


# ---- roles and tenancy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_list", "may_open"),
    [
        ("owner", True, True),
        ("manager", True, True),
        ("service", True, True),
        ("shipping", True, False),
        ("bookkeeper", False, False),
    ],
)
def test_what_each_role_is_offered(client, merchant, order, role, sees_list, may_open):
    login(client, member(merchant, role))
    request = authorized(order, 1)

    home = client.get("/").content.decode()
    order_page = client.get(f"/orders/{order.order_id}/").content.decode()

    assert ('href="/returns/"' in home) is sees_list
    assert (client.get("/returns/").status_code == 200) is sees_list
    assert ('data-form="return-open"' in order_page) is may_open
    assert ('data-form="return-link"' in order_page) is may_open
    assert request.rma_number in order_page
    assert (f'href="/returns/{request.pk}/"' in order_page) is sees_list
    if sees_list:
        page = client.get(f"/returns/{request.pk}/").content.decode()
        assert ('data-form="return-receive"' in page) is True
        assert ("Authorize return" in page) is False  # already authorized
        assert ('data-form="return-reject"' in page) is may_open


def test_another_merchant_s_return_is_404(client, merchant, other_merchant):
    foreign = authorized(shipped_order(other_merchant), 1)
    login(client, member(merchant, "owner"))

    assert client.get(f"/returns/{foreign.pk}/").status_code == 404
    assert client.post(f"/returns/{foreign.pk}/cancel/").status_code == 404
    assert (
        client.post(
            f"/returns/{foreign.pk}/receive/",
            {f"line_{foreign.order.lines.get().pk}": "1", "condition": "new"},
        ).status_code
        == 404
    )
    assert Return.objects.get(pk=foreign.pk).status == "authorized"


def test_an_unknown_step_is_404(manager_client, order):
    request = opened(order, 1)
    assert manager_client.post(f"/returns/{request.pk}/explode/").status_code == 404


def test_the_customer_page_lists_the_customer_s_returns(manager_client, order):
    request = authorized(order, 1)

    page = manager_client.get(f"/customers/?email={order.email.upper()}").content.decode()

    assert f'href="/returns/{request.pk}/"' in page
    assert request.rma_number in page


def test_the_return_link_is_emailed_to_the_customer(manager_client, order):
    manager_client.post(f"/orders/{order.order_id}/returns/link/")

    assert mail.outbox[-1].to == [order.email]
    assert f"/r/{return_link_token(order=order)}/" in mail.outbox[-1].body
    assert OrderEvent.objects.filter(order=order, type="order_email_sent").exists()


# ---- the customer's signed link --------------------------------------------------------------


def test_the_customer_requests_a_return_from_the_link(client, order):
    url = f"/r/{return_link_token(order=order)}/"
    page = client.get(url)
    assert page.status_code == 200
    assert order.order_id in page.content.decode()

    response = client.post(
        url, {line_field(order): "2", "reason": "no_longer_needed", "reason_text": "Too big"}
    )

    assert response.status_code == 302
    request = Return.objects.get()
    assert (request.status, request.by_customer, request.customer_note) == (
        "requested",
        True,
        "Too big",
    )
    assert request.lines.get().quantity == 2
    event = OrderEvent.objects.get(order=order, type="order_return_opened")
    assert (event.actor, event.actor_label) == (None, "customer")
    assert "Requested" in client.get(url).content.decode()


def test_the_customer_cannot_return_more_than_shipped(client, order):
    opened(order, 2)
    url = f"/r/{return_link_token(order=order)}/"

    response = client.post(url, {line_field(order): "2", "reason": "defective"})

    assert response.status_code == 422
    assert "at most 1 can be returned" in response.content.decode()
    assert Return.objects.count() == 1


def test_the_link_of_an_unshipped_order_offers_nothing(client, merchant):
    unshipped = place(merchant)
    url = f"/r/{return_link_token(order=unshipped)}/"

    assert "Nothing more from this order can be returned" in client.get(url).content.decode()
    client.post(url, {line_field(unshipped): "1", "reason": "defective"})
    assert not Return.objects.exists()


def test_one_order_s_link_cannot_return_another_order_s_line(client, merchant, order):
    other = shipped_order(merchant)
    url = f"/r/{return_link_token(order=order)}/"

    response = client.post(url, {line_field(other): "1", "reason": "defective"})

    assert response.status_code == 422
    assert not Return.objects.exists()
    assert other.order_id not in client.get(url).content.decode()


@pytest.mark.parametrize("kind", ["tampered", "expired", "quote link", "deleted order"])
def test_bad_return_links_are_404(client, order, manager, settings, kind):
    token = return_link_token(order=order)
    if kind == "tampered":
        token = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    elif kind == "expired":
        settings.RETURN_LINK_MAX_AGE_DAYS = -1
    elif kind == "quote link":
        token = signing.dumps({"m": order.merchant.code, "o": order.order_id}, salt=QUOTE_SALT)
    else:
        from orders.services.deletion import order_delete

        order_delete(order=order, reason="duplicate", by=manager)

    assert client.get(f"/r/{token}/").status_code == 404
    assert client.post(f"/r/{token}/", {line_field(order): "1"}).status_code == 404
    assert not Return.objects.exists()


def test_the_order_page_s_return_and_refund_forms_share_no_element_id(manager_client, order):
    page = manager_client.get(f"/orders/{order.order_id}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    start = page.index('data-form="return-open"')
    return_form = page[start : page.index("</form>", start)]
    return_ids = re.findall(r'\sid="([^"]+)"', return_form)

    assert 'data-form="refund"' in page
    assert return_ids
    assert [i for i in return_ids if ids.count(i) > 1] == []
