"""Shared set-up of the benchmarks: Django against DATABASE_URL, timing and peak memory."""

import os
import secrets
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the baselines use COPY).")
    # Jobs run in this process: the benchmark measures the work, not a queue.
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")
    # A benchmark signs nothing that outlives it: throwaway secrets, so that it runs without a
    # .env as the settings require with DEBUG off (DEBUG on would slow every query).
    for name in ("SECRET_KEY", "PAYMENT_WEBHOOK_SECRET"):
        os.environ.setdefault(name, secrets.token_urlsafe(50))
    import django

    django.setup()


def timed(work: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def peak_mib(work: Callable[[], object]) -> float:
    """Peak Python heap while `work` runs (tracemalloc; run apart from the timing)."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    finally:
        tracemalloc.stop()


def merchant_with_orders(code: str, count: int):
    """The benchmark merchant, seeded (bulk, through seed_demo) up to `count` live orders."""
    from django.core.management import call_command

    from orders.models import Merchant, Order

    merchant = Merchant.objects.filter(code=code).first()
    have = Order.objects.live().filter(merchant=merchant).count() if merchant else 0
    if have < count:
        missing = int((count - have) / 0.88) + 100  # the seed deletes some orders
        call_command(
            "seed_demo", "--orders", str(missing), "--merchant", code, "--add", verbosity=0
        )
        merchant = Merchant.objects.get(code=code)
    return merchant
