"""Counts for the Order Management home and the navigation: one grouped query per call."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from orders.models import Merchant, Order
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


def order_stage_counts_get(*, merchant: Merchant, now: datetime | None = None) -> StageCounts:
    """Live (not deleted) orders per stage screen, with how many are overdue there."""
    now = now or timezone.now()
    annotations = {"count": Count("pk")}
    overdue_filter = _overdue_filter(merchant, now)
    if overdue_filter is not None:
        annotations["overdue"] = Count("pk", filter=overdue_filter)
    rows = (
        Order.objects.live()
        .for_merchant(merchant)
        .order_by()
        .values("stage")
        .annotate(**annotations)
    )
    counts: dict[str, int] = {}
    overdue: dict[str, int] = {}
    for row in rows:
        counts[row["stage"]] = row["count"]
        overdue[row["stage"]] = row.get("overdue", 0)
    screens = [
        ScreenCount(
            screen=screen,
            count=sum(counts.get(stage, 0) for stage in screen.stages),
            overdue=sum(overdue.get(stage, 0) for stage in screen.stages),
        )
        for screen in STAGE_SCREENS
    ]
    return StageCounts(total=sum(counts.values()), screens=screens, by_stage=counts)
