"""Template helpers of the merchant screens: navigation counts, money, ages, event sentences."""

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.text import Truncator

from lifecycle.dispute_events import DISPUTE_SUMMARIES
from lifecycle.forms import OneTimeTokenForm
from lifecycle.navigation import stage_counts_for_request
from orders.fsm import transition_label
from orders.models import PaymentTransaction
from orders.selectors.home import StageCounts
from orders.services.auto_orders.schedules import schedule_label as schedule_label_for
from orders.states import OrderSource, Stage

register = template.Library()


@register.simple_tag(takes_context=True)
def stage_nav_counts(context) -> StageCounts | None:
    """The current merchant's counts per stage screen (one query per request)."""
    request = context.get("request")
    return stage_counts_for_request(request) if request is not None else None


@register.simple_tag
def one_time_token() -> str:
    """A money form's hidden one-time token, fresh each time the form is rendered."""
    return OneTimeTokenForm()["form_token"].as_hidden()


@register.filter
def money(value) -> str:
    """1234.5 → "1,234.50"; money is shown with two decimals and thousands separators."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{amount:,.2f}"


@register.filter
def age_days(moment) -> str:
    """Whole days since a moment, as shown in the lists' age column: "0 d", "6 d"."""
    if not moment:
        return ""
    return f"{max((timezone.now() - moment).days, 0)} d"


@register.filter
def stage_label(value: str) -> str:
    try:
        return Stage(value).label
    except ValueError:
        return value


def _placed(payload: dict) -> str:
    try:
        source = OrderSource(payload.get("source")).label
    except ValueError:
        source = payload.get("source") or "unknown source"
    sentence = f"Placed via {source} → {stage_label(payload.get('stage', '?'))}"
    details = []
    if payload.get("total") is not None:
        details.append(f"total {money(payload['total'])}")
    if payload.get("payment"):
        details.append(f"payment {payload['payment']}")
    if payload.get("fraud_score") is not None:
        details.append(f"fraud score {payload['fraud_score']}")
    return _with_details(sentence, details)


def _transitioned(payload: dict) -> str:
    name = payload.get("transition", "")
    sentence = (
        f"{transition_label(name)}: {stage_label(payload.get('source', '?'))} → "
        f"{stage_label(payload.get('target', '?'))}"
    )
    details = []
    if payload.get("payment"):
        details.append(f"payment {payload['payment']}")
    for key, label in (("reason", "reason"), ("reference", "reference"), ("until", "until")):
        if payload.get(key):
            details.append(f"{label} {payload[key]}")
    if payload.get("carrier"):
        tracking = ", ".join(payload.get("tracking_numbers") or [])
        details.append(f"{payload['carrier']} {tracking}".strip())
        if payload.get("notify") is False:
            details.append("customer not notified")
    elif payload.get("notify") is False:
        details.append("customer not notified")
    if payload.get("refunded") and payload["refunded"] != "0.00":
        details.append(f"refunded {money(payload['refunded'])}")
    if payload.get("blocked"):
        details.append(f"blocked {len(payload['blocked'])} value(s)")
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
    sentence = f"{kind_label} of {money(payload.get('amount'))}: {result}"
    message = payload.get("message") or ""
    if message and message.rstrip(".").lower() != result.lower():
        sentence += f" ({message})"
    return sentence


def _refunded(payload: dict) -> str:
    sentence = f"Refunded {money(payload.get('amount'))}"
    if payload.get("external"):
        sentence += " outside the gateway"
    return _with_details(sentence, [f"reason {payload['reason']}"] if payload.get("reason") else [])


def _note_added(payload: dict) -> str:
    return f"Note added: “{Truncator(payload.get('text', '')).chars(200)}”"


def _edited(payload: dict) -> str:
    changes = payload.get("changes") or {}
    parts = [
        f"{field.replace('_', ' ')}: {change.get('before') or '—'} → {change.get('after') or '—'}"
        for field, change in changes.items()
    ]
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
        f"{payload.get('result', '?')}"
    )


def _replacement_created(payload: dict) -> str:
    kind = "free" if payload.get("free") else "to pay"
    sentence = f"Replacement order {payload.get('replacement_order_id', '?')} created ({kind})"
    return _with_details(sentence, [payload["reason"]] if payload.get("reason") else [])


def _deleted(payload: dict) -> str:
    return f"Deleted: {payload['reason']}" if payload.get("reason") else "Deleted"


def _undeleted(payload: dict) -> str:
    return f"Undeleted (back in {payload['stage']})" if payload.get("stage") else "Undeleted"


def _costs_changes(payload: dict) -> list[str]:
    before, after = payload.get("before") or {}, payload.get("after") or {}
    return [
        f"{name} {money(before.get(name))} → {money(after.get(name))}"
        for name in ("shipping", "fulfillment", "payment", "profit")
        if before.get(name) != after.get(name)
    ]


def _costs_imported(payload: dict) -> str:
    return _with_details(f"Actual costs imported (import #{payload.get('import_id')})",
                         _costs_changes(payload))  # fmt: skip


def _costs_import_undone(payload: dict) -> str:
    return _with_details(f"Actual-cost import #{payload.get('import_id')} undone",
                         _costs_changes(payload))  # fmt: skip


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
}


def _auto_order_changed(payload: dict) -> str:
    action = payload.get("action", "")
    sentence = f"Auto order {payload.get('code', '?')} {AUTO_ORDER_ACTIONS.get(action, action)}"
    details = [
        f"{key.replace('_', ' ')} {payload[key]}"
        for key in ("until", "after", "reason", "skipped_periods")
        if payload.get(key) not in (None, "", 0)
    ]
    return _with_details(sentence, details)


def _rebilled(payload: dict) -> str:
    return (
        f"Auto order {payload.get('code', '?')} rebilled: order {payload.get('rebill_order_id')} "
        f"of {money(payload.get('amount'))}, {payload.get('result', '?')}"
    )


@register.filter
def schedule_label(name: str) -> str:
    return schedule_label_for(name or "")


SUMMARIES: dict[str, Callable[[dict], str]] = {
    "auto_order_created": _auto_order_created,
    "auto_order_changed": _auto_order_changed,
    "order_rebilled": _rebilled,
    "order_costs_imported": _costs_imported,
    "order_costs_import_undone": _costs_import_undone,
    "order_placed": _placed,
    "order_transitioned": _transitioned,
    "order_payment": _payment,
    "order_refunded": _refunded,
    "order_note_added": _note_added,
    "order_edited": _edited,
    "order_email_sent": _email_sent,
    "order_email_failed": _email_failed,
    "order_email_queued": _email_queued,
    "order_email_not_queued": _email_not_queued,
    "order_ar_retried": _ar_retried,
    "order_replacement_created": _replacement_created,
    "order_deleted": _deleted,
    "order_undeleted": _undeleted,
}
SUMMARIES.update(DISPUTE_SUMMARIES)


@register.filter
def event_summary(event) -> str:
    """One readable sentence for a timeline event, from its type and payload."""
    summarize = SUMMARIES.get(event.type)
    payload = event.payload if isinstance(event.payload, dict) else {}
    if summarize is None:
        return event.type.replace("_", " ").capitalize()
    return summarize(payload)
