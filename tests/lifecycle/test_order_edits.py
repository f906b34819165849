"""Editing the order page's customer, addresses, custom fields and tags through its forms."""

import pytest

from orders.models import Role
from tests.factories import member, place

from .conftest import login

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def edit_url(order, section: str) -> str:
    return f"/orders/{order.order_id}/edit/{section}/"


CUSTOMER = {
    "first_name": "Ann",
    "last_name": "Lee-Park",
    "email": "ann.park@example.com",
    "company": "Park & Co",
    "phone": "555-0100",
}


def test_editing_the_customer_changes_it_and_records_before_and_after(manager_client, merchant):
    order = place(merchant)

    response = manager_client.post(edit_url(order, "customer"), CUSTOMER, follow=True)

    order.refresh_from_db()
    assert (order.last_name, order.email, order.company) == (
        "Lee-Park",
        "ann.park@example.com",
        "Park & Co",
    )
    event = order.events.get(type="order_edited")
    assert event.payload["changes"]["email"] == {
        "before": "ann@example.com",
        "after": "ann.park@example.com",
    }
    assert "first_name" not in event.payload["changes"]
    assert event.actor.username == "demo-manager"
    assert messages_of(response) == [f"{order.order_id}: last name, email, company, phone changed."]
    assert "email: ann@example.com → ann.park@example.com" in response.content.decode()


def test_an_invalid_email_is_refused_and_nothing_changes(manager_client, merchant):
    order = place(merchant)

    response = manager_client.post(
        edit_url(order, "customer"), {**CUSTOMER, "email": "not-an-email"}, follow=True
    )

    order.refresh_from_db()
    assert order.email == "ann@example.com"
    assert not order.events.filter(type="order_edited").exists()
    assert "valid email" in messages_of(response)[0]


def test_shipping_clerk_may_not_edit_the_customer(client, merchant):
    order = place(merchant)
    login(client, member(merchant, Role.SHIPPING_CLERK))

    response = client.post(edit_url(order, "customer"), CUSTOMER)

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.email == "ann@example.com"
    assert not order.events.filter(type="order_edited").exists()


def test_another_merchants_member_gets_404_and_nothing_changes(client, merchant, other_merchant):
    order = place(merchant)
    login(client, member(other_merchant, Role.OWNER))

    assert client.post(edit_url(order, "customer"), CUSTOMER).status_code == 404
    order.refresh_from_db()
    assert order.email == "ann@example.com"


def test_editing_the_shipping_address_records_the_changed_fields(manager_client, merchant):
    order = place(merchant)
    data = {
        "billing_address1": "1 Main St",
        "billing_city": "Springfield",
        "billing_postal_code": "12345",
        "billing_country": "US",
        "shipping_name": "Bo Lee",
        "shipping_address1": "7 Oak Ave",
        "shipping_city": "Springfield",
        "shipping_postal_code": "12399",
        "shipping_country": "us",
    }

    manager_client.post(edit_url(order, "addresses"), data)

    order.refresh_from_db()
    assert (order.shipping_address1, order.shipping_country) == ("7 Oak Ave", "US")
    changes = order.events.get(type="order_edited").payload["changes"]
    assert set(changes) == {"shipping_name", "shipping_address1", "shipping_postal_code"}
    assert changes["shipping_address1"] == {"before": "1 Main St", "after": "7 Oak Ave"}


def test_custom_field_with_dropdown_values_accepts_only_those(manager_client, merchant):
    merchant.custom_fields = {"3": {"label": "Channel", "values": ["Web", "Phone"]}}
    merchant.save()
    order = place(merchant)

    page = manager_client.get(f"/orders/{order.order_id}/").content.decode()
    assert '<option value="Phone">Phone</option>' in page

    refused = manager_client.post(
        edit_url(order, "custom-fields"), {"custom_3": "Fax"}, follow=True
    )
    order.refresh_from_db()
    assert order.custom_3 == ""
    assert "Fax is not one of the available choices" in messages_of(refused)[0]

    manager_client.post(edit_url(order, "custom-fields"), {"custom_3": "Phone"})
    order.refresh_from_db()
    assert order.custom_3 == "Phone"
    changes = order.events.get(type="order_edited").payload["changes"]
    assert changes == {"custom_3": {"before": "", "after": "Phone"}}


def test_adding_and_removing_tags_records_the_tag_lists(manager_client, merchant):
    order = place(merchant)

    manager_client.post(edit_url(order, "tags"), {"add": "vip, gift"})
    response = manager_client.post(edit_url(order, "tags"), {"remove": ["gift"]}, follow=True)

    assert list(order.tags.values_list("name", flat=True)) == ["vip"]
    events = list(order.events.filter(type="order_edited").order_by("id"))
    assert events[0].payload["changes"]["tags"] == {"before": "", "after": "gift, vip"}
    assert events[1].payload["changes"]["tags"] == {"before": "gift, vip", "after": "vip"}
    assert messages_of(response)[-1] == f"{order.order_id}: tags now vip."


def test_an_edit_that_changes_nothing_writes_no_event(manager_client, merchant):
    order = place(merchant)

    response = manager_client.post(
        edit_url(order, "customer"),
        {**CUSTOMER, "last_name": "Lee", "email": "ann@example.com", "company": "", "phone": ""},
        follow=True,
    )

    assert not order.events.filter(type="order_edited").exists()
    assert messages_of(response) == [f"{order.order_id}: nothing changed."]


def test_a_deleted_order_cannot_be_edited(manager_client, merchant):
    from django.utils import timezone

    from orders.models import Order

    order = place(merchant)
    Order.objects.filter(pk=order.pk).update(deleted_at=timezone.now())

    assert manager_client.post(edit_url(order, "customer"), CUSTOMER).status_code == 404
    assert manager_client.post(edit_url(order, "tags"), {"add": "vip"}).status_code == 404
    assert not order.tags.exists()
    assert not order.events.filter(type="order_edited").exists()
