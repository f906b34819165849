"""Returns: request, authorize (with an RMA number), reject, cancel, receive and refund.

Every step locks the order (orders.services.locking), so two people authorizing or refunding
the same return at once cannot both pass the same checks; each writes one audit event with
its webhook. The refund goes through order_refund, so the order's refunded_total, its lines'
refunded_quantity, the gateway's books and the customer-service limit stay the one truth.
"""

from django.db import transaction
from django.utils import timezone

from orders.actors import Actor
from orders.events import order_return_changed_event, order_return_opened_event
from orders.exceptions import InvalidInput, TransitionNotAvailable, TransitionNotPermitted
from orders.models import Order, Return, ReturnLine
from orders.pricing import MAX_QUANTITY
from orders.selectors.fulfilment import line_shipped_quantities
from orders.selectors.returns import return_quantities_held
from orders.services.locking import order_lock
from orders.states import Stage

from .notify import return_authorized_email_later

MANAGE = "orders.manage_returns"
RECEIVE = "orders.receive_returns"
MAX_TEXT = 500
Status = Return.Status


def _require(by: Actor, permission: str, order: Order, what: str) -> None:
    if by is not None and not by.has_perm(permission, order):
        raise TransitionNotPermitted(f"You may not {what}.")


def _user(by: Actor):
    return by if by is not None and by.is_authenticated else None


def _quantities(raw: dict, *, allow_zero: bool) -> dict[int, int]:
    """Line pk → quantity as whole numbers within bounds; InvalidInput for anything else."""
    try:
        quantities = {int(pk): int(quantity) for pk, quantity in raw.items()}
    except (TypeError, ValueError) as exc:
        raise InvalidInput("Quantities must be whole numbers.") from exc
    for quantity in quantities.values():
        if quantity < 0 or quantity > MAX_QUANTITY:
            raise InvalidInput(f"Quantities must be between 0 and {MAX_QUANTITY:,}.")
    if not allow_zero:
        quantities = {pk: q for pk, q in quantities.items() if q}
    if not any(quantities.values()):
        raise InvalidInput("Choose at least one item and a quantity of 1 or more.")
    return quantities


def _text(value: str, what: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"Say {what}.")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{what.capitalize()} has at most {MAX_TEXT} characters.")
    return value


def _check_openable(order: Order) -> None:
    if order.deleted_at is not None:
        raise TransitionNotAvailable(f"{order.order_id} is deleted: it cannot take a return.")
    if order.stage == Stage.REJECTED:
        raise TransitionNotAvailable(f"{order.order_id} is rejected: it cannot take a return.")
    if not any(line_shipped_quantities(order).values()):
        raise TransitionNotAvailable(f"{order.order_id} has not shipped: nothing can be returned.")


def return_open(
    *,
    order: Order | int,
    lines: dict[int, int],
    reason: str,
    reason_text: str = "",
    customer_note: str = "",
    by: Actor = None,
    via: str = "",
    by_customer: bool = False,
) -> Return:
    """Request a return of these line quantities (line pk → quantity); it starts requested.
    Each quantity is at most what shipped less what the order's other returns hold."""
    with transaction.atomic():
        locked = order_lock(order)
        if not by_customer:
            _require(by, MANAGE, locked, "open returns")
        _check_openable(locked)
        if reason not in Return.Reason.values:
            raise InvalidInput("Choose a reason for the return.")
        reason_text = _text(reason_text, "the reason")
        customer_note = _text(customer_note, "the note")
        quantities = _quantities(lines, allow_zero=False)
        order_lines = {line.pk: line for line in locked.lines.all()}
        shipped = line_shipped_quantities(locked)
        held = return_quantities_held(locked)
        for pk, quantity in quantities.items():
            line = order_lines.get(pk)
            if line is None:
                raise InvalidInput("A returned line does not belong to this order.")
            left = max(shipped.get(pk, 0) - held.get(pk, 0), 0)
            if quantity > left:
                raise InvalidInput(
                    f"{line.sku or line.description}: at most {left} can be returned."
                )
        request = Return.objects.create(
            merchant_id=locked.merchant_id,
            order=locked,
            reason=reason,
            reason_text=reason_text,
            customer_note=customer_note,
            by_customer=by_customer,
            requested_by=_user(by),
        )
        ReturnLine.objects.bulk_create(
            ReturnLine(return_request=request, order_line_id=pk, quantity=quantity)
            for pk, quantity in quantities.items()
        )
        order_return_opened_event(
            order=locked,
            return_id=request.pk,
            lines=quantities,
            reason=reason,
            by=by,
            via=via or ("customer" if by_customer else ""),
            by_customer=by_customer,
        )
    return request


def _locked_return(request: Return | int) -> tuple[Order, Return]:
    """The return's order locked, then the return read afresh under that lock; refused on a
    deleted order (undelete it first)."""
    pk = request.pk if isinstance(request, Return) else request
    order_pk = Return.objects.values_list("order_id", flat=True).get(pk=pk)
    order = order_lock(order_pk)
    if order.deleted_at is not None:
        raise TransitionNotAvailable(f"{order.order_id} is deleted: its returns cannot move.")
    return order, Return.objects.prefetch_related("lines__order_line").get(pk=pk)


def _expect(request: Return, doing: str) -> None:
    if request.status not in Return.STEP_FROM[doing]:
        raise TransitionNotAvailable(
            f"{request.label} is {request.get_status_display().lower()}: cannot {doing} it."
        )


def _changed(order: Order, request: Return, step: str, by: Actor, via: str, **facts) -> None:
    order_return_changed_event(
        order=order,
        return_id=request.pk,
        rma_number=request.rma_number,
        step=step,
        by=by,
        via=via,
        **facts,
    )


def return_authorize(*, request: Return | int, by: Actor = None, via: str = "") -> Return:
    """Authorize a requested return: it gets its RMA number and the customer is emailed it."""
    with transaction.atomic():
        order, request = _locked_return(request)
        _require(by, MANAGE, order, "authorize returns")
        _expect(request, "authorize")
        numbered = order.returns.exclude(rma_number="").count()
        request.rma_number = f"RMA-{order.order_id}-{numbered + 1}"
        request.status = Status.AUTHORIZED
        request.authorized_at, request.authorized_by = timezone.now(), _user(by)
        request.save()
        _changed(order, request, "authorized", by, via)
        transaction.on_commit(return_authorized_email_later(request.pk))
    return request


def return_reject(*, request: Return | int, why: str, by: Actor = None, via: str = "") -> Return:
    """Refuse a requested or authorized return, saying why."""
    with transaction.atomic():
        order, request = _locked_return(request)
        _require(by, MANAGE, order, "reject returns")
        why = _text(why, "why the return is rejected", required=True)
        _expect(request, "reject")
        request.status, request.rejection_reason = Status.REJECTED, why
        request.closed_at, request.closed_by = timezone.now(), _user(by)
        request.save()
        _changed(order, request, "rejected", by, via, why=why)
    return request


def return_cancel(*, request: Return | int, by: Actor = None, via: str = "") -> Return:
    """Withdraw a return nothing has come back for (the customer changed their mind)."""
    with transaction.atomic():
        order, request = _locked_return(request)
        _require(by, MANAGE, order, "cancel returns")
        _expect(request, "cancel")
        request.status = Status.CANCELLED
        request.closed_at, request.closed_by = timezone.now(), _user(by)
        request.save()
        _changed(order, request, "cancelled", by, via)
    return request


def return_receive(
    *,
    request: Return | int,
    received: dict[int, int],
    condition: str,
    by: Actor = None,
    via: str = "",
) -> Return:
    """Record what came back of an authorized return (order line pk → quantity received, at
    most the authorized quantity) and its condition."""
    with transaction.atomic():
        order, request = _locked_return(request)
        _require(by, RECEIVE, order, "record returns received")
        _expect(request, "receive")
        if condition not in Return.Condition.values:
            raise InvalidInput("Choose the condition the items came back in.")
        quantities = _quantities(received, allow_zero=True)
        lines = {line.order_line_id: line for line in request.lines.all()}
        for pk, quantity in quantities.items():
            line = lines.get(pk)
            if line is None:
                raise InvalidInput("A received line is not on this return.")
            if quantity > line.quantity:
                raise InvalidInput(
                    f"{line.order_line.sku or line.order_line.description}: "
                    f"at most {line.quantity} were authorized."
                )
        for pk, line in lines.items():
            line.received_quantity = quantities.get(pk, 0)
            line.save(update_fields=["received_quantity"])
        request.status, request.condition = Status.RECEIVED, condition
        request.received_at, request.received_by = timezone.now(), _user(by)
        request.save()
        _changed(
            order,
            request,
            "received",
            by,
            via,
            condition=condition,
            lines={str(pk): q for pk, q in quantities.items() if q},
        )
    return request
