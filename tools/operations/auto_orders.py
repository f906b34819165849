"""Operations on the auto orders that orders started: cancel them (a batch operation), and
postpone their next rebills (the auto-order screens' Postpone tool)."""

from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms

from orders.models import AutoOrder, Merchant, Order
from orders.services.auto_orders.actions import EDIT, LIVE, auto_order_cancel, auto_order_postpone
from tools.job_types import ItemResult

from .base import Operation, job_via

if TYPE_CHECKING:
    from tools.models import Job


class CancelAutoOrdersForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300)
    by_customer = forms.BooleanField(label="The customers asked", required=False)


def cancel_auto_orders_form(data, *, merchant: Merchant, order: Order | None = None, prefix=None):
    return CancelAutoOrdersForm(data, prefix=prefix)


def _started_auto_order(order: Order) -> bool:
    return bool(order.auto_order_code) and order.source != "rebill"


def _live_auto_order(order: Order) -> AutoOrder | None:
    return AutoOrder.objects.filter(original_order=order, status__in=LIVE).first()


def cancel_auto_orders_check(order: Order, inputs: dict[str, Any], user) -> str | None:
    if order.deleted_at is not None:
        return "deleted"
    if not _started_auto_order(order):
        return "started no auto order"
    auto_order = _live_auto_order(order)
    if auto_order is None:
        return "its auto order has already ended"
    if user is not None and not user.has_perm("orders.manage_auto_orders", auto_order):
        return "not permitted"
    return None


def cancel_auto_orders_apply(order: Order, inputs: dict[str, Any], job: "Job") -> ItemResult:
    auto_order = _live_auto_order(order)
    if auto_order is None:
        return ItemResult.skipped("its auto order has already ended")
    auto_order_cancel(
        auto_order=auto_order,
        reason=inputs.get("reason", ""),
        by_customer=bool(inputs.get("by_customer")),
        by=job.created_by,
        via=f"job {job.pk}",
        job_id=job.pk,
    )
    return ItemResult.succeeded(f"{auto_order.code} cancelled")


def postpone_auto_orders_check(order: Order, inputs: dict[str, Any], user) -> str | None:
    # Whether the item is still due before the date is the service's to answer (it skips).
    return None if _started_auto_order(order) else "started no auto order"


def postpone_auto_orders_apply(order: Order, inputs: dict[str, Any], job: "Job") -> ItemResult:
    auto_order, moved = auto_order_postpone(
        original_order_pk=order.pk,
        item_pk=int(inputs["item"]),
        before=date.fromisoformat(inputs["before"]),
        until=date.fromisoformat(inputs["until"]),
        by=job.created_by,
        via=job_via(job),
        job_id=job.pk,
    )
    if not moved:
        return ItemResult.skipped(f"{auto_order.code}: no rebill before {inputs['before']} now")
    return ItemResult.succeeded(f"{auto_order.code}: next rebill {auto_order.next_rebill_on}")


OPERATIONS = [
    Operation(
        name="cancel_auto_orders",
        label="Cancel the auto orders created by these orders",
        permission="orders.manage_auto_orders",
        check=cancel_auto_orders_check,
        apply=cancel_auto_orders_apply,
        form=cancel_auto_orders_form,
        danger=True,
    ),
    # Inputs: item (pk), before, until (ISO dates). Started by the Postpone tool, which picks
    # the orders from an item and a date (orders.services.auto_orders.actions
    # .auto_orders_to_postpone), so neither the batch tool nor the lists offer it.
    Operation(
        name="postpone_auto_orders",
        label="Postpone the auto orders created by these orders",
        permission=EDIT,
        check=postpone_auto_orders_check,
        apply=postpone_auto_orders_apply,
        offered=False,
    ),
]
