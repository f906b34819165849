"""order_ship_part: a shipment of chosen lines and quantities of an order in Shipping.

The order stays in Shipping until every shippable quantity has shipped. The shipment that
ships the last of it is the mark_shipped transition (its preparer,
orders.services.transition_steps.mark_shipped, records it with the same rules), so completing
an order, its event, webhook, email and stage counts stay one path.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from orders.actors import Actor
from orders.exceptions import OrderError
from orders.models import Order, Shipment
from orders.payments.outcome import PaymentOutcome
from orders.selectors.fulfilment import line_unshipped_quantities
from orders.states import Stage
from orders.writes import order_save_changed

from .locking import order_change_atomic, order_lock
from .shipments import (
    ShipmentDetails,
    shipment_details_clean,
    shipment_is_last,
    shipment_lines_choose,
    shipment_part_record,
)
from .transitions import order_transition, order_transition_check


@dataclass
class ShipmentResult:
    order: Order
    shipment: Shipment | None
    message: str
    completed: bool
    payment: PaymentOutcome | None = None

    @property
    def level(self) -> str:
        if self.payment is not None and self.payment.level == "warning":
            return "warning"
        return "success"


def order_ship_part(
    *,
    order: Order | int,
    lines: Mapping[Any, Any],
    carrier: str,
    tracking_numbers: Iterable[str] | str = (),
    method: str = "",
    shipped_at: datetime.datetime | datetime.date | None = None,
    notify: bool = True,
    by: Actor = None,
    via: str = "",
    job_id: int | None = None,
    lock_held: bool = False,
) -> ShipmentResult:
    """Record a shipment of chosen lines ({line id: quantity}) of an order in Shipping.

    Side effects: may capture through the gateway (the merchant's rule); writes the shipment,
    an order_shipped_part event with its webhook and queues the customer's email after commit.
    When the lines are all that is left to ship, it is the mark_shipped transition instead,
    which completes the order. A declined capture records nothing but the attempt and raises
    PaymentFailed."""
    refusal: OrderError | None = None
    with order_change_atomic(lock_held=lock_held):
        locked = order_lock(order, lock_held=lock_held)
        order_transition_check(locked, "mark_shipped", by)
        chosen = shipment_lines_choose(locked, lines)
        details = shipment_details_clean(
            order=locked,
            carrier=carrier,
            tracking_numbers=tracking_numbers,
            method=method,
            shipped_at=shipped_at,
        )
        last = shipment_is_last(locked, chosen)
        if not last:
            before = locked.field_values()
            shipment, payment, refusal = shipment_part_record(
                locked, chosen, details, notify=notify, by=by, via=via, job_id=job_id
            )
            order_save_changed(locked, before)
    if refusal is not None:
        raise refusal
    if last:
        return _last_ship(
            locked,
            chosen,
            details,
            notify=notify,
            by=by,
            via=via,
            job_id=job_id,
            lock_held=lock_held,
        )
    left = sum(line_unshipped_quantities(locked).values())
    message = f"{locked.order_id}: shipment recorded; {left} still to ship, it stays in Shipping."
    if payment is not None:
        message = f"{locked.order_id}: shipment recorded: {payment.summary} {left} still to ship."
    return ShipmentResult(
        order=locked, shipment=shipment, message=message, completed=False, payment=payment
    )


def _last_ship(
    order: Order,
    chosen: dict[int, int],
    details: ShipmentDetails,
    *,
    notify: bool,
    by: Actor,
    via: str,
    job_id: int | None,
    lock_held: bool,
) -> ShipmentResult:
    result = order_transition(
        order=order if lock_held else order.pk,
        name="mark_shipped",
        by=by,
        via=via,
        job_id=job_id,
        expected_stage=Stage.SHIPPING,
        lock_held=lock_held,
        carrier=details.carrier,
        method=details.method,
        tracking_numbers=details.tracking_numbers,
        shipped_at=details.shipped_at,
        notify=notify,
        lines=chosen,
    )
    return ShipmentResult(
        order=result.order,
        shipment=result.order.shipments.order_by("-id").first(),
        message=result.message,
        completed=result.target == Stage.COMPLETED,
        payment=result.payment,
    )
