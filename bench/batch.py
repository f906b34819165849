"""Benchmark: a batch operation over many orders, run through job_run in this process.

    DATABASE_URL=postgres://… .venv/bin/python bench/batch.py --orders 10000

Seeds orders for a fresh merchant, then times, over all of them:
  baseline     a bare loop writing one OrderEvent per order, each in its own transaction
  baseline-async  the same with synchronous_commit off, as the runner uses for jobs that
               move no money (see tools.job_runner._commit_mode)
  append_note  the "append a merchant note" operation (note + event + outcome per order)
  hold         the "hold" transition (check, order row, event + outcome per order)
The two operations run as jobs do: 200 orders a transaction, their writes made together.
and prints orders/s for each. The merchant and its orders are removed afterwards.
"""

import argparse
import os
import random
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")
# In-process: jobs are run here by job_run, never sent to a broker.
os.environ["REDIS_URL"] = ""

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from bench.seed import merchant_remove, orders_seed  # noqa: E402
from orders.models import Merchant, OrderEvent  # noqa: E402
from tools.job_runner import job_run  # noqa: E402
from tools.models import Job  # noqa: E402


def baseline(pks: list[int], *, synchronous_commit: bool = True) -> None:
    """One OrderEvent per order, each in its own transaction: the floor of per-item work."""
    if not synchronous_commit and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
    try:
        for pk in pks:
            with transaction.atomic():
                OrderEvent.objects.create(order_id=pk, type="bench_baseline", actor_label="bench")
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


def operation_job(merchant: Merchant, pks: list[int], operation: str, inputs: dict) -> Job:
    job = Job.objects.create(
        merchant=merchant,
        kind="operation",
        params={"operation": operation, "inputs": inputs, "selection": {"kind": "bench"}},
        order_pks=pks,
        total=len(pks),
    )
    return job_run(job_id=job.pk)


def timed(label: str, count: int, work) -> float:
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    rate = count / seconds
    extra = ""
    if isinstance(result, Job):
        extra = f"  (succeeded {result.succeeded_count:,}, skipped {result.skipped_count:,})"
    print(f"{label:<15} {count:>8,} orders  {seconds:7.2f} s  {rate:9,.0f} orders/s{extra}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the merchant and its orders")
    args = parser.parse_args()
    code = "BN" + "".join(random.choices(string.ascii_uppercase, k=6))
    merchant = Merchant.objects.create(code=code, name="Benchmark")
    print(f"database: {connection.vendor}; merchant {code}; {args.orders:,} orders")
    try:
        started = time.perf_counter()
        pks = orders_seed(merchant=merchant, count=args.orders)
        print(f"seeded in {time.perf_counter() - started:.2f} s")
        timed("baseline", len(pks), lambda: baseline(pks))
        timed("baseline-async", len(pks), lambda: baseline(pks, synchronous_commit=False))
        timed(
            "append_note",
            len(pks),
            lambda: operation_job(merchant, pks, "append_note", {"text": "Benchmark note"}),
        )
        timed(
            "hold",
            len(pks),
            lambda: operation_job(merchant, pks, "hold", {"reason": "Benchmark hold"}),
        )
    finally:
        if not args.keep:
            merchant_remove(merchant)


if __name__ == "__main__":
    main()
