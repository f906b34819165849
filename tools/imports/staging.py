"""An import's staged rows in the database: written in bulk, read back per order in SQL.

The file's valid rows are CostImportRow rows, written a chunk at a time; once the file is read,
one aggregate query turns them into what the import does to each order (CostImportOrder: the
last non-blank shipping and fulfillment, the sum of the payments). Every later step reads that
through orders, which owns what a plan does to an order's costs: the preview's before → after
(orders.selectors.costs) and the apply (orders.services.costs), given the table's names by
`cost_plan_table` and `cost_change_table`.
"""

from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import Count, Field, Q, Sum

from orders.selectors.costs import order_costs_planned
from orders.services.costs import CostChangeTable, CostPlanTable
from tools.models import CostImportChange, CostImportError, CostImportOrder, CostImportRow

ROW_FIELDS = (
    "cost_import_id",
    "file_row",
    "order_pk",
    "order_id",
    "shipping",
    "fulfillment",
    "payment",
)
ERROR_FIELDS = ("cost_import_id", "file_row", "column", "value", "message")


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


def cost_plan_table(*, import_pk: int) -> CostPlanTable:
    """The import's plan (CostImportOrder) as orders' writer of costs reads it."""
    meta = CostImportOrder._meta
    return CostPlanTable(
        table=meta.db_table,
        plan_column=_column("cost_import"),
        plan_id=import_pk,
        order=meta.get_field("order_pk").column,
        label=meta.get_field("order_id").column,
        position=meta.get_field("first_row").column,
        shipping=meta.get_field("shipping").column,
        fulfillment=meta.get_field("fulfillment").column,
        payment=meta.get_field("payment").column,
    )


def _column(name: str) -> str:
    """The database column of one of CostImportChange's own fields."""
    field = CostImportChange._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise LookupError(f"CostImportChange.{name} is not a column of its own.")
    return field.column


def cost_change_table(*, import_pk: int) -> CostChangeTable:
    """The import's change rows (CostImportChange) as orders' writer of costs writes and reads
    them."""
    meta = CostImportChange._meta
    columns = {
        name: _column(name)
        for name in (
            "order",
            "shipping_before",
            "shipping_after",
            "fulfillment_before",
            "fulfillment_after",
            "payment_before",
            "payment_added",
        )
    }
    return CostChangeTable(
        table=meta.db_table,
        plan_column=meta.get_field("cost_import").column,
        plan_id=import_pk,
        pk=meta.pk.column,
        **columns,
    )


def order_changes_first(*, import_pk: int, count: int) -> list[dict]:
    """Before → after of the import's first orders (in file order), from the orders as they
    are now; nothing is changed."""
    first = list(
        CostImportOrder.objects.filter(cost_import_id=import_pk)
        .order_by("first_row")
        .values_list("order_pk", "order_id")[:count]
    )
    if not first:
        return []
    order_pks = [order_pk for order_pk, _ in first]
    planned = order_costs_planned(plan=cost_plan_table(import_pk=import_pk), order_pks=order_pks)
    rows = _rows_of(import_pk, order_pks)
    return [
        {
            "order_id": order_id,
            "rows": rows.get(order_pk, []),
            "before": {key: str(value) for key, value in planned[order_pk][0].items()},
            "after": {key: str(value) for key, value in planned[order_pk][1].items()},
        }
        for order_pk, order_id in first
        if order_pk in planned
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


def plan_totals(*, import_pk: int) -> dict[str, str]:
    """What the file sets or adds over all its orders, each cost's sum as text ("" where no row
    had a value): shipping and fulfillment as set, payment as added."""
    totals = CostImportOrder.objects.filter(cost_import_id=import_pk).aggregate(
        shipping=Sum("shipping"), fulfillment=Sum("fulfillment"), payment=Sum("payment")
    )
    return {name: "" if total is None else f"{total:.2f}" for name, total in totals.items()}


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
