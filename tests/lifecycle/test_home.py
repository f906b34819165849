"""The Order Management home: live counts per stage screen, overdue counts, tiles."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from orders.models import Order
from orders.selectors.home import order_stage_counts_get, stage_counts_kept
from orders.states import STAGE_SCREENS, PaymentMethod
from tests.factories import DECLINE_CARD, place

from .conftest import ar_order, login

pytestmark = pytest.mark.django_db


def tile_count(content: str, slug: str) -> str:
    match = re.search(rf'data-count="{slug}">([^<]*)<', content)
    assert match, slug
    return match.group(1)


def test_home_counts_each_stage_screen_including_zero(manager_client, merchant):
    place(merchant)
    place(merchant)
    place(merchant, card=DECLINE_CARD)
    place(merchant, method=PaymentMethod.QUOTE_REQUEST, card=None)

    content = manager_client.get("/").content.decode()

    assert tile_count(content, "all") == "4"
    assert tile_count(content, "shipping") == "2"
    assert tile_count(content, "accounts-receivable") == "1"
    assert tile_count(content, "quote-requests") == "1"
    for slug in ["pre-orders", "pending-clearance", "fraud-review", "hold", "completed"]:
        assert tile_count(content, slug) == "0"
    assert tile_count(content, "rejected") == "0"


def test_home_counts_exclude_deleted_and_other_merchants_orders(
    manager_client, merchant, other_merchant
):
    kept = place(merchant)
    deleted = place(merchant)
    Order.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    place(other_merchant)
    place(other_merchant)

    content = manager_client.get("/").content.decode()

    assert kept.stage == "shipping"
    assert tile_count(content, "all") == "1"
    assert tile_count(content, "shipping") == "1"


def test_tile_shows_how_many_orders_are_overdue(manager_client, merchant):
    merchant.stage_age_limits = {"accounts_receivable": 5}
    merchant.save()
    old = ar_order(merchant)
    ar_order(merchant)
    Order.objects.filter(pk=old.pk).update(stage_entered_at=timezone.now() - timedelta(days=6))

    content = manager_client.get("/").content.decode()

    assert tile_count(content, "accounts-receivable") == "2"
    assert 'data-overdue="accounts-receivable">1 overdue<' in content
    assert 'data-overdue="shipping"' not in content


def test_stage_counts_take_one_statement(merchant, django_assert_num_queries):
    """One statement counts every stage; where the database keeps the counts, a probe of
    their version first (a later page with the same version reads only that)."""
    merchant.stage_age_limits = {"accounts_receivable": 3, "shipping": 2}
    merchant.save()
    place(merchant)
    ar_order(merchant)
    cache.clear()

    with django_assert_num_queries(2 if stage_counts_kept() else 1):
        counts = order_stage_counts_get(merchant=merchant)

    assert counts.total == 2
    assert [item.screen.slug for item in counts.screens] == [s.slug for s in STAGE_SCREENS]
    assert counts.for_slug("shipping").count == 1
    assert counts.for_slug("accounts-receivable").overdue == 0


def test_overdue_counts_only_orders_past_their_stage_limit(merchant):
    merchant.stage_age_limits = {"shipping": 2}
    merchant.save()
    fresh, old = place(merchant), place(merchant)
    ar = ar_order(merchant)
    long_ago = timezone.now() - timedelta(days=10)
    Order.objects.filter(pk__in=[old.pk, ar.pk]).update(stage_entered_at=long_ago)

    counts = order_stage_counts_get(merchant=merchant)

    assert fresh.stage == "shipping"
    assert counts.for_slug("shipping").overdue == 1
    assert counts.for_slug("accounts-receivable").overdue == 0  # no limit for that stage


def test_home_has_the_lifecycle_and_tool_tiles(manager_client):
    content = manager_client.get("/").content.decode()

    for label, href in [
        ("View All Orders", "/orders/"),
        ("Manually Add Order", "/orders/new/"),
        ("Auto Orders", "/auto-orders/"),
        ("Chargeback Disputes", "/chargebacks/"),
        ("Case Management", "/cases/"),
        ("Batch Order Operation", "/tools/batch/"),
        ("Export Orders", "/tools/export/"),
        ("Import Actual Costs", "/tools/import-costs/"),
        ("Undelete Order", "/tools/undelete/"),
        ("Jobs", "/tools/jobs/"),
    ]:
        assert f'href="{href}"><span class="tile-label">{label}</span>' in content, label
    for screen in STAGE_SCREENS:
        assert f'href="/stages/{screen.slug}/"><span class="tile-label">{screen.label}' in content


def test_user_without_membership_gets_404(client, django_user_model):
    user = django_user_model.objects.create_user("loner", password="pw")
    login(client, user)

    assert client.get("/").status_code == 404


@pytest.mark.parametrize(
    ("role", "sees_money"),
    [
        ("owner", True),
        ("manager", True),
        ("bookkeeper", True),
        ("shipping", False),
        ("service", False),
    ],
)
def test_revenue_and_margin_charts_only_for_roles_that_may_see_money(
    client, merchant, role, sees_money
):
    from tests.factories import member

    place(merchant)
    login(client, member(merchant, role))

    content = client.get("/").content.decode()

    assert "Orders per day" in content
    assert ("Revenue per day" in content) is sees_money
    assert ("Margin from actual costs" in content) is sees_money


def test_the_shipping_clerk_is_offered_no_tile_it_cannot_open(client, merchant):
    from tests.factories import member

    login(client, member(merchant, "shipping"))

    content = client.get("/").content.decode()

    for hidden in (
        "Batch Order Operation",
        "Export Orders",
        "Import Actual Costs",
        "Undelete Order",
        "Manually Add Order",
        "View All Orders",
    ):
        assert hidden not in content, hidden
    assert 'href="/stages/shipping/"' in content
    assert 'href="/stages/shipping/mark-shipped/"' in content
