"""Writes that a job chunk gathers and makes together at its end.

A job that does a chunk of orders in one transaction (tools.jobs) opens writes_deferred().
Inside it, the new rows that services record through row_insert (events, notes) and the order
rows that order_save_changed saves are kept here, and written when the block ends: one INSERT
per kind of row and, on PostgreSQL, one UPDATE per set of changed order columns — instead of a
statement per order, each planned against every index of the wide order table. They still
commit, or roll back, with the chunk's transaction. Outside the block, both write at once.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models

from orders.exceptions import OrderChanged

from .models import Order

ModelT = TypeVar("ModelT", bound=models.Model)

UPDATE_BATCH = 500


@dataclass
class DeferredWrites:
    inserts: list[models.Model] = field(default_factory=list)
    # (order, its stage when it was read, the columns to write)
    updates: list[tuple[Order, str, frozenset[str]]] = field(default_factory=list)

    def mark(self) -> tuple[int, int]:
        return len(self.inserts), len(self.updates)

    def discard_since(self, mark: tuple[int, int]) -> None:
        """Forget what was gathered since `mark`: that item's savepoint was rolled back."""
        del self.inserts[mark[0] :]
        del self.updates[mark[1] :]

    def flush(self) -> None:
        by_model: dict[type[models.Model], list[models.Model]] = {}
        for row in self.inserts:
            by_model.setdefault(type(row), []).append(row)
        for model, rows in by_model.items():
            model.objects.bulk_create(rows, batch_size=1000)
        by_columns: dict[frozenset[str], list[tuple[Order, str]]] = {}
        for order, stage, columns in self.updates:
            by_columns.setdefault(columns, []).append((order, stage))
        for columns, orders in by_columns.items():
            for start in range(0, len(orders), UPDATE_BATCH):
                _orders_update(orders[start : start + UPDATE_BATCH], sorted(columns))


_deferred: ContextVar[DeferredWrites | None] = ContextVar("deferred_writes", default=None)


@contextmanager
def writes_deferred() -> Iterator[DeferredWrites]:
    """Gather the writes made inside the block; make them when it ends without an error. The
    caller must discard (DeferredWrites.discard_since) the writes of an item whose savepoint
    it rolls back."""
    deferred = DeferredWrites()
    token = _deferred.set(deferred)
    try:
        yield deferred
    finally:
        _deferred.reset(token)
    deferred.flush()


def row_insert(row: ModelT) -> ModelT:
    """Insert a new row now, or at the end of the writes_deferred() block around this call."""
    deferred = _deferred.get()
    if deferred is None:
        row.save()
    else:
        deferred.inserts.append(row)
    return row


def order_save_changed(order: Order, before: dict[str, Any]) -> None:
    """Save the order's columns that differ from the snapshot `before` (Order.field_values),
    with updated_at: a narrow UPDATE instead of every column of the wide row. Inside
    writes_deferred() on PostgreSQL, the UPDATE is made with the chunk's others."""
    changed = {name for name, value in order.field_values().items() if before[name] != value}
    if not changed:
        return
    deferred = _deferred.get()
    if deferred is None or connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        order.save(update_fields=changed | {"updated_at"})
        return
    deferred.updates.append((order, before["stage"], frozenset(changed | {"updated_at"})))


def _orders_update(orders: list[tuple[Order, str]], names: list[str]) -> None:
    """UPDATE … FROM (VALUES …): each order's new values, where its stage is still the one it
    was read with (the check django-fsm's ConcurrentTransitionMixin makes on save)."""
    db = connections[DEFAULT_DB_ALIAS]
    fields = [Order._meta.get_field(name) for name in names]
    quote = db.ops.quote_name
    casts = ["%s::bigint", "%s::text"] + [f"%s::{f.cast_db_type(db)}" for f in fields]
    row_sql = "(" + ", ".join(casts) + ")"
    params: list[Any] = []
    for order, stage in orders:
        params += [order.pk, stage]
        for f in fields:
            value = f.pre_save(order, add=False)  # updated_at takes the time now
            params.append(f.get_db_prep_save(value, db))
    columns = ", ".join(quote(f.column) for f in fields)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
    table = quote(Order._meta.db_table)
    with db.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS o SET {assignments} "  # noqa: S608
            f"FROM (VALUES {', '.join([row_sql] * len(orders))}) "
            f"AS v(id, expected_stage, {columns}) "
            "WHERE o.id = v.id AND o.stage = v.expected_stage",
            params,
        )
        if cursor.rowcount != len(orders):
            raise OrderChanged()
