"""Refusals and missing pages keep the person inside the app: its layout, its navigation and a
way back, instead of a bare status line."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from orders.models import Role
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_a_refused_screen_answers_in_the_apps_layout_with_a_way_back(client, merchant):
    client.force_login(member(merchant, Role.SHIPPING_CLERK))

    response = client.get(reverse("stage-list", kwargs={"slug": "hold"}))

    assert response.status_code == 403
    page = response.content.decode()
    assert "Not permitted" in page
    assert 'class="sidenav"' in page
    assert f'href="{reverse("stage-list", kwargs={"slug": "shipping"})}"' in page
    assert f'href="{reverse("home")}"' in page


def test_a_missing_order_answers_in_the_apps_layout_with_a_way_back(client, merchant, manager):
    client.force_login(manager)

    response = client.get(reverse("order-detail", kwargs={"order_id": "DEMO-9999999"}))

    assert response.status_code == 404
    page = response.content.decode()
    assert "Not found" in page
    assert 'class="sidenav"' in page
    assert 'name="q"' in page  # the find box, to look the order up another way


def test_the_server_error_page_stands_alone():
    # Rendered without a request or a database: it must not depend on either.
    page = render_to_string("500.html")

    assert "Something went wrong" in page
    assert 'href="/"' in page
