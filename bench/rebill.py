"""Benchmark of the rebill sweep against plain placement, measured in the same run.

    DATABASE_URL=postgres://… .venv/bin/python bench/rebill.py --count 10000

1. Baseline: place `count` orders through order_place (card charged by the test gateway, one
   line bought monthly, so each also starts an auto order).
2. Every auto order is made due today (one UPDATE per table: seeding, not measured).
3. The sweep: rebill_sweep(today=…) bills them all, each in its own transactions.

It prints both durations and rates. It works in a merchant of its own (BENCH + letters), which
it leaves in the database for inspection; use a scratch database.
"""

import argparse
import os
import sys
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
from orders.services.auto_orders.rebill import rebill_sweep  # noqa: E402
from orders.services.placement import (  # noqa: E402
    LineDraft,
    OrderDraft,
    PaymentDraft,
    order_place,
)


def card_number(n: int) -> str:
    """A distinct valid test-brand card per customer, so fraud velocity rules stay quiet."""
    body = f"4{n:014d}"
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


def report(label: str, count: int, seconds: float) -> None:
    print(f"{label:<34} {count:>7,} in {seconds:8.1f}s  = {count / seconds:8.1f}/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    merchant = merchant_create()
    print(f"Database: {connection.vendor}; merchant {merchant.code}; {args.count:,} orders")

    started = time.monotonic()
    for n in range(args.count):
        order_place(merchant=merchant, draft=draft(n))
        if (n + 1) % 1000 == 0:
            print(f"  placed {n + 1:,} ({time.monotonic() - started:.0f}s)", flush=True)
    placement = time.monotonic() - started

    today = timezone.localdate()
    AutoOrderItem.objects.filter(auto_order__merchant=merchant).update(next_rebill_on=today)
    due = AutoOrder.objects.filter(merchant=merchant).update(
        next_rebill_on=today, next_attempt_on=today
    )

    started = time.monotonic()
    result = rebill_sweep(
        today=today,
        progress=lambda done: print(
            f"  swept {done:,} ({time.monotonic() - started:.0f}s)", flush=True
        ),
    )
    sweep = time.monotonic() - started

    rebills = Order.objects.filter(merchant=merchant, source="rebill").count()
    print()
    report("Baseline: order_place", args.count, placement)
    report("Rebill sweep (due auto orders)", due, sweep)
    print(f"Sweep outcomes: {dict(result.counts)}; rebill orders placed: {rebills:,}")
    print(f"Sweep time per rebill ÷ placement time per order: {sweep / placement:.2f}")


if __name__ == "__main__":
    main()
