"""Cursor pages for the read API: keyset pages behind an opaque, signed cursor.

A page is the rows after the last row of the previous page in a fixed order over unique keys
(order number; or time changed, then order number), so rows inserted meanwhile never shift a
page: a new order lands at the end, and nothing is skipped or served twice. The cursor is
those keys signed, so a client cannot forge one that reads past its own filters' scope (every
page is still scoped by merchant) or that breaks the query.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Model, Q, QuerySet

from orders.exceptions import InvalidInput

PAGE_SIZE_DEFAULT = 100
PAGE_SIZE_MAX = 500
CURSOR_SALT = "orders.api.cursor"

M = TypeVar("M", bound=Model)


class CursorInvalid(InvalidInput):
    def __init__(self) -> None:
        super().__init__("The cursor is not one this API gave out for this list.")


@dataclass(frozen=True)
class Keyset:
    """The order of a list: its name (kept in the cursor) and its unique key fields."""

    name: str
    fields: tuple[str, ...]

    def encode(self, row: Model) -> str:
        values = [_plain(getattr(row, field)) for field in self.fields]
        return signing.dumps({"s": self.name, "k": values}, salt=CURSOR_SALT, compress=True)

    def decode(self, cursor: str) -> list[Any]:
        try:
            data = signing.loads(cursor, salt=CURSOR_SALT)
        except signing.BadSignature as exc:
            raise CursorInvalid from exc
        values = data.get("k") if isinstance(data, dict) else None
        if data.get("s") != self.name or not isinstance(values, list):
            raise CursorInvalid
        if len(values) != len(self.fields):
            raise CursorInvalid
        return [_typed(field, value) for field, value in zip(self.fields, values, strict=True)]

    def after(self, values: Sequence[Any]) -> Q:
        """Rows after these key values: (a, b) > (x, y), with a bound on the first key so an
        index on the keys starts its scan there."""
        condition = Q(**{f"{self.fields[-1]}__gt": values[-1]})
        for field, value in zip(self.fields[-2::-1], values[-2::-1], strict=True):
            condition = Q(**{f"{field}__gt": value}) | (Q(**{field: value}) & condition)
        return Q(**{f"{self.fields[0]}__gte": values[0]}) & condition


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _typed(field: str, value: Any) -> Any:
    """A key value as the query needs it; a cursor that does not parse is invalid."""
    if field.endswith("_at"):
        try:
            return datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise CursorInvalid from exc
    if isinstance(value, bool) or not isinstance(value, int):
        raise CursorInvalid
    return value


@dataclass(frozen=True)
class CursorPage(Generic[M]):
    rows: list[M]
    next_cursor: str | None


def keyset_page(
    queryset: QuerySet[M], *, keyset: Keyset, cursor: str | None, size: int
) -> CursorPage[M]:
    """Up to `size` rows after the cursor (from the start without one), and the cursor of
    the next page when there are more."""
    if not 1 <= size <= PAGE_SIZE_MAX:
        raise InvalidInput(f"The page size must be from 1 to {PAGE_SIZE_MAX}.")
    if cursor:
        queryset = queryset.filter(keyset.after(keyset.decode(cursor)))
    rows = list(queryset.order_by(*keyset.fields)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return CursorPage(rows, keyset.encode(rows[-1]) if more else None)
