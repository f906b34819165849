"""Benchmark: the read API's order list, pages of 100, at the first page and 100 pages deep.

    DATABASE_URL=postgres://… .venv/bin/python bench/api.py --big BIG --small SMALL

Uses the merchants as they are (it seeds nothing: see bench/seed.py). For each, a token with
orders:read and customers:read is made (and revoked at the end); then, through Django's test
Client with the token (so the whole request: authentication, rate limit, request log, the
filters, the keyset page, the documents, the schema), p50 and p95 of --runs requests of
`GET /api/v1/orders/?limit=100` for the first page and for page 101, reached by following
`next` 100 times. Beside each, the baseline measured in the same run: the same page read the
usual way, LIMIT/OFFSET (`OFFSET 10000` for page 101), through the same documents, without
HTTP — the cost a keyset page avoids.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup

PAGE = 100
DEEP = 100
# The benchmark itself must not be rate-limited (it runs without Redis: the cache bucket).
os.environ["API_RATE_BURST"] = "1000000"
os.environ["API_RATE_PER_SECOND"] = "1000000"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed_ms(work) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def figures(work, runs: int) -> tuple[float, float]:
    work()  # warm
    times = [timed_ms(work) for _ in range(runs)]
    return statistics.median(times), percentile(times, 0.95)


class Reader:
    def __init__(self, merchant):
        from django.test import Client

        from orders.models import ApiScope
        from orders.services.api_tokens import api_token_create

        self.token, raw = api_token_create(
            merchant=merchant,
            name="bench/api.py",
            scopes=[ApiScope.READ_ORDERS, ApiScope.READ_CUSTOMERS],
        )
        self.client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, url: str) -> dict:
        response = self.client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]}")
        return response.json()

    def deep_url(self) -> str:
        url = f"/api/v1/orders/?limit={PAGE}"
        for _ in range(DEEP):
            url = self.get(url)["next"]
        return url

    def close(self) -> None:
        from orders.services.api_tokens import api_token_revoke

        api_token_revoke(token=self.token)


def offset_page(merchant, offset: int) -> list:
    from orders.models import Order
    from orders.selectors.documents import order_document, order_documents_queryset

    queryset = Order.objects.filter(merchant=merchant, deleted_at__isnull=True)
    rows = order_documents_queryset(queryset).order_by("order_number")[offset : offset + PAGE]
    return [order_document(order) for order in rows]


def bench_merchant(code: str, runs: int) -> None:
    from orders.models import Merchant, Order

    merchant = Merchant.objects.get(code=code)
    live = Order.objects.filter(merchant=merchant, deleted_at__isnull=True).count()
    reader = Reader(merchant)
    try:
        first_url = f"/api/v1/orders/?limit={PAGE}"
        deep_url = reader.deep_url()
        if len(reader.get(deep_url)["items"]) != PAGE:
            raise SystemExit(f"{code} has fewer than {PAGE * (DEEP + 1)} live orders")
        first = figures(lambda: reader.get(first_url), runs)
        deep = figures(lambda: reader.get(deep_url), runs)
        base_first = figures(lambda: offset_page(merchant, 0), runs)
        base_deep = figures(lambda: offset_page(merchant, PAGE * DEEP), runs)
    finally:
        reader.close()
    print(f"{code} ({live:,} live orders)", flush=True)
    for label, ours, base in (
        ("first page", first, base_first),
        (f"page {DEEP + 1}", deep, base_deep),
    ):
        print(
            f"  {label:<12} API p50 {ours[0]:7.1f} ms  p95 {ours[1]:7.1f} ms"
            f"   | OFFSET baseline (no HTTP) p50 {base[0]:7.1f} ms  p95 {base[1]:7.1f} ms",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", default="BIG")
    parser.add_argument("--small", default="SMALL")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    django_setup()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}", flush=True)
    for code in (args.small, args.big):
        bench_merchant(code, args.runs)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}", flush=True)


if __name__ == "__main__":
    main()
