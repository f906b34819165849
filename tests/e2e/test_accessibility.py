"""Every screen passes axe-core with no serious or critical violation, for the roles that use it;
every form control has a label; checkboxes sit beside their labels; order entry logs no
aborted request.

The screens are lists of paths over demo data (seed_demo): a new screen is one more entry in
STAFF_SCREENS (a path, or a function of the seeded data that gives one).
"""

from collections.abc import Callable
from urllib.parse import quote, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from orders.models import AutoOrder, Case, Chargeback, Merchant, Order, Return
from orders.services.carriers import carrier_create
from orders.services.cases.links import case_link_url
from orders.services.quotes import quote_url
from orders.services.returns import return_link_url, return_open
from orders.services.webhook_endpoints import webhook_endpoint_create
from orders.states import STAGE_SCREENS, Stage
from tests.e2e.accessibility import axe_violations
from tests.tools.costfiles import csv_bytes
from tools.exports.services import export_mapping_get, export_start
from tools.imports.services import cost_import_preview
from tools.operations.registry import operation_get, operation_job_create

Path = str | Callable[[Merchant], str]


def _owner():
    return get_user_model().objects.get(username="demo-owner")


def _order_in(stage: str) -> Callable[[Merchant], str]:
    def path(merchant: Merchant) -> str:
        order = Order.objects.filter(merchant=merchant, stage=stage).order_by("pk").first()
        assert order is not None, f"the demo data has no order in {stage}"
        return f"/orders/{order.order_id}/"

    return path


def _first(model, url: str, field: str = "pk") -> Callable[[Merchant], str]:
    def path(merchant: Merchant) -> str:
        row = model.objects.filter(merchant=merchant).order_by("pk").first()
        assert row is not None, f"the demo data has no {model.__name__}"
        return url.format(getattr(row, field))

    return path


def _job(merchant: Merchant) -> str:
    order = Order.objects.filter(merchant=merchant).order_by("pk").first()
    job = operation_job_create(
        merchant=merchant,
        operation=operation_get("append_note"),
        inputs={"text": "Checked"},
        order_pks=[order.pk],
        by=_owner(),
    )
    return f"/tools/jobs/{job.pk}/"


def _export_job(merchant: Merchant) -> str:
    mapping = export_mapping_get(merchant=merchant)
    job = export_start(merchant=merchant, mapping=mapping, by=_owner())
    return f"/tools/jobs/{job.pk}/"


def _mapping(merchant: Merchant) -> str:
    return f"/tools/export/mappings/{export_mapping_get(merchant=merchant).pk}/"


def _cost_import(merchant: Merchant) -> str:
    order = Order.objects.filter(merchant=merchant).order_by("pk").first()
    content = csv_bytes([[order.order_id, "", "", "2.00"], ["NO-SUCH-ORDER", "", "", "1.00"]])
    cost_import = cost_import_preview(
        merchant=merchant,
        name="costs.csv",
        content=content,
        by=_owner(),
    )
    return f"/tools/import-costs/{cost_import.pk}/"


# What staff work in: home, every list, an order page in each stage, entry, auto orders,
# chargebacks, cases, every tool, settings. Checked signed in as the owner, who sees them all.
def _webhook_endpoint(merchant: Merchant) -> str:
    endpoint = webhook_endpoint_create(
        merchant=merchant, url="https://erp.example.com/in", topics=["order.placed"], by=_owner()
    )
    return f"/settings/webhooks/{endpoint.pk}/"


def _lines_edit(merchant: Merchant) -> str:
    order = Order.objects.filter(merchant=merchant, stage=Stage.ACCOUNTS_RECEIVABLE).first()
    assert order is not None, "the demo data has no order in Accounts Receivable"
    return f"/orders/{order.order_id}/edit/lines/"


def _carrier(merchant: Merchant) -> str:
    carrier = carrier_create(
        merchant=merchant,
        name="Fast Courier",
        tracking_url_pattern="https://fastcourier.example/t/{tracking}",
        by=_owner(),
    )
    return f"/settings/carriers/{carrier.pk}/"


def _customer(merchant: Merchant) -> str:
    order = Order.objects.filter(merchant=merchant).order_by("pk").first()
    return f"/customers/?email={quote(order.email)}"


STAFF_SCREENS: list[Path] = [
    "/",
    "/orders/",
    *(f"/stages/{screen.slug}/" for screen in STAGE_SCREENS),
    *(_order_in(stage) for stage in Stage.values),
    "/orders/new/",
    "/find/?q=example.com",
    "/items/",
    "/stages/pre-orders/items/",
    "/stages/shipping/mark-shipped/",
    "/auto-orders/",
    "/auto-orders/forecast/",
    "/auto-orders/postpone/",
    _first(AutoOrder, "/auto-orders/{}/", "code"),
    "/chargebacks/",
    "/chargebacks/import/",
    _first(Chargeback, "/chargebacks/{}/"),
    "/cases/",
    _first(Case, "/cases/{}/"),
    "/returns/",
    lambda merchant: f"/returns/{_a_return(merchant).pk}/",
    "/tools/batch/",
    "/tools/export/",
    "/tools/export/mappings/",
    "/tools/export/mappings/new/",
    _mapping,
    "/tools/import-costs/",
    _cost_import,
    "/tools/undelete/",
    "/tools/jobs/new/append-note/",
    _job,
    _export_job,
    "/tools/jobs/",
    "/settings/",
    "/settings/staff/",
    "/settings/api-tokens/",
    "/settings/webhooks/",
    _webhook_endpoint,
    "/settings/carriers/",
    _carrier,
    _customer,
    _lines_edit,
]
# A role that sees other things on the same screens (tiles, buttons) than the owner.
CLERK_SCREENS: list[Path] = ["/", "/stages/shipping/", _order_in(Stage.SHIPPING)]


def _a_return(merchant: Merchant) -> Return:
    """The demo's first return, or one requested now on its first completed order."""
    existing = Return.objects.filter(merchant=merchant).order_by("pk").first()
    if existing is not None:
        return existing
    order = Order.objects.filter(merchant=merchant, stage=Stage.COMPLETED).order_by("pk").first()
    assert order is not None, "the demo data has no completed order"
    line = order.lines.filter(shippable=True).first()
    assert line is not None, "the demo's completed order has no shippable line"
    return return_open(order=order, lines={line.pk: 1}, reason="defective", by_customer=True)


def _return_page(merchant: Merchant) -> str:
    order = Order.objects.filter(merchant=merchant, stage=Stage.COMPLETED).order_by("pk").first()
    return urlsplit(return_link_url(order=order)).path


def _quote_page(merchant: Merchant) -> str:
    order = Order.objects.filter(merchant=merchant, stage=Stage.QUOTE_SENT).first()
    return urlsplit(quote_url(order=order)).path


def _case_page(merchant: Merchant) -> str:
    return urlsplit(case_link_url(case=Case.objects.filter(merchant=merchant).first())).path


# What customers and signed-out people see.
PUBLIC_SCREENS: list[Path] = ["/login/", _quote_page, _case_page, _return_page]


@pytest.fixture
def demo_merchant(eager_tasks) -> Merchant:
    """The demo data (every stage, auto orders, chargebacks, cases); jobs run as started."""
    call_command("seed_demo", "--orders", "25", "--seed", "5", verbosity=0)
    return Merchant.objects.get(code="DEMO")


def _paths(screens: list[Path], merchant: Merchant) -> list[str]:
    return [screen if isinstance(screen, str) else screen(merchant) for screen in screens]


def test_every_staff_screen_passes_axe(page, sign_in, assert_accessible, demo_merchant):
    paths = _paths(STAFF_SCREENS, demo_merchant)
    sign_in("demo-owner")
    assert_accessible(paths)


def test_the_shipping_clerks_screens_pass_axe(page, sign_in, assert_accessible, demo_merchant):
    paths = _paths(CLERK_SCREENS, demo_merchant)
    sign_in("demo-shipping")
    assert_accessible(paths)


def test_customer_and_signed_out_pages_pass_axe(page, assert_accessible, demo_merchant):
    assert_accessible(_paths(PUBLIC_SCREENS, demo_merchant))


def test_a_page_showing_a_message_passes_axe(page, sign_in, demo_merchant):
    """Messages after an action (here: a note added) are announced without breaking the page's
    structure."""
    sign_in("demo-manager")
    page.goto(_order_in(Stage.SHIPPING)(demo_merchant))
    page.locator(".note-form textarea").fill("Called the customer")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("status")).to_have_count(1)
    assert axe_violations(page) == []


def _checkbox_beside_label(page) -> list[str]:
    """The shown checkboxes whose middle is not level with their label's text."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("input[type=checkbox]"))
          .filter((box) => box.offsetParent && box.labels && box.labels.length)
          .filter((box) => {
            const own = box.getBoundingClientRect(), label = box.labels[0].getBoundingClientRect();
            const middle = own.top + own.height / 2;
            return middle < label.top || middle > label.bottom;
          })
          .map((box) => box.name || box.id)"""
    )


def test_range_halves_and_payment_methods_are_labelled_and_checkboxes_sit_by_their_labels(
    page, sign_in, demo_merchant
):
    sign_in("demo-manager")
    page.goto("/orders/")
    for name in ("Placed", "Paid", "Shipped", "Refunded", "Total"):
        expect(page.get_by_label(f"{name} to", exact=True)).to_have_count(1)

    page.goto("/orders/new/")
    for method in ("Card", "Saved card", "Check"):
        expect(page.get_by_role("radio", name=method, exact=True)).to_have_count(1)
    page.get_by_role("radio", name="Check", exact=True).check()  # by its label
    expect(page.get_by_role("radio", name="Check", exact=True)).to_be_checked()
    assert _checkbox_beside_label(page) == []
    page.goto(_order_in(Stage.SHIPPING)(demo_merchant))
    assert _checkbox_beside_label(page) == []


def test_placing_an_order_while_its_totals_are_loading_logs_no_aborted_request(
    page, sign_in, demo_merchant
):
    """The page fixture fails on any console error: htmx logs an aborted request as one."""
    sign_in("demo-manager")
    page.goto("/orders/new/")
    for name, value in {
        "email": "slow@example.com",
        "first_name": "Sam",
        "last_name": "Slow",
        "billing_address1": "1 Main St",
        "billing_city": "Springfield",
        "billing_postal_code": "12345",
        "lines-0-description": "Widget",
        "lines-0-unit_price": "20.00",
    }.items():
        page.locator(f"[name='{name}']").fill(value)
    page.get_by_role("radio", name="Check", exact=True).check()
    expect(page.locator("[data-total=total]")).not_to_have_text("0.00")
    page.wait_for_load_state("networkidle")

    held = []
    # The totals request gets its answer only when the test lets it.
    page.route("**/orders/new/totals/", lambda route: held.append(route))
    page.locator("[name=shipping_total]").fill("7.00")
    while not held:
        page.wait_for_timeout(50)
    page.get_by_role("button", name="Place order").click()
    page.wait_for_timeout(500)  # the order is not sent while its totals are on their way
    assert "/orders/new/" in page.url
    held[0].continue_()

    expect(page.locator(".badge.stage")).to_be_visible()
    assert Order.objects.filter(email="slow@example.com", shipping_total="7.00").exists()
