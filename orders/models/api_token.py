from django.conf import settings
from django.db import models
from django.utils import timezone

from .merchant import Merchant


class ApiScope(models.TextChoices):
    """What a token may do. Reading orders covers everything the read API serves (orders,
    their events, auto orders, chargebacks, cases); customers' data (emails, names,
    addresses, phones, IP addresses, case messages) is served only with its own scope."""

    READ_ORDERS = "orders:read", "Read orders"
    WRITE_ORDERS = "orders:write", "Write orders (the intake API)"
    READ_CUSTOMERS = "customers:read", "Read customers' data"


def default_scopes() -> list[str]:
    """What a token could do before tokens had scopes: push orders through the intake API."""
    return [ApiScope.WRITE_ORDERS.value]


class ApiToken(models.Model):
    """A merchant's API credential. Only a hash of the secret is kept; the prefix (the
    secret's first characters) lets the owner tell tokens apart."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=default_scopes)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def scope_labels(self) -> list[str]:
        return [ApiScope(code).label for code in ApiScope.values if code in self.scopes]


class ApiRequest(models.Model):
    """One request to the API: who (the token, when one authenticated), what, the answer and
    how long it took. Kept API_REQUEST_KEEP_DAYS, then removed by the nightly purge."""

    merchant = models.ForeignKey(
        Merchant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token = models.ForeignKey(
        ApiToken, null=True, blank=True, on_delete=models.CASCADE, related_name="requests"
    )
    token_prefix = models.CharField(max_length=16, blank=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["token", "-created_at"], name="api_request_token_time_idx"),
            models.Index(fields=["created_at"], name="api_request_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
