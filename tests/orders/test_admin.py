import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from orders.models import BlockListEntry, Order, OrderEvent, PaymentTransaction, Shipment, Tag
from orders.states import PaymentMethod, Stage
from tests.factories import UserFactory, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def fraud_order(merchant):
    BlockListEntry.objects.create(merchant=merchant, kind="email", value="mallory@example.com")
    order = place(merchant, email="mallory@example.com")
    assert order.stage == Stage.FRAUD_REVIEW
    return order


@pytest.fixture
def shipping_order(merchant):
    order = place(merchant, email="ann@example.com")
    assert order.stage == Stage.SHIPPING
    return order


def change_url(order: Order) -> str:
    return reverse("admin:orders_order_change", args=[order.pk])


def transition_url(order: Order, name: str) -> str:
    return reverse("admin:orders_order_transition", args=[order.pk, name])


def buttons(response) -> list[str]:
    return re.findall(r'data-transition="(\w+)"', response.content.decode())


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def change_form_data(response) -> dict:
    """The POST data the admin change page would send back unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = "" if value is None else str(value)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
    return data


def test_order_changelist_searches_by_order_id_and_email(admin_client, merchant, other_merchant):
    first = place(merchant, email="ann@example.com")
    second = place(other_merchant, email="bob@example.com")
    url = reverse("admin:orders_order_changelist")

    by_id = admin_client.get(url, {"q": first.order_id})
    by_email = admin_client.get(url, {"q": "bob@example.com"})

    assert by_id.status_code == 200
    assert first.order_id in by_id.content.decode()
    assert second.order_id not in by_id.content.decode()
    assert second.order_id in by_email.content.decode()
    assert first.order_id not in by_email.content.decode()


def test_order_changelist_filters_by_stage_merchant_payment_dates_and_deletion(
    admin_client, merchant, other_merchant, fraud_order, shipping_order
):
    gone = place(other_merchant, method=PaymentMethod.CHECK, card=None)
    Order.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    url = reverse("admin:orders_order_changelist")
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0).isoformat()

    def listed(**params) -> set[str]:
        response = admin_client.get(url, params)
        assert response.status_code == 200
        return {order.order_id for order in response.context["cl"].result_list}

    assert listed(stage__exact=Stage.FRAUD_REVIEW) == {fraud_order.order_id}
    assert listed(merchant__id__exact=other_merchant.pk) == {gone.order_id}
    assert listed(payment_status__exact="unprocessed") == {gone.order_id}
    assert listed(deleted="yes") == {gone.order_id}
    assert listed(deleted="no") == {fraud_order.order_id, shipping_order.order_id}
    assert len(listed(placed_at__gte=today)) == 3
    assert listed(paid_at__isnull="True") == {gone.order_id}
    assert listed(shipped_at__isnull="False") == set()
    assert len(listed(is_test__exact="0")) == 3


def test_change_page_offers_the_transitions_the_admin_may_run(admin_client, fraud_order):
    response = admin_client.get(change_url(fraud_order))

    assert response.status_code == 200
    assert sorted(buttons(response)) == ["approve", "hold", "reject_as_fraud"]


def test_approve_in_the_admin_moves_the_order_through_the_service(
    admin_client, admin_user, fraud_order
):
    response = admin_client.post(
        transition_url(fraud_order, "approve"), {"expected_stage": Stage.FRAUD_REVIEW}
    )

    assert response.status_code == 302
    assert response.url == change_url(fraud_order)
    fraud_order.refresh_from_db()
    assert fraud_order.stage == Stage.SHIPPING
    event = fraud_order.events.get(type="order_transitioned")
    assert event.actor == admin_user
    assert event.actor_label == "admin"
    assert event.payload["transition"] == "approve"
    assert event.payload["source"] == Stage.FRAUD_REVIEW
    assert event.payload["target"] == Stage.SHIPPING


def test_hold_asks_for_its_reason_and_date_on_a_form_first(admin_client, admin_user, fraud_order):
    url = transition_url(fraud_order, "hold")
    release = (timezone.localdate() + timedelta(days=5)).isoformat()

    form_page = admin_client.get(url)
    missing_reason = admin_client.post(url, {"expected_stage": Stage.FRAUD_REVIEW, "until": ""})
    fraud_order.refresh_from_db()
    assert fraud_order.stage == Stage.FRAUD_REVIEW
    held = admin_client.post(
        url,
        {"expected_stage": Stage.FRAUD_REVIEW, "reason": "Call the customer", "until": release},
    )

    assert form_page.status_code == 200
    assert 'name="reason"' in form_page.content.decode()
    assert 'name="until"' in form_page.content.decode()
    assert missing_reason.status_code == 200
    assert missing_reason.context["form"].errors["reason"]
    assert held.status_code == 302
    fraud_order.refresh_from_db()
    assert fraud_order.stage == Stage.HOLD
    assert fraud_order.hold_reason == "Call the customer"
    assert fraud_order.held_from_stage == Stage.FRAUD_REVIEW
    assert fraud_order.hold_until.isoformat() == release
    event = fraud_order.events.get(type="order_transitioned")
    assert (event.actor, event.actor_label) == (admin_user, "admin")
    assert event.payload["reason"] == "Call the customer"
    assert event.payload["until"] == release


def test_a_refused_hold_date_is_shown_on_the_form_and_changes_nothing(admin_client, fraud_order):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    response = admin_client.post(
        transition_url(fraud_order, "hold"),
        {"expected_stage": Stage.FRAUD_REVIEW, "reason": "Wait", "until": yesterday},
    )

    assert response.status_code == 200
    assert "must be in the future" in str(response.context["form"].non_field_errors())
    fraud_order.refresh_from_db()
    assert fraud_order.stage == Stage.FRAUD_REVIEW
    assert not fraud_order.events.filter(type="order_transitioned").exists()


def test_an_impossible_transition_is_refused_with_a_message_and_changes_nothing(
    admin_client, fraud_order
):
    events = fraud_order.events.count()

    response = admin_client.post(
        transition_url(fraud_order, "mark_shipped"),
        {"expected_stage": Stage.FRAUD_REVIEW, "carrier": "UPS", "tracking_1": "1Z1"},
    )

    assert response.status_code == 302
    assert any("not possible" in text for text in message_texts(response))
    fraud_order.refresh_from_db()
    assert fraud_order.stage == Stage.FRAUD_REVIEW
    assert fraud_order.events.count() == events
    assert not Shipment.objects.filter(order=fraud_order).exists()


def test_a_transition_on_a_stale_page_is_refused(admin_client, fraud_order):
    response = admin_client.post(
        transition_url(fraud_order, "approve"), {"expected_stage": Stage.SHIPPING}
    )

    assert any("changed while you were looking" in text for text in message_texts(response))
    fraud_order.refresh_from_db()
    assert fraud_order.stage == Stage.FRAUD_REVIEW


def test_an_unknown_transition_is_not_found(admin_client, fraud_order):
    assert admin_client.post(transition_url(fraud_order, "teleport")).status_code == 404


def test_mark_shipped_in_the_admin_records_the_tracking_numbers(admin_client, shipping_order):
    response = admin_client.post(
        transition_url(shipping_order, "mark_shipped"),
        {
            "expected_stage": Stage.SHIPPING,
            "carrier": "UPS",
            "tracking_1": "1Z001",
            "tracking_2": "1Z002",
            "method": "Ground",
        },
    )

    assert response.status_code == 302
    shipping_order.refresh_from_db()
    assert shipping_order.stage == Stage.COMPLETED
    assert Shipment.objects.get(order=shipping_order).tracking_numbers == ["1Z001", "1Z002"]


def test_staff_without_change_permission_cannot_run_transitions(client, fraud_order):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(viewer)

    page = client.get(change_url(fraud_order))
    response = client.post(
        transition_url(fraud_order, "approve"), {"expected_stage": Stage.FRAUD_REVIEW}
    )

    assert page.status_code == 200
    assert buttons(page) == []
    assert response.status_code == 403
    fraud_order.refresh_from_db()
    assert fraud_order.stage == Stage.FRAUD_REVIEW


def test_editing_the_email_writes_an_order_edited_event(admin_client, admin_user, shipping_order):
    page = admin_client.get(change_url(shipping_order))
    data = change_form_data(page)
    data["email"] = "ann.new@example.com"

    response = admin_client.post(change_url(shipping_order), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    shipping_order.refresh_from_db()
    assert shipping_order.email == "ann.new@example.com"
    assert shipping_order.stage == Stage.SHIPPING
    event = shipping_order.events.get(type="order_edited")
    assert event.actor == admin_user
    assert event.actor_label == "admin"
    assert event.payload["changes"] == {
        "email": {"before": "ann@example.com", "after": "ann.new@example.com"}
    }


def test_saving_an_unchanged_order_writes_no_event(admin_client, shipping_order):
    page = admin_client.get(change_url(shipping_order))

    response = admin_client.post(change_url(shipping_order), change_form_data(page))

    assert response.status_code == 302
    assert not shipping_order.events.filter(type="order_edited").exists()


def test_editing_actual_costs_and_tags_recomputes_profit_and_records_both(
    admin_client, merchant, shipping_order
):
    vip = Tag.objects.create(merchant=merchant, name="vip")
    page = admin_client.get(change_url(shipping_order))
    data = change_form_data(page)
    data["actual_shipping"] = "4.00"
    data["tags"] = [str(vip.pk)]

    admin_client.post(change_url(shipping_order), data)

    shipping_order.refresh_from_db()
    assert shipping_order.actual_shipping == Decimal("4.00")
    assert shipping_order.actual_profit == shipping_order.compute_actual_profit()
    assert list(shipping_order.tags.all()) == [vip]
    changes = shipping_order.events.get(type="order_edited").payload["changes"]
    assert changes["actual_shipping"] == {"before": "0.00", "after": "4.00"}
    assert changes["tags"] == {"before": [], "after": ["vip"]}
    assert "actual_profit" in changes


def test_events_cannot_be_added_changed_or_deleted_in_the_admin(admin_client, fraud_order):
    event = fraud_order.events.first()
    count = OrderEvent.objects.count()
    change = reverse("admin:orders_orderevent_change", args=[event.pk])

    assert admin_client.get(reverse("admin:orders_orderevent_changelist")).status_code == 200
    assert admin_client.get(change).status_code == 200
    assert admin_client.get(reverse("admin:orders_orderevent_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:orders_orderevent_delete", args=[event.pk])).status_code
        == 403
    )
    assert admin_client.post(change, {"type": "forged"}).status_code == 403
    changelist = admin_client.get(reverse("admin:orders_orderevent_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert OrderEvent.objects.count() == count
    event.refresh_from_db()
    assert event.type != "forged"


def test_payment_transactions_and_orders_are_read_only_where_the_services_own_them(
    admin_client, shipping_order
):
    payment = PaymentTransaction.objects.get(order=shipping_order)

    assert admin_client.get(reverse("admin:orders_paymenttransaction_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:orders_paymenttransaction_delete", args=[payment.pk])
        ).status_code
        == 403
    )
    assert admin_client.get(reverse("admin:orders_order_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:orders_order_delete", args=[shipping_order.pk])
        ).status_code
        == 403
    )
    assert Order.objects.filter(pk=shipping_order.pk).exists()


def test_order_change_page_shows_lines_transactions_and_events_read_only(
    admin_client, shipping_order
):
    response = admin_client.get(change_url(shipping_order))

    formsets = {f.formset.model: f for f in response.context["inline_admin_formsets"]}
    for model in ("OrderLine", "PaymentTransaction", "OrderEvent", "Shipment"):
        inline = next(f for m, f in formsets.items() if m.__name__ == model)
        assert not inline.has_add_permission
        assert not inline.has_change_permission
        assert not inline.has_delete_permission
    assert "stage" not in response.context["adminform"].form.fields
    assert "Widget" in response.content.decode()


def test_merchant_admin_shows_memberships_and_keeps_the_code(admin_client, merchant, manager):
    response = admin_client.get(reverse("admin:orders_merchant_change", args=[merchant.pk]))

    assert response.status_code == 200
    assert "demo-manager" in response.content.decode()
    assert "code" not in response.context["adminform"].form.fields


@pytest.mark.parametrize(
    "name", ["item", "blocklistentry", "membership", "merchant", "paymenttransaction"]
)
def test_support_changelists_load(admin_client, shipping_order, manager, name):
    assert admin_client.get(reverse(f"admin:orders_{name}_changelist")).status_code == 200
