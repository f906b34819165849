"""Import Actual Costs benchmark: a generated N-row .xlsx validated and applied, beside
openpyxl's own read-only pass over the same file; peak memory at two sizes.

    DATABASE_URL=postgres://… python bench/import_costs.py --rows 100000

The baseline is read before and after ours and the faster of the two is used, so a machine
that gets busier during the run cannot flatter the ratio. Peak memory (tracemalloc) is measured
in separate runs (tracing slows the code), on files generated before tracing starts: the
upload's bytes are the caller's (the view reads them; uploads are size-limited). For .xlsx it
is shown beside openpyxl's own read-only pass, which grows with the file by itself; the same
rows as CSV show the import's own memory.
"""

import argparse
import csv
import io
import os
import random

from _setup import django_setup, merchant_with_orders, peak_mib, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=0, help="memory's smaller size (rows/10)")
    parser.add_argument("--merchant", default="BENCH")
    args = parser.parse_args()
    django_setup()
    from django.db import connection

    merchant = merchant_with_orders(args.merchant, args.rows)
    tables_vacuum(connection)
    small = args.small or max(1, args.rows // 10)
    print(f"Import of {args.rows:,} rows ({merchant.code}); memory also at {small:,}")
    print(f"{_server(connection)}; load average at start {_load()}")
    content = cost_file(merchant, args.rows)
    print(f"file: {len(content) / 1024 / 1024:.1f} MiB .xlsx")
    first = timed(lambda: openpyxl_read(content))[0]
    ours, (preview, apply, orders) = timed(lambda: import_apply(merchant, content))
    second = timed(lambda: openpyxl_read(content))[0]
    base = min(first, second)
    print(
        f"XLSX  ours {ours:6.2f}s (preview {preview:.2f}s + apply {apply:.2f}s, {orders:,} "
        f"orders) · openpyxl read-only {base:6.2f}s (runs: {first:.2f}s, {second:.2f}s) · "
        f"ratio {ours / base:4.2f}×"
    )
    for kind in ("xlsx", "csv"):
        print(memory_line(merchant, kind, (small, args.rows)))
    print(f"load average at end {_load()}")


def memory_line(merchant, kind: str, sizes: tuple[int, int]) -> str:
    files = [(cost_file if kind == "xlsx" else cost_csv)(merchant, n) for n in sizes]
    ours = [peak_mib(lambda f=f: import_apply(merchant, f, kind)) for f in files]
    line = f"peak memory {kind.upper():4s} ours {ours[0]:5.1f} → {ours[1]:5.1f} MiB"
    if kind == "xlsx":
        read = [peak_mib(lambda f=f: openpyxl_read(f)) for f in files]
        line += f" · openpyxl read-only alone {read[0]:5.1f} → {read[1]:5.1f} MiB"
    return f"{line} ({sizes[0]:,} → {sizes[1]:,} rows)"


def tables_vacuum(connection) -> None:
    """VACUUM ANALYZE what the import reads and writes, as autovacuum would (this machine's
    PostgreSQL runs without it): never-analyzed tables make the planner guess one row."""
    tables = [
        "orders_order",
        "orders_orderevent",
        "tools_costimport",
        "tools_costimportrow",
        "tools_costimportorder",
        "tools_costimportchange",
        "tools_costimporterror",
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


def _server(connection) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return f"PostgreSQL {version}, {os.cpu_count()} CPUs"


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def cost_file(merchant, n: int) -> bytes:
    from openpyxl import Workbook

    from orders.models import Order

    ids = (
        Order.objects.live()
        .filter(merchant=merchant)
        .order_by("pk")
        .values_list("order_id", flat=True)[:n]
    )
    rng = random.Random(n)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Costs")
    sheet.append(["Order ID", "Actual Shipping", "Actual Fulfillment", "Actual Payment"])
    for order_id in ids.iterator(chunk_size=5000):
        sheet.append(
            [
                order_id,
                rng.randint(300, 1500) / 100,
                rng.randint(0, 300) / 100,
                rng.randint(-100, 400) / 100,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def cost_csv(merchant, n: int) -> bytes:
    """The same rows as cost_file, as CSV."""
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(cost_file(merchant, n)), read_only=True).worksheets[0]
    out = io.StringIO()
    csv.writer(out).writerows(sheet.iter_rows(values_only=True))
    return out.getvalue().encode()


def openpyxl_read(content: bytes) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return count


def import_apply(merchant, content: bytes, kind: str = "xlsx") -> tuple[float, float, int]:
    """Preview (read, validate, match, stage) and apply: (preview s, apply s, orders)."""
    from tools.imports.services import cost_import_apply_start, cost_import_preview
    from tools.job_runner import job_run
    from tools.models import Job

    preview, cost_import = timed(
        lambda: cost_import_preview(merchant=merchant, name=f"bench.{kind}", content=content)
    )
    if cost_import.error_count:
        raise SystemExit(f"Unexpected errors: {cost_import.errors[:3]}")

    def apply() -> Job:
        job = cost_import_apply_start(cost_import=cost_import, allow_duplicate=True)
        return job_run(job_id=job.pk) or Job.objects.get(pk=job.pk)  # eager runs already ran it

    applied, job = timed(apply)
    if job.status != Job.Status.SUCCEEDED:
        raise SystemExit(f"Job {job.pk} {job.status}: {job.error}")
    return preview, applied, cost_import.orders_matched


if __name__ == "__main__":
    main()
