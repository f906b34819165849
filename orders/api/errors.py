"""Every refusal in one shape, the intake API's: {"errors": [{"path", "message"}]}."""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from orders.api.auth import RateLimited, ScopeMissing
from orders.exceptions import InvalidInput
from orders.selectors.api import FiltersInvalid

AUTH_REQUIRED = ("Authorization", "a valid, unrevoked API token is required")


def errors_response(
    api: NinjaAPI, request: HttpRequest, status: int, *errors: tuple[str, str]
) -> HttpResponse:
    body = {"errors": [{"path": path, "message": message} for path, message in errors]}
    return api.create_response(request, body, status=status)


def _validation_path(error: dict) -> str:
    # ninja's loc is ("query" | "path" | "body", field, ...): the client knows its field.
    parts = [str(part) for part in error.get("loc", ())[1:]]
    return ".".join(parts) or "$"


def install_error_handlers(api: NinjaAPI) -> None:
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        response = errors_response(api, request, 401, AUTH_REQUIRED)
        response["WWW-Authenticate"] = "Bearer"
        return response

    def scope_missing(request: HttpRequest, exc: Exception) -> HttpResponse:
        return errors_response(api, request, 403, ("Authorization", str(exc)))

    def rate_limited(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, RateLimited)  # noqa: S101 - registered for RateLimited only
        response = errors_response(api, request, 429, ("$", str(exc)))
        response["Retry-After"] = str(exc.retry_after)
        return response

    def filters_invalid(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, FiltersInvalid)  # noqa: S101
        pairs = [(error["path"], error["message"]) for error in exc.errors]
        return errors_response(api, request, 422, *pairs)

    def invalid_input(request: HttpRequest, exc: Exception) -> HttpResponse:
        return errors_response(api, request, 422, ("$", str(exc)))

    def validation(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, ValidationError)  # noqa: S101
        pairs = [(_validation_path(error), str(error.get("msg"))) for error in exc.errors]
        return errors_response(api, request, 422, *pairs)

    def http_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, HttpError)  # noqa: S101
        return errors_response(api, request, exc.status_code, ("$", exc.message))

    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return errors_response(api, request, 404, ("$", str(exc) or "not found"))

    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(ScopeMissing, scope_missing)
    api.add_exception_handler(RateLimited, rate_limited)
    api.add_exception_handler(FiltersInvalid, filters_invalid)
    api.add_exception_handler(InvalidInput, invalid_input)
    api.add_exception_handler(ValidationError, validation)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
