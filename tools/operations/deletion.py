"""Soft delete and undelete as operations."""

from typing import Any

from django import forms

from orders.models import Order
from orders.services.deletion import MAX_REASON_LENGTH, order_delete, order_undelete
from tools.job_types import ItemResult

from .base import MerchantForm, Operation, job_via, simple_form


class DeleteForm(MerchantForm):
    reason = forms.CharField(
        label="Why delete",
        max_length=MAX_REASON_LENGTH,
        error_messages={"required": "Give a reason for deleting the orders."},
        help_text="Deleted orders can be restored with Undelete Order.",
    )


def _delete_check(order: Order, inputs: dict[str, Any], user) -> str | None:
    if order.deleted_at is not None:
        return "already deleted"
    if user is not None and not user.has_perm("orders.delete_order_soft", order):
        return "not permitted"
    return None


def _delete_apply(order: Order, inputs: dict[str, Any], job) -> ItemResult:
    order_delete(
        order=order,
        by=job.created_by,
        reason=inputs.get("reason", ""),
        via=job_via(job),
        job_id=job.pk,
        lock_held=True,
    )
    return ItemResult.succeeded()


def _undelete_check(order: Order, inputs: dict[str, Any], user) -> str | None:
    if order.deleted_at is None:
        return "not deleted"
    if user is not None and not user.has_perm("orders.undelete_order", order):
        return "not permitted"
    return None


def _undelete_apply(order: Order, inputs: dict[str, Any], job) -> ItemResult:
    restored = order_undelete(order=order, by=job.created_by, via=job_via(job), job_id=job.pk)
    return ItemResult.succeeded(f"back in {restored.get_stage_display()}")


OPERATIONS = [
    Operation(
        name="delete",
        label="Delete (restorable with Undelete)",
        permission="orders.delete_order_soft",
        check=_delete_check,
        apply=_delete_apply,
        form=simple_form(DeleteForm),
        danger=True,
    ),
    Operation(
        name="undelete",
        label="Undelete",
        permission="orders.undelete_order",
        check=_undelete_check,
        apply=_undelete_apply,
        on_deleted=True,
    ),
]
