"""Shipments: an order ships whole or in parts.

A shipment carries chosen lines and quantities (a line may be split over shipments). The order
stays in Shipping until every shippable quantity has shipped; the shipment that ships the last
of it is the mark_shipped transition (orders.services.transition_steps.mark_shipped), so the
stage change, its event, webhook and email stay one path. An earlier shipment is
`order_ship_part`'s: its own event (order_shipped_part, webhook order.shipment_created) and
email. The money follows the merchant's rule (Merchant.shipment_capture): capture everything
at the first shipment (the default, as before shipments had parts), or capture each shipped
part's share of the total, the last shipment capturing what is left.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from orders.actors import Actor
from orders.events import order_shipped_part_event
from orders.exceptions import InvalidInput, OrderError, PaymentFailed
from orders.models import Merchant, Order, OrderLine, Shipment, ShipmentLine
from orders.payments.outcome import PaymentOutcome
from orders.selectors.fulfilment import line_unshipped_quantities, order_line_numbers
from orders.states import UNCAPTURED_STATUSES

from . import notifications, payments

MAX_TRACKING_NUMBERS = 5
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ShipmentDetails:
    carrier: str
    method: str
    tracking_numbers: list[str]
    shipped_at: datetime.datetime


def shipment_details_clean(
    *,
    order: Order,
    carrier: str = "",
    tracking_numbers: Iterable[str] | str = (),
    method: str = "",
    shipped_at: datetime.datetime | datetime.date | None = None,
) -> ShipmentDetails:
    """The carrier, method, tracking numbers and date of a shipment, checked."""
    carrier = (carrier or "").strip()
    if not carrier:
        raise InvalidInput("Choose the carrier.")
    tracking_numbers = tracking_numbers or ()
    if isinstance(tracking_numbers, str):
        tracking_numbers = tracking_numbers.replace(",", " ").split()
    tracking = [number.strip() for number in tracking_numbers if number and number.strip()]
    if len(tracking) > MAX_TRACKING_NUMBERS:
        raise InvalidInput(f"At most {MAX_TRACKING_NUMBERS} tracking numbers per shipment.")
    if isinstance(shipped_at, datetime.date) and not isinstance(shipped_at, datetime.datetime):
        shipped_at = timezone.make_aware(datetime.datetime.combine(shipped_at, datetime.time(12)))
    shipped_at = shipped_at or timezone.now()
    if shipped_at > timezone.now() + datetime.timedelta(days=1):
        raise InvalidInput("The shipment date cannot be in the future.")
    return ShipmentDetails(
        carrier=carrier[:50],
        method=(method or order.shipping_method or "")[:100],
        tracking_numbers=tracking,
        shipped_at=shipped_at,
    )


def _line_label(line: OrderLine) -> str:
    return line.sku or line.description


def shipment_lines_choose(order: Order, lines: Mapping[Any, Any]) -> dict[int, int]:
    """{line id: quantity} checked against what is left to ship of this order's lines.

    Refuses an empty shipment, a quantity under 1 or over what is left, a line of another
    order and a line that is not shipped."""
    if not lines:
        raise InvalidInput("Choose at least one line to ship.")
    order_lines = {line.pk: line for line in order.lines.all()}
    unshipped = line_unshipped_quantities(order)
    chosen: dict[int, int] = {}
    for raw_pk, raw_quantity in lines.items():
        try:
            pk, quantity = int(raw_pk), int(raw_quantity)
        except (TypeError, ValueError) as exc:
            raise InvalidInput("Quantities to ship are whole numbers.") from exc
        line = order_lines.get(pk)
        if line is None:
            raise InvalidInput(f"A line of another order cannot ship with {order.order_id}.")
        if not line.shippable:
            raise InvalidInput(f"{_line_label(line)} is not shipped.")
        if quantity < 1:
            raise InvalidInput(f"{_line_label(line)}: ship at least 1, or leave the line out.")
        if quantity > unshipped.get(pk, 0):
            raise InvalidInput(
                f"{_line_label(line)}: only {unshipped.get(pk, 0)} left to ship, not {quantity}."
            )
        chosen[pk] = quantity
    return chosen


def shipment_is_last(order: Order, chosen: Mapping[int, int]) -> bool:
    """Whether these lines and quantities are all that is left to ship."""
    return dict(chosen) == line_unshipped_quantities(order)


def shipment_capture_amount(order: Order, chosen: Mapping[int, int], *, last: bool) -> Decimal:
    """What to capture with this shipment under the merchant's rule; 0 for nothing."""
    if order.payment_status not in UNCAPTURED_STATUSES:
        return Decimal("0.00")
    left = order.total - payments.payment_captured_amount(order)
    if last or order.merchant.shipment_capture == Merchant.ShipmentCapture.ALL_AT_FIRST:
        return left
    lines = {line.pk: line for line in order.lines.all()}
    goods = sum((line.line_total for line in lines.values()), Decimal(0))
    if goods <= 0:
        return Decimal("0.00")
    part = sum((lines[pk].unit_price * quantity for pk, quantity in chosen.items()), Decimal(0))
    # The part's share of the whole total, so that shipping, tax and discounts are spread
    # over the shipments; the last shipment captures whatever rounding left.
    share = (order.total * part / goods).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(share, left)


def shipment_create(
    *, order: Order, chosen: Mapping[int, int], details: ShipmentDetails
) -> Shipment:
    shipment = Shipment.objects.create(
        order=order,
        carrier=details.carrier,
        method=details.method,
        tracking_numbers=details.tracking_numbers,
        shipped_at=details.shipped_at,
    )
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, line_id=pk, quantity=quantity)
        for pk, quantity in chosen.items()
        if quantity > 0
    )
    return shipment


def shipment_lines_payload(order: Order, chosen: Mapping[int, int]) -> list[dict[str, Any]]:
    """The shipment's lines for its event: number as on the order page, SKU, quantity."""
    return [
        {
            "line": number,
            "line_id": line.pk,
            "sku": line.sku,
            "description": line.description,
            "quantity": chosen[line.pk],
        }
        for number, line in order_line_numbers(order).items()
        if chosen.get(line.pk)
    ]


def shipment_part_record(
    order: Order,
    chosen: dict[int, int],
    details: ShipmentDetails,
    *,
    notify: bool,
    by: Actor,
    via: str,
    job_id: int | None,
) -> tuple[Shipment | None, PaymentOutcome | None, OrderError | None]:
    """Capture this part's share (the merchant's rule) and record a shipment that leaves some
    of the order to ship: its event, webhook and email. On a declined capture, nothing but the
    attempt: (None, what the gateway said, the refusal to raise after commit)."""
    payment = None
    amount = shipment_capture_amount(order, chosen, last=False)
    if amount > 0:
        payment = payments.payment_capture(order=order, amount=amount, by=by, via=via)
        if payment.result != "approved":
            # The declined attempt and the payment status are kept; the shipment is not.
            refusal = PaymentFailed(
                f"{order.order_id}: {payment.summary} The shipment was not recorded; the order "
                "stays in Shipping."
            )
            return None, payment, refusal
    shipment = shipment_create(order=order, chosen=chosen, details=details)
    order_shipped_part_event(
        order=order,
        shipment_id=shipment.pk,
        lines=shipment_lines_payload(order, chosen),
        carrier=details.carrier,
        method=details.method,
        tracking_numbers=details.tracking_numbers,
        captured=amount if payment is not None else None,
        notify=notify,
        by=by,
        via=via,
        job_id=job_id,
    )
    if notify:
        transaction.on_commit(
            notifications.order_email_later(
                order.pk, "shipment_confirmation", shipment_pk=shipment.pk
            )
        )
    return shipment, payment, None
