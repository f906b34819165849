"""Batch Order Operation: resolve a selection of orders, and fingerprint a preview.

A selection is a small JSON-able dict, one of:
  {"kind": "ids", "text": "DEMO-1, DEMO-2 …"}            pasted IDs (or a list screen's rows)
  {"kind": "range", "from": 100, "to": 250}               order numbers, by sequence
  {"kind": "dates", "field": "paid", "from": "2026-01-01", "to": "2026-01-31"}
  {"kind": "filter", "query": "stage=shipping&q=…"}        "all matching" from a list screen
The orders selector (orders.selectors.selection) resolves it, under its cap.
The run needs a preview of the same selection, operation and inputs: the preview stores the
fingerprint of those (and of the orders they resolved to), and the run must present it again.
"""

import hashlib
import json
from typing import Any

from orders.exceptions import InvalidSelection
from orders.models import Merchant
from orders.selectors.selection import (
    OrderSelection,
    ResolvedSelection,
    SelectionKind,
    order_selection_resolve,
)


def batch_selection_get(selection: dict[str, Any]) -> OrderSelection:
    """The tool's stored selection as the orders selector reads it."""
    kind = selection.get("kind")
    if kind == "ids":
        return OrderSelection(kind=SelectionKind.IDS, text=selection.get("text", ""))
    if kind == "range":
        return OrderSelection(
            kind=SelectionKind.RANGE, first=selection.get("from"), last=selection.get("to")
        )
    if kind == "dates":
        return OrderSelection(
            kind=SelectionKind.DATES,
            date_field=selection.get("field") or "",
            date_from=selection.get("from"),
            date_to=selection.get("to"),
        )
    if kind == "filter":
        return OrderSelection(kind=SelectionKind.FILTER, query=selection.get("query", ""))
    raise InvalidSelection("Choose how to select the orders.")


def batch_selection_resolve(*, merchant: Merchant, selection: dict[str, Any]) -> ResolvedSelection:
    """The merchant's live orders a selection stands for: pasted IDs in the order given,
    otherwise in order-number order. InvalidInput (SelectionTooLarge over the cap)."""
    return order_selection_resolve(merchant=merchant, selection=batch_selection_get(selection))


def batch_fingerprint(
    *, selection: dict[str, Any], operation: str, inputs: dict[str, Any], order_pks: list[int]
) -> str:
    """A hash of what a preview showed; the run must match it exactly."""
    canonical = json.dumps(
        {"selection": selection, "operation": operation, "inputs": inputs, "orders": order_pks},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
