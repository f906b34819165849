"""Shipping operations: mark shipped (whole, or a part given as line:quantity) from a pasted
order ID → tracking list, resend emails."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms

from orders.exceptions import InvalidInput, PaymentFailed
from orders.fsm import transition_spec
from orders.models import Order
from orders.selectors.fulfilment import order_line_numbers
from orders.services.notifications import order_email_resend, order_email_resend_reason
from orders.services.ship_part import order_ship_part
from orders.services.shipments import MAX_TRACKING_NUMBERS, shipment_lines_choose
from orders.states import QUOTE_STAGES, Stage
from tools.job_types import ItemResult
from tools.models import JobItemOutcome

from .base import MerchantForm, Operation, job_via, live_check, simple_form
from .transitions import transition_check, transition_run

_SEPARATORS = re.compile(r"[\s,;→]+")
# A third column of `line:quantity` pairs ships part of an order: the line is its number on
# the order page (#, counting from 1, what staff see), not a database id.
_LINE_QUANTITY = re.compile(r"^(\d+):(\d+)$")
MAX_LIST_LINES = 10_000


@dataclass
class ShipList:
    """A pasted list: each order's tracking numbers and, for a part, {line number: quantity};
    a row whose line:quantity cannot be read is kept with its problem, so that it alone is
    skipped with the message."""

    tracking: dict[str, list[str]] = field(default_factory=dict)
    lines: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


def ship_list_parse(text: str) -> ShipList:
    """`ORDER-ID tracking [tracking …] [line:quantity,…]` per line."""
    parsed = ShipList()
    lines = [line for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_LIST_LINES:
        raise InvalidInput(f"At most {MAX_LIST_LINES:,} lines at a time.")
    for number, line in enumerate(lines, start=1):
        tokens = [token for token in _SEPARATORS.split(line.strip()) if token]
        order_id = tokens[0].upper()
        parts = [token for token in tokens[1:] if ":" in token]
        numbers_given = [token for token in tokens[1:] if ":" not in token]
        if not numbers_given:
            raise InvalidInput(f"Line {number}: {order_id} has no tracking number.")
        numbers = parsed.tracking.setdefault(order_id, [])
        numbers.extend(token for token in numbers_given if token not in numbers)
        if len(numbers) > MAX_TRACKING_NUMBERS:
            raise InvalidInput(
                f"Line {number}: at most {MAX_TRACKING_NUMBERS} tracking numbers per order."
            )
        for part in parts:
            matched = _LINE_QUANTITY.match(part)
            if matched is None or int(matched[1]) < 1 or int(matched[2]) < 1:
                parsed.problems.setdefault(
                    order_id,
                    f"line {number}: “{part}” is not line:quantity (the line's # on the order "
                    "page, then how many, e.g. 2:1)",
                )
                continue
            chosen = parsed.lines.setdefault(order_id, {})
            chosen[matched[1]] = chosen.get(matched[1], 0) + int(matched[2])
    if not parsed.tracking:
        raise InvalidInput("Paste at least one line: order ID, then tracking number.")
    return parsed


def tracking_list_parse(text: str) -> dict[str, list[str]]:
    """`ORDER-ID tracking [tracking …]` per line → {order ID: tracking numbers}."""
    return ship_list_parse(text).tracking


def ship_list_lines(order: Order, numbered: dict[str, int]) -> dict[int, int]:
    """{line number: quantity} of a pasted row → {line id: quantity} of this order; an
    unknown number is refused with the order's lines counted."""
    lines = order_line_numbers(order)
    chosen = {}
    for number, quantity in numbered.items():
        line = lines.get(int(number))
        if line is None:
            raise InvalidInput(f"{order.order_id} has no line {number} (it has {len(lines)}).")
        chosen[line.pk] = quantity
    return chosen


class ShipFromListForm(MerchantForm):
    carrier = forms.CharField(
        label="Carrier", max_length=50, widget=forms.TextInput(attrs={"list": "carriers"})
    )
    tracking_list = forms.CharField(
        label="Order ID → tracking number",
        help_text=(
            "One order per line: its ID, then its tracking number(s); to ship part of it, "
            "then line:quantity pairs (the line's # on the order page), e.g. 2:1,3:2."
        ),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    do_not_notify = forms.BooleanField(label="Do not notify the customers", required=False)

    def clean_tracking_list(self) -> ShipList:
        try:
            return ship_list_parse(self.cleaned_data["tracking_list"])
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from exc

    def inputs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return ship_list_inputs(
            data["tracking_list"], carrier=data["carrier"], notify=not data["do_not_notify"]
        )


def ship_list_inputs(
    parsed: ShipList, *, carrier: str, notify: bool, order_ids: Iterable[str] | None = None
) -> dict[str, Any]:
    """The job's inputs for a pasted list (only `order_ids`' rows, when given)."""
    wanted = set(parsed.tracking if order_ids is None else order_ids)
    return {
        "carrier": carrier.strip(),
        "tracking": {k: v for k, v in parsed.tracking.items() if k in wanted},
        "lines": {k: v for k, v in parsed.lines.items() if k in wanted},
        "problems": {k: v for k, v in parsed.problems.items() if k in wanted},
        "notify": notify,
    }


_ship_check = transition_check("mark_shipped")


def _ship_from_list_check(order: Order, inputs: dict[str, Any], user) -> str | None:
    reason = _ship_check(order, inputs, user)
    if reason is None and order.order_id not in inputs.get("tracking", {}):
        return "no tracking number in the list"
    if reason is None:
        reason = inputs.get("problems", {}).get(order.order_id)
    numbered = inputs.get("lines", {}).get(order.order_id)
    if reason is None and numbered:
        try:
            shipment_lines_choose(order, ship_list_lines(order, numbered))
        except InvalidInput as exc:
            return str(exc)
    return reason


def _ship_from_list_apply(order: Order, inputs: dict[str, Any], job) -> ItemResult:
    numbered = inputs.get("lines", {}).get(order.order_id)
    if not numbered:
        return transition_run(
            order,
            "mark_shipped",
            job,
            carrier=inputs["carrier"],
            tracking_numbers=inputs["tracking"][order.order_id],
            notify=inputs.get("notify", True),
        )
    try:
        result = order_ship_part(
            order=order,
            lines=ship_list_lines(order, numbered),
            carrier=inputs["carrier"],
            tracking_numbers=inputs["tracking"][order.order_id],
            notify=inputs.get("notify", True),
            by=job.created_by,
            via=job_via(job),
            job_id=job.pk,
            lock_held=True,
        )
    except PaymentFailed as exc:
        # The declined capture stays recorded (see transition_run).
        return ItemResult(JobItemOutcome.Outcome.FAILED, str(exc))
    if result.payment is not None and result.payment.failed:
        return ItemResult(JobItemOutcome.Outcome.FAILED, result.message)
    return ItemResult.succeeded(result.message)


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
