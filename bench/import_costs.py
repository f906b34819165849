"""Import Actual Costs benchmark: a generated N-row .xlsx validated and applied, beside
openpyxl's own read-only pass over the same file; peak memory at two sizes.

    DATABASE_URL=postgres://… python bench/import_costs.py --rows 100000
"""

import argparse
import io
import random

from _setup import django_setup, merchant_with_orders, peak_mib, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--merchant", default="BENCH")
    args = parser.parse_args()
    django_setup()
    merchant = merchant_with_orders(args.merchant, args.rows)
    small = max(1, args.rows // 10)
    print(f"Import of {args.rows:,} rows ({merchant.code}); memory also at {small:,}")
    content = cost_file(merchant, args.rows)
    base = timed(lambda: openpyxl_read(content))[0]
    ours, count = timed(lambda: import_apply(merchant, content))
    mem = [
        peak_mib(lambda n=n: import_apply(merchant, cost_file(merchant, n)))
        for n in (small, args.rows)
    ]
    print(
        f"XLSX  ours {ours:6.2f}s (validate + apply {count:,} orders) · openpyxl read-only "
        f"{base:6.2f}s · ratio {ours / base:4.2f}× · peak memory {mem[0]:.1f} MiB at {small:,}, "
        f"{mem[1]:.1f} MiB at {args.rows:,}"
    )


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
        sheet.append([order_id, rng.randint(300, 1500) / 100, rng.randint(0, 300) / 100,
                      rng.randint(-100, 400) / 100])  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def openpyxl_read(content: bytes) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return count


def import_apply(merchant, content: bytes) -> int:
    from tools.imports.services import cost_import_apply_start, cost_import_preview
    from tools.jobs import job_run
    from tools.models import Job

    cost_import = cost_import_preview(merchant=merchant, name="bench.xlsx", content=content)
    if cost_import.errors:
        raise SystemExit(f"Unexpected errors: {cost_import.errors[:3]}")
    job = cost_import_apply_start(cost_import=cost_import, allow_duplicate=True)
    job = job_run(job_id=job.pk) or Job.objects.get(pk=job.pk)  # eager runs already ran it
    if job.status != Job.Status.SUCCEEDED:
        raise SystemExit(f"Job {job.pk} {job.status}: {job.error}")
    return cost_import.orders_matched


if __name__ == "__main__":
    main()
