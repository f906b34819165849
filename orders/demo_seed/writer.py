"""Fast writes of built orders.

bulk_create compiles every value through the ORM, sends at most 999 parameters per statement
on SQLite (13 orders) and has psycopg quote each value into the SQL text on PostgreSQL; a
million orders need better. These functions write the same rows with COPY on PostgreSQL and
with multi-row INSERTs up to SQLite's real parameter limit, and adapt only the values whose
type needs the backend's conversion (dates, JSON, IP addresses).
"""

import sqlite3

from django.db import DEFAULT_DB_ALIAS, connections

from orders.models import BlockListEntry, GatewayLedgerEntry, Order

from .builder import OrderBundle

ADAPTED_TYPES = frozenset({"DateTimeField", "DateField", "JSONField", "GenericIPAddressField"})
CHILDREN = ("lines", "transactions", "shipments", "notes", "events")


def bundles_write(bundles: list[OrderBundle]) -> None:
    """Write the orders, then everything that points at them; call inside a transaction."""
    rows_insert(Order, [b.order for b in bundles], ids_by="order_number")
    for b in bundles:
        for attribute in CHILDREN:
            for row in getattr(b, attribute):
                row.order_id = b.order.pk
    for attribute in CHILDREN:
        rows = [row for b in bundles for row in getattr(b, attribute)]
        if rows:
            rows_insert(type(rows[0]), rows)
    # An order number handed out again (a merchant deleted and created anew) must not stop
    # the seed on the test gateway's idempotency keys.
    rows_insert(GatewayLedgerEntry, [r for b in bundles for r in b.ledger], skip_conflicts=True)
    Order.tags.through.objects.bulk_create(
        [Order.tags.through(order_id=b.order.pk, tag_id=tag.pk) for b in bundles for tag in b.tags]
    )
    BlockListEntry.objects.bulk_create(
        [row for b in bundles for row in b.blocked], ignore_conflicts=True
    )


def rows_insert(
    model, objs: list, *, ids_by: str | None = None, skip_conflicts: bool = False
) -> None:
    """Write unsaved instances; with `ids_by` (a unique field), set each one's primary key."""
    if not objs:
        return
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor == "postgresql" and not skip_conflicts:
        _rows_copy(db, model, objs, with_ids=ids_by is not None)
    else:
        _rows_insert_values(db, model, objs, ids_by=ids_by, skip_conflicts=skip_conflicts)


def _row_reader(db, fields):
    columns = [(f.attname, f.get_internal_type() in ADAPTED_TYPES, f) for f in fields]
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]

    def read(obj) -> list:
        for field in stamped:
            field.pre_save(obj, True)
        values = obj.__dict__
        return [
            field.get_db_prep_save(values[attname], db) if adapt else values[attname]
            for attname, adapt, field in columns
        ]

    return read


def _rows_copy(db, model, objs: list, *, with_ids: bool) -> None:
    meta = model._meta
    quote = db.ops.quote_name
    fields = [
        f for f in meta.concrete_fields if (with_ids or not f.primary_key) and not f.generated
    ]
    with db.cursor() as cursor:
        if with_ids:
            # COPY returns nothing: take the identifiers from the table's sequence first.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(objs)],
            )
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
        read = _row_reader(db, fields)
        statement = "COPY {} ({}) FROM STDIN".format(
            quote(meta.db_table), ", ".join(quote(f.column) for f in fields)
        )
        with cursor.cursor.copy(statement) as copy:
            for obj in objs:
                copy.write_row(read(obj))


def _rows_insert_values(db, model, objs: list, *, ids_by: str | None, skip_conflicts: bool) -> None:
    meta = model._meta
    quote = db.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    read = _row_reader(db, fields)
    # Table and column names come from the model's metadata, never from input.
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608
        quote(meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    tail = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    if ids_by:
        tail += f" RETURNING {quote(meta.pk.column)}, {quote(meta.get_field(ids_by).column)}"
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, _max_params(db) // len(fields))
    ids = {}
    with db.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            chunk = objs[start : start + per_statement]
            params = [value for obj in chunk for value in read(obj)]
            cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, params)
            if ids_by:
                ids.update((key, pk) for pk, key in cursor.fetchall())
    if ids_by:
        for obj in objs:
            obj.pk = ids[getattr(obj, ids_by)]


def _max_params(db) -> int:
    if db.vendor == "sqlite":
        db.ensure_connection()
        return min(db.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 30000)
    return 30000
