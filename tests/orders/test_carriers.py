"""Carriers: a tracking number's page at its carrier, the merchant's own carriers, and the
places a tracking number is shown (the API document, the shipped email)."""

import pytest
from django.core import mail

from orders.models import Carrier, MerchantEvent, Order, Role, Shipment
from orders.selectors.carriers import carrier_names, tracking_url
from orders.selectors.documents import order_document, order_documents_queryset
from orders.services.carriers import (
    CarrierInvalid,
    carrier_create,
    carrier_delete,
    carrier_update,
)
from orders.services.notifications import order_email_send
from orders.services.transitions import order_transition
from orders.timeline import event_sentence
from tests.factories import member, place

pytestmark = pytest.mark.django_db

COURIER_PATTERN = "https://track.fastcourier.example/parcel/{tracking}?lang=en"


@pytest.fixture
def owner(merchant):
    return member(merchant, Role.OWNER)


@pytest.mark.parametrize(
    ("carrier", "number", "url"),
    [
        ("UPS", "1Z999AA10123456784", "https://www.ups.com/track?tracknum=1Z999AA10123456784"),
        (
            "USPS",
            "9400100000000000000000",
            "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000000",
        ),
        ("FedEx", "123456789012", "https://www.fedex.com/fedextrack/?trknbr=123456789012"),
        (
            "DHL",
            "1234567890",
            "https://www.dhl.com/global-en/home/tracking/tracking-express.html"
            "?submit=1&tracking-id=1234567890",
        ),
        (
            "Canada Post",
            "1234567890123456",
            "https://www.canadapost-postescanada.ca/track-reperage/en#/search"
            "?searchFor=1234567890123456",
        ),
        (
            "Royal Mail",
            "AB123456789GB",
            "https://www.royalmail.com/track-your-item#/tracking-results/AB123456789GB",
        ),
    ],
)
def test_each_built_in_carrier_links_to_its_tracking_page(merchant, carrier, number, url):
    assert tracking_url(merchant=merchant, carrier_name=carrier, number=number) == url


@pytest.mark.parametrize(
    "name", ["ups", " UPS ", "United  Parcel Service", "uNiTeD parcel SERVICE"]
)
def test_a_carrier_matches_by_name_or_alias_in_any_case(merchant, name):
    assert tracking_url(merchant=merchant, carrier_name=name, number="1Z1") == (
        "https://www.ups.com/track?tracknum=1Z1"
    )


@pytest.mark.parametrize(
    ("number", "encoded"),
    [
        ("1Z 999 AA1", "1Z%20999%20AA1"),
        ("a&b=c#d", "a%26b%3Dc%23d"),
        ("../../x?y", "..%2F..%2Fx%3Fy"),
        ('"><script>', "%22%3E%3Cscript%3E"),
        ("javascript:alert(1)", "javascript%3Aalert%281%29"),
    ],
)
def test_a_number_with_odd_characters_is_encoded_and_stays_on_the_carriers_page(
    merchant, number, encoded
):
    url = tracking_url(merchant=merchant, carrier_name="UPS", number=number)

    assert url == f"https://www.ups.com/track?tracknum={encoded}"


def test_an_unknown_carrier_or_a_blank_number_has_no_link(merchant):
    assert tracking_url(merchant=merchant, carrier_name="Bob's Van", number="42") is None
    assert tracking_url(merchant=merchant, carrier_name="UPS", number="  ") is None


def test_a_merchants_carrier_links_for_that_merchant_only(merchant, other_merchant, owner):
    carrier_create(
        merchant=merchant, name="Fast Courier", tracking_url_pattern=COURIER_PATTERN, by=owner
    )

    assert tracking_url(merchant=merchant, carrier_name="fast courier", number="FC 1") == (
        "https://track.fastcourier.example/parcel/FC%201?lang=en"
    )
    assert tracking_url(merchant=other_merchant, carrier_name="Fast Courier", number="1") is None
    assert carrier_names(merchant=merchant)[-1] == "Fast Courier"
    assert carrier_names(merchant=other_merchant) == [
        "UPS",
        "USPS",
        "FedEx",
        "DHL",
        "Canada Post",
        "Royal Mail",
    ]


def test_adding_editing_and_removing_a_carrier_is_audited(merchant, owner):
    carrier = carrier_create(
        merchant=merchant, name="  Fast   Courier ", tracking_url_pattern=COURIER_PATTERN, by=owner
    )
    carrier_update(
        carrier=carrier,
        name="Fast Courier",
        tracking_url_pattern="https://fastcourier.example/t/{tracking}",
        by=owner,
    )
    carrier_delete(carrier=carrier, by=owner)

    assert not Carrier.objects.exists()
    events = list(MerchantEvent.objects.filter(type="carrier_changed").order_by("id"))
    assert [event.payload["change"] for event in events] == ["added", "edited", "removed"]
    assert all(event.actor == owner for event in events)
    assert events[0].payload["name"] == "Fast Courier"
    assert events[1].payload["before"]["tracking_url_pattern"] == COURIER_PATTERN
    sentence = event_sentence(type=events[1].type, payload=events[1].payload)
    assert sentence == (
        "Carrier Fast Courier edited — tracking url pattern: "
        f"{COURIER_PATTERN} → https://fastcourier.example/t/{{tracking}}"
    )


@pytest.mark.parametrize(
    ("name", "pattern", "field", "message"),
    [
        ("Courier", "https://courier.example/track", "tracking_url_pattern", "{tracking} once"),
        (
            "Courier",
            "https://courier.example/{tracking}/{tracking}",
            "tracking_url_pattern",
            "{tracking} once",
        ),
        ("Courier", "http://courier.example/{tracking}", "tracking_url_pattern", "https://"),
        ("Courier", "javascript:alert('{tracking}')", "tracking_url_pattern", "https://"),
        ("Courier", "JavaScript://x.example/{tracking}", "tracking_url_pattern", "https://"),
        ("Courier", "https://{tracking}.example/", "tracking_url_pattern", "after it"),
        ("Courier", "https:///{tracking}", "tracking_url_pattern", "after it"),
        ("Courier", "https://c.example/ {tracking}", "tracking_url_pattern", "spaces"),
        (
            "Courier",
            "https://c.example/?" + "x" * 1000 + "{tracking}",
            "tracking_url_pattern",
            "At most 500",
        ),
        ("Courier", "", "tracking_url_pattern", "Enter the tracking page"),
        ("x" * 1000, COURIER_PATTERN, "name", "At most 50"),
        ("   ", COURIER_PATTERN, "name", "Enter the carrier's name"),
        ("ups", COURIER_PATTERN, "name", "UPS is built in"),
        ("federal express", COURIER_PATTERN, "name", "FedEx is built in"),
    ],
)
def test_a_bad_carrier_is_refused_with_a_reason_and_nothing_is_saved(
    merchant, owner, name, pattern, field, message
):
    with pytest.raises(CarrierInvalid) as refused:
        carrier_create(merchant=merchant, name=name, tracking_url_pattern=pattern, by=owner)

    assert refused.value.field == field
    assert message in str(refused.value)
    assert not Carrier.objects.exists()
    assert not MerchantEvent.objects.filter(type="carrier_changed").exists()


def test_a_name_is_unique_per_merchant_in_any_case(merchant, other_merchant, owner):
    carrier_create(
        merchant=merchant, name="Courier", tracking_url_pattern=COURIER_PATTERN, by=owner
    )
    other = carrier_create(
        merchant=merchant, name="Other", tracking_url_pattern=COURIER_PATTERN, by=owner
    )

    with pytest.raises(CarrierInvalid, match="already a carrier named"):
        carrier_create(
            merchant=merchant, name="COURIER", tracking_url_pattern=COURIER_PATTERN, by=owner
        )
    with pytest.raises(CarrierInvalid, match="already a carrier named"):
        carrier_update(
            carrier=other, name="courier", tracking_url_pattern=COURIER_PATTERN, by=owner
        )
    carrier_create(
        merchant=other_merchant, name="Courier", tracking_url_pattern=COURIER_PATTERN, by=None
    )

    assert sorted(Carrier.objects.filter(merchant=merchant).values_list("name", flat=True)) == [
        "Courier",
        "Other",
    ]


def _shipped(merchant, *, carrier: str, numbers: list[str]) -> Order:
    order = place(merchant)
    Shipment.objects.create(order=order, carrier=carrier, tracking_numbers=numbers)
    return order


def test_the_api_document_gives_each_tracking_number_its_page(merchant, owner):
    carrier_create(
        merchant=merchant, name="Courier", tracking_url_pattern=COURIER_PATTERN, by=owner
    )
    ups = _shipped(merchant, carrier="ups", numbers=["1Z 1", "1Z2"])
    courier = _shipped(merchant, carrier="Courier", numbers=["C9"])
    van = _shipped(merchant, carrier="Bob's Van", numbers=["7"])
    orders = order_documents_queryset(Order.objects.filter(pk__in=[ups.pk, courier.pk, van.pk]))

    shipments = {o.pk: order_document(o)["shipments"][0] for o in orders}

    assert shipments[ups.pk]["tracking_numbers"] == ["1Z 1", "1Z2"]
    assert shipments[ups.pk]["tracking"] == [
        {"number": "1Z 1", "tracking_url": "https://www.ups.com/track?tracknum=1Z%201"},
        {"number": "1Z2", "tracking_url": "https://www.ups.com/track?tracknum=1Z2"},
    ]
    assert shipments[courier.pk]["tracking"] == [
        {"number": "C9", "tracking_url": "https://track.fastcourier.example/parcel/C9?lang=en"}
    ]
    assert shipments[van.pk]["tracking"] == [{"number": "7", "tracking_url": None}]


def test_the_read_api_serves_the_tracking_pages(client, merchant, owner):
    from orders.models import ApiScope
    from orders.services.api_tokens import api_token_create

    order = _shipped(merchant, carrier="FedEx", numbers=["12 34"])
    _, token = api_token_create(
        merchant=merchant, name="ERP", scopes=[ApiScope.READ_ORDERS], by=owner
    )

    response = client.get(f"/api/v1/orders/{order.order_id}/", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    assert response.json()["shipments"][0]["tracking"] == [
        {"number": "12 34", "tracking_url": "https://www.fedex.com/fedextrack/?trknbr=12%2034"}
    ]


def test_the_shipped_email_links_each_tracking_number(
    merchant, owner, eager_tasks, django_capture_on_commit_callbacks
):
    carrier_create(
        merchant=merchant, name="Courier", tracking_url_pattern=COURIER_PATTERN, by=owner
    )
    order = place(merchant)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        order_transition(
            order=order, name="mark_shipped", by=owner, carrier="courier", tracking_numbers=["C 77"]
        )

    sent = [m for m in mail.outbox if "has shipped" in m.subject]
    assert len(sent) == 1
    url = "https://track.fastcourier.example/parcel/C%2077?lang=en"
    assert f"Tracking number: C 77 — track it at {url}" in sent[0].body
    html = sent[0].alternatives[0][0]
    assert f'<a href="{url.replace("&", "&amp;")}">C 77</a>' in html


def test_the_shipped_email_shows_an_unknown_carriers_number_as_text(merchant):
    order = _shipped(merchant, carrier="Bob's Van", numbers=["V1"])
    mail.outbox.clear()

    order_email_send(order_pk=order.pk, template="shipment_confirmation")

    assert "Tracking number: V1\n" in mail.outbox[0].body
    assert "track it at" not in mail.outbox[0].body
    assert "<a href" not in mail.outbox[0].alternatives[0][0].split("Tracking number: V1")[1]
