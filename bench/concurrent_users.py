"""Benchmark: staff browsing at once — lists, searches and order pages — over real HTTP.

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/concurrent_users.py \
        --users 20 --seconds 60 --orders 100000

Seeds (seed_demo) a merchant with --orders orders unless --reuse CODE, starts gunicorn on the
project (DEBUG off, --workers processes × --threads threads), gives each user a session of the
merchant's order manager, then each user loops for --seconds: a random stage list (first
page, or a page further down), a search (a customer's last name, an email, an order ID prefix),
and an order page, waiting --think seconds between requests as a person reads. Prints the
requests, the errors (any status but 200, any exception) and p50/p95/max per kind of request,
beside the baseline of the same run: the same mix by one user alone, without thinking time.
"""

import argparse
import io
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from lifecycle.screens import ALL_ORDERS, LIST_SCREENS  # noqa: E402
from orders.models import Merchant, Order  # noqa: E402

SAMPLE_ORDERS = 2_000


def seed(orders: int) -> Merchant:
    code = "CU" + "".join(random.choices("ABCDEFGHJKLMNPQRSTUVWXYZ", k=5))
    started = time.perf_counter()
    call_command("seed_demo", "--orders", str(orders), "--merchant", code, stdout=io.StringIO())
    print(f"seeded {code}: {orders:,} orders in {time.perf_counter() - started:.1f} s")
    return Merchant.objects.get(code=code)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_start(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "DEBUG": "False", "DJANGO_SETTINGS_MODULE": "backoffice.settings.base"}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "backoffice.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 (our own command)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def session_cookie(merchant: Merchant) -> str:
    client = Client()
    client.force_login(get_user_model().objects.get(username=f"{merchant.code.lower()}-manager"))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class Browsing:
    """What one person asks for, drawn from the merchant's real orders."""

    def __init__(self, merchant: Merchant):
        sample = list(
            Order.objects.live()
            .for_merchant(merchant)
            .order_by("?")
            .values_list("order_id", "order_number", "last_name", "email")[:SAMPLE_ORDERS]
        )
        self.orders = sample
        self.lists = [screen.url for screen in (ALL_ORDERS, *LIST_SCREENS.values())]

    def request(self, rng: random.Random) -> tuple[str, str]:
        kind = rng.choice(["list", "search", "order"])
        order_id, number, last_name, email = rng.choice(self.orders)
        if kind == "list":
            url = rng.choice(self.lists)  # the first page, or a page further down (keyset)
            return kind, url if rng.random() < 0.7 else f"{url}?after={number}"
        if kind == "search":
            term = rng.choice([last_name, email, order_id[:-2] + "*"])
            return kind, f"{ALL_ORDERS.url}?q={urllib.request.quote(term)}"
        return kind, f"/orders/{order_id}/"


def user_loop(base, cookie, browsing, seconds, think, seed_value, results, lock) -> None:
    rng = random.Random(seed_value)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        kind, path = browsing.request(rng)
        request = urllib.request.Request(base + path, headers={"Cookie": cookie})  # noqa: S310
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                response.read()
                ok = response.status == 200 and response.url.endswith(path)
        except (urllib.error.URLError, OSError):
            ok = False
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            results.append((kind, elapsed, ok))
        if think:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))


def run(base, cookie, browsing, users, seconds, think) -> list[tuple[str, float, bool]]:
    results: list[tuple[str, float, bool]] = []
    lock = threading.Lock()
    threads = [
        threading.Thread(
            target=user_loop, args=(base, cookie, browsing, seconds, think, n, results, lock)
        )
        for n in range(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(label: str, results: list[tuple[str, float, bool]]) -> None:
    print(f"\n{label}: {len(results):,} requests, {sum(not ok for *_, ok in results)} errors")
    print(f"{'':<10}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for kind in ("list", "search", "order", "all"):
        times = [ms for k, ms, _ in results if kind in (k, "all")]
        if times:
            print(
                f"{kind:<10}{len(times):>9,}{statistics.median(times):>9.1f}"
                f"{percentile(times, 0.95):>9.1f}{max(times):>9.1f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between clicks")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--reuse", metavar="CODE")
    args = parser.parse_args()
    merchant = Merchant.objects.get(code=args.reuse) if args.reuse else seed(args.orders)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics for the seeded rows, as autovacuum would
    browsing = Browsing(merchant)
    cookie = session_cookie(merchant)
    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG off: the manifest serves
    port = free_port()
    server = server_start(port, args.workers, args.threads)
    base = f"http://127.0.0.1:{port}"
    try:
        print(f"merchant {merchant.code}; gunicorn {args.workers} workers × {args.threads} threads")
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
        run(base, cookie, browsing, 1, 5, 0)  # warm every worker's caches
        baseline = run(base, cookie, browsing, 1, min(args.seconds, 30), 0)
        report("baseline: one user alone, no thinking time", baseline)
        loaded = run(base, cookie, browsing, args.users, args.seconds, args.think)
        report(f"{args.users} users for {args.seconds} s, ~{args.think} s between clicks", loaded)
        print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
