"""Previous / next on the order page, within the list the user came from.

The list's URL (path and query string) travels in the order page's `from` parameter, or is
taken from the Referer when the user arrives from a list. The list view itself builds the
queryset (its stage and filters), so the neighbours are those of the same list.
"""

from urllib.parse import urlencode, urlparse

from django.http import Http404, HttpRequest, QueryDict
from django.urls import Resolver404, resolve

from orders.models import Order
from orders.selectors.neighbours import Neighbours, order_neighbours_get

LIST_URL_NAMES = {"order-list", "stage-list"}


def list_url_of(request: HttpRequest) -> str | None:
    """The list the user came from: ?from=…, else a Referer on this site that is a list."""
    candidate = request.GET.get("from") or ""
    if not candidate:
        referer = request.headers.get("Referer", "")
        parsed = urlparse(referer)
        if parsed.netloc and parsed.netloc != request.get_host():
            return None
        candidate = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    parsed = urlparse(candidate)
    if parsed.netloc or not parsed.path.startswith("/"):
        return None
    try:
        match = resolve(parsed.path)
    except Resolver404:
        return None
    return candidate if match.url_name in LIST_URL_NAMES else None


def _list_queryset(request: HttpRequest, list_url: str):
    parsed = urlparse(list_url)
    match = resolve(parsed.path)
    view = match.func.view_class(**getattr(match.func, "view_initkwargs", {}))
    fake = request.__class__(request.environ) if hasattr(request, "environ") else request
    fake.user, fake.merchant, fake.session = request.user, request.merchant, request.session
    fake.GET = QueryDict(parsed.query)
    view.setup(fake, *match.args, **match.kwargs)
    if hasattr(view, "get_filterset_class"):  # a django-filter FilterView
        return view.get_filterset(view.get_filterset_class()).qs
    try:
        return view.get_queryset()
    except TypeError:  # the plain list takes its screen
        return view.get_queryset(view.get_screen())


def order_neighbours_for_request(request: HttpRequest, order: Order):
    """(neighbours, list_url, query suffix for the links) or (None, None, "")."""
    list_url = list_url_of(request)
    if list_url is None:
        return None, None, ""
    try:
        queryset = _list_queryset(request, list_url)
    except (AttributeError, TypeError, ValueError, LookupError, Http404):
        # A list we cannot rebuild only means no previous / next links.
        return None, list_url, ""
    neighbours: Neighbours = order_neighbours_get(queryset=queryset, order=order)
    return neighbours, list_url, "?" + urlencode({"from": list_url})
