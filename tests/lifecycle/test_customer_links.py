"""The customer page is reachable from the lists: each row's email links to it, and a search
for one whole email (the find box lands there) offers it above the results; only for a role
that may open it."""

import re
from html import unescape

import pytest

from lifecycle.views.customers import CustomerDetailView
from orders.models import Order, Role
from orders.permissions import ROLE_PERMISSIONS
from tests.factories import member, place

from .conftest import login

pytestmark = pytest.mark.django_db

CUSTOMER_PAGE_PERMISSION = CustomerDetailView.permission


def email_links(response) -> list[str]:
    """The customer-page addresses the rows' emails link to, top to bottom."""
    body = response.content.decode()
    return [unescape(href) for href in re.findall(r'<a class="email" href="([^"]+)"', body)]


def customer_link(response) -> str | None:
    match = re.search(
        r'class="customer-page-link"><a href="([^"]+)">Customer page</a>',
        response.content.decode(),
    )
    return unescape(match.group(1)) if match else None


def test_every_email_in_a_list_links_to_its_customer_page(manager_client, merchant):
    place(merchant, email="ann+vip@example.com")
    place(merchant, email="bob@example.com")

    response = manager_client.get("/orders/")

    assert email_links(response) == [
        "/customers/?email=bob%40example.com",
        "/customers/?email=ann%2Bvip%40example.com",
    ]
    page = manager_client.get(email_links(response)[1])
    assert page.status_code == 200
    assert "ann+vip@example.com" in page.content.decode()


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_emails_link_for_every_role_that_may_open_the_customer_page(client, merchant, role):
    place(merchant, email="ann@example.com")
    login(client, member(merchant, role))

    response = client.get("/stages/shipping/")

    may_open = CUSTOMER_PAGE_PERMISSION.split(".")[1] in ROLE_PERMISSIONS[role]
    assert response.status_code == 200
    assert email_links(response) == (["/customers/?email=ann%40example.com"] if may_open else [])


def test_a_role_that_may_not_open_the_customer_page_gets_the_email_without_a_link(
    client, merchant, monkeypatch
):
    """Were the page kept for the money roles, a shipping clerk would see the plain email."""
    monkeypatch.setattr(CustomerDetailView, "permission", "orders.view_money")
    place(merchant, email="ann@example.com")
    login(client, member(merchant, Role.SHIPPING_CLERK))

    response = client.get("/stages/shipping/", {"q": "ann@example.com"})

    body = response.content.decode()
    assert email_links(response) == []
    assert '<span class="email">ann@example.com</span>' in body
    assert customer_link(response) is None
    assert client.get("/customers/", {"email": "ann@example.com"}).status_code == 403


def test_the_find_box_with_a_whole_email_lands_on_the_list_with_the_customer_page(
    manager_client, merchant
):
    wanted = place(merchant, email="Daniel.Nguyen349@gmail.com")
    place(merchant, email="xdaniel.nguyen349@gmail.com")  # contains it: listed, not the customer

    response = manager_client.get("/find/", {"q": "daniel.nguyen349@GMAIL.com"}, follow=True)

    assert customer_link(response) == "/customers/?email=daniel.nguyen349%40gmail.com"
    assert wanted.order_id in response.content.decode()
    page = manager_client.get(customer_link(response)).content.decode()
    assert wanted.order_id in page


@pytest.mark.parametrize(
    "term",
    ["nguyen349", "nguyen349@gmail", "nobody@example.com", "daniel.nguyen349@gmail.com smith"],
)
def test_no_customer_page_is_offered_for_a_part_of_an_email_or_an_unknown_one(
    manager_client, merchant, term
):
    place(merchant, email="daniel.nguyen349@gmail.com")

    response = manager_client.get("/orders/", {"q": term})

    assert response.status_code == 200
    assert customer_link(response) is None


def test_another_merchants_customer_is_not_offered(manager_client, merchant, other_merchant):
    place(other_merchant, email="theirs@example.com")
    place(merchant, email="ours@example.com")

    response = manager_client.get("/orders/", {"q": "theirs@example.com"})

    assert customer_link(response) is None
    assert Order.objects.filter(email="theirs@example.com").count() == 1
