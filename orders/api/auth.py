"""Who calls: a bearer API token, its scope for the operation and its rate limit.

Every operation names the scope it needs (`TokenAuth(ApiScope.READ_ORDERS)`). A missing,
unknown or revoked token is 401, a token over its rate 429 (with Retry-After), a token
without the scope 403; the token that authenticated is kept on the request for the log.
"""

from django.http import HttpRequest
from ninja.security import HttpBearer

from orders.models import ApiScope, ApiToken
from orders.services.api_tokens import api_token_authenticate
from orders.services.rate_limits import api_rate_take


class ScopeMissing(Exception):
    def __init__(self, scope: ApiScope, why: str = "") -> None:
        message = f"this token lacks the {scope.value} scope ({scope.label})"
        super().__init__(f"{message}: {why}" if why else message)
        self.scope = scope


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests; retry after {retry_after} s")
        self.retry_after = retry_after


class TokenAuth(HttpBearer):
    def __init__(self, scope: ApiScope) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = api_token_authenticate(raw=token)
        if api_token is None:
            return None
        request.api_token = api_token  # type: ignore[attr-defined]
        decision = api_rate_take(bucket=api_token.key_hash[:32])
        if not decision.allowed:
            raise RateLimited(decision.retry_after)
        if not api_token.allows(self.scope):
            raise ScopeMissing(self.scope)
        return api_token

    @property
    def openapi_description(self) -> str:  # type: ignore[override]
        return "An API token from Settings → API tokens, as `Authorization: Bearer <token>`."


READ_ORDERS = TokenAuth(ApiScope.READ_ORDERS)
WRITE_ORDERS = TokenAuth(ApiScope.WRITE_ORDERS)


def can_read_customers(request: HttpRequest) -> bool:
    token = getattr(request, "api_token", None)
    return token is not None and token.allows(ApiScope.READ_CUSTOMERS)
