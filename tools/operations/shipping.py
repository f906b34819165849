"""Shipping operations: mark shipped from a pasted order ID → tracking list, resend emails."""

import re
from typing import Any

from django import forms

from orders.exceptions import InvalidInput
from orders.fsm import transition_spec
from orders.models import Order
from orders.services.notifications import order_email_resend, order_email_resend_reason
from orders.services.shipments import MAX_TRACKING_NUMBERS
from orders.states import QUOTE_STAGES, Stage
from tools.job_types import ItemResult

from .base import MerchantForm, Operation, job_via, live_check, simple_form
from .transitions import transition_check, transition_run

_SEPARATORS = re.compile(r"[\s,;→]+")
MAX_LIST_LINES = 10_000


def tracking_list_parse(text: str) -> dict[str, list[str]]:
    """`ORDER-ID tracking [tracking …]` per line → {order ID: tracking numbers}."""
    tracking: dict[str, list[str]] = {}
    lines = [line for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_LIST_LINES:
        raise InvalidInput(f"At most {MAX_LIST_LINES:,} lines at a time.")
    for number, line in enumerate(lines, start=1):
        tokens = [token for token in _SEPARATORS.split(line.strip()) if token]
        if len(tokens) < 2:
            raise InvalidInput(f"Line {number}: {tokens[0].upper()} has no tracking number.")
        numbers = tracking.setdefault(tokens[0].upper(), [])
        numbers.extend(token for token in tokens[1:] if token not in numbers)
        if len(numbers) > MAX_TRACKING_NUMBERS:
            raise InvalidInput(
                f"Line {number}: at most {MAX_TRACKING_NUMBERS} tracking numbers per order."
            )
    if not tracking:
        raise InvalidInput("Paste at least one line: order ID, then tracking number.")
    return tracking


class ShipFromListForm(MerchantForm):
    carrier = forms.CharField(
        label="Carrier", max_length=50, widget=forms.TextInput(attrs={"list": "carriers"})
    )
    tracking_list = forms.CharField(
        label="Order ID → tracking number",
        help_text="One order per line: its ID, then its tracking number(s).",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    do_not_notify = forms.BooleanField(label="Do not notify the customers", required=False)

    def clean_tracking_list(self) -> dict[str, list[str]]:
        try:
            return tracking_list_parse(self.cleaned_data["tracking_list"])
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from exc

    def inputs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "carrier": data["carrier"].strip(),
            "tracking": data["tracking_list"],
            "notify": not data["do_not_notify"],
        }


_ship_check = transition_check("mark_shipped")


def _ship_from_list_check(order: Order, inputs: dict[str, Any], user) -> str | None:
    reason = _ship_check(order, inputs, user)
    if reason is None and order.order_id not in inputs.get("tracking", {}):
        return "no tracking number in the list"
    return reason


def _ship_from_list_apply(order: Order, inputs: dict[str, Any], job) -> ItemResult:
    return transition_run(
        order,
        "mark_shipped",
        job,
        carrier=inputs["carrier"],
        tracking_numbers=inputs["tracking"][order.order_id],
        notify=inputs.get("notify", True),
    )


def _resend_check(template: str):
    def check(order: Order, inputs: dict[str, Any], user) -> str | None:
        return order_email_resend_reason(order, template)

    return check


def _resend_apply(template: str):
    def apply(order: Order, inputs: dict[str, Any], job) -> ItemResult:
        order_email_resend(
            order=order, template=template, by=job.created_by, via=job_via(job), job_id=job.pk
        )
        return ItemResult.succeeded(f"{template.replace('_', ' ')} queued to {order.email}")

    return apply


OPERATIONS = [
    Operation(
        name="mark_shipped_from_list",
        label="Mark shipped, tracking from a pasted list",
        permission="orders.ship_order",
        check=_ship_from_list_check,
        apply=_ship_from_list_apply,
        form=simple_form(ShipFromListForm),
        moves_money=True,  # captures an authorized payment first
        stages=transition_spec("mark_shipped").sources,
    ),
    Operation(
        name="resend_receipt",
        label="Resend the receipt",
        permission="orders.resend_email",
        check=live_check(_resend_check("receipt")),
        apply=_resend_apply("receipt"),
        stages=tuple(stage for stage in Stage.values if stage not in QUOTE_STAGES),
    ),
    Operation(
        name="resend_shipment_confirmation",
        label="Resend the shipment confirmation",
        permission="orders.resend_email",
        check=live_check(_resend_check("shipment_confirmation")),
        apply=_resend_apply("shipment_confirmation"),
        stages=(Stage.COMPLETED,),
    ),
]
