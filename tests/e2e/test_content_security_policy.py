"""Every main screen works under the Content-Security-Policy: the browser blocks nothing and
logs no error (the `page` fixture collects both, conftest.py)."""

import contextlib
from decimal import Decimal

import pytest
from django.contrib import admin as django_admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from orders.models import BlockListEntry, RebuttalText, Role
from orders.services.cases import case_link_token
from orders.services.quotes import quote_token
from orders.services.transitions import order_transition
from orders.states import STAGE_SCREENS, PaymentMethod, Stage
from tests.factories import ItemFactory, MerchantFactory, member, place
from tests.orders.auto_orders import subscribe
from tests.orders.disputes import open_case, open_chargeback, shipped_order

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop():
    merchant = MerchantFactory(code="DEMO", name="Demo Store")
    member(merchant, Role.ORDER_MANAGER, username="csp-manager")
    return merchant


def settled(page, problems: list[str], path: str) -> None:
    """Nothing blocked and nothing logged so far, said with the page the problem came from."""
    page.evaluate("window.__cspViolations")  # a round trip: the page's reports have arrived
    assert problems == [], f"on {path}"


def visit(page, problems: list[str], path: str) -> None:
    response = page.goto(path)
    assert response.ok, f"{path} answered {response.status}"
    policy = response.headers.get("content-security-policy", "")
    directives = {part.strip() for part in policy.split(";")}
    assert "script-src 'self'" in directives, f"{path} is not under the policy"
    expect(page.locator("h1").first).to_be_visible()
    settled(page, problems, path)


def test_the_browser_reports_what_the_policy_blocks(page, browser_problems):
    """The listener works and the policy is on: an inline script and style are refused."""
    page.goto("/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.append(script);
          const style = document.createElement("style");
          style.textContent = "body { color: red }";
          document.head.append(style);
        }"""
    )

    assert page.evaluate("window.inlineRan") is None
    page.wait_for_function("window.__cspViolations.length >= 2")
    page.goto("/login/")  # a fresh page: what the fixture reads back at the end is clean
    page.evaluate("window.__cspViolations")
    assert any(text.startswith("CSP: script-src") for text in browser_problems)
    assert any(text.startswith("CSP: style-src") for text in browser_problems)
    assert any("Content Security Policy" in text for text in browser_problems)  # the console
    browser_problems.clear()  # expected here; any other test fails on them


def test_every_main_screen_runs_under_the_policy(page, sign_in, shop, browser_problems):
    ItemFactory(merchant=shop, sku="MUG", price=Decimal("20.00"))
    order = place(shop)
    subscribe(shop, schedule="weekly")
    chargeback = open_chargeback(shipped_order(shop))
    manager = get_user_model().objects.get(username="csp-manager")
    case = open_case(place(shop), manager, message="We shipped it.")
    quote = place(shop, method=PaymentMethod.QUOTE_REQUEST, card=None)
    order_transition(order=quote, name="send_quote")
    RebuttalText.objects.create(merchant=shop, title="Delivered", text="Tracking shows delivery.")
    problems = browser_problems

    sign_in("csp-manager", "pw")
    for path in [
        "/",
        "/orders/",
        *(f"/stages/{screen.slug}/" for screen in STAGE_SCREENS),
        f"/orders/{order.order_id}/",
        "/auto-orders/",
        "/auto-orders/forecast/",
        "/chargebacks/",
        f"/chargebacks/{chargeback.pk}/",
        "/cases/",
        f"/cases/{case.pk}/",
        "/tools/batch/",
        "/tools/export/",
        "/tools/import-costs/",
        "/tools/undelete/",
        "/tools/jobs/",
        f"/orders/{order.order_id}/print/invoice/",
        f"/chargebacks/{chargeback.pk}/packet/",
        # The customer's pages, reached through emailed links.
        f"/q/{quote_token(order=quote)}/",
        f"/c/{case_link_token(case=case)}/",
    ]:
        visit(page, problems, path)

    # The behaviours moved out of inline scripts into static/js/.
    page.goto(f"/chargebacks/{chargeback.pk}/")
    page.get_by_label("Insert a saved text").select_option(label="Delivered")
    expect(page.locator("#id_rebuttal")).to_have_value("Tracking shows delivery.")
    page.goto(f"/orders/{order.order_id}/print/invoice/")
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed") is True
    settled(page, problems, "saved rebuttal text and Print")

    # htmx swaps under the policy: the list's search, the order entry's server totals.
    page.goto("/orders/")
    rows = page.locator("#order-table tbody tr[data-order-id]")
    listed = rows.count()
    assert listed > 1
    page.locator("#list-q").fill(order.order_id)
    expect(rows).to_have_count(1)
    settled(page, problems, "/orders/ (search)")
    # htmx keeps no copy of the pages in localStorage: going back asks the server again.
    assert page.evaluate("localStorage.getItem('htmx-history-cache')") is None
    page.go_back()
    expect(page.locator("#list-q")).to_have_value("")
    expect(rows).to_have_count(listed)
    settled(page, problems, "/orders/ (back)")

    visit(page, problems, "/orders/new/")
    page.locator("[name='lines-0-sku']").fill("MUG")
    page.locator("[name='lines-0-sku']").press("Tab")
    expect(page.locator("[name='lines-0-unit_price']")).to_have_value("20.00")
    page.locator("[name=shipping_total]").fill("5.00")
    expect(page.locator("[data-total=total]")).to_have_text("25.00")
    settled(page, problems, "/orders/new/ (totals)")


def test_the_admin_runs_under_the_policy(page, sign_in, shop, browser_problems):
    # Staff who also work in the shop: signing in lands on the shop's home page.
    admin = member(shop, Role.ORDER_MANAGER, username="csp-admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    BlockListEntry.objects.create(merchant=shop, kind="email", value="mallory@example.com")
    order = place(shop, email="mallory@example.com")
    assert order.stage == Stage.FRAUD_REVIEW
    problems = browser_problems

    sign_in("csp-admin", "pw")
    visit(page, problems, "/admin/")
    visit(page, problems, "/admin/orders/order/")
    page.get_by_role("link", name=order.order_id).first.click()
    expect(page.locator("#order-transitions")).to_be_visible()
    settled(page, problems, "admin change form")

    page.get_by_role("link", name="Hold…").click()
    expect(page.locator("[name=reason]")).to_be_visible()
    settled(page, problems, "admin transition form")
    page.get_by_role("link", name="Cancel").click()

    page.locator("#order-transitions").get_by_role("button", name="Approve").click()
    expect(page.locator("#order-transitions h2")).to_contain_text("Shipping")
    settled(page, problems, "admin after Approve")
    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING

    # Every model's list and add form, and a change form with inlines and an autocomplete.
    request = RequestFactory().get("/admin/")
    request.user = admin
    for model, model_admin in django_admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        visit(page, problems, reverse(f"{name}_changelist"))
        with contextlib.suppress(NoReverseMatch):
            if model_admin.has_add_permission(request):
                visit(page, problems, reverse(f"{name}_add"))
    visit(page, problems, reverse("admin:orders_merchant_change", args=[shop.pk]))
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    settled(page, problems, "admin autocomplete")
