"""Case management: correspondence with a customer about an order."""

from .core import (
    case_assign,
    case_customer_open,
    case_customer_reply,
    case_mark_read,
    case_note_add,
    case_open,
    case_reply,
    case_transition,
)
from .links import (
    case_from_token,
    case_link_token,
    case_link_url,
    order_case_link_url,
    order_from_case_token,
)
from .notify import case_email_send

__all__ = [
    "case_assign",
    "case_customer_open",
    "case_customer_reply",
    "case_email_send",
    "case_from_token",
    "case_link_token",
    "case_link_url",
    "case_mark_read",
    "case_note_add",
    "case_open",
    "case_reply",
    "case_transition",
    "order_case_link_url",
    "order_from_case_token",
]
