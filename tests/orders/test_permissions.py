"""Roles and their permissions per merchant, as the transitions and buttons see them."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.exceptions import TransitionNotPermitted
from orders.models import Order, OrderEvent, Role
from orders.permissions import ORDER_ACTIONS, ROLE_PERMISSIONS
from orders.services.transitions import order_transition, order_transitions_for_user
from orders.states import Stage
from tests.factories import UserFactory, member, role_permissions
from tests.orders.builders import order_in_stage

SYSTEM_ONLY = {"accept_quote", "expire_quote", "confirm_clearance", "fail_clearance"}


def offered(order: Order, user) -> set[str]:
    return {t.name for t in order_transitions_for_user(order=order, user=user)}


def test_the_owner_has_every_permission_including_settings(merchant):
    owner = member(merchant, "owner")

    for codename in [*ORDER_ACTIONS, "manage_merchant", "view_money"]:
        assert owner.has_perm(f"orders.{codename}", merchant), codename


def test_an_order_manager_has_every_order_action_but_not_settings(merchant, manager):
    for codename in [*ORDER_ACTIONS, "view_money"]:
        assert manager.has_perm(f"orders.{codename}", merchant), codename
    assert not manager.has_perm("orders.manage_merchant", merchant)


@pytest.mark.parametrize(
    ("role", "granted"),
    [
        ("shipping", {"view_merchant_orders", "ship_order", "hold_order", "receive_returns"}),
        (
            "service",
            {
                "view_merchant_orders",
                "view_order_lists",
                "add_note",
                "resend_email",
                "refund_order",
                "manage_cases",
                "manage_returns",
                "receive_returns",
            },
        ),
        (
            "bookkeeper",
            {
                "view_merchant_orders",
                "view_order_lists",
                "export_orders",
                "import_costs",
                "view_money",
            },
        ),
    ],
)
def test_a_limited_role_has_exactly_its_permissions(merchant, role, granted):
    user = member(merchant, role)

    held = {
        codename
        for codename in [*ORDER_ACTIONS, "manage_merchant", "view_money"]
        if user.has_perm(f"orders.{codename}", merchant)
    }

    assert held == granted


def test_a_shipping_clerk_may_ship_and_hold_but_not_take_payment(merchant):
    clerk = member(merchant, "shipping")
    shipping = order_in_stage(merchant, Stage.SHIPPING)
    receivable = order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE)

    assert offered(shipping, clerk) == {"mark_shipped", "hold"}
    assert "process_payment" not in offered(receivable, clerk)
    with pytest.raises(TransitionNotPermitted):
        order_transition(order=receivable, name="process_payment", by=clerk)
    with pytest.raises(TransitionNotPermitted):
        order_transition(order=shipping, name="refund_and_reject", by=clerk, reason="other")

    order_transition(order=shipping, name="mark_shipped", by=clerk, carrier="UPS")
    assert Order.objects.get(pk=shipping.pk).stage == Stage.COMPLETED


@pytest.mark.parametrize("stage", Stage.values)
def test_a_bookkeeper_runs_no_transitions(merchant, stage):
    bookkeeper = member(merchant, "bookkeeper")
    order = order_in_stage(merchant, stage)
    events = OrderEvent.objects.count()

    assert offered(order, bookkeeper) == set()
    for transition in order.get_available_stage_transitions():
        with pytest.raises(TransitionNotPermitted):
            order_transition(order=order, name=transition.name, by=bookkeeper)

    assert Order.objects.get(pk=order.pk).stage == stage
    assert OrderEvent.objects.count() == events


@pytest.mark.parametrize("stage", [Stage.SHIPPING, Stage.COMPLETED])
def test_customer_service_cannot_refund_everything_by_rejecting(merchant, stage):
    service = member(merchant, "service")
    order = order_in_stage(merchant, stage)

    assert "refund_and_reject" not in offered(order, service)
    with pytest.raises(TransitionNotPermitted):
        order_transition(order=order, name="refund_and_reject", by=service, reason="other")

    assert Order.objects.get(pk=order.pk).refunded_total == 0


@pytest.mark.parametrize("stage", Stage.values)
def test_a_member_of_another_merchant_has_no_permission_on_the_order(
    merchant, other_merchant, stage
):
    outsider = member(other_merchant, "owner")
    order = order_in_stage(merchant, stage)

    assert not outsider.has_perm("orders.view_merchant_orders", order)
    assert not any(outsider.has_perm(f"orders.{c}", order) for c in ORDER_ACTIONS)
    assert offered(order, outsider) == set()
    for transition in order.get_available_stage_transitions():
        with pytest.raises(TransitionNotPermitted):
            order_transition(order=order, name=transition.name, by=outsider)
    assert Order.objects.get(pk=order.pk).stage == stage


def test_a_user_of_two_merchants_has_each_merchants_role(merchant, other_merchant):
    user = member(merchant, "owner", username="two-hats")
    member(other_merchant, "bookkeeper", username="two-hats")
    ours = order_in_stage(merchant, Stage.SHIPPING)
    theirs = order_in_stage(other_merchant, Stage.SHIPPING)

    assert user.has_perm("orders.ship_order", ours)
    assert not user.has_perm("orders.ship_order", theirs)
    assert offered(theirs, user) == set()


def test_a_role_grants_nothing_without_an_object(merchant):
    owner = member(merchant, "owner")

    assert not owner.has_perm("orders.process_payment")


def test_a_user_without_a_membership_has_no_permission(merchant):
    stranger = UserFactory(username="stranger")
    order = order_in_stage(merchant, Stage.SHIPPING)

    assert not stranger.has_perm("orders.view_merchant_orders", order)
    assert offered(order, stranger) == set()


def test_an_inactive_member_has_no_permission(merchant):
    owner = member(merchant, "owner")
    owner.is_active = False
    owner.save()

    assert not owner.has_perm("orders.ship_order", merchant)


@pytest.mark.parametrize(
    ("role", "stage", "expected"),
    [
        (
            "manager",
            Stage.ACCOUNTS_RECEIVABLE,
            {
                "process_payment",
                "charge_other_card",
                "record_payment",
                "submit_echeck",
                "hold",
                "reject",
            },
        ),
        ("manager", Stage.FRAUD_REVIEW, {"approve", "reject_as_fraud", "hold"}),
        ("manager", Stage.PENDING_CLEARANCE, {"reject"}),
        ("service", Stage.ACCOUNTS_RECEIVABLE, set()),
        ("shipping", Stage.COMPLETED, set()),
    ],
)
def test_buttons_are_exactly_the_transitions_the_role_and_stage_allow(
    merchant, role, stage, expected
):
    user = member(merchant, role)
    order = order_in_stage(merchant, stage)

    assert offered(order, user) == expected
    assert not offered(order, user) & SYSTEM_ONLY


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_each_role_holds_exactly_its_row_of_the_permission_table(merchant, role):
    user = member(merchant, role)
    codenames = [codename for codename, _ in Order._meta.permissions]

    held = {f"orders.{c}" for c in codenames if user.has_perm(f"orders.{c}", merchant)}

    assert held == role_permissions(role)


def test_a_role_group_edited_by_hand_grants_nothing_the_table_does_not(merchant):
    """The groups are a copy for the admin to show; the table alone decides."""
    clerk = member(merchant, "shipping")
    group = Group.objects.get(name=Role.SHIPPING_CLERK.label)
    group.permissions.add(Permission.objects.get(codename="refund_order"))

    assert not clerk.has_perm("orders.refund_order", merchant)
    assert clerk.has_perm("orders.ship_order", merchant)


def test_a_members_permissions_are_read_in_one_query_per_request(merchant):
    owner = member(merchant, "owner")
    user = type(owner).objects.get(pk=owner.pk)

    with CaptureQueriesContext(connection) as queries:
        for codename, _ in Order._meta.permissions:
            user.has_perm(f"orders.{codename}", merchant)

    assert len(queries) == 1
