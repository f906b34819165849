"""The current merchant: every merchant-facing view works inside exactly one merchant.

A user who works for several merchants picks one (kept in the session); everything a view
reads is filtered by request.merchant, so another merchant's objects answer 404.
"""

from functools import lru_cache
from urllib.parse import urlsplit

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import ResolverMatch, resolve
from django.utils.functional import SimpleLazyObject

from orders.models import Membership

SESSION_KEY = "current_merchant_id"


def _memberships(request):
    if not request.user.is_authenticated:
        return []
    if not hasattr(request, "_memberships"):
        request._memberships = list(
            Membership.objects.filter(user=request.user)
            .select_related("merchant")
            .order_by("merchant__code")
        )
    return request._memberships


def current_merchant(request):
    memberships = _memberships(request)
    if not memberships:
        return None
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.merchant_id == chosen:
            return membership.merchant
    return memberships[0].merchant


class CurrentMerchantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.merchant = SimpleLazyObject(lambda: current_merchant(request))
        request.memberships = SimpleLazyObject(lambda: _memberships(request))
        return self.get_response(request)


def merchant_context(request) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    merchant = request.merchant
    return {
        "current_merchant": merchant if merchant else None,
        "user_memberships": list(request.memberships),
    }


class MerchantRequiredMixin(LoginRequiredMixin):
    """A signed-in member of the current merchant with the permissions this request needs at
    that merchant (403 otherwise).

    A view declares what it needs in `permission` ("" for any member). A view that serves
    several actions (named by a URL argument or the posted form) answers per action in
    `required_permissions()` instead; tests read either, so keep the answer there, not in
    the handlers.
    """

    permission: str = "orders.view_merchant_orders"

    def required_permissions(self) -> tuple[str, ...]:
        """Every permission this request needs; self.request and self.kwargs are set."""
        return (self.permission,) if self.permission else ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.merchant:
            raise Http404("You are not a member of any merchant.")
        for permission in self.required_permissions():
            if not request.user.has_perm(permission, request.merchant):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


@lru_cache(maxsize=2_048)
def _route(path: str) -> ResolverMatch:
    # A page asks about the same twenty navigation links on every request; matching each
    # against every pattern cost ~0.1 ms a link. The URLconf does not change while running.
    return resolve(path)


def url_permitted(request: HttpRequest, path: str) -> bool:
    """Whether the signed-in user may open `path` at the current merchant.

    The view's own declared permissions answer (MerchantRequiredMixin.required_permissions), so
    a link is shown exactly when following it is allowed: navigation never offers a 403. A
    query string is ignored (the route decides).
    """
    match = _route(urlsplit(path).path)
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not issubclass(view_class, MerchantRequiredMixin):
        return True
    if not request.user.is_authenticated or not request.merchant:
        return False
    view = view_class()
    view.setup(request, *match.args, **match.kwargs)
    try:
        permissions = view.required_permissions()
    except (Http404, PermissionDenied):
        return False
    return all(request.user.has_perm(name, request.merchant) for name in permissions)
