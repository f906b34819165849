"""Timeline sentences for the chargeback and case events (merged into event_summary's table)."""

from collections.abc import Callable

from django.utils.text import Truncator

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
    return (
        f"Chargeback {payload.get('case_number', '?')} opened: {payload.get('amount', '?')}, "
        f"reason {payload.get('reason_code', '?')} ({payload.get('status', 'open')})"
    )


def _chargeback_changed(payload: dict) -> str:
    change = payload.get("change", "")
    sentence = f"Chargeback {payload.get('case_number', '?')} {CHANGE_LABELS.get(change, change)}"
    if payload.get("file"):
        sentence += f": {payload['file']}"
    if payload.get("chargeback_total") is not None:
        sentence += f" — order chargeback total {payload['chargeback_total']}"
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


DISPUTE_SUMMARIES: dict[str, Callable[[dict], str]] = {
    "order_chargeback_opened": _chargeback_opened,
    "order_chargeback_changed": _chargeback_changed,
    "order_case_opened": _case_opened,
    "order_case_message": _case_message,
    "order_case_changed": _case_changed,
}
