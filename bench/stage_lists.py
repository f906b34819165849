"""Benchmark: server time of every list screen's first page and of a page 1,000 rows deep.

    .venv/bin/python bench/stage_lists.py --orders 100000

Seeds (with seed_demo) two fresh merchants in the database of DATABASE_URL: a baseline of
1,000 orders and one of --orders orders, then requests each list through Django's test Client
as the merchant's order manager and prints p50/p95 per page, side by side, with the number of
queries per page. The deep page is the keyset page after the list's 1,000th row (what following
"older ›" twenty times at 50 rows reaches); a list with fewer rows uses its last row instead,
and says so. The seeded merchants are left in place (codes printed) for inspection.
"""

import argparse
import io
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

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from lifecycle.screens import ALL_ORDERS, LIST_SCREENS  # noqa: E402
from orders.models import Merchant  # noqa: E402
from orders.selectors.lists import order_list_for_screen  # noqa: E402

BASELINE_ORDERS = 1_000
DEPTH = 1_000
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def fresh_code(prefix: str) -> str:
    while True:
        code = prefix + "".join(random.choices(string.ascii_uppercase, k=5))
        if not Merchant.objects.filter(code=code).exists():
            return code


def seed(orders: int, prefix: str) -> Merchant:
    code = fresh_code(prefix)
    started = time.perf_counter()
    call_command("seed_demo", "--orders", str(orders), "--merchant", code, stdout=io.StringIO())
    print(f"seeded {code}: {orders:,} orders in {time.perf_counter() - started:.1f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE orders_order")
    return Merchant.objects.get(code=code)


def deep_cursor(merchant: Merchant, screen) -> tuple[str, int]:
    """The `after` cursor of the list's 1,000th row (default sort), and the depth reached."""
    numbers = order_list_for_screen(merchant=merchant, stages=screen.stages).order_by(
        "-order_number"
    )
    count = min(numbers.count(), DEPTH)
    if count == 0:
        return "", 0
    row = numbers.values_list("order_number", flat=True)[count - 1]
    return str(row), count


def measure(client: Client, url: str, params: dict, repeat: int) -> tuple[float, float, int]:
    client.get(url, params)  # warm
    timings = []
    queries = 0
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} {params} answered {response.status_code}")
        queries = len(connection.queries)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95, queries


def run_merchant(merchant: Merchant, repeat: int) -> dict[str, dict]:
    from django.contrib.auth import get_user_model

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username=f"{merchant.code.lower()}-manager"))
    results = {}
    for screen in (ALL_ORDERS, *LIST_SCREENS.values()):
        first = measure(client, screen.url, {}, repeat)
        cursor, depth = deep_cursor(merchant, screen)
        deep = measure(client, screen.url, {"after": cursor}, repeat) if cursor else None
        results[screen.label] = {"first": first, "deep": deep, "depth": depth}
    return results


def fmt(figures) -> str:
    if figures is None:
        return f"{'—':>17}"
    p50, p95, queries = figures
    return f"{p50:6.1f} {p95:6.1f} {queries:3d}q"


def report(base: dict, big: dict, orders: int) -> None:
    print()
    print("server time in ms (p50 p95, queries per page), 50 rows per page")
    head = f"{'list':<22}{'first page':>36}{'1,000 rows deep':>42}"
    print(head)
    sub = f"{'':<22}{'@1,000':>17} {f'@{orders:,}':>17}  {'@1,000':>20} {f'@{orders:,}':>20}"
    print(sub)
    for label, figures in big.items():
        small = base[label]
        depth_note = f"({small['depth']})" if small["depth"] < DEPTH else ""
        print(
            f"{label:<22}{fmt(small['first'])} {fmt(figures['first'])}  "
            f"{depth_note:>3}{fmt(small['deep'])} {fmt(figures['deep'])}"
        )
    print("(n): the baseline list has fewer than 1,000 rows; its deep page starts after row n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="requests per page (default 20)")
    args = parser.parse_args()
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start"
    )
    base_merchant = seed(BASELINE_ORDERS, "BL")
    big_merchant = seed(args.orders, "BN")
    with override_settings(DEBUG=True, STORAGES=PLAIN_STATIC, ALLOWED_HOSTS=["localhost"]):
        base = run_merchant(base_merchant, args.repeat)
        big = run_merchant(big_merchant, args.repeat)
    report(base, big, args.orders)


if __name__ == "__main__":
    main()
