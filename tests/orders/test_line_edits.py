"""Editing an order's lines after placement: re-pricing, settling the difference, refusals.

After every edit the order's totals, its refunded total, what was captured and the gateway's
own books agree to the cent: what the gateway holds net of refunds is the total less the
refunded total less the balance still owed.
"""

from decimal import Decimal

import pytest

from orders.exceptions import (
    InvalidInput,
    OrderChanged,
    PaymentFailed,
    TransitionNotAvailable,
    TransitionNotPermitted,
)
from orders.models import (
    GatewayLedgerEntry,
    Order,
    OrderEvent,
    OrderLine,
    PaymentTransaction,
    Role,
    Shipment,
)
from orders.models.webhook import OutboxMessage, WebhookTopic
from orders.selectors.documents import order_document
from orders.selectors.payments import order_balance_owed
from orders.services.deletion import order_delete
from orders.services.line_edits import (
    LineChange,
    LinesEdit,
    NewLine,
    order_lines_edit,
    order_lines_version,
)
from orders.services.placement import CardMode
from orders.states import PaymentMethod, PaymentStatus, Stage
from tests.factories import ItemFactory, member, place
from tests.orders.auto_orders import subscribe
from tests.orders.builders import order_in_stage, walk
from tests.orders.disputes import open_chargeback

D = Decimal
pytestmark = pytest.mark.django_db
DECLINING_TOKEN = "tgw_0000_ok_0002"


def line_of(order: Order) -> OrderLine:
    return order.lines.get()


def quantity(order: Order, new: int, *, line: OrderLine | None = None, **edit) -> LinesEdit:
    line = line or line_of(order)
    return LinesEdit(
        changes=[LineChange(line_pk=line.pk, quantity=new, unit_price=line.unit_price)], **edit
    )


def edit(order: Order, change: LinesEdit, by=None):
    """The edit made from a page showing the order as it is now."""
    seen = Order.objects.get(pk=order.pk)
    return order_lines_edit(
        order=order, edit=change, version=order_lines_version(seen), by=by, via="test"
    )


def gateway_net(order: Order) -> Decimal:
    """What the gateway's books hold for this order: captured and charged less refunded."""
    references = order.transactions.values_list("gateway_reference", flat=True)
    entries = GatewayLedgerEntry.objects.filter(reference__in=references, result="approved")
    taken = sum(
        (e.amount for e in entries if e.operation in {"charge", "capture"}), start=D("0.00")
    )
    refunded = sum((e.amount for e in entries if e.operation == "refund"), start=D("0.00"))
    return taken - refunded


def recorded_net(order: Order) -> Decimal:
    """The same from the order's own transactions."""
    rows = order.transactions.filter(result="approved")
    taken = sum((r.amount for r in rows if r.kind in {"charge", "capture"}), start=D("0.00"))
    refunded = sum((r.amount for r in rows if r.kind == "refund"), start=D("0.00"))
    return taken - refunded


def assert_books_agree(order: Order) -> None:
    order.refresh_from_db()
    expected = order.total - order.refunded_total - order.balance_due
    assert gateway_net(order) == recorded_net(order) == expected
    assert order.actual_profit == order.compute_actual_profit()


def snapshot(order: Order) -> tuple:
    fresh = Order.objects.get(pk=order.pk)
    return (
        fresh.stage,
        fresh.payment_status,
        fresh.total,
        fresh.subtotal,
        fresh.balance_due,
        fresh.updated_at,
        list(fresh.lines.values_list("pk", "quantity", "unit_price")),
        OrderEvent.objects.filter(order=order).count(),
        PaymentTransaction.objects.filter(order=order).count(),
        GatewayLedgerEntry.objects.count(),
    )


@pytest.fixture
def item(merchant):
    return ItemFactory(merchant=merchant, sku="MUG", price=D("12.50"), cost=D("4.00"))


# ---- money: up, down, A/R, declines ------------------------------------------------------


def test_a_higher_total_charges_the_difference_to_the_card_on_file(merchant, manager):
    order = place(merchant, quantity=1)  # 20.00 + 5.00 shipping, charged
    assert_books_agree(order)

    result = edit(order, quantity(order, 3), by=manager)

    order.refresh_from_db()
    assert (order.subtotal, order.total, order.payment_status) == (
        D("60.00"),
        D("65.00"),
        PaymentStatus.PROCESSED,
    )
    assert result.payment is not None
    assert (result.payment.kind, result.payment.amount) == ("charge", D("40.00"))
    assert order.transactions.filter(kind="charge", result="approved").count() == 2
    assert order.refunded_total == D("0.00")
    assert_books_agree(order)


def test_a_lower_total_refunds_the_difference_through_the_gateway(merchant, manager):
    order = place(merchant, quantity=3)  # 65.00 charged

    result = edit(order, quantity(order, 1), by=manager)

    order.refresh_from_db()
    assert order.total == D("25.00")
    assert (result.payment.kind, result.payment.amount) == ("refund", D("40.00"))
    assert GatewayLedgerEntry.objects.filter(operation="refund").get().amount == D("40.00")
    assert order.refunded_total == D("0.00"), "the total itself says the customer owes less"
    assert order.payment_status == PaymentStatus.PROCESSED
    assert_books_agree(order)


def test_an_edit_after_a_refund_keeps_the_books_in_step(merchant, manager):
    from orders.services.refunds import order_refund

    order = place(merchant, quantity=3)  # 65.00
    order_refund(order=order, amount=D("10.00"), notify=False)
    edit(order, quantity(order, 2), by=manager)  # 45.00: 20.00 back

    assert_books_agree(order)
    assert order.refunded_total == D("10.00")
    assert order.total == D("45.00")


def test_an_accounts_receivable_order_without_a_card_owes_its_new_total(merchant, manager):
    order = place(merchant, method=PaymentMethod.CHECK, card=None, quantity=1)
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE

    result = edit(order, quantity(order, 4), by=manager)

    order.refresh_from_db()
    assert result.payment is None
    assert order.total == D("85.00")
    assert order_balance_owed(order) == D("85.00")
    assert not order.transactions.exists()
    assert not GatewayLedgerEntry.objects.exists()
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE


def test_an_accounts_receivable_order_with_a_card_is_not_charged_by_the_edit(merchant, manager):
    order = place(merchant, card_mode=CardMode.NO_CHARGE)

    edit(order, quantity(order, 2), by=manager)

    order.refresh_from_db()
    assert order.total == D("45.00")
    assert order_balance_owed(order) == D("45.00")
    assert not GatewayLedgerEntry.objects.exists(), "A/R charges the new total when it retries"


def test_an_order_paid_by_other_means_owes_a_higher_total_and_is_owed_a_lower_one(
    merchant, manager
):
    order = place(merchant, method=PaymentMethod.CASH, card=None)  # 25.00 paid in cash
    assert order.payment_status == PaymentStatus.PROCESSED

    edit(order, quantity(order, 3), by=manager)  # 65.00: 40.00 more owed
    order.refresh_from_db()
    assert (order.balance_due, order_balance_owed(order)) == (D("40.00"), D("40.00"))
    assert not order.transactions.exists()

    edit(order, quantity(order, 1), by=manager)  # back to 25.00: nothing owed either way
    order.refresh_from_db()
    assert order.balance_due == D("0.00")
    assert not order.transactions.exists()

    edit(order, LinesEdit(shipping_total=D("0.00")), by=manager)  # 20.00: 5.00 to give back
    order.refresh_from_db()
    owed = order.transactions.get()
    assert (owed.kind, owed.amount) == (PaymentTransaction.Kind.EXTERNAL_REFUND, D("5.00"))
    assert "owed" in owed.message
    assert not GatewayLedgerEntry.objects.exists()


def test_a_declined_charge_reads_as_a_decline_and_changes_nothing(merchant, manager):
    order = place(merchant)
    Order.objects.filter(pk=order.pk).update(gateway_token=DECLINING_TOKEN)
    order.refresh_from_db()
    before = snapshot(order)

    with pytest.raises(PaymentFailed) as refused:
        edit(order, quantity(order, 3), by=manager)

    assert "Card declined" in str(refused.value)
    assert "did not go through" in str(refused.value)
    assert "Nothing was changed" in str(refused.value)
    assert snapshot(order) == before
    assert_books_agree(order)


def test_an_authorized_order_is_authorized_again_for_a_higher_total_and_captures_it(
    merchant, manager
):
    merchant.capture_at_shipment = True
    merchant.save()
    order = place(merchant)  # 25.00 authorized
    assert order.payment_status == PaymentStatus.AUTHORIZED

    edit(order, quantity(order, 2), by=manager)  # 45.00

    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.AUTHORIZED
    kinds = list(order.transactions.values_list("kind", "amount"))
    assert kinds == [("authorize", D("25.00")), ("authorize", D("45.00")), ("void", D("0"))]
    assert_books_agree_after_capture = walk(order, "mark_shipped", carrier="UPS")
    assert_books_agree(assert_books_agree_after_capture)
    assert order.transactions.get(kind="capture").amount == D("45.00")


def test_the_tax_is_worked_out_again_at_the_merchants_rate(merchant, manager):
    merchant.tax_rate = D("0.0825")
    merchant.save()
    order = place(merchant)  # 20.00 + 1.65 tax + 5.00
    assert order.tax == D("1.65")

    edit(order, quantity(order, 3), by=manager)

    order.refresh_from_db()
    assert (order.subtotal, order.tax, order.total) == (D("60.00"), D("4.95"), D("69.95"))
    assert_books_agree(order)


# ---- what an edit may change -------------------------------------------------------------


def test_adding_a_catalogue_item_and_a_free_text_line_and_changing_shipping(
    merchant, manager, item
):
    order = place(merchant, method=PaymentMethod.CHECK, card=None)

    edit(
        order,
        LinesEdit(
            added=[
                NewLine(sku="MUG", quantity=2),
                NewLine(description="Gift wrap", quantity=1, unit_price=D("3.00")),
            ],
            shipping_total=D("7.50"),
            shipping_method="Next Day Air",
        ),
        by=manager,
    )

    order.refresh_from_db()
    lines = list(order.lines.values_list("sku", "description", "quantity", "unit_price"))
    assert lines == [
        ("", "Widget", 1, D("20.00")),
        ("MUG", item.description, 2, D("12.50")),
        ("", "Gift wrap", 1, D("3.00")),
    ]
    assert (order.subtotal, order.shipping_total, order.total) == (
        D("48.00"),
        D("7.50"),
        D("55.50"),
    )
    assert order.cost_of_goods == D("8.00")
    assert order.shipping_method == "Next Day Air"


def test_removing_a_line_and_changing_a_price_with_its_reason(merchant, manager, item):
    order = place(merchant, method=PaymentMethod.CHECK, card=None)
    edit(order, LinesEdit(added=[NewLine(sku="MUG", quantity=1)]), by=manager)
    widget, mug = order.lines.all()

    edit(
        order,
        LinesEdit(
            changes=[
                LineChange(line_pk=widget.pk, quantity=1, unit_price=D("20.00"), remove=True),
                LineChange(line_pk=mug.pk, quantity=1, unit_price=D("10.00")),
            ],
            price_reason="Chipped rim",
        ),
        by=manager,
    )

    order.refresh_from_db()
    assert list(order.lines.values_list("sku", "unit_price")) == [("MUG", D("10.00"))]
    assert order.total == D("15.00")


def test_one_order_edited_event_lists_every_change_and_goes_out_as_a_webhook(
    merchant, manager, item
):
    order = place(merchant, quantity=2)  # 45.00
    line = line_of(order)
    OrderEvent.objects.all().delete()
    OutboxMessage.objects.all().delete()

    edit(
        order,
        LinesEdit(
            changes=[LineChange(line_pk=line.pk, quantity=3, unit_price=D("18.00"))],
            added=[NewLine(sku="MUG", quantity=1)],
            shipping_total=D("6.00"),
            price_reason="Loyal customer",
        ),
        by=manager,
    )

    event = OrderEvent.objects.get(type="order_edited")
    payload = event.payload
    assert payload["lines"] == [
        {"change": "quantity", "line": "Widget", "before": 2, "after": 3},
        {
            "change": "price",
            "line": "Widget",
            "before": "20.00",
            "after": "18.00",
            "reason": "Loyal customer",
        },
        {"change": "added", "line": "MUG", "quantity": 1, "unit_price": "12.50"},
    ]
    assert payload["changes"]["total"] == {"before": "45.00", "after": "72.50"}
    assert payload["changes"]["shipping_total"] == {"before": "5.00", "after": "6.00"}
    assert payload["totals_before"]["total"] == "45.00"
    assert payload["totals_after"]["total"] == "72.50"
    assert payload["money"]["settlement"] == "charge"
    assert payload["money"]["moved"] == "27.50"
    assert OrderEvent.objects.filter(type="order_edited").count() == 1
    assert event.actor == manager
    webhook = OutboxMessage.objects.get(topic=WebhookTopic.ORDER_EDITED)
    assert webhook.change["money"]["moved"] == "27.50"


def test_the_order_document_shows_the_new_lines_and_totals(merchant, manager, item):
    order = place(merchant, method=PaymentMethod.CHECK, card=None)
    edit(order, LinesEdit(added=[NewLine(sku="MUG", quantity=2)]), by=manager)

    document = order_document(Order.objects.get(pk=order.pk))

    assert [line["sku"] for line in document["lines"]] == ["", "MUG"]
    assert document["totals"]["total"] == "50.00"


# ---- refusals ------------------------------------------------------------------------------


def refused(order: Order, change: LinesEdit, by, error=InvalidInput) -> str:
    before = snapshot(order)
    with pytest.raises(error) as caught:
        edit(order, change, by=by)
    assert snapshot(order) == before, "a refused edit changes nothing"
    return str(caught.value)


def test_an_order_with_a_shipment_cannot_be_edited(merchant, manager):
    order = place(merchant)
    Shipment.objects.create(order=order, carrier="UPS", tracking_numbers=["1Z1"])

    message = refused(order, quantity(order, 2), manager, TransitionNotAvailable)

    assert "has shipped" in message


@pytest.mark.parametrize(
    ("stage", "words"), [(Stage.COMPLETED, "completed"), (Stage.REJECTED, "rejected")]
)
def test_completed_and_rejected_orders_cannot_be_edited(merchant, manager, stage, words):
    order = order_in_stage(merchant, stage)

    assert words in refused(order, quantity(order, 2), manager, TransitionNotAvailable)


def test_a_deleted_order_cannot_be_edited(merchant, manager):
    order = place(merchant)
    order_delete(order=order, reason="duplicate")

    assert "deleted" in refused(order, quantity(order, 2), manager, TransitionNotAvailable)


def test_an_order_with_an_open_chargeback_cannot_be_edited(merchant, manager):
    order = place(merchant)
    open_chargeback(order)

    message = refused(order, quantity(order, 2), manager, TransitionNotAvailable)

    assert "open chargeback" in message


@pytest.mark.parametrize(
    ("new_quantity", "words"), [(0, "at least 1"), (-2, "at least 1"), (10_001, "at most 10,000")]
)
def test_a_quantity_below_one_or_absurd_is_refused(merchant, manager, new_quantity, words):
    order = place(merchant)

    assert words in refused(order, quantity(order, new_quantity), manager)


def test_a_negative_price_is_refused(merchant, manager):
    order = place(merchant)
    line = line_of(order)
    change = LinesEdit(
        changes=[LineChange(line_pk=line.pk, quantity=1, unit_price=D("-1.00"))],
        price_reason="typo",
    )

    assert "zero or more" in refused(order, change, manager)


def test_a_price_change_needs_a_reason(merchant, manager):
    order = place(merchant)
    line = line_of(order)
    change = LinesEdit(changes=[LineChange(line_pk=line.pk, quantity=1, unit_price=D("15.00"))])

    assert "say why the unit price changes" in refused(order, change, manager)


def test_a_line_of_another_order_is_refused(merchant, manager):
    order = place(merchant)
    other = place(merchant, email="bo@example.com")

    message = refused(order, quantity(order, 2, line=line_of(other)), manager)

    assert "not on this order" in message
    assert line_of(other).quantity == 1


def test_removing_every_line_is_refused(merchant, manager):
    order = place(merchant)
    line = line_of(order)
    change = LinesEdit(
        changes=[LineChange(line_pk=line.pk, quantity=1, unit_price=line.unit_price, remove=True)]
    )

    assert "at least one line" in refused(order, change, manager)


def test_an_unknown_catalogue_item_is_refused(merchant, manager):
    order = place(merchant)

    assert "no item with SKU" in refused(
        order, LinesEdit(added=[NewLine(sku="NOPE", quantity=1)]), manager
    )


def test_an_edit_from_a_stale_page_is_refused(merchant, manager):
    order = place(merchant)
    seen = order_lines_version(order)
    edit(order, quantity(order, 2), by=manager)  # someone else, meanwhile
    order.refresh_from_db()
    before = snapshot(order)

    with pytest.raises(OrderChanged) as caught:
        order_lines_edit(order=order, edit=quantity(order, 5), version=seen, by=manager)

    assert str(caught.value) == (
        "This order changed while you were looking — review it and try again."
    )
    assert snapshot(order) == before


@pytest.mark.parametrize("role", [Role.CUSTOMER_SERVICE, Role.SHIPPING_CLERK, Role.BOOKKEEPER])
def test_only_owners_and_managers_may_edit_lines(merchant, role):
    order = place(merchant)

    refused(order, quantity(order, 2), member(merchant, role), TransitionNotPermitted)


# ---- pre-orders and auto orders ----------------------------------------------------------


def test_removing_the_last_pre_order_line_releases_the_order(merchant, manager, item):
    order = order_in_stage(merchant, Stage.PRE_ORDER)  # 20.00 pre-order item, card on file
    pre_order_line = line_of(order)
    assert not order.transactions.exists()

    result = edit(
        order,
        LinesEdit(
            changes=[
                LineChange(
                    line_pk=pre_order_line.pk,
                    quantity=1,
                    unit_price=pre_order_line.unit_price,
                    remove=True,
                )
            ],
            added=[NewLine(sku="MUG", quantity=1)],
        ),
        by=manager,
    )

    order.refresh_from_db()
    assert result.plan.releases_pre_order
    assert order.stage == Stage.SHIPPING
    assert order.payment_status == PaymentStatus.PROCESSED
    assert order.transactions.get().amount == D("17.50"), "released at the new total"
    assert order.events.filter(type="order_transitioned").get().payload["transition"] == (
        "release_preorder"
    )
    assert_books_agree(order)


def test_changing_a_pre_order_line_keeps_the_pre_order(merchant, manager):
    order = order_in_stage(merchant, Stage.PRE_ORDER)

    result = edit(order, quantity(order, 2), by=manager)

    order.refresh_from_db()
    assert not result.plan.releases_pre_order
    assert order.stage == Stage.PRE_ORDER
    assert order.total == D("45.00")


def test_an_auto_order_line_changes_future_rebills_only_when_asked(merchant, manager):
    auto_order = subscribe(merchant)
    order = auto_order.original_order
    rebilled = auto_order.items.get()

    edit(order, quantity(order, 2), by=manager)
    rebilled.refresh_from_db()
    assert (rebilled.quantity, rebilled.unit_price) == (1, D("20.00"))

    order.refresh_from_db()
    line = line_of(order)
    edit(
        order,
        LinesEdit(
            changes=[LineChange(line_pk=line.pk, quantity=3, unit_price=D("18.00"))],
            price_reason="Subscriber price",
            rebills_too=True,
        ),
        by=manager,
    )
    rebilled.refresh_from_db()
    assert (rebilled.quantity, rebilled.unit_price) == (3, D("18.00"))
    event = order.events.filter(type="order_edited").latest("id")
    assert event.payload["rebills_changed"] == ["BEANS"]


@pytest.mark.parametrize("stage", [Stage.SHIPPING, Stage.ACCOUNTS_RECEIVABLE])
def test_a_pre_order_item_is_refused_on_an_order_that_is_not_a_pre_order(merchant, manager, stage):
    ItemFactory(merchant=merchant, sku="SOON", price=D("30.00"), pre_order=True)
    order = order_in_stage(merchant, stage)
    before = snapshot(order)

    message = refused(order, LinesEdit(added=[NewLine(sku="SOON", quantity=1)]), manager)

    assert message == "SOON is a pre-order item; enter it as a new order."
    assert snapshot(order) == before


def test_a_pre_order_item_may_be_added_to_a_pre_order(merchant, manager):
    ItemFactory(merchant=merchant, sku="SOON", price=D("30.00"), pre_order=True)
    order = order_in_stage(merchant, Stage.PRE_ORDER)

    edit(order, LinesEdit(added=[NewLine(sku="SOON", quantity=1)]), by=manager)

    order.refresh_from_db()
    assert order.stage == Stage.PRE_ORDER
    assert order.lines.filter(sku="SOON", pre_order=True).exists()
