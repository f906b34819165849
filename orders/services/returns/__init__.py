"""Returns (RMA): a shipped order's lines coming back and being refunded."""

from .core import (
    return_authorize,
    return_cancel,
    return_open,
    return_receive,
    return_reject,
)
from .links import order_for_return_token, return_link_token, return_link_url
from .notify import return_authorized_email_send, return_link_email_send
from .refund import ReturnRefundPlan, return_refund, return_refund_plan

__all__ = [
    "ReturnRefundPlan",
    "order_for_return_token",
    "return_authorize",
    "return_authorized_email_send",
    "return_cancel",
    "return_link_email_send",
    "return_link_token",
    "return_link_url",
    "return_open",
    "return_receive",
    "return_refund",
    "return_refund_plan",
    "return_reject",
]
