"""Reading the merchant's orders: one by its ID, the live ones, and the IDs people paste in."""

import re
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from orders.models import Merchant, Order, OrderLine

# IDs may be separated by spaces, commas, semicolons or new lines.
_SEPARATORS = re.compile(r"[\s,;]+")
# Keeps each IN (...) list well under SQLite's bound-parameter limit.
_LOOKUP_BATCH = 500


def order_live_list(*, merchant: Merchant) -> QuerySet[Order]:
    """The merchant's live orders: every other order is not theirs to see (a 404)."""
    return Order.objects.live().for_merchant(merchant)


def order_live_get(*, merchant: Merchant, order_id: str) -> Order:
    """One of the merchant's live orders by its ID (Order.DoesNotExist otherwise)."""
    return order_live_list(merchant=merchant).get(order_id=order_id)


def order_deleted_find(*, merchant: Merchant, order_id: str) -> Order | None:
    """The merchant's deleted order with this ID (and who deleted it), or None."""
    return (
        Order.objects.filter(merchant=merchant, order_id=order_id, deleted_at__isnull=False)
        .select_related("deleted_by")
        .first()
    )


def order_live_find(*, merchant: Merchant, order_id: str) -> Order | None:
    """The merchant's live order with this ID, or None."""
    return order_live_list(merchant=merchant).filter(order_id=order_id).first()


def orders_printable(
    *, merchant: Merchant, order_ids: list[str] | None = None, order_pks: list[int] | None = None
) -> list[Order]:
    """The merchant's live orders among these IDs (or pks), with what a printed page shows."""
    wanted = Q(pk__in=order_pks) if order_pks is not None else Q(order_id__in=order_ids or [])
    return list(
        order_live_list(merchant=merchant)
        .filter(wanted)
        .select_related("merchant")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("position", "id")),
            "shipments__lines",
        )
    )


@dataclass(frozen=True)
class OrderIdsResolved:
    """Pasted order IDs split into the merchant's live orders and the ones listed back."""

    order_pks: list[int] = field(default_factory=list)
    order_ids: list[str] = field(default_factory=list)
    # Unknown here: no such order, or another merchant's (indistinguishable on purpose).
    not_found: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def unresolved(self) -> list[str]:
        return [*self.not_found, *self.deleted]


def order_ids_parse(text: str) -> list[str]:
    """The distinct IDs in pasted text, upper-cased, in the order given."""
    seen: dict[str, None] = {}
    for token in _SEPARATORS.split(text or ""):
        if token:
            seen.setdefault(token.upper(), None)
    return list(seen)


def order_ids_lookup(*, merchant: Merchant, ids: list[str]) -> dict[str, tuple[int, bool, str]]:
    """The merchant's orders among these IDs: order ID → (pk, whether deleted, stage)."""
    rows: dict[str, tuple[int, bool, str]] = {}
    for start in range(0, len(ids), _LOOKUP_BATCH):
        batch = ids[start : start + _LOOKUP_BATCH]
        for pk, order_id, deleted_at, stage in Order.objects.filter(
            merchant=merchant, order_id__in=batch
        ).values_list("pk", "order_id", "deleted_at", "stage"):
            rows[order_id] = (pk, deleted_at is not None, stage)
    return rows


def order_ids_resolve(*, merchant: Merchant, text: str) -> OrderIdsResolved:
    """Resolve pasted order IDs within one merchant; missing, foreign and deleted are listed."""
    ids = order_ids_parse(text)
    rows = order_ids_lookup(merchant=merchant, ids=ids)
    order_pks, order_ids, not_found, deleted = [], [], [], []
    for order_id in ids:
        if order_id not in rows:
            not_found.append(order_id)
        elif rows[order_id][1]:
            deleted.append(order_id)
        else:
            order_pks.append(rows[order_id][0])
            order_ids.append(order_id)
    return OrderIdsResolved(
        order_pks=order_pks, order_ids=order_ids, not_found=not_found, deleted=deleted
    )
