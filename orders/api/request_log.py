"""Every API request logged: the token (when one authenticated), method, path, status and
duration, whatever the answer, unhandled errors included."""

import time
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

from orders.services.api_requests import api_request_record


def logged(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)  # keeps csrf_exempt: tokens authenticate, never cookies
    def logging_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = view(request, *args, **kwargs)
            status = response.status_code
            return response
        finally:
            api_request_record(
                token=getattr(request, "api_token", None),
                method=request.method or "",
                path=request.path,
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000),
            )

    return logging_view
