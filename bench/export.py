"""Export benchmark: our CSV export beside PostgreSQL's COPY of the same columns, and our XLSX
export beside openpyxl write-only writing the same rows; peak memory at two sizes.

    DATABASE_URL=postgres://… python bench/export.py --orders 100000 [--formats csv,xlsx]

Ours and the baseline run alternately `--repeat` times; the median of each is printed with
their ratio, and the load average before and after (the machine may be shared).
"""

import argparse
import io
import os
import statistics
import tempfile

from _setup import django_setup, merchant_with_orders, peak_mib, timed


def order_row_columns() -> list[str]:
    """The Standard mapping's columns that live on the order row (COPY reads one table)."""
    from tools.exports.services import STANDARD_FIELDS

    return [name for name in STANDARD_FIELDS if name != "tracking_numbers"]


BASELINES = {"csv": "COPY … TO STDOUT", "xlsx": "openpyxl write-only"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--merchant", default="BENCH")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--small", type=int, help="the smaller size for memory (orders / 10)")
    args = parser.parse_args()
    django_setup()
    from django.db import connection

    from tools.models import ExportMapping

    merchant = merchant_with_orders(args.merchant, args.orders)
    mapping = ExportMapping(
        merchant=merchant,
        name="bench",
        format="csv",
        granularity="order",
        columns=[{"field": name, "header": name, "format": ""} for name in order_row_columns()],
    )
    small = args.small or max(1, args.orders // 10)
    version = connection.cursor().connection.info.server_version
    _nth_number(merchant, small), _nth_number(merchant, args.orders)
    print(
        f"Export of {args.orders:,} orders ({merchant.code}, time zone {merchant.time_zone}); "
        f"memory also at {small:,}; PostgreSQL {version // 10000}.{version % 10000}"
    )
    print(f"load average before: {_load()}")
    for fmt in args.formats.split(","):
        ours, base, count = _timings(mapping, args.orders, fmt, args.repeat)
        mem = [
            peak_mib(lambda n=n, fmt=fmt: ours_write(mapping, n, fmt)) for n in (small, args.orders)
        ]
        print(
            f"{fmt.upper():5} ours {ours:6.2f}s ({count:,} orders) · {BASELINES[fmt]} "
            f"{base:6.2f}s · ratio {ours / base:4.2f}× · peak memory {mem[0]:.1f} MiB at "
            f"{small:,}, {mem[1]:.1f} MiB at {args.orders:,} · load {_load()}",
            flush=True,
        )


def _timings(mapping, n: int, fmt: str, repeat: int) -> tuple[float, float, int]:
    """Medians of ours and of the baseline, run alternately."""
    rows = baseline_rows(mapping.merchant, n) if fmt == "xlsx" else None
    ours, base, count = [], [], 0
    for _ in range(repeat):
        seconds, count = timed(lambda: ours_write(mapping, n, fmt))
        ours.append(seconds)
        base.append(timed(lambda: baseline(mapping.merchant, n, fmt, rows))[0])
    return statistics.median(ours), statistics.median(base), count


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def selection(merchant, n: int):
    from orders.models import Order

    return Order.objects.filter(merchant=merchant, order_number__lte=_nth_number(merchant, n))


NTH: dict[tuple[int, int], int] = {}


def _nth_number(merchant, n: int) -> int:
    """The order number of the n-th live order (cached: not part of what is timed)."""
    if (merchant.pk, n) not in NTH:
        NTH[merchant.pk, n] = _nth_query(merchant, n)
    return NTH[merchant.pk, n]


def _nth_query(merchant, n: int) -> int:
    from orders.models import Order

    numbers = Order.objects.live().filter(merchant=merchant).order_by("order_number")
    return numbers.values_list("order_number", flat=True)[n - 1]


def ours_write(mapping, n: int, fmt: str) -> int:
    from tools.exports.services import export_queryset, export_write

    queryset = export_queryset(merchant=mapping.merchant, base=selection(mapping.merchant, n))
    with tempfile.TemporaryFile() as out:
        return export_write(mapping=mapping, queryset=queryset, out=out, format=fmt)


def baseline_rows(merchant, n: int) -> list[tuple]:
    """The same rows in memory, read before the baseline is timed (dates without a zone)."""
    rows = selection(merchant, n).live().order_by("pk").values_list(*order_row_columns())
    return [tuple(v.replace(tzinfo=None) if hasattr(v, "tzinfo") else v for v in r) for r in rows]


def baseline(merchant, n: int, fmt: str, rows: list[tuple] | None) -> None:
    if fmt == "csv":
        _copy_baseline(merchant, n)
        return
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Orders")
    sheet.append(order_row_columns())
    for row in rows:
        sheet.append(row)
    with tempfile.TemporaryFile() as out:
        workbook.save(out)


def _copy_baseline(merchant, n: int) -> None:
    from django.db import connection

    sql = (
        f"COPY (SELECT {', '.join(order_row_columns())} FROM orders_order "  # noqa: S608
        f"WHERE merchant_id = {merchant.pk} AND deleted_at IS NULL "
        f"AND order_number <= {_nth_number(merchant, n)} ORDER BY id) "
        "TO STDOUT WITH (FORMAT csv, HEADER)"
    )
    connection.ensure_connection()
    raw = connection.connection.cursor()
    with tempfile.TemporaryFile() as out, raw.copy(sql) as copy:
        for block in copy:
            out.write(block)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    io.DEFAULT_BUFFER_SIZE = max(io.DEFAULT_BUFFER_SIZE, 65536)
    main()
