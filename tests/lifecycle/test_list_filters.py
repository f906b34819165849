"""Each filter of the one OrderFilterSet narrows the list: orders that must and must not match."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from orders.models import OrderLine, Shipment
from orders.services.fields import order_tag_change
from orders.states import STAGE_SCREENS, PaymentMethod, PaymentStatus, Stage
from tests.factories import place
from tests.orders.builders import order_in_stage
from tests.tools.exportfiles import exported_order_ids
from tools.exports.services import export_mapping_get
from tools.job_runner import job_run
from tools.models import Job

from .conftest import ar_order
from .lists import listed_ids, set_fields

pytestmark = pytest.mark.django_db


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 12, 0, tzinfo=UTC)


# (query parameters, fields of the order that matches, fields of the one that does not)
FIELD_CASES = {
    "email": ({"q": "ANN.LEE@Example.com"}, {"email": "ann.lee@example.com"}, {}),
    "name": ({"q": "zebedee"}, {"last_name": "Zebedee"}, {}),
    "full name": ({"q": "Ann Zebedee"}, {"first_name": "Ann", "last_name": "Zebedee"}, {}),
    "company": ({"q": "acme"}, {"company": "Acme Ltd"}, {"company": "Other Co"}),
    "phone": ({"q": "555-0199"}, {"phone": "+1 555-0199"}, {"phone": "+1 555-0100"}),
    "postal code": (
        {"q": "90210"},
        {"shipping_postal_code": "90210"},
        {"shipping_postal_code": "12345"},
    ),
    "placed range": (
        {"placed_after": "2026-03-10", "placed_before": "2026-03-12"},
        {"placed_at": at(11)},
        {"placed_at": at(14)},
    ),
    "paid range": (
        {"paid_after": "2026-03-01", "paid_before": "2026-03-05"},
        {"paid_at": at(2)},
        {"paid_at": at(9)},
    ),
    "shipped range": (
        {"shipped_after": "2026-03-05"},
        {"shipped_at": at(6)},
        {"shipped_at": at(4)},
    ),
    "refunded range": (
        {"refunded_before": "2026-03-05"},
        {"refunded_at": at(3)},
        {"refunded_at": None},
    ),
    "payment method": (
        {"payment_method": PaymentMethod.CHECK},
        {"payment_method": PaymentMethod.CHECK},
        {},
    ),
    "payment status": (
        {"payment_status": PaymentStatus.DECLINED},
        {"payment_status": PaymentStatus.DECLINED},
        {},
    ),
    "total range": (
        {"total_min": "30", "total_max": "40"},
        {"total": Decimal("35.00")},
        {"total": Decimal("41.00")},
    ),
    "country": ({"country": "ca"}, {"shipping_country": "CA"}, {"shipping_country": "US"}),
    "billing country": ({"country": "DE"}, {"billing_country": "DE"}, {}),
    "custom field": ({"custom_3": "wholesale"}, {"custom_3": "Wholesale"}, {"custom_3": "retail"}),
    "test only": ({"test": "only"}, {"is_test": True}, {}),
    "no test orders": ({"test": "exclude"}, {}, {"is_test": True}),
}


@pytest.mark.parametrize("case", FIELD_CASES)
def test_filter_narrows_to_the_matching_order(manager_client, merchant, case):
    params, matching, other = FIELD_CASES[case]
    match = set_fields(place(merchant), **matching)
    miss = set_fields(place(merchant), **other)

    response = manager_client.get("/orders/", params)

    assert response.status_code == 200
    assert listed_ids(response) == [match.order_id], (case, miss.order_id)


def test_search_by_exact_order_id_ignores_case(manager_client, merchant):
    wanted, _ = place(merchant), place(merchant)

    response = manager_client.get("/orders/", {"q": wanted.order_id.lower()})

    assert listed_ids(response) == [wanted.order_id]


def test_wildcard_search_on_order_id(manager_client, merchant):
    orders = [place(merchant) for _ in range(13)]  # DEMO-0000001 … DEMO-0000013
    ids = [o.order_id for o in orders]

    prefix = listed_ids(manager_client.get("/orders/", {"q": "DEMO-000001*"}))
    inner = listed_ids(manager_client.get("/orders/", {"q": "demo-*2"}))
    both = listed_ids(manager_client.get("/orders/", {"q": "*-00000*3"}))

    assert sorted(prefix) == sorted(ids[9:13])  # 10, 11, 12, 13
    assert sorted(inner) == sorted([ids[1], ids[11]])  # 2 and 12
    assert sorted(both) == sorted([ids[2], ids[12]])  # 3 and 13


def test_wildcard_dots_and_brackets_are_literal(manager_client, merchant):
    place(merchant)

    assert listed_ids(manager_client.get("/orders/", {"q": "DEMO.0*"})) == []
    assert listed_ids(manager_client.get("/orders/", {"q": "[D]*"})) == []


def test_search_by_tracking_number(manager_client, merchant):
    shipped, other = place(merchant), place(merchant)
    Shipment.objects.create(order=shipped, carrier="UPS", tracking_numbers=["1Z999", "1Z777"])
    Shipment.objects.create(order=other, carrier="UPS", tracking_numbers=["1Z9990"])

    response = manager_client.get("/orders/", {"q": "1z777"})
    exact = manager_client.get("/orders/", {"q": "1Z999"})

    assert listed_ids(response) == [shipped.order_id]
    assert listed_ids(exact) == [shipped.order_id]  # a whole number, not a part of 1Z9990


def test_search_by_item_sku_lists_each_order_once(manager_client, merchant):
    wanted, other = place(merchant), place(merchant)
    OrderLine.objects.filter(order=wanted).update(sku="MUG-RED")
    OrderLine.objects.create(order=wanted, sku="MUG-RED", description="Second mug")
    OrderLine.objects.filter(order=other).update(sku="MUG-BLUE")

    response = manager_client.get("/orders/", {"q": "mug-red"})

    assert listed_ids(response) == [wanted.order_id]


def test_stage_filter_on_all_orders(manager_client, merchant):
    shipping = place(merchant)
    receivable = place(merchant, card_mode="no_charge")
    assert receivable.stage == Stage.ACCOUNTS_RECEIVABLE

    response = manager_client.get("/orders/", {"stage": Stage.SHIPPING})

    assert listed_ids(response) == [shipping.order_id]


def test_filters_combine_and_stay_within_the_screen(manager_client, merchant):
    wanted = set_fields(place(merchant), company="Acme", total=Decimal("50"))
    set_fields(place(merchant), company="Acme", total=Decimal("5"))
    set_fields(place(merchant, card_mode="no_charge"), company="Acme", total=Decimal("50"))

    response = manager_client.get("/stages/shipping/", {"q": "acme", "total_min": "10"})

    assert listed_ids(response) == [wanted.order_id]


def test_an_invalid_filter_shows_no_orders_and_says_why(manager_client, merchant):
    place(merchant)

    response = manager_client.get("/orders/", {"payment_status": "nonsense"})

    assert listed_ids(response) == []
    assert "Some filters are not valid" in response.content.decode()


# ---- tags ---------------------------------------------------------------------------------


def _tagged(order, *names):
    for name in names:
        order_tag_change(order=order, name=name, add=True)
    return order


def test_every_list_filters_by_the_merchants_tags(manager_client, merchant, other_merchant):
    _tagged(place(other_merchant), "theirs")
    for screen in STAGE_SCREENS:
        tagged = _tagged(order_in_stage(merchant, screen.stages[0]), "vip", "audit-2026")
        order_in_stage(merchant, screen.stages[0])  # untagged

        response = manager_client.get(f"/stages/{screen.slug}/", {"tag": "vip"})

        assert listed_ids(response) == [tagged.order_id], screen.slug
        body = response.content.decode()
        assert '<label for="id_tag">Tag</label>' in body
        assert '<option value="vip" selected>vip</option>' in body
        assert "theirs" not in body  # another merchant's tag is no choice here
    everything = manager_client.get("/orders/", {"tag": "audit-2026", "per_page": 100})
    assert len(listed_ids(everything)) == len(STAGE_SCREENS)


def test_an_unknown_tag_is_a_clear_message_and_lists_nothing(manager_client, merchant):
    _tagged(place(merchant), "vip")

    response = manager_client.get("/orders/", {"tag": "nope"})

    assert listed_ids(response) == []
    assert "Some filters are not valid: tag:" in response.content.decode()


def test_all_matching_a_tag_filter_is_what_a_bulk_action_and_an_export_take(
    manager_client, merchant, django_capture_on_commit_callbacks
):
    tagged = [_tagged(ar_order(merchant, email=f"w{n}@example.com"), "wholesale") for n in range(2)]
    ar_order(merchant)
    mapping = export_mapping_get(merchant=merchant)

    with django_capture_on_commit_callbacks(execute=False):
        manager_client.post(
            "/stages/accounts-receivable/bulk/",
            {
                "operation": "add_tag",
                "add_tag-name": "checked",
                "select_all": "1",
                "query": "tag=wholesale",
            },
        )
        manager_client.post(
            "/stages/accounts-receivable/bulk/",
            {
                "operation": "export",
                "export-mapping": mapping.pk,
                "select_all": "1",
                "query": "tag=wholesale",
            },
        )

    tag_job, export_job = Job.objects.order_by("pk")
    assert sorted(tag_job.order_pks) == sorted(order.pk for order in tagged)
    job_run(job_id=export_job.pk)
    assert sorted(exported_order_ids(export_job)) == sorted(o.order_id for o in tagged)


def test_the_tag_filter_reads_through_indexes(merchant):
    from django.db import connection

    from orders.models import Order

    through = Order.tags.through._meta.db_table
    with connection.cursor() as cursor:
        indexed = {
            column
            for info in connection.introspection.get_constraints(cursor, through).values()
            if info["index"] or info["unique"]
            for column in info["columns"][:1]
        }
        tag_constraints = connection.introspection.get_constraints(cursor, "orders_tag")
    assert {"tag_id", "order_id"} <= indexed
    assert any(info["columns"] == ["merchant_id", "name"] for info in tag_constraints.values())
