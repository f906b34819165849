"""Sign-in, the base layout, switching merchants and the find box."""

import pytest
from django.urls import reverse

from backoffice.common.tenancy import SESSION_KEY
from orders.models import Membership, Role
from tests.factories import member, place

from .conftest import login

pytestmark = pytest.mark.django_db


def test_login_page_renders_username_and_password_fields(client):
    response = client.get("/login/")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="username"' in content
    assert 'name="password"' in content
    assert 'for="id_username"' in content


def test_login_with_valid_credentials_lands_on_home(client, manager):
    response = client.post("/login/", {"username": manager.username, "password": "pw"})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get("/").status_code == 200


def test_login_with_wrong_password_shows_an_error(client, manager):
    response = client.post("/login/", {"username": manager.username, "password": "nope"})

    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_anonymous_user_is_sent_to_login(client, merchant):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_logout_is_a_post_and_signs_out(manager_client):
    response = manager_client.post("/logout/")

    assert response.status_code == 302
    assert manager_client.get("/").status_code == 302


def test_base_layout_has_find_box_nav_counts_htmx_and_csrf_header(manager_client, merchant):
    place(merchant)

    content = manager_client.get("/").content.decode()

    assert 'id="find-order"' in content
    assert "/static/htmx/htmx.min.js" in content
    assert 'hx-headers=\'{"X-CSRFToken":' in content
    assert 'href="/stages/shipping/"' in content
    assert 'action="/logout/"' in content
    assert "https://" not in content  # nothing from a CDN


def test_switcher_is_shown_only_to_users_of_several_merchants(client, merchant, other_merchant):
    single = member(merchant, Role.ORDER_MANAGER, username="single")
    several = member(merchant, Role.ORDER_MANAGER, username="several")
    Membership.objects.create(user=several, merchant=other_merchant, role=Role.BOOKKEEPER)

    login(client, single)
    assert 'action="/switch-merchant/"' not in client.get("/").content.decode()
    login(client, several)
    assert 'action="/switch-merchant/"' in client.get("/").content.decode()


def test_switch_merchant_changes_the_current_merchant(client, merchant, other_merchant):
    user = member(merchant, Role.ORDER_MANAGER)
    Membership.objects.create(user=user, merchant=other_merchant, role=Role.ORDER_MANAGER)
    theirs = place(other_merchant)
    login(client, user)
    assert client.get(f"/orders/{theirs.order_id}/").status_code == 404

    response = client.post("/switch-merchant/", {"merchant": other_merchant.code})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == other_merchant.pk
    assert client.get(f"/orders/{theirs.order_id}/").status_code == 200


def test_switch_to_a_merchant_without_membership_is_refused(
    manager_client, merchant, other_merchant
):
    response = manager_client.post("/switch-merchant/", {"merchant": other_merchant.code})

    assert response.status_code == 404
    assert manager_client.session.get(SESSION_KEY) in (None, merchant.pk)


def test_switch_merchant_refuses_get(manager_client, merchant):
    assert manager_client.get("/switch-merchant/").status_code == 405


def test_find_box_jumps_to_an_existing_order(manager_client, merchant):
    order = place(merchant)

    response = manager_client.get("/find/", {"q": f" {order.order_id.lower()} "})

    assert response.status_code == 302
    assert response.url == f"/orders/{order.order_id}/"


def test_find_box_falls_back_to_the_list_search(manager_client, merchant, other_merchant):
    theirs = place(other_merchant)

    response = manager_client.get("/find/", {"q": theirs.order_id})

    assert response.status_code == 302
    assert response.url == f"/orders/?q={theirs.order_id}"


def test_find_box_with_an_email_goes_to_the_list(manager_client, merchant):
    response = manager_client.get("/find/", {"q": "ann@example.com"})

    assert response.url == "/orders/?q=ann%40example.com"
