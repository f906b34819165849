"""Hostile values in every query parameter and form field of every merchant route: a message,
a refusal or an empty result, never a server error.

The routes come from the URL resolver (the screens, the tools, the find box and the intake
API); each route's parameters come from the forms its pages render, the filter set and form
classes its view declares, and the query parameters its view reads directly. Every example
starts from the form's own values, so a hostile value reaches the code behind the first
validation too, and is sent as a GET and as a POST, as a manager of a merchant with a few
orders.
"""

import inspect
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import ModuleType
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lifecycle.auto_orders.forms import ACTION_FORMS
from lifecycle.models import SavedView
from orders.models import Chargeback, Membership, Order
from orders.services.api_tokens import api_token_create
from orders.services.carriers import carrier_create
from orders.services.cases import case_link_token
from orders.services.merchant_settings import SETTINGS_GROUPS
from orders.services.notifications import TEMPLATES as EMAIL_TEMPLATES
from orders.services.quotes import quote_token
from orders.services.returns import return_link_token, return_open
from orders.services.webhook_endpoints import webhook_endpoint_create
from orders.states import STAGE_SCREENS, Stage
from tests.factories import ItemFactory
from tests.lifecycle.conftest import login
from tests.orders.auto_orders import subscribe
from tests.orders.builders import order_in_stage
from tests.orders.disputes import open_case, open_chargeback
from tests.orders.test_intake_api import body as intake_body
from tests.orders.test_intake_api import post as intake_post
from tests.tools.costfiles import csv_bytes
from tools.exports.services import export_mapping_save
from tools.imports.services import cost_import_preview
from tools.operations.registry import OPERATIONS, operation_get, operation_job_create

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# The project's own apps: the screens, the tools and the API (not the admin, the login, the
# health check or the signed payment webhooks).
MERCHANT_URLCONFS = ("lifecycle.urls", "tools.urls", "orders.api_urls")
EXAMPLES_PER_ROUTE = 4
PROJECT_PACKAGES = ("lifecycle", "tools", "orders", "backoffice")

# The most damaging values first: hypothesis starts from the first choices, so its first
# examples put a huge number, then a NUL, in every field at once.
HOSTILE_TEXT = [
    "99999999999999999999999",
    "DEMO\x00",
    "9999-12-31",
    "-99999999999999999999999",
    "\x00",
    "0000-00-00",
    "1e999",
    "x" * 1000,
    "-1",
    "0",
    "NaN",
    "-inf",
    "%",
    "_",
    "\\",
    "'",
    '"',
    "%_\\'\"",
    ".*",
    "[",
    "(?P<",
    "*",
    "a*b*",
    "DEMO-*",
    "😀",
    "0001-01-01",
    "2026-02-30",
    "",
    " ",
    "on",
    "me",
    "1,2,3",
    "<script>",
    "\r\nBcc: x@evil",
]
HOSTILE = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=20),
)
# Lists where a scalar is expected: the same parameter repeated.
VALUE = st.one_of(HOSTILE, st.lists(HOSTILE, min_size=2, max_size=3))


# ---- the routes ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    callback: object

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None)

    @property
    def methods(self) -> tuple[str, ...]:
        if self.view_class is None:  # a function view: the intake API, POST only
            return ("post",)
        allowed = self.view_class.http_method_names
        return tuple(m for m in ("get", "post") if m in allowed and hasattr(self.view_class, m))

    @property
    def kwargs(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.pattern)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def merchant_routes() -> list[Route]:
    routes = []
    for resolver in get_resolver().url_patterns:
        if not isinstance(resolver, URLResolver):
            continue
        if getattr(resolver.urlconf_module, "__name__", "") not in MERCHANT_URLCONFS:
            continue
        prefix = str(resolver.pattern)
        for pattern_text, pattern in _walk(resolver.url_patterns, prefix):
            routes.append(Route(pattern.name, pattern_text, pattern.callback))
    return routes


ROUTES = merchant_routes()
# The API's routes answer bearer tokens, not sessions: the intake is fuzzed below, the reads'
# bad input is tests/orders/test_api_reads.py's.
PAGE_ROUTES = [route for route in ROUTES if not route.pattern.startswith("api/")]


def test_the_routes_cover_the_screens_the_tools_the_find_box_and_the_api():
    names = {route.name for route in ROUTES}
    assert {"order-find", "order-list", "tool-batch", "case-list", "api-order-intake"} <= names
    assert len(PAGE_ROUTES) > 60


# ---- a merchant with a few orders and one of everything a route names ---------------------
@dataclass
class World:
    orders: dict[str, Order]
    path_values: dict[str, list[str]] = field(default_factory=dict)
    # A route's fields as first read: later examples change the data the pages show (a tag
    # added, a case closed), and hypothesis needs the same choices when it replays one.
    fields: dict[str, dict[str, str]] = field(default_factory=dict)


@pytest.fixture
def world(merchant, manager) -> World:
    item = ItemFactory(merchant=merchant, sku="TEE")
    orders = {
        stage: order_in_stage(merchant, stage)
        for stage in (Stage.SHIPPING, Stage.COMPLETED, Stage.ACCOUNTS_RECEIVABLE, Stage.QUOTE_SENT)
    }
    completed = orders[Stage.COMPLETED]
    case = open_case(completed, manager, message="Your parcel left.")
    chargeback = open_chargeback(completed)
    auto_order = subscribe(merchant)
    return_request = return_open(
        order=completed, lines={completed.lines.get().pk: 1}, reason="defective", by=manager
    )
    job = operation_job_create(
        merchant=merchant,
        operation=operation_get("append_note"),
        inputs={"text": "hi"},
        order_pks=[completed.pk],
    )
    mapping = export_mapping_save(
        merchant=merchant,
        name="Fuzz",
        format="csv",
        granularity="order",
        columns=[{"field": "order_id", "header": "", "format": ""}],
    )
    cost_import = cost_import_preview(
        merchant=merchant, name="costs.csv", content=csv_bytes([[completed.order_id, "1", "", ""]])
    )
    token, _ = api_token_create(merchant=merchant, name="Storefront")
    endpoint = webhook_endpoint_create(
        merchant=merchant, url="https://erp.example.com/in", topics=["order.placed"], by=None
    )
    carrier = carrier_create(
        merchant=merchant,
        name="Fast Courier",
        tracking_url_pattern="https://fastcourier.example/t/{tracking}",
        by=None,
    )
    saved = SavedView.objects.create(
        user=manager, merchant=merchant, screen="all", name="Mine", query="q=ann"
    )
    pks = {
        "chargeback": chargeback.pk,
        "case": case.pk,
        "return": return_request.pk,
        "job": job.pk,
        "export-mapping": mapping.pk,
        "cost-import": cost_import.pk,
        "api-token": token.pk,
        "saved-view": saved.pk,
        "webhook-endpoint": endpoint.pk,
        "carrier": carrier.pk,
        "webhook-delivery": endpoint.pk,
        # No file is attached in this world: these answer 404 to every value, as they should.
        "customer-case-attachment": case.pk,
        "settings-staff": Membership.objects.get(user=manager).pk,
    }
    order_transitions = {t.name for t in completed.get_all_stage_transitions()}
    chargeback_transitions = {t.name for t in chargeback.get_all_status_transitions()}
    world = World(orders=orders)
    world.path_values = {
        "order_id": [order.order_id for order in orders.values()],
        "quote-edit:order_id": [orders[Stage.QUOTE_SENT].order_id],
        "pk": pks,
        "slug": [screen.slug for screen in STAGE_SCREENS],
        "order-transition:name": sorted(order_transitions),
        "chargeback-transition:name": sorted(chargeback_transitions),
        "case-action:action": ["reply", "note", "assign", "close", "reopen"],
        "auto-order-action:action": sorted(ACTION_FORMS),
        "template": sorted(EMAIL_TEMPLATES),
        "kind": ["order", "invoice", "packing-slip"],
        "shipment_id": [completed.shipments.get().pk],
        "operation": sorted(OPERATIONS),
        "code": [auto_order.code],
        "sku": [item.sku],
        "customer-case:token": [case_link_token(case=case)],
        "return-action:action": ["authorize", "reject", "cancel"],
        "customer-return:token": [return_link_token(order=completed)],
        "webhook-endpoint-action:action": ["rotate", "pause", "resume", "replay", "remove"],
        # No delivery exists in this world: every value answers 404, as it should.
        "delivery_pk": [endpoint.pk],
        "customer-case-attachment:token": [case_link_token(case=case)],
        "quote-customer:token": [quote_token(order=orders[Stage.QUOTE_SENT])],
        "group": sorted(SETTINGS_GROUPS),
    }
    assert Chargeback.objects.filter(pk=chargeback.pk).exists()
    return world


def path_choices(world: World, route: Route) -> dict[str, list[str]]:
    choices = {}
    for kwarg in route.kwargs:
        values = world.path_values.get(f"{route.name}:{kwarg}", world.path_values.get(kwarg))
        if kwarg == "pk":
            owner = next(prefix for prefix in values if route.name.startswith(prefix))
            values = [values[owner]]
        choices[kwarg] = [str(value) for value in values]
    return choices


def url_of(route: Route, path: dict[str, str]) -> str:
    url = "/" + route.pattern
    for kwarg, value in path.items():
        url = re.sub(rf"<(?:\w+:)?{kwarg}>", value, url)
    return url


# ---- a route's parameters -----------------------------------------------------------------
class FormFields(HTMLParser):
    """Every form of a page: its method, its action and its fields' names and first values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, str]]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            self.forms.append((method, attrs.get("action") or "", {}))
        if not self.forms:
            return
        method, _, fields = self.forms[-1]
        # A button sending the form elsewhere, or an htmx request from inside the form (which
        # htmx sends with the form's fields): the same fields reach another route.
        if attrs.get("formaction"):
            method = (attrs.get("formmethod") or method).lower()
            self.forms.append((method, attrs["formaction"], fields))
        for verb in ("get", "post"):
            if attrs.get(f"hx-{verb}"):
                self.forms.append((verb, attrs[f"hx-{verb}"], fields))
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                fields.setdefault(name, "")
            else:
                fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, "")
        elif (
            tag == "option"
            and self._select
            and ("selected" in attrs or not fields.get(self._select))
        ):
            fields[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][2][self._textarea] += data


def _route_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).url_name
    except Resolver404:
        return None


def _source_params(method: str) -> re.Pattern:
    return re.compile(rf"""{method}(?:\.get|\.getlist|\.pop)?[\[(]\s*["']([\w-]+)["']""")


SOURCE_PARAMS = {"get": _source_params("GET"), "post": _source_params("POST")}


def declared_params(route: Route) -> dict[str, set[str]]:
    """What the view's filter set (a query) and form class (a POST) declare, and what its code
    reads directly from either."""
    names: dict[str, set[str]] = {"get": set(), "post": set()}
    view = route.view_class
    if view is None:
        return names
    for attribute, method in (("filterset_class", "get"), ("form_class", "post")):
        declared = getattr(view, attribute, None)
        if declared is not None:
            names[method] |= set(getattr(declared, "base_filters", None) or declared.base_fields)
    for module in _view_modules(view):
        source = inspect.getsource(module)
        for method, pattern in SOURCE_PARAMS.items():
            names[method] |= set(pattern.findall(source))
    return names


def _project_module(thing) -> ModuleType | None:
    module = thing if isinstance(thing, ModuleType) else inspect.getmodule(thing)
    if module is None or module.__name__.split(".")[0] not in PROJECT_PACKAGES:
        return None
    return module


def _view_modules(view) -> set[ModuleType]:
    """The modules of the view and its bases, and the project modules they take helpers from
    (the order page reads `from` in lifecycle.views.neighbours)."""
    modules = {_project_module(klass) for klass in view.__mro__} - {None}
    for module in list(modules):
        for value in vars(module).values():
            if (inspect.isfunction(value) or inspect.ismodule(value)) and _project_module(value):
                modules.add(_project_module(value))
    return modules


def pages_to_read(world: World, route: Route, url: str, path: dict[str, str]) -> list[str]:
    """The route's own page and the page whose forms post to it."""
    pages = [url] if "get" in route.methods else []
    if "order_id" in path:
        pages.append(f"/orders/{path['order_id']}/")
        pages.append(f"/orders/{path['order_id']}/quote/")
    if "code" in path:
        pages.append(f"/auto-orders/{path['code']}/")
    if "pk" in path:
        detail = {"chargeback": "chargebacks", "case": "cases", "job": "tools/jobs"}
        for prefix, root in detail.items():
            if route.name.startswith(prefix):
                pages.append(f"/{root}/{path['pk']}/")
    if "slug" in path:
        pages.append(f"/stages/{path['slug']}/")
    extra = {
        "order-entry-totals": "/orders/new/",
        "order-bulk": "/orders/",
        "saved-view-create": "/orders/",
        "saved-view-delete": "/orders/",
        "preorder-release": "/stages/pre-orders/items/",
        "item-release": "/items/",
        "merchant-switch": "/",
        "export-mapping-preview": "/tools/export/mappings/new/",
        "api-token-revoke": "/settings/api-tokens/",
        "settings-group": "/settings/",
        "settings-staff-role": "/settings/staff/",
        "settings-staff-remove": "/settings/staff/",
        "cost-import-apply": f"/tools/import-costs/{path.get('pk')}/",
        "cost-import-undo": f"/tools/import-costs/{path.get('pk')}/",
        "job-cancel": f"/tools/jobs/{path.get('pk')}/",
    }
    if route.name in extra:
        pages.append(extra[route.name])
    return pages


def route_fields(client, world, route: Route, url: str, path) -> dict[str, dict[str, str]]:
    """For each method the route takes, its parameters with the values its forms start from."""
    declared = declared_params(route)
    fields = {method: dict.fromkeys(declared[method], "") for method in route.methods}
    for page in pages_to_read(world, route, url, path):
        response = client.get(page)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = FormFields()
        parser.feed(response.content.decode())
        for method, action, form in parser.forms:
            target = page if action in ("", "#") or action.startswith("?") else action
            if method in fields and _route_name(target) == route.name:
                fields[method].update({k: v for k, v in form.items() if k != "csrfmiddlewaretoken"})
    # A route that reads nothing declared still gets a parameter to be sent hostile values.
    return {method: values or {"q": ""} for method, values in fields.items()}


# ---- the fuzz -----------------------------------------------------------------------------
# Each field in turn gets each of these while the others keep their form's values, so that a
# value that only hurts after the rest of the form validates is reached too.
CLASSIC = ["99999999999999999999999", "DEMO\x00", "9999-12-31", ["1", "x" * 1000]]


def route_setup(client, manager, world: World, route: Route, path: dict[str, str]):
    login(client, manager)
    url = url_of(route, path)
    if url not in world.fields:
        world.fields[url] = route_fields(client, world, route, url, path)
    return url, world.fields[url]


def send(client, method: str, url: str, data: dict, **headers) -> list[tuple]:
    """No failure, or the request that failed and how."""
    try:
        response = getattr(client, method)(url, data, **headers)
    except Exception as exc:  # the test client re-raises the view's exception
        return [(method, url, data, f"{type(exc).__name__}: {exc}")]
    return [(method, url, data, response.status_code)] if response.status_code >= 500 else []


@pytest.mark.parametrize("route", PAGE_ROUTES, ids=lambda route: route.name)
def test_every_field_with_each_classic_hostile_value(needs_postgres, client, manager, world, route):
    path = {kwarg: values[0] for kwarg, values in path_choices(world, route).items()}
    url, fields = route_setup(client, manager, world, route, path)
    failures = []
    for method, defaults in fields.items():
        for name in sorted(defaults):
            for value in CLASSIC:
                failures += send(client, method, url, {**defaults, name: value})
    assert failures == []


@pytest.mark.parametrize("route", PAGE_ROUTES, ids=lambda route: route.name)
@hypothesis_settings(
    max_examples=EXAMPLES_PER_ROUTE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_parameters_never_answer_a_server_error(
    needs_postgres, client, manager, world, route, data
):
    path = {k: data.draw(st.sampled_from(v), k) for k, v in path_choices(world, route).items()}
    url, fields = route_setup(client, manager, world, route, path)
    names = sorted({name for defaults in fields.values() for name in defaults})
    hostile = data.draw(
        st.dictionaries(st.sampled_from(names), VALUE, min_size=1, max_size=3), "hostile"
    )
    headers = {"HTTP_HX_REQUEST": "true"} if data.draw(st.booleans(), "htmx") else {}
    failures = []
    for method, defaults in fields.items():
        failures += send(client, method, url, {**defaults, **hostile}, **headers)
    assert failures == []


# ---- the intake API's JSON body -----------------------------------------------------------
JSON_HOSTILE = st.one_of(
    HOSTILE,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.lists(HOSTILE, max_size=3),
    st.dictionaries(HOSTILE, HOSTILE, max_size=2),
)


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _leaves(inner, (*path, index))
    yield path


def _replace(value, path, new):
    if not path:
        return new
    head, *rest = path
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replace(value[head], rest, new)
    return copy


INTAKE_TEMPLATE = intake_body(
    phone="555-0100",
    ip_address="127.0.0.1",
    tax="1.00",
    discount="0.00",
    totals={"subtotal": "20.00", "total": "25.00"},
)
INTAKE_PATHS = list(_leaves(INTAKE_TEMPLATE))


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.lists(st.tuples(st.sampled_from(INTAKE_PATHS), JSON_HOSTILE), min_size=1, max_size=4)
)
def test_hostile_intake_bodies_are_answered_with_errors(needs_postgres, client, merchant, changes):
    _, raw = api_token_create(merchant=merchant, name=f"Fuzz {len(changes)}")
    sent = INTAKE_TEMPLATE
    for path, value in changes:
        try:
            sent = _replace(sent, path, value)
        except (KeyError, IndexError, TypeError):  # an earlier change replaced the parent
            continue
    response = intake_post(client, sent, raw)
    assert response.status_code < 500, (sent, response.status_code)
    if response.status_code == 422:
        assert response.json()["errors"]
