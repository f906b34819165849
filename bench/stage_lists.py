"""Benchmark: server time of every list screen's first page and of a page 1,000 rows deep.

    .venv/bin/python bench/stage_lists.py --orders 100000

Seeds (with seed_demo) two fresh merchants in the database of DATABASE_URL: a baseline of
1,000 orders and one of --orders orders, then requests each list through Django's test Client
as the merchant's order manager and prints p50/p95 per page, side by side, with the median SQL
time (the list's own queries apart from the side bar's stage counts) and the queries per page.
Requests alternate between the two merchants, so a busy machine weighs on both alike. The deep
page is the keyset page after the list's 1,000th row (what following "older ›" twenty times at
50 rows reaches); on a list too short for that, its last full page, and it says so. The seeded
merchants are left in place (codes printed); `--reuse BASE LARGE` measures them again.
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
# The side bar's per-stage counts (orders.selectors.home) on every page: one statement, the
# kept counts (on PostgreSQL) or a grouped count, with the orders within their stage's limit.
NAV_COUNTS = ('SELECT "orders_stagecountdelta"."stage"', 'SELECT "orders_order"."stage"')
DEPTH = 1_000
PAGE = 50
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


def deep_cursor(merchant: Merchant, screen) -> tuple[dict, int]:
    """The page after the list's 1,000th row (default sort), or, on a list too short for a
    full page there, the last full page; and the depth it starts at."""
    numbers = order_list_for_screen(merchant=merchant, stages=screen.stages).order_by(
        "-order_number"
    )
    depth = max(0, min(numbers.count() - PAGE, DEPTH))
    if depth == 0:
        return {}, 0
    return {"after": str(numbers.values_list("order_number", flat=True)[depth - 1])}, depth


class Lister:
    """One merchant's manager browsing its lists through the test Client."""

    def __init__(self, merchant: Merchant):
        from django.contrib.auth import get_user_model

        self.merchant = merchant
        self.client = Client(HTTP_HOST="localhost")
        username = f"{merchant.code.lower()}-manager"
        self.client.force_login(get_user_model().objects.get(username=username))

    def get(self, url: str, params: dict) -> tuple[float, float, float, int]:
        """(server ms, SQL ms of the list, SQL ms of the navigation's counts, queries)."""
        reset_queries()
        started = time.perf_counter()
        response = self.client.get(url, params)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} {params} answered {response.status_code}")
        nav = 1000 * sum(
            float(q["time"])
            for q in connection.queries
            if q["sql"].lstrip("(").startswith(NAV_COUNTS)
        )
        sql = sum(float(q["time"]) for q in connection.queries) * 1000 - nav
        return elapsed, sql, nav, len(connection.queries)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(samples: list[tuple[float, float, float, int]]) -> dict:
    times = [sample[0] for sample in samples]
    return {
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
        "sql": statistics.median(sample[1] for sample in samples),
        "nav": statistics.median(sample[2] for sample in samples),
        "queries": samples[-1][3],
    }


def run(listers: list[Lister], repeat: int) -> dict[str, list[dict]]:
    """Per list and page, the figures of each merchant. Requests alternate between the
    merchants so that a busy machine slows both sides alike."""
    results: dict[str, list[dict]] = {}
    for screen in (ALL_ORDERS, *LIST_SCREENS.values()):
        for page in ("first", "deep"):
            params = [{} for _ in listers]
            depths = [DEPTH for _ in listers]  # the first page: no depth to note
            if page == "deep":
                for n, lister in enumerate(listers):
                    params[n], depths[n] = deep_cursor(lister.merchant, screen)
            samples = [[] for _ in listers]
            for n, lister in enumerate(listers):
                lister.get(screen.url, params[n])  # warm
            for _ in range(repeat):
                for n, lister in enumerate(listers):
                    samples[n].append(lister.get(screen.url, params[n]))
            results[f"{screen.label}|{page}"] = [
                {**summary(samples[n]), "depth": depths[n]} for n in range(len(listers))
            ]
    return results


def fmt(figures: dict) -> str:
    depth = f"({figures['depth']})" if figures["depth"] < DEPTH else ""
    return (
        f"{depth:>6}{figures['p50']:7.1f}{figures['p95']:7.1f}{figures['sql']:6.1f}"
        f"{figures['nav']:6.1f}{figures['queries']:3d}"
    )


def report(results: dict, orders: int) -> None:
    print()
    print("server time per page in ms: p50, p95; median SQL time of the list's own queries and")
    print("of the navigation's stage counts (every page's side bar); queries; 50 rows per page")
    print(f"{'list':<22}{'page':<7}{'at 1,000 orders':>35}  {f'at {orders:,} orders':>35}")
    print(f"{'':<29}{'p50    p95   sql   nav  q':>35}  {'p50    p95   sql   nav  q':>35}")
    for key, (small, big) in results.items():
        label, page = key.split("|")
        page = "first" if page == "first" else "1,000"
        print(f"{label:<22}{page:<7}{fmt(small)}  {fmt(big)}")
    print("(n): that list is too short for a full page 1,000 rows deep; its last full page,")
    print("     after row n, is measured instead")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="requests per page (default 20)")
    parser.add_argument(
        "--reuse",
        nargs=2,
        metavar=("BASELINE", "LARGE"),
        help="measure two merchants seeded by an earlier run instead of seeding",
    )
    args = parser.parse_args()
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start"
    )
    if args.reuse:
        merchants = [Merchant.objects.get(code=code) for code in args.reuse]
    else:
        merchants = [seed(BASELINE_ORDERS, "BL"), seed(args.orders, "BN")]
    orders = order_list_for_screen(merchant=merchants[1]).count()
    print(f"merchants {merchants[0].code} and {merchants[1].code}")
    # DEBUG records each query's time; plain static storage needs no collectstatic.
    with override_settings(DEBUG=True, STORAGES=PLAIN_STATIC, ALLOWED_HOSTS=["localhost"]):
        results = run([Lister(merchant) for merchant in merchants], args.repeat)
    report(results, orders)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
