"""demo_seed: a demo merchant with staff logins, a catalogue and realistic orders, in bulk.

Orders are built in memory (numbers reserved with order_number_allocate) and written in
batches, one transaction per batch, with multi-row writes (writer.py), so that a million orders
take minutes. Each order tells a story the real services could have produced (story.py): how
it was paid at placement and the transitions it went through, with its transactions, the test
gateway's books, shipments and timeline events. The same seed gives the same orders, customers,
stages and totals whatever the merchant code; a second run for the same merchant adds orders
drawn from a fresh stream.
"""

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from backoffice.common.words import counted
from orders.models import Item, Membership, Merchant, Order, Role, Tag
from orders.services.placement import order_number_allocate

from . import data
from .auto_orders import demo_auto_orders_create
from .builder import DAY, OrderBuilder
from .disputes import demo_disputes_seed
from .writer import bundles_write

ROLES = (
    Role.OWNER,
    Role.ORDER_MANAGER,
    Role.SHIPPING_CLERK,
    Role.CUSTOMER_SERVICE,
    Role.BOOKKEEPER,
)
SUPPORT_USERNAME = "support"
DEFAULT_PASSWORD = "demo"  # noqa: S105 - the documented password of the demo logins
BATCH_SIZE = 5000
CODE_PATTERN = re.compile(r"^[A-Z]{2,10}$")


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str


@dataclass
class SeedResult:
    merchant: Merchant
    merchant_created: bool
    logins: list[Login]
    support_created: bool
    orders_created: int
    seconds: float
    notices: list[str] = field(default_factory=list)


def demo_seed_problems(*, orders: int, merchant_code: str, password: str) -> list[str]:
    """Everything wrong with the arguments, one sentence each; empty when they are fine."""
    problems = []
    if orders < 0:
        problems.append(f"--orders must be 0 or more, not {orders}.")
    if not CODE_PATTERN.match(merchant_code):
        problems.append(
            f"--merchant must be 2 to 10 upper-case letters (A-Z), not “{merchant_code}”."
        )
    if not password:
        problems.append("--password must not be empty.")
    return problems


def demo_seed(
    *,
    orders: int,
    merchant_code: str = "DEMO",
    seed: int = 1,
    password: str = DEFAULT_PASSWORD,
    progress: Callable[[int, int, float], None] | None = None,
) -> SeedResult:
    """Create or extend a demo merchant.

    Side effects: the merchant, its five staff logins (their password set to `password`), the
    `support` superuser if missing, catalogue items, tags, and the orders with their lines,
    transactions, test-gateway books, shipments, notes and events.
    """
    problems = demo_seed_problems(orders=orders, merchant_code=merchant_code, password=password)
    if problems:
        raise ValueError("\n".join(problems))
    started = time.monotonic()
    with transaction.atomic():
        merchant, created = Merchant.objects.get_or_create(
            code=merchant_code, defaults=data.merchant_settings(merchant_code)
        )
        staff = _staff_logins_ensure(merchant, password)
        support_created = _support_ensure(password)
        items = _catalogue_ensure(merchant)
        tags = _tags_ensure(merchant)
    existing = Order.objects.filter(merchant=merchant).count()
    last_number = (
        Order.objects.filter(merchant=merchant)
        .order_by("-order_number")
        .values_list("order_number", flat=True)
        .first()
        or 0
    )
    builder = OrderBuilder(
        rng=random.Random(f"{seed}:{existing}"),  # noqa: S311 - demo data, not secrets
        merchant=merchant,
        items=items,
        staff=staff,
        tags=tags,
    )
    _orders_create(builder, orders, progress, started)
    with transaction.atomic():
        auto_orders = demo_auto_orders_create(
            merchant=merchant,
            rng=random.Random(f"{seed}:{existing}:auto"),  # noqa: S311 - demo data
            today=timezone.localdate(),
        )
        chargebacks, cases = demo_disputes_seed(
            merchant=merchant, rng=builder.rng, after_number=last_number, staff=staff
        )
    return SeedResult(
        merchant=merchant,
        merchant_created=created,
        logins=[Login(user.username, password, role) for role, user in staff.items()],
        support_created=support_created,
        orders_created=orders,
        seconds=time.monotonic() - started,
        notices=[
            f"{counted(auto_orders, 'auto order')} started from the seeded orders.",
            f"Seeded {counted(chargebacks, 'chargeback')} and {counted(cases, 'case')}.",
        ],
    )


def _staff_logins_ensure(merchant: Merchant, password: str) -> dict[str, object]:
    """One login per role; an existing one keeps its role and gets the given password."""
    user_model = get_user_model()
    hashed = make_password(password)  # once: hashing is slow on purpose
    staff = {}
    for role in ROLES:
        username = f"{merchant.code.lower()}-{role}"
        user, _ = user_model.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.com",
                "first_name": merchant.name,
                "last_name": Role(role).label,
            },
        )
        user.password = hashed
        user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, merchant=merchant, defaults={"role": role})
        staff[role] = user
    return staff


def _support_ensure(password: str) -> bool:
    user_model = get_user_model()
    if user_model.objects.filter(username=SUPPORT_USERNAME).exists():
        return False
    user_model.objects.create_superuser(
        username=SUPPORT_USERNAME, email="support@example.com", password=password
    )
    return True


def _catalogue_ensure(merchant: Merchant) -> list[Item]:
    today = timezone.localdate()
    skus = [row[0] for row in data.CATALOGUE]
    known = set(Item.objects.filter(merchant=merchant, sku__in=skus).values_list("sku", flat=True))
    Item.objects.bulk_create(
        [
            Item(
                merchant=merchant,
                sku=sku,
                description=description,
                price=Decimal(price),
                cost=Decimal(cost),
                weight_kg=Decimal(weight),
                shippable=kind != "digital",
                pre_order=kind.startswith("pre:"),
                expected_date=today + timedelta(days=int(kind[4:])) if kind[:4] == "pre:" else None,
                auto_order_schedules=list(schedules),
            )
            for sku, description, price, cost, weight, kind, schedules in data.CATALOGUE
            if sku not in known
        ]
    )
    # Only the demo catalogue, in a fixed order, so that the seed alone decides the orders.
    return list(Item.objects.filter(merchant=merchant, sku__in=skus, active=True).order_by("sku"))


def _tags_ensure(merchant: Merchant) -> list[Tag]:
    Tag.objects.bulk_create(
        [Tag(merchant=merchant, name=name) for name in data.TAGS], ignore_conflicts=True
    )
    return list(Tag.objects.filter(merchant=merchant, name__in=data.TAGS).order_by("name"))


def _orders_create(builder: OrderBuilder, count: int, progress, started: float) -> None:
    rng = builder.rng
    showcase = min(count, len(data.SHOWCASE))
    # Ages in seconds, skewed towards recent orders; the showcase orders (every stage and
    # payment method once) are among the last ten days. Oldest first, so that order numbers
    # follow the date placed.
    ages = [rng.uniform(0.02, 10) * DAY for _ in range(showcase)]
    ages += [365 * DAY * rng.random() ** 1.6 for _ in range(count - showcase)]
    sequence = sorted(range(count), key=ages.__getitem__, reverse=True)
    done = 0
    while done < count:
        chunk = sequence[done : done + BATCH_SIZE]
        with transaction.atomic():
            first = order_number_allocate(builder.merchant, len(chunk))
            bundles_write(
                [
                    builder.build(
                        number=first + offset,
                        age=ages[index],
                        planned=data.SHOWCASE[index] if index < showcase else None,
                    )
                    for offset, index in enumerate(chunk)
                ]
            )
        done += len(chunk)
        if progress is not None:
            progress(done, count, time.monotonic() - started)


__all__ = [
    "DEFAULT_PASSWORD",
    "SUPPORT_USERNAME",
    "Login",
    "SeedResult",
    "demo_seed",
    "demo_seed_problems",
]
