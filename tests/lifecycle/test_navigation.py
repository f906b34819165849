"""The side navigation offers each role exactly the screens it may open: every link shown
answers 200 for that role, and every screen left out would have answered 403."""

import re

import pytest
from django.urls import reverse

from lifecycle.navigation import NAV_SECTIONS
from orders.models import Role
from orders.states import STAGE_SCREENS
from tests.factories import member

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="sidenav".*?</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')


def every_nav_url() -> set[str]:
    lists = {reverse("order-list")} | {
        reverse("stage-list", kwargs={"slug": screen.slug}) for screen in STAGE_SCREENS
    }
    return lists | {reverse(name) for _title, links in NAV_SECTIONS for _label, name in links}


def shown_links(client) -> set[str]:
    page = client.get(reverse("home")).content.decode()
    return set(HREF.findall(NAV.search(page).group(0)))


@pytest.mark.parametrize("role", Role.values)
def test_each_role_is_shown_exactly_the_screens_it_may_open(client, merchant, role):
    client.force_login(member(merchant, role))
    shown = shown_links(client)

    assert shown <= every_nav_url()
    answers = {url: client.get(url).status_code for url in every_nav_url()}
    assert {url for url, status in answers.items() if status == 200} == shown
    assert {status for url, status in answers.items() if url not in shown} <= {403}


def test_the_shipping_clerk_sees_its_two_lists_and_of_the_tools_only_its_jobs(client, merchant):
    client.force_login(member(merchant, Role.SHIPPING_CLERK))
    shown = shown_links(client)

    lists = {reverse("order-list")} | {
        reverse("stage-list", kwargs={"slug": screen.slug}) for screen in STAGE_SCREENS
    }
    tools = {reverse(name) for _label, name in dict(NAV_SECTIONS)["Tools"]}
    assert shown & lists == {
        reverse("stage-list", kwargs={"slug": "shipping"}),
        reverse("stage-list", kwargs={"slug": "completed"}),
    }
    assert shown & tools == {reverse("job-list")}
