"""Benchmark of the rebill sweep against plain placement, measured in the same run.

    DATABASE_URL=postgres://… .venv/bin/python bench/rebill.py --count 10000 --workers 4

1. Baseline: place `--baseline` orders through order_place (card charged by the test gateway,
   one line bought monthly, so each also starts an auto order), in `workers` threads.
2. Seeding (not measured): `count` auto orders due today, copied in bulk from those, each with
   its own customer and its original's saved card.
3. The sweep: `workers` rebill sweeps side by side (rebill_due --workers), each auto order in
   its own transactions.

It prints both durations and rates. It works in a merchant of its own (BENCH + letters), which
it leaves in the database for inspection; use a scratch database.
"""

import argparse
import copy
import os
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from orders.models import AutoOrder, AutoOrderItem, Merchant, Order  # noqa: E402
from orders.payments import CardDetails  # noqa: E402
from orders.services.auto_orders.parallel import rebill_sweeps_run  # noqa: E402
from orders.services.placement import (  # noqa: E402
    LineDraft,
    OrderDraft,
    PaymentDraft,
    order_place,
)


def card_number(n: int) -> str:
    """A distinct valid card per customer, so fraud velocity rules stay quiet; never one of
    the test gateway's declining endings (…0002, …9995, …0119, …0341)."""
    body = f"4{n:010d}1234"
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


def draft(n: int) -> OrderDraft:
    address = {"address1": f"{n} Bench St", "city": "Springfield", "postal_code": "12345"}
    return OrderDraft(
        email=f"bench{n}@example.com",
        first_name="Bench",
        last_name=str(n),
        lines=[
            LineDraft(
                description="Coffee subscription",
                sku="BENCH-SUB",
                unit_price=Decimal("19.00"),
                auto_order_schedule="monthly",
            )
        ],
        payment=PaymentDraft(method="credit_card", card=CardDetails(card_number(n), 12, 2035)),
        billing={**address, "country": "US"},
        shipping={**address, "country": "US"},
        shipping_total=Decimal("4.00"),
    )


def merchant_create() -> Merchant:
    number = Merchant.objects.filter(code__startswith="BENCH").count()
    suffix = "".join(chr(65 + int(d)) for d in f"{number:03d}")
    return Merchant.objects.create(
        code=f"BENCH{suffix}", name="Rebill benchmark", fraud_decline_threshold=100
    )


def auto_orders_seed(merchant: Merchant, count: int, today) -> int:
    """`count` due auto orders, in bulk, cloned from the baseline's (which are then removed)."""
    templates = list(AutoOrder.objects.filter(merchant=merchant).prefetch_related("items"))
    AutoOrderItem.objects.filter(auto_order__in=templates).delete()
    AutoOrder.objects.filter(pk__in=[t.pk for t in templates]).delete()
    for start in range(0, count, 2000):
        batch = []
        for n in range(start, min(count, start + 2000)):
            template = templates[n % len(templates)]
            clone = copy.copy(template)
            clone.pk = None
            clone.code = f"AO-{merchant.code}-{n:06d}"
            clone.email = f"rebill{n}@example.com"
            clone.next_rebill_on = clone.next_attempt_on = today
            batch.append(clone)
        AutoOrder.objects.bulk_create(batch)
        AutoOrderItem.objects.bulk_create(
            [
                AutoOrderItem(
                    auto_order=clone,
                    sku="BENCH-SUB",
                    description="Coffee subscription",
                    unit_price=Decimal("19.00"),
                    schedule="monthly",
                    anchor_day=today.day,
                    next_rebill_on=today,
                )
                for clone in batch
            ]
        )
    return count


class Echo:
    def write(self, text: str) -> None:
        print(text, flush=True)


def place_all(merchant: Merchant, count: int, workers: int, started: float) -> None:
    def place(shard: int) -> None:
        try:
            for n in range(shard, count, workers):
                order_place(merchant=merchant, draft=draft(n))
                if (n + 1) % 1000 == 0:
                    print(f"  placed ~{n + 1:,} ({time.monotonic() - started:.0f}s)", flush=True)
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def report(label: str, count: int, seconds: float) -> None:
    print(f"{label:<34} {count:>7,} in {seconds:8.1f}s  = {count / seconds:8.1f}/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="due auto orders to sweep")
    parser.add_argument("--baseline", type=int, default=1_000, help="orders placed directly")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    merchant = merchant_create()
    print(
        f"Database: {connection.vendor}; merchant {merchant.code}; {args.count:,} orders; "
        f"{args.workers} workers; {os.cpu_count()} CPUs"
    )

    started = time.monotonic()
    place_all(merchant, args.baseline, args.workers, started)
    placement = time.monotonic() - started
    today = timezone.localdate()
    due = auto_orders_seed(merchant, args.count, today)

    started = time.monotonic()
    counts = rebill_sweeps_run(today=today, workers=args.workers, out=Echo())
    sweep = time.monotonic() - started

    rebills = Order.objects.filter(merchant=merchant, source="rebill").count()
    print()
    report("Baseline: order_place", args.baseline, placement)
    report("Rebill sweep (due auto orders)", due, sweep)
    print(f"Sweep outcomes: {dict(counts)}; rebill orders placed: {rebills:,}")
    ratio = (sweep / max(due, 1)) / (placement / max(args.baseline, 1))
    print(f"Sweep time per rebill ÷ placement time per order: {ratio:.2f}")


if __name__ == "__main__":
    main()
