"""Counts for the Order Management home and the navigation: two small queries per call."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Q, Sum
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


def _overdue_filter(merchant: Merchant, now: datetime) -> Q | None:
    """Orders that entered their stage longer ago than the merchant's limit for that stage."""
    condition = None
    for screen in STAGE_SCREENS:
        for stage in screen.stages:
            limit = merchant.stage_age_limit(stage)
            if limit is None:
                continue
            part = Q(stage=stage, stage_entered_at__lt=now - timedelta(days=limit))
            condition = part if condition is None else condition | part
    return condition


def stage_counts_kept() -> bool:
    """True where triggers keep the counts (PostgreSQL); elsewhere orders are counted."""
    return connection.vendor == "postgresql"


def stage_counts_for(*, merchant: Merchant) -> dict[str, int]:
    """{stage: number of live orders} for the merchant, stages without orders left out."""
    if stage_counts_kept():
        rows = (
            StageCountDelta.objects.filter(merchant=merchant)
            .values_list("stage")
            .annotate(count=Sum("delta"))
            .order_by()
        )
    else:
        rows = (
            Order.objects.live()
            .for_merchant(merchant)
            .values_list("stage")
            .annotate(count=Count("pk"))
            .order_by()
        )
    return {stage: count for stage, count in rows if count}


def order_stage_counts_get(*, merchant: Merchant, now: datetime | None = None) -> StageCounts:
    """Live (not deleted) orders per stage screen, with how many are overdue there.

    The counts come from the ones the database keeps (StageCountDelta); the
    overdue ones are counted through the (merchant, stage, entered) index, for the stages
    that have an age limit.
    """
    now = now or timezone.now()
    counts = stage_counts_for(merchant=merchant)
    overdue: dict[str, int] = {}
    overdue_filter = _overdue_filter(merchant, now)
    if overdue_filter is not None:
        rows = (
            Order.objects.live()
            .for_merchant(merchant)
            .filter(overdue_filter)
            .values_list("stage")
            .annotate(count=Count("pk"))
            .order_by()
        )
        overdue = dict(rows)
    screens = [
        ScreenCount(
            screen=screen,
            count=sum(counts.get(stage, 0) for stage in screen.stages),
            overdue=sum(overdue.get(stage, 0) for stage in screen.stages),
        )
        for screen in STAGE_SCREENS
    ]
    return StageCounts(total=sum(counts.values()), screens=screens, by_stage=counts)
