from django.core.management.base import BaseCommand, CommandError

from backoffice.common.words import counted
from orders.demo_seed import (
    DEFAULT_PASSWORD,
    SUPPORT_USERNAME,
    demo_seed,
    demo_seed_problems,
)
from orders.models import Order, Role


def _integer(value: str, option: str, problems: list[str]) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        problems.append(f"{option} must be a whole number, not “{value}”.")
        return 0


class Command(BaseCommand):
    help = (
        "Create a demo merchant: one login per role, a support superuser, a catalogue and N "
        "orders spread over every stage. Deterministic for a given --seed. A merchant that "
        "already has orders is left as it is unless --add is given."
    )

    def add_arguments(self, parser):
        # Numbers are parsed here rather than by argparse so that a bad value is a
        # CommandError (exit 1), like every other refused input.
        parser.add_argument("--orders", metavar="N", help="How many orders to add (required).")
        parser.add_argument("--merchant", default="DEMO", help="Merchant code (default DEMO).")
        parser.add_argument("--seed", default="1", help="Random seed (default 1).")
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="Password of the logins (default demo)."
        )
        parser.add_argument(
            "--add",
            action="store_true",
            help="Add N more orders to a merchant that already has orders (otherwise skipped).",
        )

    def handle(
        self, *args, orders: str, merchant: str, seed: str, password: str, add: bool, **options
    ):
        problems: list[str] = []
        if orders is None:
            problems.append("--orders N is required.")
        count = _integer(orders or "0", "--orders", problems)
        seed_value = _integer(seed, "--seed", problems)
        code = (merchant or "").strip().upper()
        problems += demo_seed_problems(orders=count, merchant_code=code, password=password)
        if problems:
            raise CommandError("\n".join(problems))
        existing = Order.objects.filter(merchant__code=code).count()
        if existing and not add:
            # Running the demo again must not double its data: seed only an empty merchant.
            self.stdout.write(
                f"{code} already has {existing:,} orders; nothing added "
                f"(pass --add to add {count:,} more). Sign in as {code.lower()}-manager (or "
                "another role's login) with the password it was seeded with."
            )
            return

        result = demo_seed(
            orders=count,
            merchant_code=code,
            seed=seed_value,
            password=password,
            progress=self._progress,
        )
        verb = "Created" if result.merchant_created else "Added to"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.merchant}: {counted(result.orders_created, 'order')} in "
                f"{result.seconds:.1f} s."
            )
        )
        for notice in result.notices:
            self.stdout.write(notice)
        self.stdout.write("\nLogins (username / password / role):")
        for login in result.logins:
            self.stdout.write(
                f"  {login.username:<20} {login.password:<12} {Role(login.role).label}"
            )
        support = password if result.support_created else "(unchanged: it already existed)"
        self.stdout.write(
            f"  {SUPPORT_USERNAME:<20} {support:<12} Support superuser (Django admin at /admin/)"
        )

    def _progress(self, done: int, total: int, seconds: float) -> None:
        self.stdout.write(f"  {done:,} / {total:,} orders ({seconds:.1f} s)")
