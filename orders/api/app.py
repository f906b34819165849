from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from orders.api import intake, reads  # noqa: F401 - they declare the operations
from orders.api.errors import install_error_handlers
from orders.api.routers import router

DESCRIPTION = """\
Read a merchant's orders, their events, auto orders, chargebacks and cases, and place orders.

**Tokens and scopes.** Every call carries `Authorization: Bearer <token>` (Settings → API
tokens). A token has scopes: `orders:read` (every GET), `orders:write` (placing orders) and
`customers:read` (customers' emails, names, addresses, phones, IP addresses and case messages:
without it those fields are null, messages empty and event payloads null, and the search `q`
is refused). A missing or revoked token is 401, a missing scope 403, another merchant's object
404.

**Pages.** Lists answer `{items, next, next_cursor}`: follow `next` (or pass `cursor`) until it
is null. Pages are keyset pages, stable while orders are added; `limit` is 1–500 (100).

**Rate limits.** Per token, bursts of 40 requests and 10 per second sustained; past that the
answer is 429 with `Retry-After` (seconds).

**Errors** are `{"errors": [{"path", "message"}]}`. Money is a decimal string, times ISO 8601.
"""

api = NinjaAPI(
    title="Backoffice API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("", router)
