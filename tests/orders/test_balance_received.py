"""Recording that the balance a line edit left owing was received outside the gateway, and
an unpaid order's payment clearing any balance it carried."""

from decimal import Decimal

import pytest

from orders.exceptions import InvalidInput, TransitionNotPermitted
from orders.models import ApiScope, GatewayLedgerEntry, Order, OrderEvent, PaymentTransaction, Role
from orders.models.webhook import OutboxMessage, WebhookTopic
from orders.selectors.documents import order_document, order_documents_queryset
from orders.selectors.payments import order_balance_owed
from orders.services.api_tokens import api_token_create
from orders.services.balances import order_balance_receive
from orders.services.line_edits import LineChange, LinesEdit, order_lines_edit, order_lines_version
from orders.services.placement import CardMode
from orders.services.transitions import order_transition
from orders.states import PaymentMethod, PaymentStatus, Stage
from tests.factories import member, place

D = Decimal
pytestmark = pytest.mark.django_db


def owing(merchant, manager) -> Order:
    """Paid 25.00 in cash, then edited to 65.00: 40.00 owed."""
    order = place(merchant, method=PaymentMethod.CASH, card=None)
    line = order.lines.get()
    order_lines_edit(
        order=order,
        edit=LinesEdit(
            changes=[LineChange(line_pk=line.pk, quantity=3, unit_price=line.unit_price)]
        ),
        version=order_lines_version(Order.objects.get(pk=order.pk)),
        by=manager,
    )
    order.refresh_from_db()
    assert (order.balance_due, order_balance_owed(order)) == (D("40.00"), D("40.00"))
    return order


def state(order: Order) -> tuple:
    fresh = Order.objects.get(pk=order.pk)
    return (
        fresh.balance_due,
        fresh.updated_at,
        OrderEvent.objects.filter(order=order).count(),
        PaymentTransaction.objects.filter(order=order).count(),
        OutboxMessage.objects.filter(order_pk=order.pk).count(),
    )


def test_recording_part_of_the_balance_lowers_it_to_the_cent(merchant, manager):
    order = owing(merchant, manager)
    events_before = OrderEvent.objects.filter(order=order).count()

    result = order_balance_receive(
        order=order, amount=D("15.01"), reference="CHK 1042", note="mailed", by=manager
    )

    order.refresh_from_db()
    assert order.balance_due == D("24.99")
    assert order_balance_owed(order) == D("24.99")
    assert result.message == f"{order.order_id}: 15.01 received; balance owed 24.99."
    row = order.transactions.get()
    assert (row.kind, row.amount, row.result, row.gateway_reference) == (
        PaymentTransaction.Kind.RECORDED,
        D("15.01"),
        "approved",
        "CHK 1042",
    )
    assert "mailed" in row.message
    [event] = OrderEvent.objects.filter(order=order).order_by("pk")[events_before:]
    assert event.payload["kind"] == PaymentTransaction.Kind.RECORDED
    assert event.payload["amount"] == "15.01"
    assert OutboxMessage.objects.filter(
        order_pk=order.pk, topic=WebhookTopic.PAYMENT_CAPTURED
    ).exists()
    assert not GatewayLedgerEntry.objects.exists(), "the money came outside the gateway"


def test_recording_the_whole_balance_leaves_nothing_owed(merchant, manager):
    order = owing(merchant, manager)

    result = order_balance_receive(order=order, amount=D("40.00"), reference="W-9", by=manager)

    order.refresh_from_db()
    assert (order.balance_due, order_balance_owed(order)) == (D("0.00"), D("0.00"))
    assert "nothing is owed now" in result.message
    assert order.payment_status == PaymentStatus.PROCESSED


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (D("40.01"), "more than the balance owed (40.00)"),
        (D("0.00"), "more than 0.00"),
        (D("-5.00"), "more than 0.00"),
        (D("1.005"), "whole cents"),
        (D("NaN"), "as a number"),
        ("12", "as a number"),
    ],
)
def test_a_bad_amount_is_refused_and_changes_nothing(merchant, manager, amount, words):
    order = owing(merchant, manager)
    before = state(order)

    with pytest.raises(InvalidInput, match=words.replace("(", r"\(").replace(")", r"\)")):
        order_balance_receive(order=order, amount=amount, reference="CHK 1", by=manager)

    assert state(order) == before


def test_a_reference_is_required(merchant, manager):
    order = owing(merchant, manager)
    before = state(order)

    with pytest.raises(InvalidInput, match="reference"):
        order_balance_receive(order=order, amount=D("1.00"), reference="  ", by=manager)
    assert state(order) == before


def test_nothing_owed_is_refused(merchant, manager):
    order = place(merchant, method=PaymentMethod.CASH, card=None)
    before = state(order)

    with pytest.raises(InvalidInput, match="no balance is owed"):
        order_balance_receive(order=order, amount=D("1.00"), reference="CHK 1", by=manager)
    assert state(order) == before


def test_an_unpaid_order_is_paid_by_its_record_payment_not_here(merchant, manager):
    order = place(merchant, method=PaymentMethod.CHECK, card=None)
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE

    with pytest.raises(InvalidInput, match="no balance is owed"):
        order_balance_receive(order=order, amount=D("1.00"), reference="CHK 1", by=manager)


@pytest.mark.parametrize("role", [Role.CUSTOMER_SERVICE, Role.SHIPPING_CLERK, Role.BOOKKEEPER])
def test_roles_without_record_payment_are_refused(merchant, manager, role):
    order = owing(merchant, manager)
    before = state(order)

    with pytest.raises(TransitionNotPermitted):
        order_balance_receive(
            order=order, amount=D("1.00"), reference="CHK 1", by=member(merchant, role)
        )
    assert state(order) == before


# ---- an unpaid order's payment takes its whole total: no balance is left ------------------


def test_record_payment_on_an_unpaid_order_clears_its_balance_due(merchant, manager):
    order = place(merchant, method=PaymentMethod.CHECK, card=None)
    # A balance an earlier edit left, before the payment was returned.
    Order.objects.filter(pk=order.pk).update(balance_due=D("7.00"))

    order_transition(order=order, name="record_payment", by=manager, reference="CHK 77")

    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PROCESSED
    assert (order.balance_due, order_balance_owed(order)) == (D("0.00"), D("0.00"))


def test_process_payment_on_an_unpaid_order_clears_its_balance_due(merchant, manager):
    order = place(merchant, card_mode=CardMode.NO_CHARGE)
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    Order.objects.filter(pk=order.pk).update(balance_due=D("7.00"))

    order_transition(order=order, name="process_payment", by=manager)

    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PROCESSED
    assert (order.balance_due, order_balance_owed(order)) == (D("0.00"), D("0.00"))
    assert order.transactions.get().amount == order.total


# ---- the balance owed in the order document and the read API -----------------------------


def test_the_document_and_the_read_api_carry_the_balance_owed(client, merchant, manager):
    order = owing(merchant, manager)
    unpaid = place(merchant, method=PaymentMethod.CHECK, card=None)
    paid = place(merchant, method=PaymentMethod.CASH, card=None)
    _, token = api_token_create(merchant=merchant, name="ERP", scopes=[ApiScope.READ_ORDERS])

    def read(of: Order) -> dict:
        response = client.get(
            f"/api/v1/orders/{of.order_id}/", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        assert response.status_code == 200
        return response.json()

    def document(of: Order) -> dict:
        return order_document(order_documents_queryset(Order.objects.filter(pk=of.pk)).get())

    assert document(order)["totals"]["balance_owed"] == "40.00"
    assert read(order)["totals"]["balance_owed"] == "40.00"
    assert read(unpaid)["totals"]["balance_owed"] == str(unpaid.total)
    assert read(paid)["totals"]["balance_owed"] == "0.00"

    order_balance_receive(order=order, amount=D("12.34"), reference="CHK 5", by=manager)

    assert document(order)["totals"]["balance_owed"] == "27.66"
    assert read(order)["totals"]["balance_owed"] == "27.66"
