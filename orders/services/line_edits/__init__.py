"""Editing an order's lines after placement, before anything ships.

One plan (plan.py, lines_edit_plan) serves the preview and the save; order_lines_edit
(apply.py) applies it and settles the difference. Money invariant kept by every settlement:
what the customer has paid, net of refunds, equals total − refunded_total − balance_due (for
an order that was paid at all).
"""

from .apply import LinesEditResult, order_lines_edit
from .plan import (
    CHANGED_WHILE_LOOKING,
    MAX_EDIT_QUANTITY,
    PERMISSION,
    LineChange,
    LinesEdit,
    LinesEditPlan,
    NewLine,
    Settlement,
    lines_edit_plan,
    order_lines_edit_has_rebills,
    order_lines_edit_refusal,
    order_lines_version,
)

__all__ = [
    "CHANGED_WHILE_LOOKING",
    "MAX_EDIT_QUANTITY",
    "PERMISSION",
    "LineChange",
    "LinesEdit",
    "LinesEditPlan",
    "LinesEditResult",
    "NewLine",
    "Settlement",
    "lines_edit_plan",
    "order_lines_edit",
    "order_lines_edit_has_rebills",
    "order_lines_edit_refusal",
    "order_lines_version",
]
