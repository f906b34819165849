from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import GatewayLedgerEntry, Order
from orders.states import PaymentStatus, Stage
from tests.factories import DECLINE_CARD, ItemFactory, place
from tools.job_runner import job_run
from tools.models import Job
from tools.preorders import item_preorders_release


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def item(merchant):
    return ItemFactory(merchant=merchant, sku="BOOK-2", price=Decimal("30.00"), pre_order=True)


def test_now_available_charges_and_routes_each_pre_order_and_declines_go_to_receivables(
    manager_client, merchant, item, django_capture_on_commit_callbacks
):
    good = place(merchant, item=item)
    bad = place(merchant, item=item, card=DECLINE_CARD)
    assert good.stage == bad.stage == Stage.PRE_ORDER

    with django_capture_on_commit_callbacks(execute=False):
        response = manager_client.post(reverse("item-release", args=[item.sku]))
    job = Job.objects.get()
    assert response.url == reverse("job-detail", args=[job.pk])
    job_run(job_id=job.pk)

    item.refresh_from_db()
    good.refresh_from_db()
    bad.refresh_from_db()
    assert item.pre_order is False
    assert (good.stage, good.payment_status) == (Stage.SHIPPING, PaymentStatus.PROCESSED)
    assert (bad.stage, bad.payment_status) == (Stage.ACCOUNTS_RECEIVABLE, PaymentStatus.DECLINED)
    outcomes = {o.order_pk: o.outcome for o in job.outcomes.all()}
    # The declined one was released, but no money moved: its item says so, as a failure.
    assert outcomes == {good.pk: "succeeded", bad.pk: "failed"}
    declined = job.outcomes.get(order_pk=bad.pk).message
    assert "Card declined" in declined
    assert "No money moved" in declined


def test_release_started_twice_charges_each_pre_order_once(
    merchant, manager, item, django_capture_on_commit_callbacks
):
    orders = [place(merchant, item=item) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=False):
        first = item_preorders_release(item=item, by=manager)
        second = item_preorders_release(item=item, by=manager)
    job_run(job_id=first.pk)
    job_run(job_id=second.pk)
    job_run(job_id=first.pk)  # a redelivered task

    charges = GatewayLedgerEntry.objects.filter(operation="charge")
    assert charges.count() == 3
    stages = Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("stage", flat=True)
    assert set(stages) == {Stage.SHIPPING}
    assert {o.outcome for o in second.outcomes.all()} == {"skipped"}


def test_an_order_still_waiting_for_another_item_stays(merchant, manager, item):
    from orders.payments import CardDetails
    from orders.services.placement import LineDraft, OrderDraft, PaymentDraft, order_place

    other = ItemFactory(merchant=merchant, sku="BOOK-3", pre_order=True)
    both = order_place(
        merchant=merchant,
        draft=OrderDraft(
            email="a@example.com",
            lines=[LineDraft(item=item), LineDraft(item=other)],
            payment=PaymentDraft(
                method="credit_card", card=CardDetails("4111111111111111", 12, 2030)
            ),
        ),
    )
    assert item_preorders_release(item=item, by=manager) is None
    both.refresh_from_db()
    assert both.stage == Stage.PRE_ORDER


def test_more_pre_orders_than_the_cap_start_nothing_and_the_item_stays_on_pre_order(
    manager_client, merchant, item, monkeypatch
):
    orders = [place(merchant, item=item) for _ in range(3)]
    monkeypatch.setattr("orders.selectors.selection.MAX_SELECTION_ORDERS", 2)
    refused = ["At most 2 orders at a time: narrow the selection."]

    release, items = reverse("preorder-release"), reverse("preorder-items")
    for url, data, back in (
        (reverse("item-release", args=[item.sku]), {}, reverse("item-list")),
        (release, {"item": item.pk}, items),
        (release, {"order": [o.order_id for o in orders]}, items),
    ):
        response = manager_client.post(url, data, follow=True)
        assert response.redirect_chain[0][0] == back
        assert [str(m) for m in response.context["messages"]] == refused
    assert not Job.objects.exists()
    item.refresh_from_db()
    assert item.pre_order is True
    stages = Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("stage", flat=True)
    assert set(stages) == {Stage.PRE_ORDER}


def test_releasing_chosen_pre_orders_leaves_out_orders_of_other_stages(
    manager_client, merchant, item, django_capture_on_commit_callbacks
):
    waiting = place(merchant, item=item)
    shipping = place(merchant)

    with django_capture_on_commit_callbacks(execute=False):
        manager_client.post(
            reverse("preorder-release"), {"order": [waiting.order_id, shipping.order_id]}
        )

    assert Job.objects.get().order_pks == [waiting.pk]


def test_items_page_lists_pre_orders_waiting(manager_client, merchant, item):
    place(merchant, item=item)
    html = manager_client.get(reverse("item-list")).content.decode()
    assert "Now available: release 1 pre-order" in html
