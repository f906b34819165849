"""CSV and TSV written by PostgreSQL: one SELECT for the mapping, streamed with COPY TO STDOUT.

Formatting a cell in Python costs about a microsecond; PostgreSQL's COPY formats a row of
twenty in about that. So on PostgreSQL each column becomes the SQL of its field (catalogue.py)
turned into text by its kind (formats.py), giving exactly the bytes the Python path
(writers.DelimitedWriter) gives; the header row is still written by Python, and nothing of the
merchant's reaches the SQL except as quoted values. The orders are taken in pk windows of
about CHUNK orders (rows.OrderSpan), which bounds the related tables' work and reports
progress as it goes.
"""

from collections.abc import Callable
from typing import BinaryIO

from django.db import connections
from django.db.models import QuerySet

from orders.models import Merchant, Order

from .catalogue import WHITESPACE
from .formats import text_sql
from .rows import OrderSpan
from .writers import Column, DelimitedWriter

CHUNK = 20_000
ROWS_PER_WRITE = 5_000
DELIMITERS = {",": "','", "\t": "E'\\t'"}


def copy_supported(*, queryset: QuerySet[Order], columns: list[Column]) -> bool:
    """Whether COPY can write this export. A lone column is left to Python: there COPY quotes
    a lone "\\." (its end-of-data marker) and ends an empty row where the csv module writes \"\"."""
    return connections[queryset.db].vendor == "postgresql" and len(columns) > 1


def copy_export_write(
    *,
    merchant: Merchant,
    queryset: QuerySet[Order],
    columns: list[Column],
    line_rows: bool,
    delimiter: str,
    out: BinaryIO,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Write the queryset's live orders as CSV or TSV to `out`; the number of orders."""
    DelimitedWriter(out, columns, delimiter).close()  # the byte-order mark and the header
    base = queryset.filter(merchant=merchant, deleted_at__isnull=True)
    span = OrderSpan.of(base)
    statement = _Statement(merchant, columns, line_rows, delimiter)
    rows = 0
    with connections[queryset.db].cursor() as cursor:
        for after, upto in span.windows(CHUNK):
            rows += _copy(cursor, statement.sql(base, after, upto), out)
            if progress is not None:
                # A row per order; or per line, then the share of the pk span done.
                progress(span.share(upto) if line_rows else rows)
    return span.count if line_rows else rows


def _copy(cursor, statement: str, out: BinaryIO) -> int:
    """Stream COPY's rows to `out`; the number of rows. COPY ends a row with \\n, the csv module
    with \\r\\n; a row read from COPY is exactly one row, so its last byte is the one to replace."""
    rows, count = [], 0
    with cursor.copy(statement) as copy:
        for row in copy:
            rows.append(row[:-1])
            if len(rows) == ROWS_PER_WRITE:
                out.write(b"\r\n".join(rows) + b"\r\n")
                count += len(rows)
                rows.clear()
    if rows:
        out.write(b"\r\n".join(rows) + b"\r\n")
    return count + len(rows)


class _Statement:
    """The COPY statement of one mapping, for the orders of one pk range."""

    def __init__(
        self, merchant: Merchant, columns: list[Column], line_rows: bool, delimiter: str
    ) -> None:
        order_fields = [c.field for c in columns if not c.field.line]
        self.inner_columns = ["id"]
        for field in order_fields:
            for name in (field.source, *field.needs):
                if name and name not in self.inner_columns:
                    self.inner_columns.append(name)
        joined = {f.name: f for f in order_fields if f.sql_join}
        self.joins = "".join(
            f" LEFT JOIN ({field.sql_join}) AS j_{name} ON j_{name}.order_id = o.id"
            for name, field in joined.items()
        )
        if line_rows:
            # The range again, for an index range scan of the lines rather than a full scan.
            self.joins += (
                " LEFT JOIN orders_orderline AS l ON l.order_id = o.id"
                " AND l.order_id > %(after)s AND l.order_id <= %(upto)s"
            )
        self.select = ", ".join(_column_sql(column, line_rows) for column in columns)
        self.order_by = "o.id, l.position, l.id" if line_rows else "o.id"
        self.options = f"FORMAT csv, DELIMITER {DELIMITERS[delimiter]}, ENCODING 'UTF8'"
        self.params = {
            "merchant_code": merchant.code,
            "time_zone": merchant.time_zone or "UTC",
            "whitespace": WHITESPACE,
        }

    def sql(self, base, after: int, upto: int) -> str:
        """The statement with every value inlined, quoted by psycopg: COPY takes no parameters."""
        orders = base.filter(pk__gt=after, pk__lte=upto).order_by().values(*self.inner_columns)
        connection = connections[orders.db]
        inner, inner_params = orders.query.get_compiler(connection=connection).as_sql()
        # The orders' query first; a % left in it is then a literal one, for the second pass.
        # compose_sql is PostgreSQL's own (COPY runs only there); the stubs type the base class.
        inner = connection.ops.compose_sql(inner, inner_params).replace("%", "%%")  # type: ignore[attr-defined]
        select = f"SELECT {self.select} FROM ({inner}) AS o{self.joins} ORDER BY {self.order_by}"  # noqa: S608
        params = {**self.params, "after": after, "upto": upto}
        return connection.ops.compose_sql(  # type: ignore[attr-defined]
            f"COPY ({select}) TO STDOUT WITH ({self.options})", params
        )


def _column_sql(column: Column, line_rows: bool) -> str:
    field = column.field
    if field.line and not line_rows:
        return "NULL"  # a line field in a row per order stays empty, as in Python
    value = f"j_{field.name}.value" if field.sql_join else field.value_sql()
    return text_sql(field, column.format, value)
