"""The batch operation "cancel the auto orders created by these orders"."""

from typing import TYPE_CHECKING, Any

from django import forms

from orders.models import AutoOrder, Merchant, Order
from orders.services.auto_orders.actions import LIVE, auto_order_cancel
from tools.kinds import ItemResult

from .base import Operation

if TYPE_CHECKING:
    from tools.models import Job


class CancelAutoOrdersForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300)
    by_customer = forms.BooleanField(label="The customers asked", required=False)


def cancel_auto_orders_form(data, *, merchant: Merchant, order: Order | None = None, prefix=None):
    return CancelAutoOrdersForm(data, prefix=prefix)


def _live_auto_order(order: Order) -> AutoOrder | None:
    return AutoOrder.objects.filter(original_order=order, status__in=LIVE).first()


def cancel_auto_orders_check(order: Order, inputs: dict[str, Any], user) -> str | None:
    if order.deleted_at is not None:
        return "deleted"
    if not order.auto_order_code or order.source == "rebill":
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
        auto_order=auto_order, reason=inputs.get("reason", ""),
        by_customer=bool(inputs.get("by_customer")), by=job.created_by, via=f"job {job.pk}",
        job_id=job.pk,
    )  # fmt: skip
    return ItemResult.succeeded(f"{auto_order.code} cancelled")


OPERATIONS = [
    Operation(
        name="cancel_auto_orders",
        label="Cancel the auto orders created by these orders",
        permission="orders.manage_auto_orders",
        check=cancel_auto_orders_check,
        apply=cancel_auto_orders_apply,
        form=cancel_auto_orders_form,
    ),
]
