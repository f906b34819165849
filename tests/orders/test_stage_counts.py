"""Stage counts kept by PostgreSQL triggers (StageCountDelta) always equal a direct count of
the merchant's live orders, whatever changed them; folding keeps them; a fold beside an open
change loses nothing."""

import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.seed import orders_seed
from orders.models import Order, StageCountDelta
from orders.selectors.home import order_stage_counts_get, stage_counts_for
from orders.services.deletion import order_delete, order_undelete, orders_deleted_purge
from orders.services.stage_counts import stage_counts_fold
from orders.states import Stage
from tests.orders.builders import order_in_stage, walk
from tools.job_runner import job_run
from tools.models import Job

pytestmark = pytest.mark.django_db


def direct_counts(merchant) -> dict[str, int]:
    rows = Order.objects.live().for_merchant(merchant).values_list("stage").annotate(n=Count("pk"))
    return dict(rows.order_by())


def test_kept_counts_follow_every_kind_of_change(needs_postgres, merchant, other_merchant):
    for stage in [Stage.ACCOUNTS_RECEIVABLE, Stage.QUOTE_REQUEST, Stage.FRAUD_REVIEW]:
        order_in_stage(merchant, stage)
    shipped = walk(order_in_stage(merchant, Stage.SHIPPING), "mark_shipped", carrier="UPS")
    seeded = orders_seed(merchant=merchant, count=30)  # COPY
    orders_seed(merchant=other_merchant, count=7)
    held = walk(Order.objects.get(pk=seeded[0]), "hold", reason="Address check")
    assert stage_counts_for(merchant=merchant) == direct_counts(merchant)

    batch = Job.objects.create(
        merchant=merchant,
        kind="operation",
        order_pks=seeded[1:21],
        total=20,
        params={"operation": "hold", "inputs": {"reason": "Batch"}, "selection": {}},
    )
    job_run(job_id=batch.pk)  # one UPDATE … FROM (VALUES …) per chunk
    order_delete(order=shipped, reason="Duplicate")
    order_delete(order=held, reason="Test order")
    order_undelete(order=held)
    Order.objects.filter(pk__in=seeded[21:25]).delete()  # hard, live orders
    order_delete(order=seeded[25], reason="Spam")
    merchant.retention_days = 0
    merchant.save()
    orders_deleted_purge(now=timezone.now() + timedelta(seconds=1))  # hard, deleted orders

    assert direct_counts(merchant)[Stage.HOLD] == 21
    assert stage_counts_for(merchant=merchant) == direct_counts(merchant)
    assert stage_counts_for(merchant=other_merchant) == {Stage.SHIPPING: 7}
    counts = order_stage_counts_get(merchant=merchant)
    assert counts.total == sum(direct_counts(merchant).values())


def test_folding_leaves_one_row_per_stage_and_the_same_counts(needs_postgres, merchant):
    pks = orders_seed(merchant=merchant, count=12)
    for pk in pks[:5]:
        walk(Order.objects.get(pk=pk), "hold", reason="Check")
    for pk in pks[:2]:
        walk(Order.objects.get(pk=pk), "release_hold")
    before = stage_counts_for(merchant=merchant)
    assert StageCountDelta.objects.filter(merchant=merchant).count() > len(before)

    stage_counts_fold()

    assert stage_counts_for(merchant=merchant) == before == direct_counts(merchant)
    rows = StageCountDelta.objects.filter(merchant=merchant)
    assert sorted(rows.values_list("stage", flat=True)) == sorted(before)


@pytest.mark.django_db(transaction=True)
def test_a_fold_beside_an_open_change_loses_nothing(needs_postgres, merchant):
    pks = orders_seed(merchant=merchant, count=6)
    changed, commit = threading.Event(), threading.Event()

    def hold_in_another_transaction() -> None:
        try:
            with transaction.atomic():
                Order.objects.filter(pk__in=pks[:3]).update(stage=Stage.HOLD)
                changed.set()
                commit.wait(timeout=30)
        finally:
            connections.close_all()

    worker = threading.Thread(target=hold_in_another_transaction)
    worker.start()
    assert changed.wait(timeout=30)
    stage_counts_fold()  # cannot see the open change's rows, and must not lose them
    commit.set()
    worker.join(timeout=30)
    stage_counts_fold()

    assert stage_counts_for(merchant=merchant) == {Stage.SHIPPING: 3, Stage.HOLD: 3}
    assert connection.vendor == "postgresql"


def _screen_counts(merchant, **kwargs) -> dict[str, tuple[int, int]]:
    counts = order_stage_counts_get(merchant=merchant, **kwargs)
    return {item.screen.slug: (item.count, item.overdue) for item in counts.screens}


def test_the_navigations_counts_are_kept_until_an_order_changes_stage(needs_postgres, merchant):
    """The counts (with each stage's orders within its age limit) are read once, then served
    from the cache on later pages: one query for the version, no order read. A stage change,
    a deletion or an order growing overdue shows at once."""
    cache.clear()
    merchant.stage_age_limits = {Stage.ACCOUNTS_RECEIVABLE: 3}
    merchant.save()
    order = order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE)
    first = _screen_counts(merchant)
    assert first["accounts-receivable"] == (1, 0)

    with CaptureQueriesContext(connection) as queries:
        assert _screen_counts(merchant) == first
    assert len(queries) == 1
    assert "orders_order" not in queries[0]["sql"]

    walk(order, "hold", reason="Address check")
    assert _screen_counts(merchant)["accounts-receivable"] == (0, 0)
    assert _screen_counts(merchant)["hold"] == (1, 0)
    order_delete(order=Order.objects.get(pk=order.pk), reason="Duplicate")
    assert _screen_counts(merchant)["hold"] == (0, 0)

    late = order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE)
    assert _screen_counts(merchant)["accounts-receivable"] == (1, 0)
    later = timezone.now() + timedelta(days=4)
    assert _screen_counts(merchant, now=later)["accounts-receivable"] == (1, 1)
    merchant.stage_age_limits = {Stage.ACCOUNTS_RECEIVABLE: 400}
    assert _screen_counts(merchant, now=later)["accounts-receivable"] == (1, 0)
    order_delete(order=late, reason="Duplicate")
    assert _screen_counts(merchant, now=later)["accounts-receivable"] == (0, 0)
