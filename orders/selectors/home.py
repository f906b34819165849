"""Counts for the Order Management home and the navigation: one statement per call."""

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import BigIntegerField, Count, Max, Sum, Value
from django.utils import timezone

from orders.models import Merchant, Order, StageCountDelta
from orders.states import STAGE_SCREENS, StageScreen

logger = logging.getLogger(__name__)

# The counts' rows are kept this long at most: the orders within a stage's age limit change
# with the clock alone (an order grows overdue), and a minute is finer than any limit (days).
STAGE_COUNTS_CACHE_SECONDS = 60


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


def _stage_count_rows_read(merchant: Merchant, now: datetime) -> list[tuple[str, int, int]]:
    live_sql, live_params = _live_counts(merchant).order_by().query.sql_with_params()
    within_selects, within_params = _within_limit_sql(merchant, now)
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join([live_sql, *within_selects]), [*live_params, *within_params]
        )
        return [(stage, int(live), int(within)) for stage, live, within in cursor.fetchall()]


def _stage_count_rows(merchant: Merchant, now: datetime) -> list[tuple[str, int, int]]:
    """The (stage, live, within limit) rows, kept in the cache under the newest change to the
    merchant's kept counts: every stage change, deletion and undelete writes a StageCountDelta
    row (a trigger), so a new row means new counts and a new key. Counting the orders within
    each limit reads tens of thousands of index entries at 1,000,000 orders (~7 ms on every
    page with the navigation); the version costs one index probe. Where no triggers keep the
    counts (SQLite) the rows are read each time."""
    if not stage_counts_kept():
        return _stage_count_rows_read(merchant, now)
    # The count too: a delta committed after a newer one (ids are taken before commit) still
    # changes the key.
    version = StageCountDelta.objects.filter(merchant=merchant).aggregate(
        newest=Max("pk"), rows=Count("pk")
    )
    limits = json.dumps(merchant.stage_age_limits, sort_keys=True).encode()
    minute = int(now.timestamp()) // STAGE_COUNTS_CACHE_SECONDS
    key = (
        f"stage-counts:{merchant.pk}:{version['newest']}:{version['rows']}:{minute}:"
        f"{hashlib.sha256(limits).hexdigest()[:16]}"
    )
    try:
        kept = cache.get(key)
    except Exception:  # the cache (Redis) unreachable: count, as without one
        logger.warning("Stage counts: the cache is unreachable", exc_info=True)
        return _stage_count_rows_read(merchant, now)
    if kept is not None:
        return [(stage, live, within) for stage, live, within in kept]
    rows = _stage_count_rows_read(merchant, now)
    try:
        cache.set(key, rows, STAGE_COUNTS_CACHE_SECONDS)
    except Exception:
        logger.warning("Stage counts: the cache is unreachable", exc_info=True)
    return rows


def order_stage_counts_get(*, merchant: Merchant, now: datetime | None = None) -> StageCounts:
    """Live (not deleted) orders per stage screen, with how many are overdue there.

    One statement, so one snapshot: the live counts (kept by the database, StageCountDelta)
    and, for stages with an age limit, how many entered within the limit; the rest of the
    stage is overdue. Counting the orders within the limit reads the (merchant, stage,
    entered) index over the last few days only, however large an overdue backlog grows.
    """
    now = now or timezone.now()
    counts: dict[str, int] = {}
    within: dict[str, int] = {}
    for stage, live, recent_count in _stage_count_rows(merchant, now):
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
