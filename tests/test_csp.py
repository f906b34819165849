"""The Content-Security-Policy and the caching of pages with customer data.

The policy allows only the app's own files, so no template, static file or Python module may
hold an inline script, an inline event handler, an inline style or a javascript: URL; the
browser tests (tests/e2e/) fail on any violation the browser reports."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from orders.services.cases import case_link_token
from orders.services.quotes import quote_token
from orders.services.transitions import order_transition
from orders.states import PaymentMethod
from tests.factories import place
from tests.orders.disputes import open_case

ROOT = Path(settings.BASE_DIR)

# Each pattern names what the policy would block; emails are read in mail clients, not here.
INLINE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "inline event handler": re.compile(r"\son[a-z]+\s*=\s*[\"'{]", re.IGNORECASE),
    "hx-on": re.compile(r"\bhx-on", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "inline <style>": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=\s*[\"'{]", re.IGNORECASE),
}
# Scripts that would need 'unsafe-eval' or would write inline handlers or styles.
UNSAFE_JS = re.compile(
    r"\beval\(|new Function\(|setAttribute\(\s*[\"'](on|style)|javascript:|hx-on|\.cssText"
)


def _files(folder: str, *suffixes: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*") if p.suffix in suffixes and p.is_file())


def _template_files() -> list[Path]:
    return [p for p in _files("templates", ".html") if "emails" not in p.parts]


def _python_files() -> list[Path]:
    files = []
    for app in ("backoffice", "orders", "lifecycle", "tools"):
        files += [p for p in _files(app, ".py") if "migrations" not in p.parts]
    return files


def _findings(paths: list[Path], patterns: dict) -> list[str]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            found += [
                f"{path.relative_to(ROOT)}:{number}: {name}: {line.strip()}"
                for name, pattern in patterns.items()
                if pattern.search(line)
            ]
    return found


def test_templates_hold_no_inline_script_handler_or_style():
    assert _template_files()
    assert _findings(_template_files(), INLINE) == []


def test_python_renders_no_inline_script_handler_or_style():
    assert _findings(_python_files(), INLINE) == []


def test_static_scripts_need_no_eval_and_write_no_inline_handler_or_style():
    scripts = _files("static", ".js")
    assert scripts
    assert _findings(scripts, {"unsafe script": UNSAFE_JS}) == []
    assert _findings(_files("static", ".html", ".svg"), INLINE) == []


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def test_pages_send_a_policy_of_the_apps_own_files_only(manager_client, merchant):
    order = place(merchant)
    policy = _policy(manager_client.get(reverse("order-detail", args=[order.order_id])))

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


def test_signed_out_pages_and_the_admin_send_the_policy_too(client, admin_client):
    for response in (client.get(reverse("login")), admin_client.get(reverse("admin:index"))):
        assert response.status_code == 200
        script_src = _policy(response)["script-src"]
        assert "'unsafe-inline'" not in script_src
        assert "'unsafe-eval'" not in script_src


def _no_store(response) -> bool:
    values = {v.strip() for v in response.headers.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= values


def test_signed_in_pages_are_private_and_not_stored(manager_client, merchant, admin_client):
    order = place(merchant)
    order_page = manager_client.get(reverse("order-detail", args=[order.order_id]))
    results = manager_client.get(reverse("order-list"), headers={"HX-Request": "true"})
    changelist = admin_client.get(reverse("admin:orders_order_changelist"))
    change_form = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))

    for response in (order_page, results, changelist, change_form):
        assert response.status_code == 200
        assert _no_store(response), response.headers.get("Cache-Control")


def test_customer_quote_and_case_pages_are_private_and_not_stored(client, merchant, manager):
    quote = place(merchant, method=PaymentMethod.QUOTE_REQUEST, card=None)
    order_transition(order=quote, name="send_quote")
    case = open_case(place(merchant), manager, message="We shipped it.")

    quote_page = client.get(reverse("quote-customer", args=[quote_token(order=quote)]))
    case_page = client.get(reverse("customer-case", args=[case_link_token(case=case)]))

    for response in (quote_page, case_page):
        assert response.status_code == 200
        assert _no_store(response), response.headers.get("Cache-Control")


def test_static_files_keep_their_caching(manager_client):
    response = manager_client.get("/" + settings.STATIC_URL.strip("/") + "/css/app.css")

    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "private" not in response.headers.get("Cache-Control", "")


def test_the_favicon_browsers_ask_every_page_for_is_served(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("image/")
