"""Benchmark: the text search, the find box and the home page, at 10,000 and 1,000,000 orders.

    DATABASE_URL=postgres://… .venv/bin/python bench/search.py --big BIG --small SMALL

Reuses (or seeds with seed_demo) one merchant of --big-orders and one of --small-orders
orders. Takes real values from an order of each (its email, names, city, phone, SKU…) and
times `/orders/?q=<value>` for each kind of query, `/find/` and `/` through Django's test
Client as the merchant's manager: server time of the whole request, p50 and p95 of --runs.
Beside each figure, the baseline measured in the same run: the fragment search alone
(`order_search_q`, as before the whole-value lookups of `order_search`) and the home page
aggregating its orders (the kept day figures switched off). Also prints the orders each
finds (the list's count), so the baseline's misses show, and the size of each index.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup, merchant_with_orders

PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SIZES = (
    "order_search_trgm_idx", "order_phone_trgm_idx", "shipment_tracking_idx",
    "day_figures_delta_idx", "orders_dayfiguresdelta",
)  # fmt: skip


def terms_for(merchant) -> list[tuple[str, str]]:
    """(kind, term) pairs from one of the merchant's orders, as a person would type them."""
    from orders.models import Order, OrderLine, Shipment

    orders = Order.objects.live().for_merchant(merchant).exclude(phone="").filter(is_test=False)
    middle = orders.order_by("order_number").values_list("order_number", flat=True)
    count = orders.count()
    order = orders.get(order_number=middle[count // 2])
    local, _, domain = order.email.partition("@")
    digits = re.sub(r"\D", "", order.phone)
    line = OrderLine.objects.filter(order__merchant=merchant).exclude(sku="").first()
    shipment = Shipment.objects.filter(order__merchant=merchant).exclude(tracking_numbers=[])
    tracking = shipment.first()
    return [
        ("order ID", order.order_id),
        ("order number digits", str(order.order_number)),
        ("email", order.email),
        ("email local part", local),
        ("email domain", domain.split(".")[0]),
        ("email fragment", local[1:5]),
        ("last name", order.last_name),
        ("full name, reversed", f"{order.last_name} {order.first_name}"),
        ("city", order.shipping_city or order.billing_city),
        ("name + city", f"{order.last_name} {order.shipping_city or order.billing_city}"),
        ("postal code", order.shipping_postal_code or order.billing_postal_code),
        ("phone as digits", digits),
        ("phone, 4 digits", digits[-6:-2]),
        ("phone as typed", order.phone),
        ("IP address", order.ip_address or ""),
        ("SKU", line.sku if line else ""),
        ("tracking number", tracking.tracking_numbers[0] if tracking else ""),
        ("no match", "zqxvj"),
    ]


class Visitor:
    def __init__(self, merchant):
        from django.contrib.auth import get_user_model
        from django.test import Client

        self.merchant = merchant
        self.client = Client(HTTP_HOST="localhost")
        user = get_user_model().objects.get(username=f"{merchant.code.lower()}-manager")
        self.client.force_login(user)

    def get(self, url: str, params: dict | None = None) -> tuple[float, str]:
        started = time.perf_counter()
        response = self.client.get(url, params or {})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code not in (200, 302):
            raise SystemExit(f"{url} {params} answered {response.status_code}")
        if response.status_code == 302:
            return elapsed, "→ " + response["Location"][:22]
        match = re.search(r'id="list-count">([^<]*)<', response.content.decode())
        return elapsed, (match.group(1) if match else "")


class Baseline:
    """The search and the home page as before, for the duration of a `with`."""

    @staticmethod
    def search(queryset, term: str):
        """The fragment search alone: no whole-value lookup first."""
        from orders.selectors.search import order_search_q

        return queryset.filter(order_search_q(term))

    def __enter__(self):
        import orders.filters
        import orders.selectors.dashboard

        self.saved = (orders.filters.order_search, orders.selectors.dashboard.day_figures_kept)
        orders.filters.order_search = self.search
        orders.selectors.dashboard.day_figures_kept = lambda: False
        return self

    def __exit__(self, *exc):
        import orders.filters
        import orders.selectors.dashboard

        orders.filters.order_search, orders.selectors.dashboard.day_figures_kept = self.saved


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(visitor: Visitor, url: str, params: dict, runs: int) -> tuple[float, float, str]:
    _, found = visitor.get(url, params)  # warm
    times = [visitor.get(url, params)[0] for _ in range(runs)]
    return statistics.median(times), percentile(times, 0.95), found


def row(label: str, figures: list[tuple[float, float, str]]) -> str:
    cells = "".join(f"{p50:8.1f}{p95:8.1f} {found:>14}" for p50, p95, found in figures)
    return f"{label:<24}{cells}"


def compare(visitors, url, params_by_visitor, runs, baseline_runs, label) -> None:
    ours = [measure(v, url, p, runs) for v, p in zip(visitors, params_by_visitor, strict=True)]
    with Baseline():
        base = [
            measure(v, url, p, baseline_runs)
            for v, p in zip(visitors, params_by_visitor, strict=True)
        ]
    print(row(label, ours) + "   |" + row("", base)[24:], flush=True)


def index_sizes(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)",
            [list(SIZES)],
        )
        sizes = dict(cursor.fetchall())
        cursor.execute(
            "SELECT pg_table_size('orders_order'), "
            "avg(pg_column_size(search_document)), avg(pg_column_size(phone_digits)) "
            "FROM (SELECT search_document, phone_digits FROM orders_order LIMIT 100000) AS s"
        )
        table, document, phone = cursor.fetchone()
    print("disk: " + ", ".join(f"{name} {sizes.get(name, 0) / 2**20:.0f} MiB" for name in SIZES))
    print(
        f"order table {table / 2**20:.0f} MiB; the generated columns average "
        f"{document:.0f} + {phone:.0f} bytes a row"
    )


def placements_time(merchant, count: int) -> None:
    """Write cost: `count` orders placed one by one through order_place (card charged by
    the test gateway), p50 and p95. Run on a scratch database before and after migrating."""
    from decimal import Decimal

    from orders.services.placement import (
        CardDetails,
        LineDraft,
        OrderDraft,
        PaymentDraft,
        order_place,
    )

    def draft(n: int) -> OrderDraft:
        address = {"address1": "1 Main St", "city": "Boston", "postal_code": "02134",
                   "country": "US"}  # fmt: skip
        return OrderDraft(
            email=f"placed{n}@example.com", first_name="Pat", last_name=f"Placed {n}",
            phone="+1 617 555 0100", billing=address, shipping=address,
            lines=[LineDraft(description="Widget", quantity=1, unit_price=Decimal("20.00"))],
            payment=PaymentDraft(method="credit_card",
                                 card=CardDetails("4111111111111111", 12, 2030, cvv="123")),
        )  # fmt: skip

    times = []
    for n in range(count):
        started = time.perf_counter()
        order_place(merchant=merchant, draft=draft(n))
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"placement of {count} orders ({merchant.code}): p50 {statistics.median(times):.1f} ms, "
        f"p95 {percentile(times, 0.95):.1f} ms; load average {os.getloadavg()[0]:.1f}"
    )


def cost_import_time(merchant, rows: int) -> None:
    """Write cost: an N-row actual-cost import (bench/import_costs.py's CSV), applied once."""
    from django.db import connection
    from import_costs import cost_csv, import_apply, tables_vacuum

    tables_vacuum(connection)
    content = cost_csv(merchant, rows)
    started = time.perf_counter()
    preview, apply, orders = import_apply(merchant, content, "csv")
    print(
        f"cost import of {rows:,} rows ({orders:,} orders): {time.perf_counter() - started:.1f} s "
        f"(preview {preview:.1f} s, apply {apply:.1f} s); load average {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", default="BIG")
    parser.add_argument("--small", default="SMALL")
    parser.add_argument("--big-orders", type=int, default=1_000_000)
    parser.add_argument("--small-orders", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--placements", type=int, default=0, help="only time N placements")
    parser.add_argument(
        "--cost-import", type=int, default=0, help="only time an N-row cost import (CSV)"
    )
    args = parser.parse_args()
    django_setup()
    if args.cost_import:
        cost_import_time(merchant_with_orders(args.big, args.cost_import), args.cost_import)
    if args.placements:
        placements_time(merchant_with_orders(args.big, 1), args.placements)
    if args.cost_import or args.placements:
        return
    from django.db import connection
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    small = merchant_with_orders(args.small, args.small_orders)
    big = merchant_with_orders(args.big, args.big_orders)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    print(
        f"{version}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at start; "
        f"{args.runs} runs (baseline {args.baseline_runs}); server ms p50 p95, orders found"
    )
    with override_settings(STORAGES=PLAIN_STATIC, ALLOWED_HOSTS=["localhost"]):
        visitors = [Visitor(small), Visitor(big)]
        heads = [f"{m.code} ({m.orders.count():,} orders)" for m in (small, big)]
        print(f"{'':<24}{heads[0]:>31}{heads[1]:>31}   |{'baseline, same sizes':>40}")
        terms = [terms_for(small), terms_for(big)]
        for (kind, small_term), (_, big_term) in zip(*terms, strict=True):
            if not (small_term and big_term):
                print(f"{kind:<24}(no such value in the seeded data)")
                continue
            compare(
                visitors, "/orders/", [{"q": small_term}, {"q": big_term}],
                args.runs, args.baseline_runs, kind,
            )  # fmt: skip
        for kind, index in (("find box: order ID", 0), ("find box: email part", 3)):
            compare(
                visitors, "/find/", [{"q": terms[0][index][1]}, {"q": terms[1][index][1]}],
                args.runs, args.baseline_runs, kind,
            )  # fmt: skip
        compare(visitors, "/", [{}, {}], args.runs, args.baseline_runs, "home")
        compare(visitors, "/stages/shipping/", [{}, {}], args.runs, args.baseline_runs,
                "shipping list (no q)")  # fmt: skip
    index_sizes(connection)
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
