"""Benchmark: the home page's stage counts together (orders.selectors.home).

    DATABASE_URL=postgres://… .venv/bin/python bench/stage_counts.py --orders 1000000

Seeds a fresh merchant with --orders orders spread over the stages as a live shop has them
(see MIX), 10% of them deleted, and age limits on the active stages so that the overdue
counts are taken too. The overdue count reads the orders that entered their stage within its
limit, so its cost follows the shop's recent intake, not its backlog or its history. Then
times order_stage_counts_get (one statement: kept counts and orders within their limit)
beside the baseline of the same run: one grouped COUNT over the merchant's live orders, as
the counts were taken before they were kept. Prints p50/p95 of --runs calls each.
The merchant is left in place (code printed) unless --drop; `--reuse CODE` measures it again.
"""

import argparse
import os
import random
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.seed import merchant_remove, orders_seed  # noqa: E402
from orders.models import Merchant, Order  # noqa: E402
from orders.selectors.home import order_stage_counts_get  # noqa: E402
from orders.services.stage_counts import stage_counts_fold  # noqa: E402
from orders.states import Stage  # noqa: E402

# A shop that has taken 1,000,000 orders over about two years (1,400 a day): nearly all of
# them completed or rejected; 40,000 still in the active stages, entered over the last 60 days
# — a backlog well past most stage limits, which is what the overdue counts are for.
MIX = [
    (Stage.COMPLETED, 0.91),
    (Stage.REJECTED, 0.05),
    (Stage.SHIPPING, 0.015),
    (Stage.ACCOUNTS_RECEIVABLE, 0.01),
    (Stage.HOLD, 0.004),
    (Stage.FRAUD_REVIEW, 0.003),
    (Stage.PENDING_CLEARANCE, 0.003),
    (Stage.PRE_ORDER, 0.002),
    (Stage.QUOTE_REQUEST, 0.001),
    (Stage.QUOTE_SENT, 0.002),
]
AGE_LIMITS = {
    "accounts_receivable": 7,
    "shipping": 3,
    "hold": 5,
    "fraud_review": 2,
    "pending_clearance": 10,
    "pre_order": 30,
    "quote_request": 3,
    "quote_sent": 14,
}
SEED_BATCH = 50_000


def seed(total: int) -> Merchant:
    code = "SC" + "".join(random.choices(string.ascii_uppercase, k=6))
    merchant = Merchant.objects.create(code=code, name="Stage counts benchmark")
    merchant.stage_age_limits = AGE_LIMITS
    merchant.save()
    started = time.perf_counter()
    for stage, share in MIX:
        left = int(total * share)
        while left > 0:
            count = min(left, SEED_BATCH)
            orders_seed(merchant=merchant, count=count, stage=stage)
            left -= count
    # 10% deleted, and the active stages' orders entered their stage over the last 60 days.
    Order.objects.filter(merchant=merchant, order_number__regex=r"0$").update(
        deleted_at=timezone.now()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE orders_order SET stage_entered_at = now() - (order_number %% 86400) * "
            "interval '1 minute' WHERE merchant_id = %s AND stage <> 'completed'",
            [merchant.pk],
        )
        cursor.execute("ANALYZE orders_order")
    stage_counts_fold()
    print(f"seeded {code}: {total:,} orders in {time.perf_counter() - started:.1f} s", flush=True)
    return merchant


def grouped_count(merchant: Merchant) -> dict:
    rows = Order.objects.live().for_merchant(merchant).values_list("stage").annotate(n=Count("pk"))
    return dict(rows.order_by())


def timed(work, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--reuse", metavar="CODE")
    parser.add_argument("--drop", action="store_true", help="remove the merchant afterwards")
    args = parser.parse_args()
    merchant = Merchant.objects.get(code=args.reuse) if args.reuse else seed(args.orders)
    try:
        counts = order_stage_counts_get(merchant=merchant)
        if counts.by_stage != grouped_count(merchant):
            raise SystemExit("the kept counts differ from a count of the orders")
        live = counts.total
        overdue = sum(screen.overdue for screen in counts.screens)
        print(f"{connection.vendor}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}")
        print(f"merchant {merchant.code}: {live:,} live orders, {overdue:,} overdue")
        print(f"{'':<34}{'p50 ms':>9}{'p95 ms':>9}")
        for label, work in [
            ("baseline: grouped COUNT", lambda: grouped_count(merchant)),
            ("stage counts (kept + overdue)", lambda: order_stage_counts_get(merchant=merchant)),
        ]:
            timed(work, 3)  # warm the cache
            p50, p95 = timed(work, args.runs)
            print(f"{label:<34}{p50:>9.2f}{p95:>9.2f}")
    finally:
        if args.drop:
            merchant_remove(merchant)


if __name__ == "__main__":
    main()
