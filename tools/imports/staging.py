"""An import's staged rows in the database: written in bulk, read back per order in SQL.

The file's valid rows are CostImportRow rows, written a chunk at a time; once the file is read,
one aggregate query turns them into what the import does to each order (CostImportOrder: the
last non-blank shipping and fulfillment, the sum of the payments). Every later step reads that:
the preview's before → after, the apply's change rows, its events and its order update, with
the costs after computed by the one SQL definition here (`costs_after_sql`).
"""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Q

from orders.events import COSTS_RECORDED
from orders.models import Order
from tools.models import CostImportError, CostImportOrder, CostImportRow

ROW_FIELDS = ("cost_import_id", "file_row", "order_pk", "order_id", "shipping", "fulfillment",
              "payment")  # fmt: skip
ERROR_FIELDS = ("cost_import_id", "file_row", "column", "value", "message")
CENT = Decimal("0.01")


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _bulk_write(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain value tuples: COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=500
        )
        return
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {_table(model)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def rows_write(rows: list[tuple]) -> None:
    """Stage valid rows: (import pk, file row, order pk, order ID, shipping, fulfillment,
    payment)."""
    _bulk_write(CostImportRow, ROW_FIELDS, rows)


def errors_write(import_pk: int, errors: list) -> None:
    rows = [(import_pk, e.row, e.column, e.value, e.message) for e in errors]
    _bulk_write(CostImportError, ERROR_FIELDS, rows)


def cost_import_errors(*, import_pk: int) -> Iterator[dict[str, Any]]:
    """Every error of an import, in row order, read a chunk at a time."""
    rows = CostImportError.objects.filter(cost_import_id=import_pk).order_by("id")
    for row, column, value, message in rows.values_list(
        "file_row", "column", "value", "message"
    ).iterator(chunk_size=2000):
        yield {"row": row, "column": column, "value": value, "message": message}


# ---- per order --------------------------------------------------------------------------------


def orders_plan_write(*, import_pk: int) -> None:
    """Work out from the staged rows what the import does to each order (CostImportOrder)."""
    rows = _table(CostImportRow)
    # An order's last non-blank value: its only row's, or the one on its highest such row, read
    # back by a correlated subquery, an index lookup per order whatever the planner believes.
    # (Statistics never know a new import, so a join of its rows with themselves was estimated
    # at one row and run as a nested loop over every pair.)
    last = (
        "CASE WHEN a.row_count = 1 THEN a.only_{0} ELSE (SELECT r.{0} FROM {1} r "
        "WHERE r.cost_import_id = a.cost_import_id AND r.file_row = a.{0}_row) END"
    )
    sql = (
        f"INSERT INTO {_table(CostImportOrder)} (cost_import_id, order_pk, order_id, first_row, "  # noqa: S608
        "row_count, shipping, fulfillment, payment) "
        "SELECT a.cost_import_id, a.order_pk, a.order_id, a.first_row, a.row_count, "
        f"{last.format('shipping', rows)}, {last.format('fulfillment', rows)}, a.payment "
        "FROM (SELECT cost_import_id, order_pk, MIN(order_id) AS order_id, "
        "MIN(file_row) AS first_row, COUNT(*) AS row_count, MAX(shipping) AS only_shipping, "
        "MAX(fulfillment) AS only_fulfillment, "
        "MAX(CASE WHEN shipping IS NOT NULL THEN file_row END) AS shipping_row, "
        "MAX(CASE WHEN fulfillment IS NOT NULL THEN file_row END) AS fulfillment_row, "
        f"SUM(payment) AS payment FROM {rows} WHERE cost_import_id = %s "
        "GROUP BY cost_import_id, order_pk) a ORDER BY a.order_pk"
    )  # stored by order pk, so that the apply visits the orders' table in its own order
    with connection.cursor() as cursor:
        cursor.execute(sql, [import_pk])


def costs_after_sql(*, order: str = "o", plan: str = "p") -> dict[str, str]:
    """SQL of each cost's value once applied, from an order row and its CostImportOrder row:
    shipping and fulfillment replaced, payment added, profit recomputed by the model's own
    definition. Keyed as the events record costs."""
    after = {
        "shipping": f"COALESCE({plan}.shipping, {order}.actual_shipping)",
        "fulfillment": f"COALESCE({plan}.fulfillment, {order}.actual_fulfillment)",
        "payment": f"{order}.actual_payment + COALESCE({plan}.payment, 0)",
    }
    fields = {f"actual_{key}": sql for key, sql in after.items()}
    after["profit"] = Order.actual_profit_sql(lambda name: fields.get(name, f"{order}.{name}"))
    return after


def plan_join_sql() -> str:
    """The import's orders (o) with their plan (p); param: the import's pk.

    Joined on the orders' primary key only, with no filter on the orders' side: PostgreSQL
    then sees every order as a candidate, and whatever it believes of the new import's plan
    rows (statistics never know a new import: often "one row"), it drives the join from them
    with an index lookup per order, or hashes both sides, never rescans one per row of the
    other.
    """
    return (
        f"{_table(Order)} o JOIN {_table(CostImportOrder)} p "
        "ON p.cost_import_id = %s AND p.order_pk = o.id"
    )


def _money_str(value: Any) -> str:
    """A money value read by a raw cursor (a float on SQLite) as str() of its 2-place Decimal."""
    return str((value if isinstance(value, Decimal) else Decimal(repr(value))).quantize(CENT))


def order_changes_first(*, import_pk: int, count: int) -> list[dict]:
    """Before → after of the import's first orders (in file order), from the orders as they
    are now; nothing is changed."""
    first = list(
        CostImportOrder.objects.filter(cost_import_id=import_pk)
        .order_by("first_row")
        .values_list("order_pk", flat=True)[:count]
    )
    if not first:
        return []
    after = costs_after_sql()
    columns = [f"o.{field}" for field in COSTS_RECORDED.values()]
    columns += [after[key] for key in COSTS_RECORDED]
    listed = ", ".join(["%s"] * len(first))
    sql = (
        f"SELECT p.order_pk, p.order_id, {', '.join(columns)} FROM {plan_join_sql()} "  # noqa: S608
        f"WHERE o.id IN ({listed}) AND p.order_pk IN ({listed}) ORDER BY p.first_row"
    )  # both sides by their index, whatever the planner believes of them
    with connection.cursor() as cursor:
        cursor.execute(sql, [import_pk, *first, *first])
        found = cursor.fetchall()
    rows = _rows_of(import_pk, first)
    return [
        {
            "order_id": order_id,
            "rows": rows.get(order_pk, []),
            "before": dict(zip(COSTS_RECORDED, map(_money_str, values[:4]), strict=True)),
            "after": dict(zip(COSTS_RECORDED, map(_money_str, values[4:]), strict=True)),
        }
        for order_pk, order_id, *values in found
    ]


def _rows_of(import_pk: int, order_pks: list[int]) -> dict[int, list[int]]:
    rows: dict[int, list[int]] = {}
    staged = CostImportRow.objects.filter(cost_import_id=import_pk, order_pk__in=order_pks)
    for order_pk, file_row in staged.order_by("file_row").values_list("order_pk", "file_row"):
        rows.setdefault(order_pk, []).append(file_row)
    return rows


def orders_counted(*, import_pk: int) -> tuple[int, int]:
    """(orders the import changes, orders with several rows)."""
    counts = CostImportOrder.objects.filter(cost_import_id=import_pk).aggregate(
        orders=Count("id"), repeated=Count("id", filter=Q(row_count__gt=1))
    )
    return counts["orders"], counts["repeated"]


def orders_repeated_first(*, import_pk: int, count: int) -> dict[str, list[int]]:
    """The first orders (in file order) with several rows: order ID → its row numbers."""
    repeated = (
        CostImportOrder.objects.filter(cost_import_id=import_pk, row_count__gt=1)
        .order_by("first_row")
        .values_list("order_pk", "order_id")[:count]
    )
    ids = dict(repeated)
    return {ids[pk]: rows for pk, rows in _rows_of(import_pk, list(ids)).items()}


def staged_delete(*, import_pk: int) -> None:
    """Drop an import's staged rows and plan (an import with errors can never be applied)."""
    CostImportOrder.objects.filter(cost_import_id=import_pk).delete()
    CostImportRow.objects.filter(cost_import_id=import_pk).delete()


def staged_clear(*, import_pk: int) -> None:
    """Drop everything a reading of the import's file staged: its rows, plan and errors."""
    staged_delete(import_pk=import_pk)
    CostImportError.objects.filter(cost_import_id=import_pk).delete()
