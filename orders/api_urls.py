"""/api/v1/: the ninja application's URLs, each view wrapped so every request is logged."""

from django.urls import URLPattern

from orders.api.app import api
from orders.api.request_log import logged

_patterns, _, app_name = api.urls  # the namespace, api-v1, reverses the API's URLs

urlpatterns = [
    URLPattern(pattern.pattern, logged(pattern.callback), pattern.default_args, pattern.name)
    for pattern in _patterns
    if isinstance(pattern, URLPattern)
]
