"""An order's actual costs (shipping, fulfillment, payment) and the actual profit they make:
their one writer.

One order at a time, `order_costs_set` (the admin's edit). Many orders at once, set-based: a
caller that has stored a plan of what to do to each order (Import Actual Costs) hands its
table to `order_costs_apply_plan`, and the change rows that apply wrote to
`order_costs_undo_changes`. Both lock the orders, write one event per order by INSERT … SELECT
and the new costs by one UPDATE … FROM, in a constant number of statements whatever the number
of orders, with each cost after computed by the SQL here and profit by the model's own SQL
form. The tables belong to the caller (orders imports neither tools nor lifecycle): it names
them and their columns with `CostPlanTable` and `CostChangeTable`.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from orders.events import (
    COSTS_RECORDED,
    order_costs_import_undone_events_insert,
    order_costs_imported_events_insert,
    order_edited_event,
)
from orders.exceptions import CostPlanOutdated
from orders.models import Order
from orders.writes import order_save_changed

from .locking import order_change_atomic, order_lock

# The costs a plan sets or adds to: key (as the events record costs) → Order field.
COST_FIELDS = {key: field for key, field in COSTS_RECORDED.items() if key != "profit"}


@dataclass(frozen=True)
class CostPlanTable:
    """A caller's stored plan of cost changes, one row per order: the rows whose `plan_column`
    is `plan_id`. `order` holds the order's pk; `shipping` and `fulfillment` the new value
    (NULL: left as it is); `payment` the amount added (NULL: none); `label` how the plan names
    the order and `position` its place in the plan, to say which order no longer applies.
    Database names, unquoted. The plan's ID is the `import_id` its events record."""

    table: str
    plan_column: str
    plan_id: int
    order: str = "order_pk"
    label: str = "order_id"
    position: str = "first_row"
    shipping: str = "shipping"
    fulfillment: str = "fulfillment"
    payment: str = "payment"


@dataclass(frozen=True)
class CostChangeTable:
    """Where an apply records each order's costs before it and its undo reads them back, one row
    per order: the rows whose `plan_column` is `plan_id`; `order` holds the order's pk. A cost
    the plan left alone has NULL before and after; `payment_added` is NULL when none was."""

    table: str
    plan_column: str
    plan_id: int
    pk: str = "id"  # the change row's own key: the order the undo lists skipped orders in
    order: str = "order_id"
    shipping_before: str = "shipping_before"
    shipping_after: str = "shipping_after"
    fulfillment_before: str = "fulfillment_before"
    fulfillment_after: str = "fulfillment_after"
    payment_before: str = "payment_before"
    payment_added: str = "payment_added"


@dataclass(frozen=True)
class CostsUndone:
    restored: int  # orders whose costs were restored
    total: int  # change rows of the plan
    skipped: list[dict[str, str]]  # {"order_id", "reason"} of each order left alone, in order


# ---- one order ----------------------------------------------------------------------------


def order_costs_set(
    *,
    order: Order | int,
    by: User | None,
    shipping: Decimal | None = None,
    fulfillment: Decimal | None = None,
    payment: Decimal | None = None,
    via: str = "",
    edits: dict[str, tuple[Any, Any]] | None = None,
    lock_held: bool = False,
) -> Order:
    """Set an order's actual costs (None: left as it is) and recompute its actual profit.

    Side effects: the order locked and saved; one order_edited event naming each cost changed
    and the profit, before → after, with `edits` (the other fields the same edit changed, so
    that one edit stays one event). No event when nothing changed.
    """
    wanted = {
        "actual_shipping": shipping,
        "actual_fulfillment": fulfillment,
        "actual_payment": payment,
    }
    with order_change_atomic(lock_held=lock_held):
        locked = order_lock(order, lock_held=lock_held)
        snapshot = locked.field_values()
        changes: dict[str, tuple[Any, Any]] = {}
        for field, value in wanted.items():
            if value is not None and value != getattr(locked, field):
                changes[field] = (getattr(locked, field), value)
                setattr(locked, field, value)
        if changes:
            profit = locked.actual_profit
            locked.actual_profit = locked.compute_actual_profit()
            changes["actual_profit"] = (profit, locked.actual_profit)
            order_save_changed(locked, snapshot)
        changes = {**(edits or {}), **changes}
        if changes:
            order_edited_event(order=locked, changes=changes, by=by, via=via)
    return locked


# ---- many orders, set-based ---------------------------------------------------------------


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _orders_table() -> str:
    return _q(Order._meta.db_table)


def costs_after_sql(plan: CostPlanTable, *, order: str = "o", row: str = "p") -> dict[str, str]:
    """SQL of each cost once the plan is applied, from an order row and its plan row: shipping
    and fulfillment replaced, payment added, profit recomputed by the model's own definition.
    Keyed as the events record costs."""
    after = {
        "shipping": f"COALESCE({row}.{_q(plan.shipping)}, {order}.actual_shipping)",
        "fulfillment": f"COALESCE({row}.{_q(plan.fulfillment)}, {order}.actual_fulfillment)",
        "payment": f"{order}.actual_payment + COALESCE({row}.{_q(plan.payment)}, 0)",
    }
    return _with_profit(after, order)


def _with_profit(after: dict[str, str], order: str) -> dict[str, str]:
    fields = {COST_FIELDS[key]: sql for key, sql in after.items()}
    profit = Order.actual_profit_sql(lambda name: fields.get(name, f"{order}.{name}"))
    return {**after, "profit": profit}


def cost_plan_join_sql(plan: CostPlanTable) -> tuple[str, list[Any]]:
    """The plan's orders (o) joined with their plan rows (p), and its parameters.

    Joined on the orders' primary key only, with no filter on the orders' side: PostgreSQL
    then sees every order as a candidate, and whatever it believes of a new plan's rows
    (statistics never know a new plan: often "one row"), it drives the join from them with an
    index lookup per order, or hashes both sides, never rescans one per row of the other.
    """
    sql = (
        f"{_orders_table()} o JOIN {_q(plan.table)} p "
        f"ON p.{_q(plan.plan_column)} = %s AND p.{_q(plan.order)} = o.id"
    )
    return sql, [plan.plan_id]


def order_costs_apply_plan(
    *,
    merchant_id: int,
    plan: CostPlanTable,
    changes: CostChangeTable,
    by: User | None,
    via: str = "",
    job_id: int | None = None,
) -> int:
    """Apply a stored plan to the merchant's orders, all of them or none; returns how many.

    Run inside the caller's transaction. Side effects: the plan's orders locked; one change
    row each in `changes` (what the undo restores); one order_costs_imported event each; their
    costs and profit. CostPlanOutdated (nothing kept once the caller rolls back) when one of
    the plan's orders is gone, deleted or another merchant's.
    """
    _changes_write(plan, changes)
    _plan_check(plan, merchant_id)
    join, params = cost_plan_join_sql(plan)
    after = costs_after_sql(plan)
    count = order_costs_imported_events_insert(
        source_sql=_events_source_sql(join, after),
        params=params,
        import_id=plan.plan_id,
        by=by,
        via=via,
        job_id=job_id,
    )
    _orders_update(
        source=f"{_q(plan.table)} p",
        where=f"p.{_q(plan.plan_column)} = %s AND o.id = p.{_q(plan.order)}",
        params=params,
        after=after,
    )
    return count


def _changes_write(plan: CostPlanTable, changes: CostChangeTable) -> None:
    """Lock the plan's orders and record each one's costs before it (a change row)."""
    join, params = cost_plan_join_sql(plan)
    lock = " FOR UPDATE OF o" if connection.features.has_select_for_update_of else ""
    c = changes
    columns = ", ".join(
        _q(name)
        for name in (
            c.plan_column,
            c.order,
            c.shipping_before,
            c.shipping_after,
            c.fulfillment_before,
            c.fulfillment_after,
            c.payment_before,
            c.payment_added,
        )
    )
    shipping, fulfillment = _q(plan.shipping), _q(plan.fulfillment)
    sql = (
        f"INSERT INTO {_q(c.table)} ({columns}) "  # noqa: S608
        f"SELECT p.{_q(plan.plan_column)}, o.id, "
        f"CASE WHEN p.{shipping} IS NULL THEN NULL ELSE o.actual_shipping END, p.{shipping}, "
        f"CASE WHEN p.{fulfillment} IS NULL THEN NULL ELSE o.actual_fulfillment END, "
        f"p.{fulfillment}, o.actual_payment, p.{_q(plan.payment)} FROM {join} "
        f"ORDER BY o.id{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _plan_check(plan: CostPlanTable, merchant_id: int) -> None:
    """Refuse the plan if an order of it is no longer one of the merchant's live orders (the
    first in the plan's order); asked once the orders are locked, so the answer holds until
    the caller commits."""
    sql = (
        f"SELECT p.{_q(plan.label)} FROM {_q(plan.table)} p "  # noqa: S608
        f"LEFT JOIN {_orders_table()} o ON o.id = p.{_q(plan.order)} "
        f"WHERE p.{_q(plan.plan_column)} = %s "
        "AND (o.id IS NULL OR o.deleted_at IS NOT NULL OR o.merchant_id <> %s) "
        f"ORDER BY p.{_q(plan.position)} LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [plan.plan_id, merchant_id])
        row = cursor.fetchone()
    if row:
        raise CostPlanOutdated(order_label=row[0])


def _events_source_sql(join: str, after: dict[str, str], tail: str = "") -> str:
    """The rows an events INSERT … SELECT reads: order_pk, before_<key> and after_<key>."""
    columns = [f"o.{field} AS before_{key}" for key, field in COSTS_RECORDED.items()]
    columns += [f"{after[key]} AS after_{key}" for key in COSTS_RECORDED]
    return f"SELECT o.id AS order_pk, {', '.join(columns)} FROM {join}{tail}"  # noqa: S608


def _orders_update(*, source: str, where: str, params: list[Any], after: dict[str, str]) -> None:
    """Set the costs and profit of the orders (o) that `source` and `where` select."""
    assignments = ", ".join(f"{field} = {after[key]}" for key, field in COSTS_RECORDED.items())
    sql = (
        f"UPDATE {_orders_table()} AS o SET {assignments}, updated_at = %s "  # noqa: S608
        f"FROM {source} WHERE {where}"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *params])


# ---- undo ---------------------------------------------------------------------------------


def _changed_since_sql(changes: CostChangeTable) -> dict[str, str]:
    """Per cost, SQL true when the order's value is no longer what the apply left (o, c)."""
    c = {
        name: f"c.{_q(getattr(changes, name))}"
        for name in (
            "shipping_after",
            "fulfillment_after",
            "payment_before",
            "payment_added",
        )
    }
    return {
        "shipping": f"({c['shipping_after']} IS NOT NULL "
        f"AND o.actual_shipping <> {c['shipping_after']})",
        "fulfillment": f"({c['fulfillment_after']} IS NOT NULL "
        f"AND o.actual_fulfillment <> {c['fulfillment_after']})",
        "payment": f"({c['payment_added']} IS NOT NULL "
        f"AND o.actual_payment <> {c['payment_before']} + {c['payment_added']})",
        "deleted": "(o.deleted_at IS NOT NULL)",
    }


def _restored_sql(changes: CostChangeTable) -> dict[str, str]:
    """SQL of each cost once the change is undone: replaced values back, the payment added
    taken off, profit recomputed."""
    c = changes
    restored = {
        "shipping": f"CASE WHEN c.{_q(c.shipping_after)} IS NULL THEN o.actual_shipping "
        f"ELSE c.{_q(c.shipping_before)} END",
        "fulfillment": f"CASE WHEN c.{_q(c.fulfillment_after)} IS NULL "
        f"THEN o.actual_fulfillment ELSE c.{_q(c.fulfillment_before)} END",
        "payment": f"o.actual_payment - COALESCE(c.{_q(c.payment_added)}, 0)",
    }
    return _with_profit(restored, "o")


def order_costs_undo_changes(
    *,
    merchant_id: int,
    changes: CostChangeTable,
    by: User | None,
    via: str = "",
    job_id: int | None = None,
) -> CostsUndone:
    """Undo an applied plan from its change rows: restore the costs it replaced and take off
    the payment it added, on the merchant's orders whose costs have not changed since (an
    order changed since, by another import or an edit, or deleted, is left alone and listed).

    Run inside the caller's transaction. Side effects: the orders locked; one
    order_costs_import_undone event per order restored; their costs and profit.
    """
    table, plan_column, order = _q(changes.table), _q(changes.plan_column), _q(changes.order)
    on = f"c.{plan_column} = %s AND o.id = c.{order} AND o.merchant_id = %s"
    params = [changes.plan_id, merchant_id]
    changed = _changed_since_sql(changes)
    skipped = _undo_lock(changes, on, params, changed)
    unchanged = f"{on} AND NOT ({' OR '.join(changed.values())})"
    restored = _restored_sql(changes)
    source = _events_source_sql(
        f"{_orders_table()} o JOIN {table} c ON {unchanged}",
        restored,
        f" ORDER BY c.{_q(changes.pk)}",
    )
    count = order_costs_import_undone_events_insert(
        source_sql=source,
        params=params,
        import_id=changes.plan_id,
        by=by,
        via=via,
        job_id=job_id,
    )
    _orders_update(source=f"{table} c", where=unchanged, params=params, after=restored)
    return CostsUndone(restored=count, total=_changes_count(changes), skipped=skipped)


def _undo_lock(
    changes: CostChangeTable, on: str, params: list[Any], changed: dict[str, str]
) -> list[dict[str, str]]:
    """Lock the merchant's orders of the change rows; the ones changed since, in the change
    rows' order, with what changed."""
    lock = " FOR UPDATE OF o" if connection.features.has_select_for_update_of else ""
    sql = (
        f"SELECT c.{_q(changes.pk)}, o.order_id, {', '.join(changed.values())} "  # noqa: S608
        f"FROM {_orders_table()} o JOIN {_q(changes.table)} c ON {on} ORDER BY o.id{lock}"
    )  # locked in the orders' own order, as every writer of many orders does
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = sorted(cursor.fetchall())
    skipped = []
    for _, order_id, *flags in found:
        reasons = [name for name, flag in zip(changed, flags, strict=True) if flag]
        if reasons:
            reason = ", ".join(reasons) + " changed since the import"
            skipped.append({"order_id": order_id, "reason": reason})
    return skipped


def _changes_count(changes: CostChangeTable) -> int:
    sql = f"SELECT COUNT(*) FROM {_q(changes.table)} WHERE {_q(changes.plan_column)} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [changes.plan_id])
        return cursor.fetchone()[0]
