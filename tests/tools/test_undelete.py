"""Soft deletion and the Undelete tool: orders vanish everywhere and come back exactly."""

import datetime
from itertools import cycle

import pytest
from django.core import serializers
from django.utils import timezone

from orders.exceptions import TransitionNotAvailable, TransitionNotPermitted
from orders.models import Order, OrderEvent, PurgeLog
from orders.selectors.home import order_stage_counts_get
from orders.services.deletion import order_delete, order_undelete, orders_deleted_purge
from orders.services.fields import order_custom_field_set, order_tag_change
from orders.services.notes import order_note_append
from orders.states import Stage
from tests.factories import member, place
from tests.orders.builders import order_in_stage
from tests.tools.conftest import login
from tools.job_runner import job_run
from tools.models import Job

pytestmark = pytest.mark.django_db
MIXED = [
    Stage.SHIPPING,
    Stage.COMPLETED,
    Stage.ACCOUNTS_RECEIVABLE,
    Stage.HOLD,
    Stage.REJECTED,
    Stage.FRAUD_REVIEW,
    Stage.PRE_ORDER,
    Stage.QUOTE_REQUEST,
    Stage.PENDING_CLEARANCE,
]


def _dump(orders) -> list:
    """Every row of the orders and of what hangs off them, but the deletion trail itself."""
    pks = [order.pk for order in orders]
    rows = []
    for order in Order.objects.filter(pk__in=pks).order_by("pk"):
        rows.append(serializers.serialize("python", [order])[0])
        for related in ("lines", "transactions", "shipments", "notes"):
            rows.extend(serializers.serialize("python", getattr(order, related).order_by("pk")))
    events = OrderEvent.objects.filter(order_id__in=pks).exclude(
        type__in=["order_deleted", "order_undeleted"]
    )
    rows.extend(serializers.serialize("python", events.order_by("pk")))
    return rows


def _visible(client, merchant, orders) -> set[str]:
    page = client.get("/orders/").content.decode()
    return {order.order_id for order in orders if order.order_id in page}


def test_deleting_100_orders_hides_them_and_undelete_restores_them_exactly(
    client, merchant, manager
):
    stages = cycle(MIXED)
    orders = [order_in_stage(merchant, next(stages)) for _ in range(100)]
    order_note_append(order=orders[0], text="Keep me")
    order_custom_field_set(order=orders[1], number=2, value="web")
    order_tag_change(order=orders[2], name="vip", add=True)
    before = _dump(orders)
    tags_before = list(orders[2].tags.values_list("name", flat=True))
    counts_before = order_stage_counts_get(merchant=merchant)
    assert counts_before.total == 100
    login(client, manager)

    for order in orders:
        order_delete(order=order, by=manager, reason="test round trip")

    assert order_stage_counts_get(merchant=merchant).total == 0
    assert _visible(client, merchant, orders[:50]) == set()
    # Its page says it was deleted (410) instead of showing it.
    assert client.get(f"/orders/{orders[0].order_id}/").status_code == 410
    assert client.get("/find/", {"q": orders[0].order_id}).status_code == 302
    assert Order.objects.live().filter(merchant=merchant).count() == 0

    for order in orders:
        order_undelete(order=order, by=manager)

    assert _dump(orders) == before
    assert list(orders[2].tags.values_list("name", flat=True)) == tags_before
    assert order_stage_counts_get(merchant=merchant) == counts_before
    events = OrderEvent.objects.filter(order=orders[3]).order_by("pk")
    assert [e.type for e in events][-2:] == ["order_deleted", "order_undeleted"]
    assert events.last().payload["stage"] == orders[3].stage


def test_deleting_twice_and_undeleting_a_live_order_are_refused(merchant, manager):
    order = place(merchant)
    order_delete(order=order, by=manager, reason="dup")
    with pytest.raises(TransitionNotAvailable, match="already deleted"):
        order_delete(order=order, by=manager, reason="dup")
    order_undelete(order=order, by=manager)
    with pytest.raises(TransitionNotAvailable, match="not deleted"):
        order_undelete(order=order, by=manager)


def test_deleting_needs_a_reason_and_the_permission(merchant):
    order = place(merchant)
    clerk = member(merchant, "shipping")
    with pytest.raises(TransitionNotPermitted):
        order_delete(order=order, by=clerk, reason="no")
    with pytest.raises(Exception, match="reason"):
        order_delete(order=order, by=None, reason=" ")


def test_the_order_page_deletes_with_a_reason(client, merchant, manager):
    order = place(merchant)
    login(client, manager)
    page = client.get(f"/orders/{order.order_id}/").content.decode()
    assert f"/orders/{order.order_id}/delete/" in page

    asked = client.post(f"/orders/{order.order_id}/delete/", {"delete-reason": "Duplicate"})
    order.refresh_from_db()
    assert order.deleted_at is None  # deleting cannot be undone in one click: it asks first
    assert f"Delete {order.order_id} ({order.total:,.2f}, {order.email})?" in asked.content.decode()

    response = client.post(
        f"/orders/{order.order_id}/delete/", {"delete-reason": "Duplicate", "confirmed": "1"}
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.deleted_by, order.delete_reason) == (manager, "Duplicate")
    assert order.deleted_at is not None


def test_undelete_tool_filters_and_restores_selected_or_all_matching(
    client, merchant, manager, django_capture_on_commit_callbacks
):
    orders = [place(merchant, email=f"c{n}@example.com") for n in range(4)]
    for order in orders:
        order_delete(order=order, by=manager, reason="cleanup")
    login(client, manager)

    page = client.get("/tools/undelete/", {"customer": "c1@example.com"}).content.decode()
    assert orders[1].order_id in page
    assert orders[2].order_id not in page

    with django_capture_on_commit_callbacks(execute=False):
        client.post("/tools/undelete/", {"action": "restore_selected", "order": [orders[0].pk]})
    job_run(job_id=Job.objects.latest("pk").pk)
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/tools/undelete/", {"action": "restore_all", "order_id": orders[3].order_id})
    job_run(job_id=Job.objects.latest("pk").pk)

    live = set(Order.objects.live().values_list("pk", flat=True))
    assert live == {orders[0].pk, orders[3].pk}


def test_restoring_more_deleted_orders_than_the_cap_starts_nothing_and_says_so(
    client, merchant, manager, monkeypatch
):
    orders = [place(merchant, email="gone@example.com") for _ in range(3)]
    for order in orders:
        order_delete(order=order, by=manager, reason="cleanup")
    monkeypatch.setattr("orders.selectors.selection.MAX_SELECTION_ORDERS", 2)
    login(client, manager)

    response = client.post(
        "/tools/undelete/",
        {"action": "restore_all", "customer": "gone@example.com", "query": "customer=gone"},
    )

    assert response["Location"] == "/tools/undelete/?customer=gone"
    assert [str(m) for m in response.wsgi_request._messages] == [
        "At most 2 orders at a time: narrow the selection."
    ]
    assert not Job.objects.exists()
    assert not Order.objects.live().exists()


def test_undelete_tool_needs_the_undelete_permission(client, merchant):
    login(client, member(merchant, "service"))
    assert client.get("/tools/undelete/").status_code == 403


def test_retention_purges_old_deleted_orders_and_logs_their_ids(merchant, other_merchant):
    merchant.retention_days = 30
    merchant.save()
    old, recent, live = place(merchant), place(merchant), place(merchant)
    kept_forever = place(other_merchant)  # no retention: never purged
    for order in (old, recent, kept_forever):
        order_delete(order=order, by=None, reason="cleanup")
    long_ago = timezone.now() - datetime.timedelta(days=31)
    Order.objects.filter(pk__in=[old.pk, kept_forever.pk]).update(deleted_at=long_ago)

    logs = orders_deleted_purge()

    assert [(log.merchant, log.order_ids, log.count) for log in logs] == [
        (merchant, [old.order_id], 1)
    ]
    assert not Order.objects.filter(pk=old.pk).exists()
    assert not OrderEvent.objects.filter(order_id=old.pk).exists()
    assert set(Order.objects.values_list("pk", flat=True)) == {recent.pk, live.pk, kept_forever.pk}
    assert orders_deleted_purge() == []
    assert PurgeLog.objects.count() == 1


def test_beat_runs_the_retention_purge_daily(merchant):
    from backoffice.celery import app
    from orders.tasks import orders_deleted_purge_task

    entry = app.conf.beat_schedule["purge-deleted-orders"]
    assert entry["task"] == orders_deleted_purge_task.name
    merchant.retention_days = 0
    merchant.save()
    order = place(merchant)
    order_delete(order=order, by=None, reason="cleanup")
    Order.objects.filter(pk=order.pk).update(deleted_at=timezone.now() - datetime.timedelta(1))

    [log_pk] = orders_deleted_purge_task()

    assert PurgeLog.objects.get(pk=log_pk).order_ids == [order.order_id]
