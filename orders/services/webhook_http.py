"""One signed POST to a merchant's webhook URL, and nothing the URL could turn against us.

The host is resolved once and the connection goes to the address that was checked, so a name
that resolves to a public address for the check and to a private one for the request (DNS
rebinding) cannot reach the internal network. Redirects are not followed; at most
MAX_RESPONSE_BYTES of the answer are read; the whole exchange has a deadline.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

CONNECT_TIMEOUT = 3.0
TOTAL_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "Backoffice-Webhooks/1"


class UnsafeWebhookTarget(ValueError):
    """The URL may not be called: wrong scheme, or it leads to a private address."""


@dataclass(frozen=True)
class PostResult:
    status: int | None  # None: no HTTP answer (network error, timeout, refused target)
    duration_ms: int
    body: str = ""
    error: str = ""
    # The address was refused before any request (scheme, private address): no retry helps.
    refused: bool = False

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def worth_retrying(self) -> bool:
        """Network errors, 5xx and 429 may pass later; other answers will not change."""
        if self.refused:
            return False
        return self.status is None or self.status >= 500 or self.status == 429


def private_targets_allowed() -> bool:
    return settings.DEBUG or settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS


def webhook_url_problem(url: str) -> str | None:
    """Why `url` cannot be a webhook endpoint, judged without network access; None if fine."""
    parts = urlsplit(url)
    allowed = {"https", "http"} if private_targets_allowed() else {"https"}
    if parts.scheme not in allowed:
        return "The address must start with https://."
    if not parts.hostname:
        return "The address has no host."
    if parts.username or parts.password:
        return "The address may not carry a user name or password."
    if not private_targets_allowed():
        try:
            address = ipaddress.ip_address(parts.hostname)
        except ValueError:
            if parts.hostname == "localhost" or parts.hostname.endswith(".localhost"):
                return "The address points to this machine."
            return None
        if _is_private(address):
            return "The address is private or local; webhooks go to public addresses only."
    return None


def _is_private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def _resolve(host: str, port: int) -> str:
    """The address to connect to: the first that getaddrinfo gives, refused if any address
    of the name is private (a name with one private address is not trusted at all)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {host}: {exc.strerror}") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not private_targets_allowed():
        for address in addresses:
            if _is_private(ipaddress.ip_address(address.split("%")[0])):
                raise UnsafeWebhookTarget(f"{host} resolves to a private address")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), CONNECT_TIMEOUT)
        self.sock.settimeout(self.timeout)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def webhook_post(*, url: str, body: bytes, headers: dict[str, str]) -> PostResult:
    """POST `body` to `url`; never raises for the endpoint's faults, it reports them."""
    started = time.monotonic()
    parts = urlsplit(url)
    problem = webhook_url_problem(url)
    if problem:
        return PostResult(status=None, duration_ms=0, error=problem, refused=True)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    try:
        address = _resolve(parts.hostname or "", port)
        kind = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
        connection = kind(parts.hostname or "", port, address, timeout=TOTAL_TIMEOUT)
        path = parts.path or "/"
        if parts.query:
            path = f"{path}?{parts.query}"
        try:
            connection.request(
                "POST",
                path,
                body=body,
                headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
            )
            response = connection.getresponse()
            answer = _read_capped(response, deadline=started + TOTAL_TIMEOUT)
            status = response.status
        finally:
            connection.close()
    except UnsafeWebhookTarget as exc:
        return PostResult(status=None, duration_ms=_since(started), error=str(exc), refused=True)
    except (OSError, http.client.HTTPException) as exc:
        return PostResult(status=None, duration_ms=_since(started), error=_describe(exc))
    return PostResult(status=status, duration_ms=_since(started), body=answer)


def _read_capped(response: http.client.HTTPResponse, *, deadline: float) -> str:
    chunks: list[bytes] = []
    size = 0
    while size < MAX_RESPONSE_BYTES:
        if time.monotonic() > deadline:
            raise TimeoutError("the answer took longer than the deadline")
        chunk = response.read1(min(8192, MAX_RESPONSE_BYTES - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return (str(exc) or type(exc).__name__)[:300]
