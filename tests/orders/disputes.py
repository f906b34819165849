"""Builders shared by the chargeback and case tests."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from orders.services.cases import case_open
from orders.services.chargebacks import chargeback_open
from orders.states import Stage
from tests.orders.builders import order_in_stage, walk


def shipped_order(merchant, tracking=("1Z999AA10123456784",)):
    return walk(
        order_in_stage(merchant, Stage.SHIPPING),
        "mark_shipped",
        carrier="UPS",
        tracking_numbers=list(tracking),
    )


def open_chargeback(order, *, case_number="CB-1", days_left=10, amount="25.00", **kwargs):
    return chargeback_open(
        order=order,
        case_number=case_number,
        reason_code=kwargs.pop("reason_code", "13.1"),
        amount=Decimal(amount),
        respond_by=timezone.localdate() + timedelta(days=days_left),
        received_on=kwargs.pop("received_on", date.today()),  # noqa: DTZ011
        **kwargs,
    )


def open_case(order, by, *, subject="Where is my parcel?", message=""):
    return case_open(order=order, subject=subject, message=message, by=by)
