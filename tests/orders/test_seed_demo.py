import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from orders.models import (
    GatewayLedgerEntry,
    Item,
    Membership,
    Merchant,
    Order,
    OrderEvent,
    OrderLine,
    PaymentTransaction,
    Shipment,
)
from orders.services.refunds import order_refund
from orders.services.transitions import order_transition
from orders.states import PaymentMethod, PaymentStatus, Stage

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LOGINS = ["owner", "manager", "shipping", "service", "bookkeeper"]
PS = PaymentStatus
STATUSES_BY_STAGE = {
    Stage.QUOTE_REQUEST: {PS.UNPROCESSED},
    Stage.QUOTE_SENT: {PS.UNPROCESSED},
    Stage.PRE_ORDER: {PS.UNPROCESSED},
    Stage.ACCOUNTS_RECEIVABLE: {PS.UNPROCESSED, PS.DECLINED},
    Stage.PENDING_CLEARANCE: {PS.PENDING},
    Stage.FRAUD_REVIEW: {PS.PROCESSED, PS.AUTHORIZED},
    # Held from shipping, fraud review or accounts receivable: their statuses.
    Stage.HOLD: {PS.PROCESSED, PS.AUTHORIZED, PS.SKIPPED, PS.UNPROCESSED, PS.DECLINED},
    Stage.SHIPPING: {PS.PROCESSED, PS.AUTHORIZED, PS.SKIPPED},
    Stage.COMPLETED: {PS.PROCESSED, PS.PARTIALLY_REFUNDED, PS.SKIPPED},
    Stage.REJECTED: {PS.UNPROCESSED, PS.DECLINED, PS.VOIDED, PS.REFUNDED},
}
UNPAID_STAGES = {
    Stage.QUOTE_REQUEST,
    Stage.QUOTE_SENT,
    Stage.PRE_ORDER,
    Stage.ACCOUNTS_RECEIVABLE,
    Stage.PENDING_CLEARANCE,
}


def sign_in(*, username: str, password: str):
    """authenticate() as the sign-in form calls it: with the request (sign-in throttling
    needs it)."""
    return authenticate(RequestFactory().post("/login/"), username=username, password=password)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot(code: str) -> dict:
    orders = Order.objects.filter(merchant__code=code)
    return {
        "orders": list(
            orders.order_by("order_number").values_list(
                "order_id", "stage", "email", "total", "payment_status", "updated_at"
            )
        ),
        "lines": OrderLine.objects.filter(order__in=orders).count(),
        "events": OrderEvent.objects.filter(order__in=orders).count(),
        "transactions": PaymentTransaction.objects.filter(order__in=orders).count(),
        "items": list(Item.objects.filter(merchant__code=code).values_list("sku", "price")),
        "members": list(
            Membership.objects.filter(merchant__code=code).values_list("user__username", "role")
        ),
        "passwords": list(
            get_user_model()
            .objects.filter(username__startswith=f"{code.lower()}-")
            .values_list("password", flat=True)
        ),
    }


def sequence(code: str) -> list[tuple]:
    return list(
        Order.objects.filter(merchant__code=code)
        .order_by("order_number")
        .values_list(
            "stage", "email", "total", "subtotal", "payment_method", "payment_status", "is_test"
        )
    )


def test_seed_creates_a_login_per_role_and_the_support_superuser():
    out = seed("--orders", "12", "--password", "s3cret-pw")

    merchant = Merchant.objects.get(code="DEMO")
    assert merchant.name == "Demo Store"
    for role in LOGINS:
        user = sign_in(username=f"demo-{role}", password="s3cret-pw")
        assert user is not None, role
        assert Membership.objects.get(user=user, merchant=merchant).role == role
        assert f"demo-{role}" in out
    support = sign_in(username="support", password="s3cret-pw")
    assert support is not None
    assert support.is_staff
    assert support.is_superuser
    assert "support" in out
    assert "s3cret-pw" in out
    assert "started from the seeded orders" in out
    assert "chargeback" in out


def test_support_superuser_is_only_created_on_the_first_run():
    seed("--orders", "0", "--password", "first-pw")
    seed("--orders", "0", "--merchant", "OTHER", "--password", "second-pw")

    assert get_user_model().objects.filter(username="support").count() == 1
    assert sign_in(username="support", password="first-pw") is not None
    assert sign_in(username="other-owner", password="second-pw") is not None


def test_every_stage_and_every_payment_method_has_orders():
    seed("--orders", "60", "--seed", "3")

    orders = Order.objects.filter(merchant__code="DEMO")
    assert orders.count() == 60
    assert set(orders.values_list("stage", flat=True)) == set(Stage.values)
    assert set(orders.values_list("payment_method", flat=True)) == set(PaymentMethod.values)


def test_ten_orders_cover_the_ten_stages():
    seed("--orders", "10", "--seed", "9")

    stages = Counter(Order.objects.values_list("stage", flat=True))
    assert set(stages) == set(Stage.values)


def test_payment_status_and_facts_match_each_stage():
    seed("--orders", "400", "--seed", "11")
    merchant = Merchant.objects.get(code="DEMO")
    now = timezone.now()

    for order in Order.objects.filter(merchant=merchant):
        assert order.payment_status in STATUSES_BY_STAGE[order.stage], order.order_id
        assert now - timezone.timedelta(days=366) < order.placed_at <= now
        assert order.placed_at <= order.stage_entered_at <= now
        if order.stage == Stage.FRAUD_REVIEW:
            assert order.fraud_score >= merchant.fraud_review_threshold
            assert all(hit["reason"] for hit in order.fraud_reasons)
        if order.stage in UNPAID_STAGES:
            # Paying later routes by the stored score: these must not land in fraud review.
            assert order.fraud_score < merchant.fraud_review_threshold
        if order.stage == Stage.HOLD:
            assert order.hold_reason
            assert order.held_from_stage in {
                Stage.SHIPPING,
                Stage.FRAUD_REVIEW,
                Stage.ACCOUNTS_RECEIVABLE,
            }
        if order.stage == Stage.COMPLETED and order.requires_shipping:
            shipment = order.shipments.get()
            assert 1 <= len(shipment.tracking_numbers) <= 5
            assert order.shipped_at == shipment.shipped_at
        if order.stage == Stage.PRE_ORDER:
            assert order.lines.filter(pre_order=True, item__pre_order=True).exists()
        if order.payment_status == PS.PARTIALLY_REFUNDED:
            assert 0 < order.refunded_total < order.total
        if order.stage == Stage.REJECTED:
            assert order.reject_reason
            assert order.rejected_at is not None

    orders = Order.objects.filter(merchant=merchant)
    assert orders.filter(is_test=True).exists()
    assert orders.filter(payment_status=PS.PARTIALLY_REFUNDED).exists()
    assert orders.exclude(tags=None).exists()
    assert orders.exclude(notes=None).exists()
    assert len(set(orders.values_list("shipping_country", flat=True))) >= 4
    assert Item.objects.filter(merchant=merchant, pre_order=True, expected_date__isnull=False)
    assert Item.objects.filter(merchant=merchant, shippable=False).exists()
    assert Item.objects.filter(merchant=merchant).exclude(auto_order_schedules=[]).exists()
    assert merchant.custom_field_label(2) == "Sales channel"
    assert merchant.stage_age_limit(Stage.SHIPPING)


def test_totals_are_consistent_for_every_order():
    seed("--orders", "200", "--seed", "5")

    for order in Order.objects.prefetch_related("lines"):
        lines = list(order.lines.all())
        assert 1 <= len(lines) <= 4
        assert order.subtotal == sum((line.quantity * line.unit_price for line in lines), 0)
        assert order.cost_of_goods == sum((line.quantity * line.unit_cost for line in lines), 0)
        assert order.total == order.subtotal - order.discount + order.shipping_total + order.tax
        assert order.actual_profit == order.compute_actual_profit()
        assert Decimal(0) <= order.refunded_total <= order.total


def test_every_order_has_a_placed_event_and_moved_orders_a_transition_event():
    seed("--orders", "150", "--seed", "2")

    events = {}
    for event in OrderEvent.objects.order_by("created_at", "id"):
        events.setdefault(event.order_id, []).append(event)
    for order in Order.objects.all():
        timeline = events[order.pk]
        placed = [e for e in timeline if e.type == "order_placed"]
        assert len(placed) == 1
        moves = [e for e in timeline if e.type == "order_transitioned"]
        if placed[0].payload["stage"] != order.stage:
            assert moves, order.order_id
            assert moves[-1].payload["target"] == order.stage
            assert moves[0].payload["source"] == placed[0].payload["stage"]
        else:
            assert not moves


def test_the_same_seed_gives_the_same_orders_for_another_merchant():
    seed("--orders", "80", "--seed", "42")
    seed("--orders", "80", "--seed", "42", "--merchant", "OTHER")
    seed("--orders", "80", "--seed", "43", "--merchant", "THIRD")

    assert sequence("DEMO") == sequence("OTHER")
    assert sequence("DEMO") != sequence("THIRD")
    assert Order.objects.filter(merchant__code="OTHER").first().order_id.startswith("OTHER-")


def test_a_second_merchant_leaves_the_first_alone():
    seed("--orders", "40")
    before = snapshot("DEMO")

    seed("--orders", "40", "--merchant", "SECOND", "--password", "another")

    assert snapshot("DEMO") == before
    assert Order.objects.filter(merchant__code="SECOND").count() == 40
    assert sign_in(username="demo-owner", password="demo") is not None


def test_seeding_twice_leaves_the_merchant_as_the_first_run_made_it():
    seed("--orders", "20")
    before = snapshot("DEMO")

    out = seed("--orders", "20")

    assert snapshot("DEMO") == before
    assert Order.objects.filter(merchant__code="DEMO").count() == 20
    assert "DEMO already has 20 orders; nothing added (pass --add to add 20 more)" in out


def test_running_again_with_add_adds_orders_without_duplicating_logins_or_items():
    seed("--orders", "20")
    users, items = get_user_model().objects.count(), Item.objects.count()

    seed("--orders", "15", "--add")

    orders = Order.objects.filter(merchant__code="DEMO")
    assert orders.count() == 35
    assert sorted(orders.values_list("order_number", flat=True)) == list(range(1, 36))
    assert get_user_model().objects.count() == users
    assert Item.objects.count() == items
    assert Membership.objects.filter(merchant__code="DEMO").count() == 5


@pytest.mark.parametrize(
    "args",
    [
        ["--orders", "-1"],
        ["--orders", "many"],
        ["--orders", "5", "--merchant", "D3MO"],
        ["--orders", "5", "--merchant", "X"],
        ["--orders", "5", "--merchant", "ELEVENCHARS"],
        ["--orders", "5", "--seed", "x"],
        ["--orders", "5", "--password", ""],
        [],
    ],
)
def test_invalid_arguments_are_refused_and_change_nothing(args):
    with pytest.raises(CommandError):
        seed(*args)

    assert not Merchant.objects.exists()
    assert not get_user_model().objects.exists()
    assert not Order.objects.exists()
    assert not Item.objects.exists()


def test_refused_input_exits_with_status_1_and_says_why(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backoffice.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--orders", "-3", "--merchant", "bad1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert "--orders must be 0 or more" in result.stderr
    assert "--merchant must be 2 to 10 upper-case letters" in result.stderr


def test_seeded_orders_work_with_the_real_services():
    seed("--orders", "300", "--seed", "8")
    manager = get_user_model().objects.get(username="demo-manager")
    orders = Order.objects.filter(merchant__code="DEMO")

    receivable = orders.filter(
        stage=Stage.ACCOUNTS_RECEIVABLE, payment_method="credit_card", payment_status="unprocessed"
    ).first()
    order_transition(order=receivable, name="process_payment", by=manager, via="test")
    receivable.refresh_from_db()
    assert receivable.stage == Stage.SHIPPING
    assert receivable.payment_status == PS.PROCESSED

    completed = orders.filter(
        stage=Stage.COMPLETED, payment_method="credit_card", payment_status="processed"
    ).first()
    order_refund(order=completed, amount=Decimal("1.00"), by=manager, reason="other")
    completed.refresh_from_db()
    assert completed.payment_status == PS.PARTIALLY_REFUNDED

    authorized = orders.filter(stage=Stage.SHIPPING, payment_status="authorized").first()
    order_transition(
        order=authorized,
        name="mark_shipped",
        by=manager,
        via="test",
        carrier="UPS",
        tracking_numbers=["1Z999"],
    )
    authorized.refresh_from_db()
    assert authorized.stage == Stage.COMPLETED
    assert authorized.payment_status == PS.PROCESSED
    assert Shipment.objects.filter(order=authorized, tracking_numbers=["1Z999"]).exists()


def test_card_payments_are_in_the_test_gateway_books():
    seed("--orders", "100", "--seed", "4")

    charges = PaymentTransaction.objects.filter(kind="charge", order__payment_method="credit_card")
    assert charges.exists()
    for charge in charges:
        entry = GatewayLedgerEntry.objects.get(idempotency_key=charge.idempotency_key)
        assert entry.reference == charge.gateway_reference
        assert entry.result == charge.result
        assert entry.amount == charge.amount


def test_the_seed_starts_some_auto_orders_from_scheduled_lines():
    from orders.models import AutoOrder

    out = seed("--orders", "300", "--seed", "4")

    auto_orders = AutoOrder.objects.all()
    assert auto_orders.count() > 5
    assert f"{auto_orders.count()} auto orders started" in out
    today = timezone.localdate()
    for auto_order in auto_orders.filter(status="active"):
        assert auto_order.next_rebill_on > today
        assert auto_order.original_order.lines.exclude(auto_order_schedule="").exists()
    assert auto_orders.filter(status="paused").exists() or auto_orders.count() < 20


def test_seeded_cleared_echeck_and_card_orders_refund_through_the_gateway():
    seed("--orders", "100", "--seed", "4")
    manager = get_user_model().objects.get(username="demo-manager")
    orders = Order.objects.filter(merchant__code="DEMO", payment_status=PS.PROCESSED)
    echeck = orders.filter(payment_method=PaymentMethod.ECHECK).first()
    card = orders.filter(
        payment_method=PaymentMethod.CREDIT_CARD, transactions__kind="charge"
    ).first()
    assert echeck is not None
    assert card is not None
    assert echeck.transactions.filter(kind="settlement", result="approved").exists()

    for order in (echeck, card):
        order_refund(order=order, amount=Decimal("1.00"), by=manager, reason="other")
        order.refresh_from_db()
        assert order.payment_status == PS.PARTIALLY_REFUNDED
        refund = order.transactions.get(kind="refund", idempotency_key__startswith="DEMO:")
        assert refund.result == "approved"
        assert GatewayLedgerEntry.objects.get(reference=refund.gateway_reference).amount == 1


def test_every_seeded_payment_the_orders_call_settled_is_approved_in_the_gateway_books():
    seed("--orders", "300", "--seed", "8")

    paid = PaymentTransaction.objects.filter(
        order__merchant__code="DEMO",
        kind__in=["charge", "authorize", "capture", "settlement"],
        result="approved",
    ).exclude(gateway_reference="")
    kinds = Counter(paid.values_list("kind", flat=True))
    assert {"charge", "authorize", "capture", "settlement"} <= set(kinds)
    approved = set(
        GatewayLedgerEntry.objects.filter(result="approved").values_list("reference", flat=True)
    )
    unknown = [(t.order.order_id, t.kind, t.gateway_reference) for t in paid]
    unknown = [row for row in unknown if row[2] not in approved]
    assert unknown == []
