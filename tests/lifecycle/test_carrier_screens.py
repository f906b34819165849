"""Settings → Carriers (the owner's alone) and the tracking links on the staff screens."""

import re

import pytest

from orders.models import Carrier, MerchantEvent, Role, Shipment
from orders.services.carriers import carrier_create
from tests.factories import member, place

pytestmark = pytest.mark.django_db

PATTERN = "https://track.fastcourier.example/parcel/{tracking}"


@pytest.fixture
def owner(merchant):
    return member(merchant, Role.OWNER)


def test_an_owner_adds_edits_and_removes_a_carrier(client, owner, merchant):
    client.force_login(owner)

    added = client.post(
        "/settings/carriers/", {"name": "Fast Courier", "tracking_url_pattern": PATTERN}
    )
    carrier = Carrier.objects.get(merchant=merchant)
    page = client.get("/settings/carriers/").content.decode()
    edited = client.post(
        f"/settings/carriers/{carrier.pk}/",
        {"name": "Fast Courier NL", "tracking_url_pattern": "https://fc.example/{tracking}"},
    )
    carrier.refresh_from_db()
    removed = client.post(f"/settings/carriers/{carrier.pk}/remove/")

    assert added.status_code == edited.status_code == removed.status_code == 302
    assert "Fast Courier" in page
    assert "DHL" in page, "the built-in carriers are listed too"
    assert (carrier.name, carrier.tracking_url_pattern) == (
        "Fast Courier NL",
        "https://fc.example/{tracking}",
    )
    assert not Carrier.objects.exists()
    changes = MerchantEvent.objects.filter(type="carrier_changed").order_by("id")
    assert [event.payload["change"] for event in changes] == ["added", "edited", "removed"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Courier", "tracking_url_pattern": "https://c.example/track"}, "{tracking} once"),
        ({"name": "Courier", "tracking_url_pattern": "http://c.example/{tracking}"}, "https://"),
        (
            {"name": "Courier", "tracking_url_pattern": "javascript:alert(1)//{tracking}"},
            "https://",
        ),
        (
            {"name": "Courier", "tracking_url_pattern": "https://c.example/" + "x" * 1000},
            "At most 500 characters",
        ),
        ({"name": "C" * 1000, "tracking_url_pattern": PATTERN}, "At most 50 characters"),
        ({"name": "fast courier", "tracking_url_pattern": PATTERN}, "already a carrier named"),
        ({"name": "DHL", "tracking_url_pattern": PATTERN}, "DHL is built in"),
        ({"name": "", "tracking_url_pattern": PATTERN}, "This field is required"),
    ],
)
def test_a_bad_carrier_is_refused_with_a_reason_and_nothing_is_saved(
    client, owner, merchant, data, message
):
    existing = carrier_create(
        merchant=merchant, name="Fast Courier", tracking_url_pattern=PATTERN, by=owner
    )
    client.force_login(owner)

    added = client.post("/settings/carriers/", data)
    edited = client.post(
        f"/settings/carriers/{existing.pk}/",
        data if data["name"] != "fast courier" else {**data, "name": "DHL"},
    )

    assert added.status_code == edited.status_code == 422
    assert message in added.content.decode().replace("&#x27;", "'")
    assert list(Carrier.objects.values_list("name", "tracking_url_pattern")) == [
        ("Fast Courier", PATTERN)
    ]
    assert MerchantEvent.objects.filter(type="carrier_changed").count() == 1


@pytest.mark.parametrize(
    "role", [role for role in Role.values if role != Role.OWNER], ids=lambda role: role
)
def test_other_roles_may_not_open_carriers_and_are_not_shown_the_link(client, merchant, role):
    carrier = carrier_create(
        merchant=merchant, name="Courier", tracking_url_pattern=PATTERN, by=None
    )
    client.force_login(member(merchant, role))

    assert client.get("/settings/carriers/").status_code == 403
    assert (
        client.post(
            "/settings/carriers/", {"name": "X", "tracking_url_pattern": PATTERN}
        ).status_code
        == 403
    )
    assert client.post(f"/settings/carriers/{carrier.pk}/remove/").status_code == 403
    assert "/settings/carriers/" not in client.get("/").content.decode()
    assert list(Carrier.objects.values_list("name", flat=True)) == ["Courier"]


def test_the_owner_is_shown_the_link(client, owner):
    client.force_login(owner)

    assert 'href="/settings/carriers/"' in client.get("/").content.decode()


def test_another_merchants_carrier_is_not_found(client, owner, other_merchant):
    theirs = carrier_create(
        merchant=other_merchant, name="Courier", tracking_url_pattern=PATTERN, by=None
    )
    client.force_login(owner)

    assert client.get(f"/settings/carriers/{theirs.pk}/").status_code == 404
    edit = {"name": "Mine", "tracking_url_pattern": PATTERN}
    assert client.post(f"/settings/carriers/{theirs.pk}/", edit).status_code == 404
    assert client.post(f"/settings/carriers/{theirs.pk}/remove/").status_code == 404
    assert Carrier.objects.get(pk=theirs.pk).name == "Courier"


TRACKING_LINK = re.compile(r'<a href="([^"]+)" rel="noreferrer" data-tracking-link>([^<]+)</a>')


def test_the_order_page_links_tracking_numbers_of_known_carriers_only(
    manager_client, merchant, owner
):
    carrier_create(merchant=merchant, name="Courier", tracking_url_pattern=PATTERN, by=owner)
    order = place(merchant)
    Shipment.objects.create(order=order, carrier="UPS", tracking_numbers=["1Z 9", "1Z<8>"])
    Shipment.objects.create(order=order, carrier="courier", tracking_numbers=["C1"])
    Shipment.objects.create(order=order, carrier="Bob's Van", tracking_numbers=["V1"])

    page = manager_client.get(f"/orders/{order.order_id}/").content.decode()

    assert TRACKING_LINK.findall(page) == [
        ("https://www.ups.com/track?tracknum=1Z%209", "1Z 9"),
        ("https://www.ups.com/track?tracknum=1Z%3C8%3E", "1Z&lt;8&gt;"),
        ("https://track.fastcourier.example/parcel/C1", "C1"),
    ]
    assert "· tracking V1 · <a href=" in page
    assert "javascript:" not in page


def test_mark_shipped_and_the_batch_tool_suggest_built_in_and_the_merchants_carriers(
    manager_client, merchant, owner
):
    carrier_create(merchant=merchant, name="Courier", tracking_url_pattern=PATTERN, by=owner)
    order = place(merchant)

    page = manager_client.get(f"/orders/{order.order_id}/").content.decode()
    ship_list = manager_client.get("/stages/shipping/mark-shipped/").content.decode()
    batch = manager_client.get("/tools/batch/?operation=mark_shipped_from_list").content.decode()

    assert page.count('<datalist id="carriers">') == 1, "Mark shipped and Ship part share one"
    datalist = re.search(r'<datalist id="carriers">(.*?)</datalist>', page).group(1)
    assert re.findall(r'<option value="([^"]+)">', datalist) == [
        "UPS",
        "USPS",
        "FedEx",
        "DHL",
        "Canada Post",
        "Royal Mail",
        "Courier",
    ]
    assert '<option value="Courier">' in ship_list
    assert '<option value="Courier">' in batch
    assert 'list="carriers"' in batch
