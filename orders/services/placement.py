"""order_place: the one service that places every new order, whatever its source.

It scores fraud, takes the payment the draft asks for, decides the first stage by the routing
table of the specification, allocates the order ID and stores the order with its lines,
transaction and first event, all in one transaction.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from orders.actors import Actor
from orders.events import order_placed_event
from orders.exceptions import InvalidInput, OrderRefused, TransitionNotPermitted
from orders.fraud import (
    FraudAssessment,
    FraudSignals,
    fraud_add_gateway_answers,
    fraud_assess,
    shipping_address_key,
)
from orders.models import Item, Merchant, Order, OrderLine, OrderSequence, PaymentTransaction
from orders.payments import CardDetails, GatewayResult, gateway_for
from orders.payments.base import CardToken
from orders.pricing import order_totals
from orders.routing import stage_after_payment
from orders.selectors.customers import customer_card_token_belongs
from orders.states import OFFLINE_METHODS, OrderSource, PaymentMethod, PaymentStatus, Stage

from .auto_orders.creation import auto_order_create_for_order
from .auto_orders.schedules import schedule_parse
from .payments import payment_transaction_record

ORDER_NUMBER_WIDTH = 7


class CardMode:
    CHARGE_NOW = "charge_now"
    NO_CHARGE = "no_charge"
    SKIP = "skip"


@dataclass
class LineDraft:
    description: str = ""
    quantity: int = 1
    unit_price: Decimal | None = None
    sku: str = ""
    item: Item | None = None
    unit_cost: Decimal | None = None
    auto_order_schedule: str = ""


@dataclass
class PaymentDraft:
    method: str
    card: CardDetails | None = None
    card_token: str = ""  # a saved card: the gateway token of a returning customer
    card_mode: str = CardMode.CHARGE_NOW
    purchase_order_number: str = ""
    bank_account: str = ""
    wallet_funded_by_bank: bool = False


@dataclass
class OrderDraft:
    email: str
    lines: list[LineDraft]
    payment: PaymentDraft
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    phone: str = ""
    ip_address: str | None = None
    billing: dict[str, str] = field(default_factory=dict)
    shipping: dict[str, str] = field(default_factory=dict)
    shipping_method: str = ""
    shipping_total: Decimal = Decimal("0")
    discount: Decimal = Decimal("0")
    tax: Decimal | None = None
    source: str = OrderSource.BACKEND
    skip_fraud_score: bool = False
    is_test: bool = False
    idempotency_key: str = ""  # also the placement key: the same key places one order
    placement_digest: str = ""
    placed_at: Any = None
    custom_fields: dict[int, str] = field(default_factory=dict)
    original_order: Order | None = None
    auto_order_code: str = ""  # a rebill: the auto order it comes from


ADDRESS_FIELDS = ("address1", "address2", "city", "region", "postal_code", "country")


def order_id_format(merchant_code: str, number: int) -> str:
    return f"{merchant_code}-{number:0{ORDER_NUMBER_WIDTH}d}"


def order_number_allocate(merchant: Merchant, count: int = 1) -> int:
    """Reserve `count` consecutive order numbers; returns the first. Call inside a transaction.

    The sequence row's lock is held until the caller commits, so numbers are monotonic and never
    handed out twice, whatever the concurrency.
    """
    OrderSequence.objects.get_or_create(merchant=merchant)
    OrderSequence.objects.filter(merchant=merchant).update(last_number=F("last_number") + count)
    last = OrderSequence.objects.get(merchant=merchant).last_number
    return last - count + 1


@dataclass
class _Payment:
    stage: str
    status: str
    token: CardToken | None = None
    result: GatewayResult | None = None
    kind: str = ""
    key: str = ""
    is_test: bool = False


@dataclass(frozen=True)
class Placement:
    order: Order
    # False when the draft's idempotency key had already placed the order (a replay, or a
    # concurrent submission with the same key that committed first).
    placed_now: bool


def order_place(
    *,
    merchant: Merchant,
    draft: OrderDraft,
    by: Actor = None,
    via: str = "",
    before_commit: Callable[[Order], None] | None = None,
) -> Order:
    """Place an order. Side effects: may charge or authorize through the gateway; starts an
    auto order for lines bought on a schedule.

    Raises OrderRefused (fraud decline) or InvalidInput; nothing is stored then. A draft whose
    idempotency key already placed an order returns that order, charging nothing again.
    `before_commit(order)` runs inside the order's transaction (a rebill settles its attempt
    there); whatever it raises undoes the order.
    """
    return order_place_once(
        merchant=merchant, draft=draft, by=by, via=via, before_commit=before_commit
    ).order


def order_place_once(
    *,
    merchant: Merchant,
    draft: OrderDraft,
    by: Actor = None,
    via: str = "",
    before_commit: Callable[[Order], None] | None = None,
) -> Placement:
    """order_place, also saying whether this very call placed the order: of any number of
    concurrent calls with one idempotency key, exactly one has placed_now (the one whose
    insert the key's unique constraint let through). Side effects: see order_place."""
    placed = order_placed_with_key(merchant=merchant, key=draft.idempotency_key)
    if placed is not None:
        return Placement(placed, placed_now=False)
    _check_permissions(merchant, draft, by)
    _check_amounts(draft)
    lines = order_lines_resolve(merchant, draft.lines)
    totals = order_totals(
        lines=[(line.quantity, line.unit_price, line.unit_cost) for line in lines],
        shipping=draft.shipping_total,
        discount=draft.discount,
        tax_rate=merchant.tax_rate,
        tax=draft.tax,
    )
    requires_shipping = any(line.shippable for line in lines)
    has_pre_order = any(line.pre_order for line in lines)
    token = _tokenize(merchant, draft.payment)
    signals = FraudSignals(
        email=draft.email,
        total=totals.total,
        billing_country=draft.billing.get("country", ""),
        shipping_country=draft.shipping.get("country", ""),
        shipping_address=shipping_address_key(
            draft.shipping.get("address1", ""),
            draft.shipping.get("postal_code", ""),
            draft.shipping.get("country", ""),
        )
        if draft.shipping.get("address1")
        else "",
        ip_address=draft.ip_address,
        card_fingerprint=token.fingerprint if token else "",
    )
    fraud = (
        FraudAssessment()
        if draft.skip_fraud_score
        else fraud_assess(merchant=merchant, signals=signals)
    )
    if not draft.skip_fraud_score and fraud.score >= merchant.fraud_decline_threshold:
        raise OrderRefused(
            "The order was refused by the fraud rules: "
            + "; ".join(hit["reason"] for hit in fraud.hits)
        )
    key = draft.idempotency_key or f"place:{uuid.uuid4()}"
    payment = _take_payment(
        merchant, draft, token, totals.total, key, fraud, has_pre_order, requires_shipping
    )

    try:
        order = _store(
            merchant,
            draft,
            lines,
            totals,
            requires_shipping,
            payment,
            fraud,
            by,
            via,
            before_commit,
        )
    except IntegrityError:
        # A concurrent submission with the same key won the race; the gateway key made its
        # charge and ours one and the same.
        placed = order_placed_with_key(merchant=merchant, key=draft.idempotency_key)
        if placed is None:
            raise
        return Placement(placed, placed_now=False)
    return Placement(order, placed_now=True)


def order_placed_with_key(*, merchant: Merchant, key: str) -> Order | None:
    if not key:
        return None
    return Order.objects.filter(merchant=merchant, placement_key=key).first()


def _store(
    merchant, draft, lines, totals, requires_shipping, payment, fraud, by, via, before_commit
) -> Order:
    with transaction.atomic():
        number = order_number_allocate(merchant)
        order = Order(
            merchant=merchant,
            order_number=number,
            order_id=order_id_format(merchant.code, number),
            stage=payment.stage,
            source=draft.source,
            requires_shipping=requires_shipping,
            is_test=draft.is_test or payment.is_test,
            email=draft.email.strip(),
            first_name=draft.first_name,
            last_name=draft.last_name,
            company=draft.company,
            phone=draft.phone,
            ip_address=draft.ip_address or None,
            shipping_method=draft.shipping_method,
            subtotal=totals.subtotal,
            shipping_total=totals.shipping,
            tax=totals.tax,
            discount=totals.discount,
            total=totals.total,
            cost_of_goods=totals.cost_of_goods,
            placed_at=draft.placed_at or timezone.now(),
            payment_method=draft.payment.method,
            payment_status=payment.status,
            purchase_order_number=draft.payment.purchase_order_number,
            fraud_score=fraud.score,
            fraud_reasons=fraud.hits,
            original_order=draft.original_order,
            placement_key=draft.idempotency_key or None,
            placement_digest=draft.placement_digest,
            auto_order_code=draft.auto_order_code,
            **{f"billing_{name}": draft.billing.get(name, "") for name in ADDRESS_FIELDS},
            **{f"shipping_{name}": draft.shipping.get(name, "") for name in ADDRESS_FIELDS},
            shipping_name=draft.shipping.get("name", ""),
            **{f"custom_{n}": value for n, value in draft.custom_fields.items()},
        )
        order.stage_entered_at = order.placed_at
        if payment.token:
            order.card_brand = payment.token.brand
            order.card_last4 = payment.token.last4
            order.card_exp_month = payment.token.exp_month
            order.card_exp_year = payment.token.exp_year
            order.card_fingerprint = payment.token.fingerprint
            order.gateway_token = payment.token.token
        if payment.status in {PaymentStatus.PROCESSED, PaymentStatus.AUTHORIZED}:
            order.paid_at = order.placed_at
        order.actual_profit = order.compute_actual_profit()
        order.save()
        for position, line in enumerate(lines):
            line.order = order
            line.position = position
        OrderLine.objects.bulk_create(lines)
        order_placed_event(
            order=order,
            by=by,
            via=via,
            fraud_score=fraud.score,
            payment=payment.result.result if payment.result else payment.status,
        )
        if payment.result is not None:
            payment_transaction_record(
                order=order,
                kind=payment.kind,
                result=payment.result,
                idempotency_key=payment.key,
                by=by,
                via=via,
            )
        if draft.source != OrderSource.REBILL:
            auto_order_create_for_order(order=order, lines=lines, by=by, via=via)
        if before_commit is not None:
            before_commit(order)
    return order


# Placements a person makes from the merchant screens (the others come from the intake API,
# the rebill sweep or the seed, with no person acting).
STAFF_SOURCES = (OrderSource.BACKEND, OrderSource.REPLACEMENT, OrderSource.CLONE)


def _check_permissions(merchant: Merchant, draft: OrderDraft, by) -> None:
    if by is None:
        return
    if draft.source in STAFF_SOURCES and not by.has_perm("orders.place_order", merchant):
        raise TransitionNotPermitted("You may not place orders.")
    if draft.payment.card_token and not customer_card_token_belongs(
        merchant=merchant, email=draft.email, token=draft.payment.card_token
    ):
        # A saved card pays only for the customer whose orders saved it.
        raise InvalidInput("That saved card belongs to another customer.")
    if draft.skip_fraud_score and not by.has_perm("orders.skip_fraud_score", merchant):
        raise TransitionNotPermitted("You may not skip the fraud score.")
    if (
        draft.payment.method == PaymentMethod.CREDIT_CARD
        and draft.payment.card_mode == CardMode.SKIP
        and not by.has_perm("orders.skip_payment", merchant)
    ):
        raise TransitionNotPermitted("You may not skip payment processing.")


def _check_amounts(draft: OrderDraft) -> None:
    amounts = {"shipping": draft.shipping_total, "tax": draft.tax, "discount": draft.discount}
    for label, value in amounts.items():
        if value is not None and value < 0:
            raise InvalidInput(f"The {label} cannot be negative.")


def order_lines_resolve(merchant: Merchant, drafts: list[LineDraft]) -> list[OrderLine]:
    if not drafts:
        raise InvalidInput("An order needs at least one line.")
    skus = {d.sku for d in drafts if d.sku and d.item is None}
    items = {i.sku: i for i in Item.objects.filter(merchant=merchant, sku__in=skus)}
    lines = []
    for index, draft in enumerate(drafts, start=1):
        item = draft.item or items.get(draft.sku)
        if draft.sku and item is None and not draft.description:
            raise InvalidInput(f"Line {index}: no item with SKU {draft.sku}.")
        if draft.auto_order_schedule:
            schedule_parse(draft.auto_order_schedule)
        if draft.quantity < 1:
            raise InvalidInput(f"Line {index}: the quantity must be at least 1.")
        unit_price = (
            draft.unit_price if draft.unit_price is not None else (item.price if item else None)
        )
        if unit_price is None or unit_price < 0:
            raise InvalidInput(f"Line {index}: a unit price of zero or more is required.")
        lines.append(
            OrderLine(
                item=item,
                sku=item.sku if item else draft.sku,
                description=draft.description or (item.description if item else ""),
                quantity=draft.quantity,
                unit_price=unit_price,
                unit_cost=draft.unit_cost
                if draft.unit_cost is not None
                else (item.cost if item else Decimal("0")),
                pre_order=bool(item and item.pre_order),
                shippable=item.shippable if item else True,
                auto_order_schedule=draft.auto_order_schedule,
            )
        )
    return lines


def _tokenize(merchant: Merchant, payment: PaymentDraft) -> CardToken | None:
    if payment.method != PaymentMethod.CREDIT_CARD:
        return None
    if payment.card_token:
        try:
            return gateway_for(merchant).card_for_token(payment.card_token)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
    if payment.card is None:
        if payment.card_mode == CardMode.CHARGE_NOW:
            raise InvalidInput("Enter the card number, or choose “no real-time charge”.")
        return None
    try:
        return gateway_for(merchant).tokenize(payment.card)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc


def _take_payment(merchant, draft, token, total, key, fraud, has_pre_order, requires_shipping):
    method = draft.payment.method
    if method == PaymentMethod.QUOTE_REQUEST:
        return _Payment(Stage.QUOTE_REQUEST, PaymentStatus.UNPROCESSED)
    if has_pre_order:
        return _Payment(Stage.PRE_ORDER, PaymentStatus.UNPROCESSED, token=token)
    gateway = gateway_for(merchant)
    if method == PaymentMethod.CREDIT_CARD:
        return _take_card_payment(
            merchant, draft, gateway, token, total, key, fraud, requires_shipping
        )
    if method in OFFLINE_METHODS:
        return _Payment(Stage.ACCOUNTS_RECEIVABLE, PaymentStatus.UNPROCESSED)
    if method == PaymentMethod.ECHECK or (
        method in {PaymentMethod.PAYPAL, PaymentMethod.AMAZON_PAY}
        and draft.payment.wallet_funded_by_bank
    ):
        result = gateway.debit_bank(
            account=draft.payment.bank_account or draft.email, amount=total, idempotency_key=key
        )
        return _Payment(
            Stage.PENDING_CLEARANCE,
            PaymentStatus.PENDING,
            result=result,
            kind=PaymentTransaction.Kind.CHARGE,
            key=key,
        )
    if method == PaymentMethod.CASH:
        return _Payment(_settled_stage(requires_shipping), PaymentStatus.PROCESSED)
    if method in {PaymentMethod.PAYPAL, PaymentMethod.AMAZON_PAY}:
        # The wallet confirmed the payment before the order reached us.
        stage = stage_after_payment(
            result="approved",
            fraud_score=fraud.score,
            review_threshold=merchant.fraud_review_threshold,
            requires_shipping=requires_shipping,
        )
        return _Payment(stage, PaymentStatus.PROCESSED)
    raise InvalidInput(f"Unknown payment method “{method}”.")


def _settled_stage(requires_shipping: bool) -> str:
    return Stage.SHIPPING if requires_shipping else Stage.COMPLETED


def _take_card_payment(merchant, draft, gateway, token, total, key, fraud, requires_shipping):
    mode = draft.payment.card_mode
    if mode == CardMode.SKIP:
        return _Payment(_settled_stage(requires_shipping), PaymentStatus.SKIPPED, token=token)
    if token is not None and token.is_test_card and gateway.live:
        return _Payment(
            Stage.ACCOUNTS_RECEIVABLE, PaymentStatus.UNPROCESSED, token=token, is_test=True
        )
    if mode == CardMode.NO_CHARGE:
        return _Payment(Stage.ACCOUNTS_RECEIVABLE, PaymentStatus.UNPROCESSED, token=token)
    if (
        fraud.score >= merchant.fraud_review_threshold
        and merchant.fraud_review_action == Merchant.FraudReviewAction.HOLD_WITHOUT_CHARGE
    ):
        return _Payment(Stage.ACCOUNTS_RECEIVABLE, PaymentStatus.UNPROCESSED, token=token)
    authorize = merchant.capture_at_shipment
    call = gateway.authorize if authorize else gateway.charge
    result = call(token=token.token, amount=total, idempotency_key=key)
    kind = PaymentTransaction.Kind.AUTHORIZE if authorize else PaymentTransaction.Kind.CHARGE
    if not result.approved:
        return _Payment(
            Stage.ACCOUNTS_RECEIVABLE,
            PaymentStatus.DECLINED,
            token=token,
            result=result,
            kind=kind,
            key=key,
        )
    fraud_add_gateway_answers(fraud, avs_result=result.avs_result, cvv_result=result.cvv_result)
    stage = stage_after_payment(
        result="approved",
        fraud_score=fraud.score,
        review_threshold=merchant.fraud_review_threshold,
        requires_shipping=requires_shipping,
    )
    status = PaymentStatus.AUTHORIZED if authorize else PaymentStatus.PROCESSED
    return _Payment(stage, status, token=token, result=result, kind=kind, key=key)
