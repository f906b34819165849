"""Counts for the Order Management home and the navigation: one statement per call."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import BigIntegerField, Count, Sum, Value
from django.utils import timezone

from orders.models import Merchant, Order, StageCountDelta
from orders.states import STAGE_SCREENS, StageScreen


@dataclass(frozen=True)
class ScreenCount:
    screen: StageScreen
    count: int
    overdue: int


@dataclass(frozen=True)
class StageCounts:
    total: int
    screens: list[ScreenCount] = field(default_factory=list)
    by_stage: dict[str, int] = field(default_factory=dict)

    def for_slug(self, slug: str) -> ScreenCount | None:
        return next((item for item in self.screens if item.screen.slug == slug), None)


def _within_limit_sql(merchant: Merchant, now: datetime) -> tuple[list[str], list]:
    """Per stage with an age limit, a SELECT of the (stage, 0, within) row of its live orders
    that entered it within that limit (the rest are overdue), with its parameters. Each is an
    index-only scan of the partial (merchant, stage, entered) index over the recent days: an
    OR of the stages' ranges made PostgreSQL read every matching order's row (25 ms at
    1,000,000). Written as SQL: building the same SELECTs through the ORM cost ~6 ms of
    Python on every page that shows the navigation."""
    table = connection.ops.quote_name(Order._meta.db_table)
    selects, params = [], []
    for screen in STAGE_SCREENS:
        for stage in screen.stages:
            limit = merchant.stage_age_limit(stage)
            if limit is None:
                continue
            selects.append(
                f"SELECT stage, 0, COUNT(*) FROM {table} WHERE merchant_id = %s "  # noqa: S608
                "AND deleted_at IS NULL AND stage = %s AND stage_entered_at >= %s GROUP BY stage"
            )  # only the model's own table name is interpolated
            since = connection.ops.adapt_datetimefield_value(now - timedelta(days=limit))
            params += [merchant.pk, stage, since]
    return selects, params


def stage_counts_kept() -> bool:
    """True where triggers keep the counts (PostgreSQL); elsewhere orders are counted."""
    return connection.vendor == "postgresql"


def _live_counts(merchant: Merchant):
    """(stage, live, within limit) rows of the live orders per stage."""
    if stage_counts_kept():
        return (
            StageCountDelta.objects.filter(merchant=merchant)
            .values_list("stage")
            .annotate(live=Sum("delta"), within=Value(0, output_field=BigIntegerField()))
        )
    return (
        Order.objects.live()
        .for_merchant(merchant)
        .values_list("stage")
        .annotate(live=Count("pk"), within=Value(0, output_field=BigIntegerField()))
    )


def stage_counts_for(*, merchant: Merchant) -> dict[str, int]:
    """{stage: number of live orders} for the merchant, stages without orders left out."""
    return {stage: live for stage, live, _ in _live_counts(merchant).order_by() if live}


def order_stage_counts_get(*, merchant: Merchant, now: datetime | None = None) -> StageCounts:
    """Live (not deleted) orders per stage screen, with how many are overdue there.

    One statement, so one snapshot: the live counts (kept by the database, StageCountDelta)
    and, for stages with an age limit, how many entered within the limit; the rest of the
    stage is overdue. Counting the orders within the limit reads the (merchant, stage,
    entered) index over the last few days only, however large an overdue backlog grows.
    """
    now = now or timezone.now()
    live_sql, live_params = _live_counts(merchant).order_by().query.sql_with_params()
    within_selects, within_params = _within_limit_sql(merchant, now)
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join([live_sql, *within_selects]), [*live_params, *within_params]
        )
        rows = cursor.fetchall()
    counts: dict[str, int] = {}
    within: dict[str, int] = {}
    for stage, live, recent_count in rows:
        counts[stage] = counts.get(stage, 0) + live
        within[stage] = within.get(stage, 0) + recent_count
    overdue = {
        stage: max(0, count - within.get(stage, 0))
        for stage, count in counts.items()
        if merchant.stage_age_limit(stage) is not None
    }
    counts = {stage: count for stage, count in counts.items() if count}
    screens = [
        ScreenCount(
            screen=screen,
            count=sum(counts.get(stage, 0) for stage in screen.stages),
            overdue=sum(overdue.get(stage, 0) for stage in screen.stages),
        )
        for screen in STAGE_SCREENS
    ]
    return StageCounts(total=sum(counts.values()), screens=screens, by_stage=counts)
