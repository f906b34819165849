"""The sentence each event type reads as on a timeline (the order page, the auto order's log,
the evidence packet), made from the event's payload.

EVENT_SENTENCES holds one sentence per member of OrderEventType and MerchantEventType (a test
fails on a member without one), next to the enum in orders.models.event.
"""

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.utils.text import Truncator

from backoffice.common.words import counted
from orders.fsm import transition_label
from orders.models import (
    Chargeback,
    Merchant,
    MerchantEventType,
    OrderEventType,
    PaymentTransaction,
    Role,
)
from orders.states import OrderSource, PaymentMethod, PaymentStatus, Stage, card_brand_label

Sentence = Callable[[dict], str]


def money_display(value) -> str:
    """1234.5 → "1,234.50"; money is shown with two decimals and thousands separators."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{amount:,.2f}"


def stage_display(value: str) -> str:
    try:
        return Stage(value).label
    except ValueError:
        return value


def _choice_label(choices, value) -> str:
    """A stored code as people read it: its choice's label, or the value itself (an old or
    free-text value); a code is never shown as such where a label exists."""
    try:
        return choices(value).label
    except ValueError:
        return str(value)


# Edited fields whose values are codes, and how people read them.
_CODED_FIELDS = {
    "stage": Stage,
    "held_from_stage": Stage,
    "payment_method": PaymentMethod,
    "payment_status": PaymentStatus,
    "source": OrderSource,
}


def value_display(field: str, value) -> str:
    """A payload value as a person reads it: "—" for nothing, a list joined with commas,
    a code by its label."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "—"
    if field in _CODED_FIELDS:
        return _choice_label(_CODED_FIELDS[field], value)
    if field == "card_brand":
        return card_brand_label(str(value))
    return str(value)


def result_display(value) -> str:
    """A gateway result code ("declined") as a word ("Declined")."""
    return _choice_label(PaymentTransaction.Result, value).lower() if value else "?"


def _placed(payload: dict) -> str:
    try:
        source = OrderSource(payload.get("source")).label
    except ValueError:
        source = payload.get("source") or "unknown source"
    sentence = f"Placed via {source} → {stage_display(payload.get('stage', '?'))}"
    details = []
    if payload.get("total") is not None:
        details.append(f"total {money_display(payload['total'])}")
    if payload.get("payment"):
        details.append(f"payment {result_display(payload['payment'])}")
    if payload.get("fraud_score") is not None:
        details.append(f"fraud score {payload['fraud_score']}")
    return _with_details(sentence, details)


def _transitioned(payload: dict) -> str:
    name = payload.get("transition", "")
    sentence = (
        f"{transition_label(name)}: {stage_display(payload.get('source', '?'))} → "
        f"{stage_display(payload.get('target', '?'))}"
    )
    details = []
    if payload.get("payment"):
        details.append(f"payment {result_display(payload['payment'])}")
    for key, label in (("reason", "reason"), ("reference", "reference"), ("until", "until")):
        if payload.get(key):
            details.append(f"{label} {payload[key]}")
    if payload.get("carrier"):
        tracking = ", ".join(payload.get("tracking_numbers") or [])
        details.append(f"{payload['carrier']} {tracking}".strip())
        if payload.get("lines"):
            details.append(shipment_lines_display(payload["lines"]))
        if payload.get("notify") is False:
            details.append("customer not notified")
    elif payload.get("notify") is False:
        details.append("customer not notified")
    if payload.get("refunded") and payload["refunded"] != "0.00":
        details.append(f"refunded {money_display(payload['refunded'])}")
    if payload.get("blocked"):
        details.append(f"blocked {counted(len(payload['blocked']), 'value')}")
    if payload.get("job_id"):
        details.append(f"job {payload['job_id']}")
    return _with_details(sentence, details)


def _payment(payload: dict) -> str:
    kind = payload.get("kind", "")
    try:
        kind_label = PaymentTransaction.Kind(kind).label
    except ValueError:
        kind_label = kind.replace("_", " ").capitalize() or "Payment"
    result = payload.get("result", "")
    sentence = f"{kind_label} of {money_display(payload.get('amount'))}: {result_display(result)}"
    message = payload.get("message") or ""
    if message and message.rstrip(".").lower() != result.lower():
        sentence += f" ({message})"
    return sentence


def _refunded(payload: dict) -> str:
    sentence = f"Refunded {money_display(payload.get('amount'))}"
    if payload.get("external"):
        sentence += " outside the gateway"
    return _with_details(sentence, [f"reason {payload['reason']}"] if payload.get("reason") else [])


def _note_added(payload: dict) -> str:
    return f"Note added: “{Truncator(payload.get('text', '')).chars(200)}”"


def _line_edited(change: dict) -> str:
    line = change.get("line", "?")
    kind = change.get("change")
    if kind == "added":
        return f"added {change.get('quantity')} × {line} at {change.get('unit_price')}"
    if kind == "removed":
        return f"removed {line}"
    if kind == "price":
        return (
            f"{line} unit price {change.get('before')} → {change.get('after')} "
            f"({change.get('reason', '')})"
        )
    return f"{line} quantity {change.get('before')} → {change.get('after')}"


def _edited(payload: dict) -> str:
    changes = payload.get("changes") or {}
    parts = [_line_edited(change) for change in payload.get("lines") or []]
    parts += [
        f"{field.replace('_', ' ')}: {value_display(field, change.get('before'))} → "
        f"{value_display(field, change.get('after'))}"
        for field, change in changes.items()
    ]
    money = payload.get("money") or {}
    if money.get("moved") not in (None, "0.00", "0"):
        parts.append(f"{money.get('settlement')} {money.get('moved')}")
    return "Edited " + "; ".join(parts) if parts else "Edited"


def _email_sent(payload: dict) -> str:
    template_name = (payload.get("template") or "email").replace("_", " ")
    return f"Email “{template_name}” sent to {payload.get('to', '?')}"


def _email_failed(payload: dict) -> str:
    template_name = (payload.get("template") or "email").replace("_", " ")
    return f"Email “{template_name}” to {payload.get('to', '?')} failed to send"


def _email_queued(payload: dict) -> str:
    template_name = (payload.get("template") or "email").replace("_", " ")
    return f"Email “{template_name}” to be sent again"


def _email_not_queued(payload: dict) -> str:
    template_name = (payload.get("template") or "email").replace("_", " ")
    return f"Email “{template_name}” not sent: {payload.get('reason', 'it could not be queued')}"


def _ar_retried(payload: dict) -> str:
    return (
        f"Payment retry {payload.get('attempt', '?')} of {payload.get('of', '?')}: "
        f"{result_display(payload.get('result'))}"
    )


def shipment_lines_display(lines: list[dict]) -> str:
    return ", ".join(
        f"{row.get('quantity')} × {row.get('sku') or row.get('description')}" for row in lines
    )


def _shipped_part(payload: dict) -> str:
    sentence = f"Shipped in part: {shipment_lines_display(payload.get('lines') or [])}"
    details = []
    if payload.get("carrier"):
        tracking = ", ".join(payload.get("tracking_numbers") or [])
        details.append(f"{payload['carrier']} {tracking}".strip())
    if payload.get("captured"):
        details.append(f"captured {money_display(payload['captured'])}")
    if payload.get("notify") is False:
        details.append("customer not notified")
    if payload.get("job_id"):
        details.append(f"job {payload['job_id']}")
    return _with_details(sentence, details)


def _replacement_created(payload: dict) -> str:
    kind = "free" if payload.get("free") else "to pay"
    sentence = f"Replacement order {payload.get('replacement_order_id', '?')} created ({kind})"
    return _with_details(sentence, [payload["reason"]] if payload.get("reason") else [])


def _deleted(payload: dict) -> str:
    return f"Deleted: {payload['reason']}" if payload.get("reason") else "Deleted"


def _undeleted(payload: dict) -> str:
    if not payload.get("stage"):
        return "Undeleted"
    return f"Undeleted (back in {stage_display(payload['stage'])})"


def _costs_changes(payload: dict) -> list[str]:
    before, after = payload.get("before") or {}, payload.get("after") or {}
    return [
        f"{name} {money_display(before.get(name))} → {money_display(after.get(name))}"
        for name in ("shipping", "fulfillment", "payment", "profit")
        if before.get(name) != after.get(name)
    ]


def _costs_imported(payload: dict) -> str:
    return _with_details(
        f"Actual costs imported (import #{payload.get('import_id')})", _costs_changes(payload)
    )


def _costs_import_undone(payload: dict) -> str:
    return _with_details(
        f"Actual-cost import #{payload.get('import_id')} undone", _costs_changes(payload)
    )


def _with_details(sentence: str, details: list[str]) -> str:
    return f"{sentence} — {'; '.join(details)}" if details else sentence


def _auto_order_created(payload: dict) -> str:
    code, first = payload.get("code", "?"), payload.get("next_rebill_on", "?")
    return f"Started auto order {code}; first rebill {first}"


AUTO_ORDER_ACTIONS = {
    "paused": "paused",
    "resumed": "resumed",
    "skipped": "next rebill skipped",
    "next_date_changed": "next rebill date changed",
    "cancelled": "cancelled",
    "re_enabled": "re-enabled",
    "disabled": "disabled after failed payments",
    "completed": "completed",
    "postponed": "postponed",
    "item_changed": "item changed",
    "card_updated": "card on file updated",
}


def _auto_order_changed(payload: dict) -> str:
    action = payload.get("action", "")
    sentence = f"Auto order {payload.get('code', '?')} {AUTO_ORDER_ACTIONS.get(action, action)}"
    details = [
        f"{key.replace('_', ' ')} {payload[key]}"
        for key in ("until", "after", "reason", "skipped_periods", "card")
        if payload.get(key) not in (None, "", 0)
    ]
    return _with_details(sentence, details)


def _rebilled(payload: dict) -> str:
    return (
        f"Auto order {payload.get('code', '?')} rebilled: order {payload.get('rebill_order_id')} "
        f"of {money_display(payload.get('amount'))}, {result_display(payload.get('result'))}"
    )


KIND_LABELS = {
    "customer": "Customer wrote",
    "merchant": "Replied",
    "internal": "Internal note",
}
CHANGE_LABELS = {
    "accept": "accepted (not disputed)",
    "send_evidence": "evidence sent",
    "mark_won": "won",
    "mark_lost": "lost",
    "expire": "expired (deadline passed)",
    "rebuttal_saved": "rebuttal saved",
    "evidence_added": "evidence uploaded",
    "close": "closed",
    "reopen": "reopened",
    "reply": "waiting for the customer",
    "receive_reply": "customer replied",
}


def _chargeback_opened(payload: dict) -> str:
    status = _choice_label(Chargeback.Status, payload.get("status") or "open").lower()
    return (
        f"Chargeback {payload.get('case_number', '?')} opened: "
        f"{money_display(payload.get('amount')) or '?'}, "
        f"reason {payload.get('reason_code', '?')} ({status})"
    )


def _chargeback_changed(payload: dict) -> str:
    change = payload.get("change", "")
    sentence = f"Chargeback {payload.get('case_number', '?')} {CHANGE_LABELS.get(change, change)}"
    if payload.get("file"):
        sentence += f": {payload['file']}"
    if payload.get("chargeback_total") is not None:
        sentence += f" — order chargeback total {money_display(payload['chargeback_total'])}"
    return sentence


def _case_opened(payload: dict) -> str:
    return f"Case {payload.get('case_id', '?')} opened: “{payload.get('subject', '')}”"


def _case_message(payload: dict) -> str:
    label = KIND_LABELS.get(payload.get("kind", ""), "Message")
    text = Truncator(payload.get("text", "")).chars(160)
    return f"Case {payload.get('case_id', '?')} · {label}: “{text}”"


def _case_changed(payload: dict) -> str:
    change = payload.get("change", "")
    if change == "assigned":
        who = payload.get("assignee") or "nobody"
        return f"Case {payload.get('case_id', '?')} assigned to {who}"
    return f"Case {payload.get('case_id', '?')} {CHANGE_LABELS.get(change, change)}"


def _return_opened(payload: dict) -> str:
    count = sum(int(q) for q in (payload.get("lines") or {}).values())
    noun = "item" if count == 1 else "items"
    who = " by the customer" if payload.get("by_customer") else ""
    return f"Return of {count} {noun} requested{who} ({payload.get('reason', '?')})"


def _return_changed(payload: dict) -> str:
    name = payload.get("rma_number") or f"Return request {payload.get('return_id', '?')}"
    sentence = f"{name} {payload.get('step', 'changed')}"
    if payload.get("amount") is not None:
        sentence += f" {money_display(payload['amount'])}"
        kept = [
            f"{label} {money_display(payload[key])}"
            for key, label in (("restocking_fee", "restocking fee"), ("shipping", "shipping"))
            if payload.get(key) not in (None, "0.00", "0")
        ]
        if kept:
            sentence += f" ({', '.join(kept)})"
    if payload.get("condition"):
        sentence += f" ({payload['condition']})"
    if payload.get("why"):
        sentence += f": “{Truncator(payload['why']).chars(160)}”"
    return sentence


def _orders_exported(payload: dict) -> str:
    count = payload.get("count", "?")
    noun = "order" if count == 1 else "orders"
    sentence = f"Exported {count} {noun} with “{payload.get('mapping', '?')}”"
    fmt = str(payload.get("format") or "").upper()
    return _with_details(sentence, [fmt] if fmt else [])


def _webhook_endpoint_changed(payload: dict) -> str:
    sentence = f"Webhook endpoint: {payload.get('change', 'changed')}"
    details = [payload["url"]] if payload.get("url") else []
    if payload.get("deliveries") is not None:
        details.append(f"{payload['deliveries']} to send")
    return _with_details(sentence, details)


def _carrier_changed(payload: dict) -> str:
    sentence = f"Carrier {payload.get('name', '?')} {payload.get('change', 'changed')}"
    if payload.get("change") == "edited":
        before, after = payload.get("before") or {}, payload.get("after") or {}
        details = [
            f"{field.replace('_', ' ')}: {before.get(field, '—')} → {after.get(field, '—')}"
            for field in ("name", "tracking_url_pattern")
            if before.get(field) != after.get(field)
        ]
        return _with_details(sentence, details)
    pattern = payload.get("tracking_url_pattern")
    return _with_details(sentence, [pattern] if pattern else [])


def _role_display(value) -> str:
    try:
        return Role(value).label
    except ValueError:
        return str(value or "?")


def _setting_value(name: str, value) -> str:
    """A merchant setting as people read it: choices by their label, stages by their name."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name == "stage_age_limits" and isinstance(value, dict):
        return "; ".join(f"{stage_display(stage)} {days} d" for stage, days in value.items())
    if name == "custom_fields" and isinstance(value, dict):
        return "; ".join(_custom_field_display(number, config) for number, config in value.items())
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    choices = dict(_MERCHANT_CHOICES.get(name, ()))
    return str(choices.get(value, value))


def _custom_field_display(number, config) -> str:
    if not isinstance(config, dict):
        return f"{number}: {config}"
    values = config.get("values") or []
    return f"{number} {config.get('label', '?')}" + (f" ({', '.join(values)})" if values else "")


_MERCHANT_CHOICES = {
    field.name: field.flatchoices for field in Merchant._meta.fields if field.choices
}


def _settings_changed(payload: dict) -> str:
    changes = payload.get("changes") or {}
    details = [
        f"{name.replace('_', ' ')}: {_setting_value(name, pair[0])} → "
        f"{_setting_value(name, pair[1])}"
        for name, pair in changes.items()
        if isinstance(pair, list) and len(pair) == 2
    ]
    group = str(payload.get("label") or payload.get("group") or "merchant").replace("_", " ")
    return _with_details(f"Changed the {group.lower()} settings", details)


def _staff_invited(payload: dict) -> str:
    return f"Invited {payload.get('email', '?')} as {_role_display(payload.get('role'))}"


def _staff_role_changed(payload: dict) -> str:
    return (
        f"Changed {payload.get('username', '?')}'s role: {_role_display(payload.get('old'))} → "
        f"{_role_display(payload.get('new'))}"
    )


def _staff_removed(payload: dict) -> str:
    return f"Removed {payload.get('username', '?')} ({_role_display(payload.get('role'))})"


def _api_token_created(payload: dict) -> str:
    return f"Created the API token “{payload.get('name', '?')}” ({payload.get('prefix', '?')}…)"


def _api_token_revoked(payload: dict) -> str:
    return f"Revoked the API token “{payload.get('name', '?')}” ({payload.get('prefix', '?')}…)"


T = OrderEventType
M = MerchantEventType
EVENT_SENTENCES: dict[str, Sentence] = {
    T.PLACED: _placed,
    T.TRANSITIONED: _transitioned,
    T.PAYMENT: _payment,
    T.REFUNDED: _refunded,
    T.NOTE_ADDED: _note_added,
    T.EDITED: _edited,
    T.DELETED: _deleted,
    T.UNDELETED: _undeleted,
    T.EMAIL_SENT: _email_sent,
    T.EMAIL_FAILED: _email_failed,
    T.EMAIL_QUEUED: _email_queued,
    T.EMAIL_NOT_QUEUED: _email_not_queued,
    T.AR_RETRIED: _ar_retried,
    T.SHIPPED_PART: _shipped_part,
    T.REPLACEMENT_CREATED: _replacement_created,
    T.COSTS_IMPORTED: _costs_imported,
    T.COSTS_IMPORT_UNDONE: _costs_import_undone,
    T.AUTO_ORDER_CREATED: _auto_order_created,
    T.AUTO_ORDER_CHANGED: _auto_order_changed,
    T.REBILLED: _rebilled,
    T.CHARGEBACK_OPENED: _chargeback_opened,
    T.CHARGEBACK_CHANGED: _chargeback_changed,
    T.CASE_OPENED: _case_opened,
    T.CASE_MESSAGE: _case_message,
    T.CASE_CHANGED: _case_changed,
    T.RETURN_OPENED: _return_opened,
    T.RETURN_CHANGED: _return_changed,
    M.ORDERS_EXPORTED: _orders_exported,
    M.WEBHOOK_ENDPOINT_CHANGED: _webhook_endpoint_changed,
    M.SETTINGS_CHANGED: _settings_changed,
    M.STAFF_INVITED: _staff_invited,
    M.STAFF_ROLE_CHANGED: _staff_role_changed,
    M.STAFF_REMOVED: _staff_removed,
    M.API_TOKEN_CREATED: _api_token_created,
    M.API_TOKEN_REVOKED: _api_token_revoked,
    M.CARRIER_CHANGED: _carrier_changed,
}


def event_sentence(*, type: str, payload) -> str:
    """One readable sentence for an event, from its type and payload; a type no longer
    recorded (an old row) reads as its name."""
    sentence = EVENT_SENTENCES.get(type)
    if sentence is None:
        return type.replace("_", " ").capitalize()
    return sentence(payload if isinstance(payload, dict) else {})
