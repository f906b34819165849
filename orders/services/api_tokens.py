"""API tokens: created with their scopes and revoked by the merchant's owner, kept only as a
hash."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from orders.actors import Actor
from orders.events import api_token_created_event, api_token_revoked_event
from orders.exceptions import InvalidInput, TransitionNotPermitted
from orders.models import ApiScope, ApiToken, Merchant

TOKEN_PREFIX = "bo_"  # noqa: S105  (a label, not a secret)
LAST_USED_GRANULARITY = timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _check_owner(merchant: Merchant, by) -> None:
    if by is not None and not by.has_perm("orders.manage_merchant", merchant):
        raise TransitionNotPermitted("Only the merchant's owner manages API tokens.")


def api_token_create(
    *,
    merchant: Merchant,
    name: str,
    scopes: Iterable[str] = (ApiScope.WRITE_ORDERS,),
    by: Actor = None,
) -> tuple[ApiToken, str]:
    """A new token with these scopes (by default what intake tokens always did: write
    orders); returns it with its secret, which is shown once and never stored."""
    _check_owner(merchant, by)
    name = name.strip()
    if not name:
        raise InvalidInput("Name the token (e.g. the storefront that uses it).")
    chosen = {str(scope) for scope in scopes}
    if not chosen:
        raise InvalidInput("Choose at least one thing the token may do.")
    unknown = chosen - set(ApiScope.values)
    if unknown:
        raise InvalidInput(f"Unknown scope: {', '.join(sorted(unknown))}.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            merchant=merchant,
            name=name[:100],
            prefix=raw[: len(TOKEN_PREFIX) + 6],
            key_hash=_hash(raw),
            scopes=[scope for scope in ApiScope.values if scope in chosen],
            created_by=by if by is not None and by.is_authenticated else None,
        )
        api_token_created_event(merchant=merchant, name=token.name, prefix=token.prefix, by=by)
    return token, raw


def api_token_revoke(*, token: ApiToken, by: Actor = None) -> ApiToken:
    _check_owner(token.merchant, by)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            api_token_revoked_event(
                merchant=token.merchant, name=token.name, prefix=token.prefix, by=by
            )
    return token


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The active token with this secret, or None; records when it was last used."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("merchant")
        .filter(key_hash=_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        now = timezone.now()
        # One write a minute at most: a busy client must not turn every read into a write.
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token
