"""Recorders of the audit timeline. Every service that changes an order calls one of these in
the same transaction as the change; nothing else writes OrderEvent or MerchantEvent rows."""

import json
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from .models import Merchant, MerchantEvent, MerchantEventType, Order, OrderEvent, OrderEventType
from .models.webhook import OutboxMessage
from .outbox import outbox_messages, webhook_topics
from .writes import row_insert


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _user_or_none(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def order_event_build(
    *, order: Order, type: OrderEventType, by=None, via: str = "", at=None, **payload: Any
) -> OrderEvent:
    """An unsaved event, for bulk writers (the demo seed) that insert many rows at once."""
    event = OrderEvent(
        order=order,
        type=type,
        actor=_user_or_none(by),
        actor_label=via,
        payload=_jsonable(payload),
    )
    if at is not None:
        event.created_at = at
    return event


def order_event_record(
    *, order: Order, type: OrderEventType, by=None, via: str = "", **payload: Any
) -> OrderEvent:
    event = order_event_build(order=order, type=type, by=by, via=via, **payload)
    row_insert(event)  # now, or with the job chunk's other writes (orders.writes)
    for message in outbox_messages(order=order, type=type, payload=event.payload):
        row_insert(message)  # the webhooks of this change commit, or roll back, with it
    return event


def order_placed_event(*, order: Order, by=None, via: str = "", **payload: Any) -> OrderEvent:
    return order_event_record(
        order=order,
        type=OrderEventType.PLACED,
        by=by,
        via=via,
        source=order.source,
        stage=order.stage,
        total=order.total,
        **payload,
    )


def order_transitioned_event(
    *,
    order: Order,
    transition: str,
    source: str,
    target: str,
    by=None,
    via: str = "",
    **payload: Any,
) -> OrderEvent:
    return order_event_record(
        order=order,
        type=OrderEventType.TRANSITIONED,
        by=by,
        via=via,
        transition=transition,
        source=source,
        target=target,
        **payload,
    )


def order_payment_event(
    *,
    order: Order,
    kind: str,
    amount: Decimal,
    result: str,
    by=None,
    via: str = "",
    **payload: Any,
) -> OrderEvent:
    return order_event_record(
        order=order,
        type=OrderEventType.PAYMENT,
        by=by,
        via=via,
        kind=kind,
        amount=amount,
        result=result,
        **payload,
    )


def order_refunded_event(
    *, order: Order, amount: Decimal, by=None, via: str = "", **payload: Any
) -> OrderEvent:
    return order_event_record(
        order=order, type=OrderEventType.REFUNDED, by=by, via=via, amount=amount, **payload
    )


def order_note_added_event(*, order: Order, text: str, by=None, via: str = "", **payload):
    return order_event_record(
        order=order, type=OrderEventType.NOTE_ADDED, by=by, via=via, text=text, **payload
    )


def order_edited_event(
    *, order: Order, changes: dict[str, tuple[Any, Any]], by=None, via: str = "", **payload
) -> OrderEvent:
    return order_event_record(
        order=order,
        type=OrderEventType.EDITED,
        by=by,
        via=via,
        changes={field: {"before": old, "after": new} for field, (old, new) in changes.items()},
        **payload,
    )


def order_deleted_event(*, order: Order, reason: str, by=None, via: str = "", **payload):
    return order_event_record(
        order=order, type=OrderEventType.DELETED, by=by, via=via, reason=reason, **payload
    )


def order_undeleted_event(*, order: Order, by=None, via: str = "", **payload):
    return order_event_record(order=order, type=OrderEventType.UNDELETED, by=by, via=via, **payload)


def order_email_sent_event(*, order: Order, template: str, to: str, via: str = "system"):
    return order_event_record(
        order=order, type=OrderEventType.EMAIL_SENT, via=via, template=template, to=to
    )


def order_email_failed_event(
    *, order: Order, template: str, to: str, error: str, via: str = "system"
):
    return order_event_record(
        order=order,
        type=OrderEventType.EMAIL_FAILED,
        via=via,
        template=template,
        to=to,
        error=error,
    )


def order_ar_retried_event(
    *, order: Order, attempt: int, of: int, result: str, via: str = "beat", **payload
) -> OrderEvent:
    return order_event_record(
        order=order,
        type=OrderEventType.AR_RETRIED,
        via=via,
        attempt=attempt,
        of=of,
        result=result,
        **payload,
    )


def order_shipped_part_event(
    *,
    order: Order,
    shipment_id: int,
    lines: list[dict[str, Any]],
    by=None,
    via: str = "",
    **payload,
) -> OrderEvent:
    """A shipment that leaves some of the order still to ship (the last one is the
    mark_shipped transition's event)."""
    return order_event_record(
        order=order,
        type=OrderEventType.SHIPPED_PART,
        by=by,
        via=via,
        shipment_id=shipment_id,
        lines=lines,
        **payload,
    )


def order_replacement_created_event(
    *, order: Order, replacement: Order, free: bool, by=None, via: str = "", **payload
) -> OrderEvent:
    return order_event_record(
        order=order,
        type=OrderEventType.REPLACEMENT_CREATED,
        by=by,
        via=via,
        replacement_order_id=replacement.order_id,
        free=free,
        **payload,
    )


def order_email_queued_event(*, order: Order, template: str, by=None, via: str = "", **payload):
    return order_event_record(
        order=order, type=OrderEventType.EMAIL_QUEUED, by=by, via=via, template=template, **payload
    )


def order_email_not_queued_event(
    *,
    order: Order,
    template: str,
    reason: str = "the task queue was unreachable",
    by=None,
    via: str = "system",
    **payload,
):
    """An email that was due but could not be handed to the task queue: it was not sent."""
    return order_event_record(
        order=order,
        type=OrderEventType.EMAIL_NOT_QUEUED,
        by=by,
        via=via,
        template=template,
        reason=reason,
        **payload,
    )


# An order's costs as the cost-import events record them: payload key → Order field.
COSTS_RECORDED = {
    "shipping": "actual_shipping",
    "fulfillment": "actual_fulfillment",
    "payment": "actual_payment",
    "profit": "actual_profit",
}


def order_costs_of(order: Order) -> dict[str, Decimal]:
    """The order's costs in the shape the cost-import events record as before and after."""
    return {key: getattr(order, field) for key, field in COSTS_RECORDED.items()}


def _order_costs_events(
    *,
    type: OrderEventType,
    changes: list[tuple[Order, dict[str, Any], dict[str, Any]]],
    import_id: int,
    by=None,
    via: str = "",
    job_id: int | None = None,
) -> list[OrderEvent]:
    events = [
        order_event_build(
            order=order,
            type=type,
            by=by,
            via=via,
            import_id=import_id,
            job_id=job_id,
            before=before,
            after=after,
        )
        for order, before, after in changes
    ]
    messages = [
        message
        for event in events
        for message in outbox_messages(order=event.order, type=type, payload=event.payload)
    ]
    OutboxMessage.objects.bulk_create(messages, batch_size=2000)
    return OrderEvent.objects.bulk_create(events, batch_size=2000)


def order_costs_imported_events(
    *,
    changes: list[tuple[Order, dict[str, Any], dict[str, Any]]],
    import_id: int,
    by=None,
    via: str = "",
    job_id: int | None = None,
) -> list[OrderEvent]:
    """One `order_costs_imported` event per order (before and after values), written at once.

    An import changes many orders in one transaction, so its events are bulk-inserted; the
    import is named by its ID (orders know nothing of the tools that act on them).
    """
    return _order_costs_events(
        type=OrderEventType.COSTS_IMPORTED,
        changes=changes,
        import_id=import_id,
        by=by,
        via=via,
        job_id=job_id,
    )


def order_costs_imported_events_insert(
    *,
    source_sql: str,
    params: list[Any],
    import_id: int,
    by=None,
    via: str = "",
    job_id: int | None = None,
) -> int:
    """order_costs_imported_events for orders changed in SQL: one event per row of
    `source_sql` (built by orders.services.costs), written by one INSERT … SELECT with the same
    payload. The source's columns are order_pk and before_<key> / after_<key> for each key of
    COSTS_RECORDED. Returns the number of events written.
    """
    return _order_costs_events_insert(
        type=OrderEventType.COSTS_IMPORTED,
        source_sql=source_sql,
        params=params,
        import_id=import_id,
        by=by,
        via=via,
        job_id=job_id,
    )


def order_costs_import_undone_events_insert(
    *,
    source_sql: str,
    params: list[Any],
    import_id: int,
    by=None,
    via: str = "",
    job_id: int | None = None,
) -> int:
    """One `order_costs_import_undone` event per order an undo restored, written by one
    INSERT … SELECT as order_costs_imported_events_insert. Returns the number written."""
    return _order_costs_events_insert(
        type=OrderEventType.COSTS_IMPORT_UNDONE,
        source_sql=source_sql,
        params=params,
        import_id=import_id,
        by=by,
        via=via,
        job_id=job_id,
    )


def _order_costs_events_insert(
    *,
    type: OrderEventType,
    source_sql: str,
    params: list[Any],
    import_id: int,
    by=None,
    via: str = "",
    job_id: int | None = None,
) -> int:
    costs = {
        when: _json_object({key: _money_text(f"s.{when}_{key}") for key in COSTS_RECORDED})
        for when in ("before", "after")
    }
    payload = _json_object(
        {
            "import_id": "CAST(%s AS BIGINT)",
            "job_id": "CAST(%s AS BIGINT)",
            **costs,
        }
    )
    table = connection.ops.quote_name(OrderEvent._meta.db_table)
    sql = (
        f"INSERT INTO {table} (order_id, type, actor_id, actor_label, created_at, payload) "  # noqa: S608
        f"SELECT s.order_pk, %s, %s, %s, %s, {payload} FROM ({source_sql}) s"
    )
    actor = _user_or_none(by)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    head = [str(type), actor.pk if actor else None, via, now, import_id, job_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*head, *params])
        written = cursor.rowcount
    (topic,) = webhook_topics(type, {})
    _costs_outbox_insert(
        topic=topic, source_sql=source_sql, params=params, payload_sql=payload, head=head
    )
    return written


def _costs_outbox_insert(
    *, topic: str, source_sql: str, params: list[Any], payload_sql: str, head: list[Any]
) -> None:
    """The outbox rows of a set-based cost change: one per order, with the audit payload."""
    now, import_id, job_id = head[3:]
    if connection.vendor != "postgresql":  # SQLite has no UUID function: make them here
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.order_pk, o.merchant_id, {payload_sql} FROM ({source_sql}) s "  # noqa: S608
                f"JOIN {Order._meta.db_table} o ON o.id = s.order_pk",
                [import_id, job_id, *params],
            )
            rows = cursor.fetchall()
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    merchant_id=merchant_id,
                    topic=topic,
                    order_pk=order_pk,
                    change=json.loads(change) if isinstance(change, str) else change,
                )
                for order_pk, merchant_id, change in rows
            ],
            batch_size=2000,
        )
        return
    table = OutboxMessage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (event_id, merchant_id, topic, order_pk, change, created_at) "  # noqa: S608
            f"SELECT gen_random_uuid(), o.merchant_id, %s, s.order_pk, {payload_sql}, %s "
            f"FROM ({source_sql}) s JOIN {Order._meta.db_table} o ON o.id = s.order_pk",
            [topic, import_id, job_id, now, *params],
        )


def _json_object(members: dict[str, str]) -> str:
    """SQL building a JSON object from (key → SQL expression); keys are our own constants."""
    function = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    arguments = ", ".join(f"'{key}', {sql}" for key, sql in members.items())
    return f"{function}({arguments})"


def _money_text(sql: str) -> str:
    """SQL writing a 2-place money value (a numeric(12, 2) column, or sums and differences of
    them) as str(Decimal) does: "7.10", "-0.40"."""
    if connection.vendor == "postgresql":
        return f"CAST({sql} AS TEXT)"  # numeric keeps the scale: 7.10 stays "7.10"
    return f"printf('%%.2f', {sql})"  # SQLite holds a float; %% : the query has parameters


def order_auto_order_created_event(
    *, order: Order, code: str, next_rebill_on, items: list[dict], by=None, via: str = ""
) -> OrderEvent:
    """On the original order: it started an auto order."""
    return order_event_record(
        order=order,
        type=OrderEventType.AUTO_ORDER_CREATED,
        by=by,
        via=via,
        code=code,
        next_rebill_on=next_rebill_on,
        items=items,
    )


def order_auto_order_changed_event(
    *, order: Order, code: str, action: str, by=None, via: str = "", **payload: Any
) -> OrderEvent:
    """On the original order: staff or the sweep changed its auto order (pause, cancel …)."""
    return order_event_record(
        order=order,
        type=OrderEventType.AUTO_ORDER_CHANGED,
        by=by,
        via=via,
        code=code,
        action=action,
        **payload,
    )


def order_rebilled_event(
    *,
    order: Order,
    code: str,
    rebill_order_id: str,
    result: str,
    by=None,
    via: str = "",
    **payload: Any,
) -> OrderEvent:
    """On the original order: its auto order billed a period (approved or declined)."""
    return order_event_record(
        order=order,
        type=OrderEventType.REBILLED,
        by=by,
        via=via,
        code=code,
        rebill_order_id=rebill_order_id,
        result=result,
        **payload,
    )


def order_chargeback_opened_event(
    *, order: Order, chargeback_id: int, case_number: str, amount: Decimal, status: str, **kw
) -> OrderEvent:
    return order_event_record(
        order=order,
        type=OrderEventType.CHARGEBACK_OPENED,
        chargeback_id=chargeback_id,
        case_number=case_number,
        amount=amount,
        status=status,
        **kw,
    )


def order_chargeback_changed_event(
    *, order: Order, chargeback_id: int, case_number: str, change: str, **kw
) -> OrderEvent:
    """A chargeback's status move, rebuttal edit or evidence upload (`change` says which)."""
    return order_event_record(
        order=order,
        type=OrderEventType.CHARGEBACK_CHANGED,
        chargeback_id=chargeback_id,
        case_number=case_number,
        change=change,
        **kw,
    )


def order_case_opened_event(
    *, order: Order, case_id: int, subject: str, by=None, via: str = "", **kw
) -> OrderEvent:
    return order_event_record(
        order=order,
        type=OrderEventType.CASE_OPENED,
        by=by,
        via=via,
        case_id=case_id,
        subject=subject,
        **kw,
    )


def order_case_message_event(
    *, order: Order, case_id: int, kind: str, text: str, by=None, via: str = "", **kw
) -> OrderEvent:
    return order_event_record(
        order=order,
        type=OrderEventType.CASE_MESSAGE,
        by=by,
        via=via,
        case_id=case_id,
        kind=kind,
        text=text,
        **kw,
    )


def order_case_changed_event(
    *, order: Order, case_id: int, change: str, by=None, via: str = "", **kw
) -> OrderEvent:
    """A case's status move or assignment (`change` says which)."""
    return order_event_record(
        order=order,
        type=OrderEventType.CASE_CHANGED,
        by=by,
        via=via,
        case_id=case_id,
        change=change,
        **kw,
    )


def order_return_opened_event(
    *,
    order: Order,
    return_id: int,
    lines: dict[int, int],
    reason: str,
    by=None,
    via: str = "",
    **kw,
) -> OrderEvent:
    """A return requested, by staff or by the customer through the return link."""
    return order_event_record(
        order=order,
        type=OrderEventType.RETURN_OPENED,
        by=by,
        via=via,
        return_id=return_id,
        lines={str(pk): quantity for pk, quantity in lines.items()},
        reason=reason,
        **kw,
    )


def order_return_changed_event(
    *, order: Order, return_id: int, rma_number: str, step: str, by=None, via: str = "", **kw
) -> OrderEvent:
    """A return's later step (`step`: authorized, received, refunded, rejected, cancelled)."""
    return order_event_record(
        order=order,
        type=OrderEventType.RETURN_CHANGED,
        by=by,
        via=via,
        return_id=return_id,
        rma_number=rma_number,
        step=step,
        **kw,
    )


def _merchant_event(
    *, merchant: Merchant, type: MerchantEventType, by=None, via: str = "", **payload: Any
) -> MerchantEvent:
    """One line of the merchant's audit trail (every merchant recorder below goes through it)."""
    return MerchantEvent.objects.create(
        merchant=merchant,
        type=type,
        actor=_user_or_none(by),
        actor_label=via,
        payload=_jsonable(payload),
    )


def webhook_endpoint_changed_event(
    *, merchant: Merchant, endpoint_id: int, change: str, by=None, via: str = "", **payload: Any
) -> MerchantEvent:
    """On the merchant: an owner added, changed, paused, resumed or removed a webhook endpoint,
    rotated its secret, or sent deliveries again (`change` says which)."""
    return _merchant_event(
        merchant=merchant,
        type=MerchantEventType.WEBHOOK_ENDPOINT_CHANGED,
        by=by,
        via=via,
        endpoint_id=endpoint_id,
        change=change,
        **payload,
    )


def carrier_changed_event(
    *, merchant: Merchant, carrier_id: int, change: str, name: str, by=None, **payload: Any
) -> MerchantEvent:
    """On the merchant: an owner added, edited or removed one of its carriers."""
    return _merchant_event(
        merchant=merchant,
        type=MerchantEventType.CARRIER_CHANGED,
        by=by,
        carrier_id=carrier_id,
        change=change,
        name=name,
        **payload,
    )


def orders_exported_event(
    *,
    merchant: Merchant,
    count: int,
    mapping: str,
    mapping_id: int,
    format: str,
    by=None,
    via: str = "",
    job_id: int | None = None,
    **payload: Any,
) -> MerchantEvent:
    """On the merchant: `count` of its orders were written to a file through a mapping.

    An export changes no order, so its event is the merchant's, not one per order. With a job,
    recorded once: a second run of the same job finds the first event.
    """
    values = {
        "actor": _user_or_none(by),
        "actor_label": via,
        "payload": _jsonable(
            {
                "count": count,
                "mapping": mapping,
                "mapping_id": mapping_id,
                "format": format,
                **payload,
            }
        ),
    }
    if job_id is None:
        return MerchantEvent.objects.create(
            merchant=merchant, type=MerchantEventType.ORDERS_EXPORTED, **values
        )
    event, _ = MerchantEvent.objects.get_or_create(
        merchant=merchant, type=MerchantEventType.ORDERS_EXPORTED, job_id=job_id, defaults=values
    )
    return event


def merchant_settings_changed_event(
    *,
    merchant: Merchant,
    group: str,
    label: str,
    changes: dict[str, tuple[Any, Any]],
    by=None,
) -> MerchantEvent:
    """On the merchant: one settings group saved, each changed field with its old and new value
    ({"field": [old, new]})."""
    return _merchant_event(
        merchant=merchant,
        type=MerchantEventType.SETTINGS_CHANGED,
        by=by,
        group=group,
        label=label,
        changes={name: [old, new] for name, (old, new) in changes.items()},
    )


def staff_invited_event(*, merchant: Merchant, email: str, role: str, by=None) -> MerchantEvent:
    return _merchant_event(
        merchant=merchant, type=MerchantEventType.STAFF_INVITED, by=by, email=email, role=role
    )


def staff_role_changed_event(
    *, merchant: Merchant, username: str, old: str, new: str, by=None
) -> MerchantEvent:
    return _merchant_event(
        merchant=merchant,
        type=MerchantEventType.STAFF_ROLE_CHANGED,
        by=by,
        username=username,
        old=old,
        new=new,
    )


def staff_removed_event(*, merchant: Merchant, username: str, role: str, by=None) -> MerchantEvent:
    return _merchant_event(
        merchant=merchant,
        type=MerchantEventType.STAFF_REMOVED,
        by=by,
        username=username,
        role=role,
    )


def api_token_created_event(
    *, merchant: Merchant, name: str, prefix: str, by=None
) -> MerchantEvent:
    return _merchant_event(
        merchant=merchant,
        type=MerchantEventType.API_TOKEN_CREATED,
        by=by,
        name=name,
        prefix=prefix,
    )


def api_token_revoked_event(
    *, merchant: Merchant, name: str, prefix: str, by=None
) -> MerchantEvent:
    return _merchant_event(
        merchant=merchant,
        type=MerchantEventType.API_TOKEN_REVOKED,
        by=by,
        name=name,
        prefix=prefix,
    )
