"""OrderBuilder: one demo order with everything that belongs to it, from one random stream."""

import hashlib
import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from django.utils import timezone

from orders.events import order_event_build
from orders.fraud import POINTS
from orders.models import (
    BlockListEntry,
    GatewayLedgerEntry,
    Merchant,
    Order,
    OrderEvent,
    OrderEventType,
    OrderLine,
    OrderNote,
    PaymentTransaction,
    Role,
    Shipment,
    Tag,
)
from orders.payments import gateway_for
from orders.pricing import money, order_totals
from orders.services.placement import order_id_format
from orders.states import OrderSource, PaymentStatus, Stage

from . import data, story

M = data.M
S = Stage
PS = PaymentStatus
Kind = PaymentTransaction.Kind
VIA = "seed"
DAY = 86400.0
GATEWAY_KINDS = frozenset({Kind.CHARGE, Kind.AUTHORIZE, Kind.CAPTURE, Kind.REFUND, Kind.VOID})


@dataclass
class OrderBundle:
    """One order and every row that belongs to it, ready to be written."""

    order: Order
    lines: list[OrderLine] = field(default_factory=list)
    transactions: list[PaymentTransaction] = field(default_factory=list)
    ledger: list[GatewayLedgerEntry] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)
    events: list[OrderEvent] = field(default_factory=list)
    notes: list[OrderNote] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    blocked: list[BlockListEntry] = field(default_factory=list)


@dataclass
class _Customer:
    first_name: str
    last_name: str
    email: str
    company: str
    phone: str
    country: str
    city: str
    region: str
    postal_code: str
    address1: str
    address2: str
    ip_address: str
    card: tuple[str, str, int, int, str, str]  # brand, last4, month, year, fingerprint, token


class OrderBuilder:
    """Builds one order with everything that belongs to it, drawing from one random stream."""

    def __init__(self, *, rng: random.Random, merchant: Merchant, items, staff, tags) -> None:
        self.rng = rng
        self.merchant = merchant
        self.staff = staff
        self.tags = tags
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.gateway = gateway_for(merchant).name
        self.available = [i for i in items if not i.pre_order]
        self.shippable = [i for i in self.available if i.shippable]
        self.digital = [i for i in items if not i.shippable and not i.pre_order]
        self.pre_orders = [i for i in items if i.pre_order]
        self.pool: list[_Customer] = []
        self.total_sum, self.total_count = Decimal("850.00"), 10
        self.paths = data.PATHS
        self.path_weights = {
            stage: list(accumulate(p.weight for p in paths)) for stage, paths in self.paths.items()
        }
        self.age_weights = [
            (limit, list(weights), list(accumulate(weights.values())))
            for limit, weights in data.STAGE_WEIGHTS_BY_AGE
        ]

    # -- choices ---------------------------------------------------------------------------
    def _weighted(self, values, cumulative):
        return values[bisect(cumulative, self.rng.random() * cumulative[-1])]

    def _stage_for_age(self, age_days: float) -> str:
        for limit, stages, cumulative in self.age_weights:
            if limit is None or age_days <= limit:
                return self._weighted(stages, cumulative)
        raise AssertionError("the last age bucket has no limit")

    def _path(self, stage: str, planned: tuple[str, str, str] | None) -> data.DemoPath:
        if planned is None:
            return self._weighted(self.paths[stage], self.path_weights[stage])
        _, method, payment = planned
        return next(
            p
            for p in self.paths[stage]
            if method in p.methods and not p.digital and payment in {"", p.payment}
        )

    def later(self, moment: datetime) -> datetime:
        """A moment after `moment` and before now: hours to a few days later."""
        remaining = (self.now - moment).total_seconds()
        if remaining < 6 * DAY:
            return moment + timedelta(seconds=remaining * self.rng.uniform(0.05, 0.5))
        return moment + timedelta(seconds=self.rng.uniform(0.05, 5) * DAY)

    # -- one order -------------------------------------------------------------------------
    def build(
        self, *, number: int, age: float, planned: tuple[str, str, str] | None
    ) -> OrderBundle:
        """The order numbered `number`, placed `age` seconds ago, and its rows.

        `planned` (stage, payment method, payment at placement) fixes what is otherwise drawn.
        """
        rng = self.rng
        stage = planned[0] if planned else self._stage_for_age(age / DAY)
        path = self._path(stage, planned)
        method = planned[1] if planned else rng.choice(path.methods)
        is_test = planned is None and rng.random() < 0.02
        combo = rng.choice(data.FRAUD_COMBOS) if path.fraud else ()
        customer = self._customer(fraud=bool(combo), disposable="free_email" in combo)
        fields = self._customer_fields(customer, differ="countries_differ" in combo)
        if is_test:
            fields.update(email=f"test+{number % 1000}@example.com", first_name="Test")
        placed_at = self.now - timedelta(seconds=age)
        order = Order(
            merchant=self.merchant,
            order_number=number,
            order_id=order_id_format(self.merchant.code, number),
            stage=stage,
            source=OrderSource.SEED,
            is_test=is_test,
            placed_at=placed_at,
            stage_entered_at=placed_at,
            payment_method=method,
            payment_status=PS.UNPROCESSED,
            **fields,
        )
        bundle = OrderBundle(order=order)
        self._lines_add(bundle, path, big="amount" in combo)
        self._totals_set(order, bundle.lines)
        if method == M.CREDIT_CARD:
            self._card_set(order, customer, path, is_test)
        if method == M.PURCHASE_ORDER:
            order.purchase_order_number = f"PO-{rng.randrange(10000, 99999)}"
        self._fraud_set(bundle, combo, charged=path.payment == "charge")
        story.story_tell(self, bundle, path)
        self._extras_add(bundle)
        order.actual_profit = order.compute_actual_profit()
        return bundle

    def _customer(self, *, fraud: bool, disposable: bool) -> _Customer:
        rng = self.rng
        if self.pool and not fraud and rng.random() < 0.3:
            return self.pool[rng.randrange(len(self.pool))]
        customer = data.customer_new(rng, disposable=disposable)
        customer = _Customer(**customer, card=self._card_new(data.APPROVE))
        if not fraud:
            if len(self.pool) < 2000:
                self.pool.append(customer)
            else:
                self.pool[rng.randrange(len(self.pool))] = customer
        return customer

    def _card_new(self, behaviour: str, last4: str = "") -> tuple:
        """A card as the test gateway would have tokenized it (the number is never kept)."""
        rng = self.rng
        brand, prefix, length = rng.choice(data.CARD_BRANDS)
        if not last4:
            last4 = f"{rng.randrange(1000, 9999)}"
            if last4 in data.SPECIAL_LAST4:  # those decline or fail at the test gateway
                last4 = "4242"
        middle = "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 4))
        fingerprint = hashlib.sha256(f"test-gateway:{prefix}{middle}{last4}".encode()).hexdigest()
        token = f"tgw_{fingerprint[:32]}_{behaviour}_{last4}"
        year = self.today.year + rng.randrange(1, 5)
        return (brand, last4, rng.randrange(1, 13), year, fingerprint[:32], token)

    def _customer_fields(self, c: _Customer, *, differ: bool) -> dict:
        rng = self.rng
        fields = {
            "email": c.email,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "company": c.company,
            "phone": c.phone,
            "ip_address": c.ip_address,
            "shipping_name": f"{c.first_name} {c.last_name}",
        }
        address = {
            "address1": c.address1,
            "address2": c.address2,
            "city": c.city,
            "region": c.region,
            "postal_code": c.postal_code,
            "country": c.country,
        }
        for name, value in address.items():
            fields[f"billing_{name}"] = value
            fields[f"shipping_{name}"] = value
        if differ or rng.random() < 0.06:
            # A gift to someone else (in another country when the fraud rule fired).
            other = (
                data.address_new(rng, avoid_country=c.country)
                if differ
                else data.address_new(rng, country=c.country)
            )
            fields.update({f"shipping_{name}": value for name, value in other.items()})
            fields["shipping_name"] = (
                f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.LAST_NAMES)}"
            )
        return fields

    def _lines_add(self, bundle: OrderBundle, path: data.DemoPath, *, big: bool) -> None:
        rng = self.rng
        count = rng.choices((1, 2, 3, 4), weights=(50, 30, 14, 6))[0]
        if path.digital:
            picks = rng.sample(self.digital, k=min(count, 2, len(self.digital)))
        else:
            picks = rng.sample(self.available, k=min(count, len(self.available)))
            if not any(item.shippable for item in picks):
                picks[0] = rng.choice(self.shippable)
            if path.first == S.PRE_ORDER:
                picks[0] = rng.choice(self.pre_orders)
        for position, item in enumerate(picks):
            quantity = rng.choices((1, 2, 3, 4, 6), weights=(70, 18, 7, 3, 2))[0]
            schedule = ""
            if item.auto_order_schedules and rng.random() < 0.2:
                schedule = rng.choice(item.auto_order_schedules)
            bundle.lines.append(
                OrderLine(
                    order=bundle.order,
                    position=position,
                    item=item,
                    sku=item.sku,
                    description=item.description,
                    quantity=quantity * (rng.randrange(3, 6) if big else 1),
                    unit_price=item.price,
                    unit_cost=item.cost,
                    pre_order=item.pre_order,
                    shippable=item.shippable,
                    auto_order_schedule=schedule,
                )
            )

    def _totals_set(self, order: Order, lines: list[OrderLine]) -> None:
        rng = self.rng
        order.requires_shipping = any(line.shippable for line in lines)
        subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
        shipping = Decimal(0)
        if order.requires_shipping:
            domestic = order.shipping_country == "US"
            order.shipping_method, shipping = rng.choice(
                data.DOMESTIC_SHIPPING if domestic else data.INTERNATIONAL_SHIPPING
            )
            if domestic and subtotal >= 75 and order.shipping_method == "Ground":
                shipping = Decimal(0)  # free ground shipping over 75
        discount = Decimal(0)
        if rng.random() < 0.12:
            discount = money(subtotal * Decimal("0.10")) if rng.random() < 0.6 else Decimal(5)
        totals = order_totals(
            lines=[(line.quantity, line.unit_price, line.unit_cost) for line in lines],
            shipping=shipping,
            discount=discount,
            tax_rate=self.merchant.tax_rate,
            tax=None if order.billing_country == "US" else Decimal(0),
        )
        order.subtotal, order.shipping_total, order.discount = (
            totals.subtotal,
            totals.shipping,
            totals.discount,
        )
        order.tax, order.total, order.cost_of_goods = totals.tax, totals.total, totals.cost_of_goods
        self.total_sum += totals.total
        self.total_count += 1

    def _card_set(
        self, order: Order, customer: _Customer, path: data.DemoPath, is_test: bool
    ) -> None:
        card = customer.card
        if is_test:
            card = data.TEST_CARD
        elif path.payment == "decline" and self.rng.random() < 0.4:
            # A card that keeps declining; most declined customers have since updated theirs,
            # so that a retry from Accounts Receivable succeeds.
            card = self._card_new("ok", self.rng.choice(data.DECLINE_LAST4))
        (
            order.card_brand,
            order.card_last4,
            order.card_exp_month,
            order.card_exp_year,
            order.card_fingerprint,
            order.gateway_token,
        ) = card

    def _fraud_set(self, bundle: OrderBundle, combo: tuple[str, ...], *, charged: bool) -> None:
        order, rng = bundle.order, self.rng
        hits = []
        if not combo and charged and order.payment_method == M.CREDIT_CARD and rng.random() < 0.05:
            combo = ("avs_mismatch",)  # a low score that stays under the review threshold
        average = money(self.total_sum / self.total_count)
        for rule in combo:
            sentence = data.fraud_sentence(rule, order, average, self.merchant, rng)
            hits.append({"rule": rule, "points": POINTS[rule], "reason": sentence})
            if rule == "block_list":
                bundle.blocked.append(
                    BlockListEntry(
                        merchant=self.merchant,
                        kind=BlockListEntry.Kind.EMAIL,
                        value=order.email.lower(),
                        reason="Chargeback on an earlier order",
                    )
                )
        order.fraud_reasons = hits
        order.fraud_score = min(100, sum(hit["points"] for hit in hits))

    # -- afterwards: partial refunds, actual costs, notes, tags, custom fields ------------
    def _extras_add(self, bundle: OrderBundle) -> None:
        order, rng = bundle.order, self.rng
        last = order.stage_entered_at
        if order.stage == S.COMPLETED and order.payment_status == PS.PROCESSED:
            if rng.random() < 0.08 and order.total > 0:
                amount = money(order.total * Decimal(rng.choice(("0.1", "0.25", "0.5"))))
                reason = rng.choice(self.merchant.refund_reason_codes or ["other"])
                within_limit = amount <= self.merchant.customer_service_refund_limit
                role = Role.CUSTOMER_SERVICE if within_limit else Role.ORDER_MANAGER
                story.refund_add(self, bundle, amount, self.later(last), reason, self.staff[role])
            if (self.now - last).days > 7 and rng.random() < 0.75:
                self._actual_costs_set(order, len(bundle.lines))
        if rng.random() < 0.08:
            text = rng.choice(data.NOTES)
            author = self.staff[rng.choice((Role.CUSTOMER_SERVICE, Role.ORDER_MANAGER))]
            moment = self.later(order.placed_at)
            bundle.notes.append(
                OrderNote(order=order, text=text, created_at=moment, created_by=author)
            )
            self.event(bundle, OrderEventType.NOTE_ADDED, moment, author, text=text)
        if self.tags and rng.random() < 0.1:
            bundle.tags = rng.sample(self.tags, k=rng.choice((1, 1, 2)))
        order.custom_2 = rng.choices(data.SALES_CHANNELS, weights=(70, 12, 8, 3, 7))[0]
        order.custom_3 = rng.choices(data.PACKING_PRIORITIES, weights=(85, 10, 5))[0]
        if rng.random() < 0.05:
            order.custom_1 = rng.choice(data.GIFT_MESSAGES)

    def _actual_costs_set(self, order: Order, line_count: int) -> None:
        rng = self.rng
        base = order.shipping_total or Decimal("7.50")
        order.actual_shipping = money(base * Decimal(str(round(rng.uniform(0.6, 1.1), 2))))
        order.actual_fulfillment = money(Decimal("1.25") + Decimal("0.50") * line_count)
        if order.payment_method in data.GATEWAY_PAID:
            order.actual_payment = money(order.total * Decimal("0.029") + Decimal("0.30"))

    # -- rows ------------------------------------------------------------------------------
    def transaction(
        self,
        bundle: OrderBundle,
        kind: str,
        result: str,
        moment: datetime,
        message: str,
        *,
        amount: Decimal | None = None,
        avs: str = "",
        cvv: str = "",
        operation: str | None = None,
        key: str | None = None,
        reference: str | None = None,
    ) -> None:
        """A payment transaction, its event and, for money the gateway moved, its books."""
        order = bundle.order
        amount = order.total if amount is None else amount
        operation = operation or kind
        gateway_moved = kind in GATEWAY_KINDS
        if reference is None:
            # The test gateway's reference format: tgw_<operation>_<16 hex digits>.
            reference = f"tgw_{operation[:3]}_{self.rng.getrandbits(64):016x}"
            if not gateway_moved:
                reference = ""
        if key is None:
            attempt = 1 + sum(1 for t in bundle.transactions if t.kind == kind)
            key = f"{self.merchant.code}:{order.order_id}:{kind}:{attempt}" if gateway_moved else ""
        bundle.transactions.append(
            PaymentTransaction(
                order=order,
                kind=kind,
                amount=amount,
                result=result,
                gateway=self.gateway,
                gateway_reference=reference,
                idempotency_key=key,
                avs_result=avs,
                cvv_result=cvv,
                message=message,
                created_at=moment,
            )
        )
        if gateway_moved:
            bundle.ledger.append(
                GatewayLedgerEntry(
                    gateway=self.gateway,
                    idempotency_key=key,
                    operation=operation,
                    amount=amount,
                    result=result,
                    reference=reference,
                    token=order.gateway_token or order.email,
                    response={"message": message, "avs": avs, "cvv": cvv},
                    created_at=moment,
                )
            )
        self.event(
            bundle,
            OrderEventType.PAYMENT,
            moment,
            None,
            kind=kind,
            amount=str(amount),
            result=result,
            reference=reference,
            message=message,
        )

    def event(
        self, bundle: OrderBundle, type: OrderEventType, moment: datetime, actor, **payload
    ) -> OrderEvent:
        """An unsaved timeline event; the writer inserts the batch's events at once."""
        order = bundle.order
        if type == OrderEventType.PLACED:
            payload = {
                "source": order.source,
                "total": str(order.total),
                "fraud_score": order.fraud_score,
                **payload,
            }
        event = order_event_build(order=order, type=type, by=actor, via=VIA, at=moment, **payload)
        bundle.events.append(event)
        return event
