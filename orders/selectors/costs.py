"""Reading a stored plan of cost changes before it is applied (the import's preview)."""

from decimal import Decimal
from typing import Any

from django.db import connection

from orders.events import COSTS_RECORDED
from orders.services.costs import CostPlanTable, cost_plan_join_sql, costs_after_sql

CENT = Decimal("0.01")
Costs = dict[str, Decimal]


def order_costs_planned(
    *, plan: CostPlanTable, order_pks: list[int]
) -> dict[int, tuple[Costs, Costs]]:
    """Order pk → (costs now, costs once the plan is applied), keyed as the events record
    costs, for those of `order_pks` that the plan names and that exist; reads only."""
    if not order_pks:
        return {}
    join, params = cost_plan_join_sql(plan)
    after = costs_after_sql(plan)
    columns = [f"o.{field}" for field in COSTS_RECORDED.values()]
    columns += [after[key] for key in COSTS_RECORDED]
    listed = ", ".join(["%s"] * len(order_pks))
    order = connection.ops.quote_name(plan.order)
    sql = (
        f"SELECT o.id, {', '.join(columns)} FROM {join} "  # noqa: S608
        f"WHERE o.id IN ({listed}) AND p.{order} IN ({listed})"
    )  # both sides by their index, whatever the planner believes of them
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *order_pks, *order_pks])
        found = cursor.fetchall()
    return {
        order_pk: (
            dict(zip(COSTS_RECORDED, map(_money, values[:4]), strict=True)),
            dict(zip(COSTS_RECORDED, map(_money, values[4:]), strict=True)),
        )
        for order_pk, *values in found
    }


def _money(value: Any) -> Decimal:
    """A money value read by a raw cursor (a float on SQLite) as its 2-place Decimal."""
    return (value if isinstance(value, Decimal) else Decimal(repr(value))).quantize(CENT)
