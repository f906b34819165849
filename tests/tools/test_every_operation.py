"""Every operation of the registry: the preview's "will apply / will skip: why" is exactly what
the run then does, order by order, on a selection where some orders apply and some skip.

A stage transition's scenario comes from the transition itself (so a new stage action is
checked here without a line of this file); every other operation names its own in SCENARIOS.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from orders.fsm import TransitionSpec, transition_specs
from orders.models import AutoOrder, MerchantEvent, Order, OrderEvent
from orders.services.auto_orders.actions import auto_order_cancel
from orders.services.fields import order_custom_field_set, order_tag_change
from orders.states import PaymentMethod, Stage
from tests.factories import ItemFactory, place
from tests.orders.auto_orders import subscribe
from tests.orders.builders import order_in_stage, walk
from tests.tools.conftest import soft_delete
from tests.tools.exportfiles import exported_order_ids
from tools.exports.services import export_mapping_get
from tools.job_runner import job_run
from tools.operations.registry import (
    OPERATIONS,
    operation_get,
    operation_inputs,
    operation_job_create,
    operation_preview,
)

pytestmark = pytest.mark.django_db
S = Stage


@dataclass
class Scenario:
    # Builds the orders: (merchant) -> orders; the expected skip reasons are asserted by stage.
    build: Callable
    # The input form's data, or (orders) -> data when it depends on them; for an operation
    # without a form, its inputs.
    data: dict | Callable


def _stages(*stages):
    return lambda merchant: [order_in_stage(merchant, stage) for stage in stages]


def _with_custom_3(merchant):
    orders = _stages(S.SHIPPING, S.COMPLETED, S.SHIPPING)(merchant)
    order_custom_field_set(order=orders[2], number=3, value="rush")
    return orders


def _tagged(merchant):
    orders = _stages(S.SHIPPING, S.ACCOUNTS_RECEIVABLE)(merchant)
    order_tag_change(order=orders[1], name="vip", add=True)
    return orders


def _with_deleted(merchant):
    orders = _stages(S.SHIPPING, S.COMPLETED, S.HOLD)(merchant)
    soft_delete(orders[2])
    return orders


def _receivable_mix(merchant):
    return [
        order_in_stage(merchant, S.ACCOUNTS_RECEIVABLE),  # card on file
        place(merchant, method=PaymentMethod.CHECK, card=None),  # no card on file
        order_in_stage(merchant, S.SHIPPING),
    ]


def _refund_mix(merchant):
    paid_by_check = walk(
        place(merchant, method=PaymentMethod.CHECK, card=None), "record_payment", reference="C1"
    )
    return [
        order_in_stage(merchant, S.SHIPPING),
        order_in_stage(merchant, S.ACCOUNTS_RECEIVABLE),
        paid_by_check,
    ]


def _ship_list(merchant):
    return _stages(S.SHIPPING, S.SHIPPING, S.COMPLETED)(merchant)


def _ship_list_data(orders):
    return {
        "carrier": "UPS",
        "tracking_list": f"{orders[0].order_id}\t1Z999\n{orders[2].order_id} 1Z2",
    }


def _default_mapping(orders):
    return {"mapping": export_mapping_get(merchant=orders[0].merchant).pk}


def _subscriptions(merchant):
    started = subscribe(merchant, email="a@example.com").original_order
    cancelled = subscribe(merchant, email="b@example.com")
    auto_order_cancel(auto_order=cancelled, reason="moved away")
    return [started, cancelled.original_order, order_in_stage(merchant, S.SHIPPING)]


def _subscription_of_an_item(merchant):
    item = ItemFactory(merchant=merchant, sku="BEANS", auto_order_schedules=["monthly"])
    started = subscribe(merchant, item=item).original_order
    return [started, order_in_stage(merchant, S.SHIPPING)]


def _postpone_inputs(orders):
    """The item of the first order's auto order, due before the day after its next rebill."""
    line = AutoOrder.objects.get(original_order=orders[0]).items.get()
    return {
        "item": line.item_id,
        "before": (line.next_rebill_on + timedelta(days=1)).isoformat(),
        "until": (line.next_rebill_on + timedelta(days=30)).isoformat(),
    }


def _in_each_source_and_one_other(spec: TransitionSpec):
    """An order in each stage the transition runs from, and one it must skip: in a stage it
    does not run from, or (when it runs from every stage) deleted."""
    sources = [stage for stage in S if stage in spec.sources or "*" in spec.sources]
    other = next((stage for stage in (S.SHIPPING, *S) if stage not in sources), None)

    def build(merchant):
        orders = _stages(*sources)(merchant)
        if other is not None:
            return [*orders, order_in_stage(merchant, other)]
        deleted = order_in_stage(merchant, sources[0])
        soft_delete(deleted)
        return [*orders, deleted]

    return build


def _transition_scenario(spec: TransitionSpec) -> Scenario:
    """A stage transition's scenario from its own facts: its source stages (built by
    order_in_stage) and its form's `example` inputs (orders.forms.TransitionForm)."""
    form_class = spec.form_class
    return Scenario(_in_each_source_and_one_other(spec), dict(getattr(form_class, "example", {})))


TRANSITION_SCENARIOS: dict[str, Scenario] = {
    spec.name: _transition_scenario(spec)
    for spec in transition_specs().values()
    if not spec.system and not spec.one_order  # a one-order action is a button, not a batch
}

# The other operations; and a transition whose derived scenario misses a skip worth running
# (process payment refused by its condition: no card on file), which this one replaces.
SCENARIOS: dict[str, Scenario] = {
    "append_note": Scenario(_with_deleted, {"text": "Checked"}),
    "set_custom_field": Scenario(_with_custom_3, {"number": "3", "value": "rush"}),
    "add_tag": Scenario(_tagged, {"name": "vip"}),
    "remove_tag": Scenario(_tagged, {"name": "vip"}),
    "process_payment": Scenario(_receivable_mix, {}),
    "mark_shipped_from_list": Scenario(_ship_list, _ship_list_data),
    "full_refund": Scenario(_refund_mix, {"reason": "other"}),
    "record_external_refund": Scenario(_refund_mix, {"reason": "other"}),
    "resend_receipt": Scenario(_stages(S.SHIPPING, S.QUOTE_REQUEST), {}),
    "resend_shipment_confirmation": Scenario(_stages(S.COMPLETED, S.SHIPPING), {}),
    "export": Scenario(_with_deleted, _default_mapping),
    "delete": Scenario(_with_deleted, {"reason": "duplicate"}),
    "undelete": Scenario(_with_deleted, {}),
    "cancel_auto_orders": Scenario(_subscriptions, {"reason": "customer asked"}),
    "postpone_auto_orders": Scenario(_subscription_of_an_item, _postpone_inputs),
}


ALL_SCENARIOS = {**TRANSITION_SCENARIOS, **SCENARIOS}


def test_every_operation_has_an_acceptance_scenario():
    # A transition has one by itself; any other operation needs its entry in SCENARIOS.
    assert set(ALL_SCENARIOS) == set(OPERATIONS)


@pytest.mark.parametrize("name", sorted(ALL_SCENARIOS))
def test_preview_and_run_agree_order_by_order(
    name, merchant, manager, django_capture_on_commit_callbacks, eager_tasks
):
    scenario = ALL_SCENARIOS[name]
    orders = scenario.build(merchant)
    data = scenario.data(orders) if callable(scenario.data) else scenario.data
    operation = operation_get(name)
    form = operation.form(data, merchant=merchant) if operation.form else None
    # A transition's inputs are its form's `example`: give the form one that it accepts.
    assert form is None or form.is_valid(), form.errors
    inputs = operation_inputs(form) if operation.form else data
    pks = [order.pk for order in orders]

    preview = operation_preview(
        merchant=merchant, operation=operation, inputs=inputs, order_pks=pks, by=manager
    )
    with django_capture_on_commit_callbacks(execute=False):
        job = operation_job_create(
            merchant=merchant, operation=operation, inputs=inputs, order_pks=pks, by=manager
        )
    # After each chunk's commit, as on a worker: an email resend records "queued" only then.
    with django_capture_on_commit_callbacks(execute=True):
        job = job_run(job_id=job.pk)

    assert preview.applies >= 1, preview.rows
    assert preview.skips >= 1, preview.rows
    if operation.whole_job is not None:
        _assert_whole_job_did_what_the_preview_said(preview, job)
        return
    outcomes = {row.order_id: (row.outcome, row.message) for row in job.outcomes.all()}
    assert len(outcomes) == preview.count == len(orders)
    for row in preview.rows:
        outcome, message = outcomes[row.order_id]
        if row.will_apply:
            assert outcome == "succeeded", (row, message)
        else:
            assert (outcome, message) == ("skipped", row.reason)
    applied = {Order.objects.get(order_id=r.order_id).pk for r in preview.rows if r.will_apply}
    with_events = set(
        OrderEvent.objects.filter(payload__job_id=job.pk).values_list("order_id", flat=True)
    )
    assert with_events == applied
    assert (job.succeeded_count, job.skipped_count, job.failed_count) == (
        preview.applies,
        preview.skips,
        0,
    )


def _assert_whole_job_did_what_the_preview_said(preview, job):
    """One job over the orders that apply (its file holds exactly them); the others are its
    skipped outcomes with the preview's reasons; one merchant event names the job."""
    applies = [row.order_id for row in preview.rows if row.will_apply]
    skips = {row.order_id: ("skipped", row.reason) for row in preview.rows if not row.will_apply}
    assert job.status == "succeeded", job.error
    assert sorted(exported_order_ids(job)) == sorted(applies)
    assert {o.order_id: (o.outcome, o.message) for o in job.outcomes.all()} == skips
    assert (job.succeeded_count, job.skipped_count, job.failed_count) == (
        preview.applies,
        preview.skips,
        0,
    )
    event = MerchantEvent.objects.get(job_id=job.pk)
    assert event.payload["count"] == preview.applies


def test_skip_reasons_say_why(merchant, manager):
    receivable = _receivable_mix(merchant)
    refunds = _refund_mix(merchant)

    def reasons(name, orders, inputs=None):
        preview = operation_preview(
            merchant=merchant,
            operation=operation_get(name),
            inputs=inputs or {},
            order_pks=[o.pk for o in orders],
            by=manager,
        )
        by_id = {row.order_id: row.reason for row in preview.rows}
        return [by_id[order.order_id] for order in orders]

    assert reasons("process_payment", receivable) == [
        "",
        "there is no card on file to charge; record the payment received",
        "not possible in Shipping",
    ]
    assert reasons("full_refund", refunds, {"reason": "other"}) == [
        "",
        "no payment to refund (unprocessed)",
        "not paid through the gateway: record the refund made outside it",
    ]
