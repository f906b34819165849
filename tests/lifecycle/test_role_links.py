"""Each role is offered only what it may use: every link, button and form on home, on an order
page in each stage, on the lists and on the tool pages it can open is permitted for that role
by the one permission table (and a link followed never answers 403)."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from backoffice.common.tenancy import MerchantRequiredMixin
from lifecycle.navigation import NAV_SECTIONS
from orders.models import AutoOrder, Chargeback, Role
from orders.models import Case as CustomerCase
from orders.services.deletion import order_delete
from orders.states import Stage
from tests.factories import member, role_permissions
from tests.lifecycle.test_role_matrix import declared_permissions
from tests.orders.auto_orders import subscribe
from tests.orders.builders import order_in_stage
from tests.orders.disputes import open_case, open_chargeback

pytestmark = pytest.mark.django_db


Target = tuple[str, str, tuple[tuple[str, str], ...]]


class Targets(HTMLParser):
    """Every (method, URL, submitted button) a page offers: links, forms, each named submit
    button of a form (a list's bulk actions: name="operation") and htmx requests."""

    def __init__(self):
        super().__init__()
        self.found: set[Target] = set()
        self.form: tuple[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.found.add(("get", attrs["href"], ()))
        if tag == "form":
            self.form = ((attrs.get("method") or "get").lower(), attrs.get("action") or "")
            self.found.add((*self.form, ()))
        submits = tag == "button" or (tag == "input" and attrs.get("type") == "submit")
        if submits and self.form and attrs.get("name"):
            self.found.add((*self.form, ((attrs["name"], attrs.get("value") or ""),)))
        for name in ("hx-get", "hx-post"):
            if attrs.get(name):
                self.found.add((name[3:], attrs[name], ()))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None


def targets(html: str) -> set[Target]:
    parser = Targets()
    parser.feed(html)
    return {
        (method, url, button)
        for method, url, button in parser.found
        if url.startswith("/") and not url.startswith(("/static/", "/admin/"))
    }


def _merchant_view(path: str):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    view = getattr(match.func, "view_class", None)
    return view if view and issubclass(view, MerchantRequiredMixin) else None


@pytest.fixture
def orders_in_every_stage(merchant, manager):
    orders = {stage: order_in_stage(merchant, stage) for stage in Stage}
    completed = orders[Stage.COMPLETED]
    open_case(completed, manager)
    open_chargeback(completed)
    subscribe(merchant)
    return orders


def _pages(client, role: str, orders) -> list[str]:
    """Home, an order page in each stage, the lists and the tools this role can open, and
    one auto order, case and chargeback."""
    pages = ["/", "/stages/shipping/", "/orders/", "/stages/accounts-receivable/"]
    pages += [f"/orders/{order.order_id}/" for order in orders.values()]
    pages += [
        f"/auto-orders/{AutoOrder.objects.get().code}/",
        f"/cases/{CustomerCase.objects.get().pk}/",
        f"/chargebacks/{Chargeback.objects.get().pk}/",
    ]
    pages += ["/tools/batch/", "/tools/export/", "/tools/import-costs/", "/tools/undelete/"]
    pages += ["/tools/jobs/", "/settings/", "/settings/staff/", "/settings/api-tokens/"]
    pages += ["/auto-orders/", "/chargebacks/", "/cases/", "/items/"]
    return [page for page in pages if client.get(page).status_code == 200]


@pytest.mark.parametrize("role", Role.values)
def test_every_link_button_and_form_a_role_is_shown_is_permitted_for_it(
    client, merchant, orders_in_every_stage, role
):
    user = member(merchant, role)
    client.force_login(user)
    held = role_permissions(role)
    refused, forbidden = [], []
    checked: set[Target] = set()

    for page in _pages(client, role, orders_in_every_stage):
        for method, url, button in targets(client.get(page).content.decode()) - checked:
            checked.add((method, url, button))
            path = urlsplit(url).path
            if _merchant_view(path) is None:
                continue
            declared = declared_permissions(method, url, dict(button), user, merchant)
            if declared is None or not set(declared) <= held:
                refused.append(f"{page}: {method.upper()} {url} {button} needs {declared}")
            elif method == "get" and client.get(url).status_code == 403:
                forbidden.append(f"{page}: {url}")

    assert refused == []
    assert forbidden == []
    assert len(checked) > 10
    if role != Role.SHIPPING_CLERK:  # the clerk's lists offer it no bulk action but hold
        assert any(dict(button).get("operation") for _m, _u, button in checked)


def test_a_deleted_order_page_is_crawled_too(client, merchant, manager):
    order = order_in_stage(merchant, Stage.SHIPPING)
    order_delete(order=order, reason="duplicate", by=manager)
    for role in Role.values:
        user = member(merchant, role)
        client.force_login(user)
        page = client.get(f"/orders/{order.order_id}/")
        for method, url, button in targets(page.content.decode()):
            if _merchant_view(urlsplit(url).path) is None:
                continue
            declared = declared_permissions(method, url, dict(button), user, merchant)
            assert declared is not None, (role, url)
            assert set(declared) <= role_permissions(role), (role, url)


def test_nav_sections_are_what_the_crawl_starts_from():
    assert {name for _t, links in NAV_SECTIONS for _l, name in links} >= {"settings", "tool-batch"}
