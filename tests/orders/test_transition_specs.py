"""Each transition's facts, declared on the transition and read through orders.fsm."""

from contextlib import suppress
from pathlib import Path

import pytest
from django.db import transaction

import orders.payments
from orders.exceptions import OrderError
from orders.forms import TransitionForm
from orders.fsm import TransitionSpec, transition_specs
from orders.models import Case, Chargeback, Order
from orders.payments import CardDetails, TestGateway
from orders.states import Stage
from tests.factories import APPROVE_CARD, MerchantFactory
from tests.orders.builders import order_in_stage
from tools.operations.registry import OPERATIONS

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
MONEY_CALLS = ("charge", "authorize", "capture", "refund", "void", "debit_bank")


class RecordingGateway(TestGateway):
    """The test gateway, noting each money-moving call it answers."""

    calls: list[str] = []

    def charge(self, **kwargs):
        self.calls.append("charge")
        return super().charge(**kwargs)

    def authorize(self, **kwargs):
        self.calls.append("authorize")
        return super().authorize(**kwargs)

    def capture(self, **kwargs):
        self.calls.append("capture")
        return super().capture(**kwargs)

    def refund(self, **kwargs):
        self.calls.append("refund")
        return super().refund(**kwargs)

    def void(self, **kwargs):
        self.calls.append("void")
        return super().void(**kwargs)

    def debit_bank(self, **kwargs):
        self.calls.append("debit_bank")
        return super().debit_bank(**kwargs)


class RolledBack(Exception):
    pass


def _inputs(order: Order, spec: TransitionSpec) -> dict:
    """Every input any preparer takes (each ignores the others), valid for this order; and
    over them what the transition's own form gives from its `example`."""
    codes = order.merchant.reject_reason_codes or ["other"]
    inputs = {
        "reason": codes[0],
        "reference": "CHK-1",
        "bank_account": "011000015 4000123",
        "carrier": "UPS",
        "tracking_numbers": ["1Z999"],
        "block": False,
        "notify": False,
        "card": CardDetails(APPROVE_CARD, 12, 2030, cvv="123"),
    }
    if spec.form_class is not None:
        form = spec.form_class(spec.form_class.example, order=order, name=spec.name)
        assert form.is_valid(), (spec.name, form.errors)
        inputs.update(form.inputs(), notify=False)
    return inputs


def _gateway_calls(order_pk: int, spec: TransitionSpec) -> list[str]:
    """The gateway calls the preparer makes on the order, everything it wrote rolled back."""
    RecordingGateway.calls = []
    with suppress(RolledBack), transaction.atomic():
        order = Order.objects.select_related("merchant").get(pk=order_pk)
        # A refusal (e.g. no stage to release a hold to) may come after a gateway call.
        with suppress(OrderError):
            spec.prepare(order, by=None, via="test", **_inputs(order, spec))
        raise RolledBack
    return list(RecordingGateway.calls)


def test_every_form_and_preparer_a_transition_names_exists():
    for spec in transition_specs().values():
        if spec.form:
            assert issubclass(spec.form_class, TransitionForm), spec.name
        if spec.preparer:
            assert callable(spec.prepare), spec.name
    for model in (Chargeback, Case):
        assert all(not spec.form and not spec.preparer for spec in transition_specs(model).values())


def test_a_transition_whose_preparer_calls_the_gateway_is_marked_as_moving_money(
    needs_postgres, monkeypatch
):
    # gateway_for builds the merchant's gateway from this name on every call.
    monkeypatch.setattr(orders.payments, "TestGateway", RecordingGateway)
    authorizing = MerchantFactory(code="AUTH", name="Authorizes", capture_at_shipment=True)
    merchants = [MerchantFactory(code="CHARGE", name="Charges now"), authorizing]
    orders_by_stage = {
        stage: [order_in_stage(merchant, stage).pk for merchant in merchants] for stage in Stage
    }
    # And in every stage an authorized and a settled card payment, whether or not the life cycle
    # leads such an order there today: a preparer's money work follows the payment, not the path.
    for stage in Stage:
        for merchant in merchants:
            paid = order_in_stage(merchant, Stage.SHIPPING)
            Order.objects.filter(pk=paid.pk).update(stage=stage)
            orders_by_stage[stage].append(paid.pk)
    reached: dict[str, set[str]] = {}
    for spec in transition_specs().values():
        if spec.prepare is None:
            continue
        for source in spec.sources:
            for order_pk in orders_by_stage[source]:
                calls = _gateway_calls(order_pk, spec)
                if calls:
                    reached.setdefault(spec.name, set()).update(calls)

    # The orders above do reach the gateway through charges, captures, voids and refunds.
    assert {"charge", "capture", "void", "refund", "debit_bank"} <= set().union(*reached.values())
    unmarked = {
        name: calls for name, calls in reached.items() if not transition_specs()[name].moves_money
    }
    assert unmarked == {}, f"call the gateway but are not marked moves_money: {unmarked}"


def test_a_money_moving_transition_runs_as_a_money_moving_operation():
    for spec in transition_specs().values():
        if not spec.system and not spec.one_order:
            assert OPERATIONS[spec.name].moves_money == spec.moves_money, spec.name
            assert OPERATIONS[spec.name].danger == spec.danger, spec.name


def test_a_transition_whose_input_is_one_customers_card_is_no_operation():
    assert transition_specs()["charge_other_card"].one_order
    assert "charge_other_card" not in OPERATIONS


def test_transitions_that_move_money_or_are_dangerous_ask_for_confirmation():
    asking = {name for name, spec in transition_specs().items() if spec.needs_confirmation}
    assert {"process_payment", "reject_as_fraud", "refund_and_reject", "reject"} <= asking
    assert {"approve", "hold", "release_hold", "send_quote"}.isdisjoint(asking)


def test_only_orders_fsm_reads_django_fsm_metadata():
    readers = sorted(
        str(path.relative_to(ROOT))
        for folder in ("orders", "lifecycle", "tools", "backoffice")
        for path in (ROOT / folder).rglob("*.py")
        if "_django_fsm" in path.read_text()
    )
    assert readers == ["orders/fsm.py"]
