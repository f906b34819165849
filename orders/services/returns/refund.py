"""A received return's refund: the goods' price, less an optional restocking fee, plus the
order's shipping if the merchant refunds it, paid through the one refund service."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from orders.actors import Actor
from orders.exceptions import InvalidInput
from orders.models import Order, Return
from orders.payments.outcome import PaymentOutcome
from orders.pricing import money
from orders.services.refunds import order_refund

from .core import MANAGE, Status, _changed, _expect, _locked_return, _quantities, _require, _user

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ReturnRefundPlan:
    """What a return's refund pays, to the cent: goods − restocking fee + shipping = amount."""

    line_quantities: dict[int, int]
    goods: Decimal
    restocking_fee: Decimal
    shipping: Decimal

    @property
    def amount(self) -> Decimal:
        return self.goods - self.restocking_fee + self.shipping


def _decimal(value, what: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError as exc:
        raise InvalidInput(f"The {what} must be a number.") from exc
    if not number.is_finite() or number < 0:
        raise InvalidInput(f"The {what} must be zero or more.")
    return number


def return_refund_plan(
    *,
    order: Order,
    request: Return,
    line_quantities: dict[int, int] | None = None,
    restocking_fee: Decimal | str | None = None,
    restocking_percent: Decimal | str | None = None,
    refund_shipping: bool = False,
) -> ReturnRefundPlan:
    """The refund these inputs make of a received return (order line pk → quantity; None:
    everything received and not yet refunded); InvalidInput for what it would refuse."""
    lines = {line.order_line_id: line for line in request.lines.all()}
    if line_quantities is None:
        line_quantities = {
            pk: line.received_quantity - line.refunded_quantity for pk, line in lines.items()
        }
    quantities = _quantities(line_quantities, allow_zero=False)
    goods = Decimal(0)
    for pk, quantity in quantities.items():
        line = lines.get(pk)
        if line is None:
            raise InvalidInput("A refunded line is not on this return.")
        left = line.received_quantity - line.refunded_quantity
        if quantity > left:
            raise InvalidInput(
                f"{line.order_line.sku or line.order_line.description}: "
                f"at most {left} received can be refunded."
            )
        goods += line.order_line.unit_price * quantity
    goods = money(goods)
    fee_amount = _decimal(restocking_fee, "restocking fee")
    percent = _decimal(restocking_percent, "restocking percentage")
    if fee_amount is not None and percent is not None:
        raise InvalidInput("Give the restocking fee as an amount or a percentage, not both.")
    if percent is not None and percent > 100:
        raise InvalidInput("The restocking percentage is at most 100.")
    fee = (
        (goods * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        if percent is not None
        else money(fee_amount or 0)
    )
    if fee > goods:
        raise InvalidInput(f"The restocking fee is at most the goods' {goods}.")
    shipping = Decimal("0.00")
    if refund_shipping:
        if order.returns.filter(shipping_refunded=True).exclude(pk=request.pk).exists():
            raise InvalidInput("The order's shipping was already refunded with another return.")
        shipping = order.shipping_total
    plan = ReturnRefundPlan(quantities, goods, fee, shipping)
    if plan.amount <= 0:
        raise InvalidInput("The refund comes to nothing: lower the restocking fee.")
    remaining = order.total - order.refunded_total
    if plan.amount > remaining:
        raise InvalidInput(f"At most {remaining} is left to refund on {order.order_id}.")
    return plan


def return_refund(
    *,
    request: Return | int,
    line_quantities: dict[int, int] | None = None,
    restocking_fee: Decimal | str | None = None,
    restocking_percent: Decimal | str | None = None,
    refund_shipping: bool = False,
    external: bool = False,
    notify: bool = True,
    by: Actor = None,
    via: str = "",
) -> PaymentOutcome:
    """Refund a received return through order_refund (which also asks for the refund
    permission and applies the customer-service limit); what the gateway answered. A decline
    raises PaymentFailed and changes nothing."""
    with transaction.atomic():
        order, request = _locked_return(request)
        _require(by, MANAGE, order, "refund returns")
        _expect(request, "refund")
        plan = return_refund_plan(
            order=order,
            request=request,
            line_quantities=line_quantities,
            restocking_fee=restocking_fee,
            restocking_percent=restocking_percent,
            refund_shipping=refund_shipping,
        )
        outcome = order_refund(
            order=order,
            by=by,
            via=via,
            amount=plan.amount,
            line_quantities=plan.line_quantities,
            external=external,
            reason=f"Return {request.rma_number}",
            notify=notify,
        )
        for line in request.lines.all():
            line.refunded_quantity += plan.line_quantities.get(line.order_line_id, 0)
            line.save(update_fields=["refunded_quantity"])
        request.status = Status.REFUNDED
        request.refunded_amount += plan.amount
        request.restocking_fee += plan.restocking_fee
        request.shipping_refunded = request.shipping_refunded or plan.shipping > 0
        request.refunded_at, request.refunded_by = timezone.now(), _user(by)
        request.save()
        _changed(
            order,
            request,
            "refunded",
            by,
            via,
            amount=plan.amount,
            goods=plan.goods,
            restocking_fee=plan.restocking_fee,
            shipping=plan.shipping,
            lines={str(pk): q for pk, q in plan.line_quantities.items()},
        )
    return outcome
