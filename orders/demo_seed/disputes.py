"""A few chargebacks and cases on the orders a seed run just created, through the real services
(so their events and statuses are what the screens would have produced). No email is sent."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from orders.models import Order, Role
from orders.services.cases import case_customer_reply, case_note_add, case_open, case_reply
from orders.services.cases.core import case_transition
from orders.services.chargebacks import (
    chargeback_open,
    chargeback_rebuttal_save,
    chargeback_transition,
)
from orders.states import GATEWAY_METHODS, Stage

MAX_CHARGEBACKS = 5
MAX_CASES = 6
REASONS = ["13.1", "10.4", "13.3", "4853", "12.6"]
SUBJECTS = ["Where is my parcel?", "Wrong size delivered", "Invoice copy", "Change of address"]


def demo_disputes_seed(*, merchant, rng: random.Random, after_number: int, staff: dict) -> tuple:
    """Chargebacks and cases on orders numbered above `after_number`; returns their counts."""
    fresh = Order.objects.live().for_merchant(merchant).filter(order_number__gt=after_number)
    shipped = list(
        fresh.filter(stage=Stage.COMPLETED, payment_method__in=GATEWAY_METHODS).order_by(
            "order_number"
        )[: MAX_CHARGEBACKS + MAX_CASES]
    )
    manager = staff[Role.ORDER_MANAGER]
    chargebacks = _chargebacks(shipped[:MAX_CHARGEBACKS], rng, manager)
    cases = _cases(shipped[MAX_CHARGEBACKS:] or shipped[:MAX_CASES], rng, staff)
    return chargebacks, cases


def _chargebacks(orders: list[Order], rng: random.Random, manager) -> int:
    today = timezone.localdate()
    plans = ["open", "soon", "evidence_sent", "lost", "won"]
    for order, plan in zip(orders, plans, strict=False):
        chargeback = chargeback_open(
            order=order,
            case_number=f"{order.merchant.code}-CB-{order.order_number}",
            reason_code=rng.choice(REASONS[:4]),
            amount=order.total if order.total > 0 else Decimal("10.00"),
            received_on=today - timedelta(days=rng.randint(3, 12)),
            respond_by=today + timedelta(days=2 if plan == "soon" else rng.randint(8, 25)),
            via="seed_demo",
        )
        if plan in ("evidence_sent", "lost", "won"):
            chargeback_rebuttal_save(
                chargeback=chargeback,
                rebuttal="The order was delivered to the billing address; tracking attached.",
                internal_notes="",
            )
            chargeback_transition(chargeback=chargeback, name="send_evidence", via="seed_demo")
        if plan in ("lost", "won"):
            name = "mark_lost" if plan == "lost" else "mark_won"
            chargeback_transition(chargeback=chargeback, name=name, via="seed_demo")
    return min(len(orders), len(plans))


def _cases(orders: list[Order], rng: random.Random, staff: dict) -> int:
    service = staff[Role.CUSTOMER_SERVICE]
    plans = ["waiting", "reply_received", "closed", "open", "reply_received", "waiting"]
    for order, plan in zip(orders, plans, strict=False):
        case = case_open(order=order, subject=rng.choice(SUBJECTS), via="seed_demo")
        if plan == "open":
            continue
        case_reply(
            case=case,
            text="Thank you for writing; we are looking into it.",
            by=service,
            via="seed_demo",
            send_email=False,
        )
        if plan in ("reply_received", "closed"):
            case_customer_reply(case=case, text="Thanks, please keep me posted.", notify=False)
        if plan == "closed":
            case_transition(case=case, name="close", by=service, via="seed_demo")
        case_note_add(
            case=case, text="Checked the carrier's scan history.", by=service, via="seed_demo"
        )
    return min(len(orders), len(plans))
