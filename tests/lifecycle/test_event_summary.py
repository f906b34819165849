"""The timeline's one-sentence summaries of events."""

from lifecycle.templatetags.lifecycle_tags import event_summary, money
from orders.models import OrderEvent


def summary(type_: str, **payload) -> str:
    return event_summary(OrderEvent(type=type_, payload=payload))


def test_transition_summary_names_the_action_and_the_stages():
    assert (
        summary(
            "order_transitioned",
            transition="process_payment",
            source="accounts_receivable",
            target="shipping",
        )
        == "Process payment: Accounts Receivable → Shipping"
    )


def test_transition_summary_adds_its_inputs():
    text = summary(
        "order_transitioned",
        transition="mark_shipped",
        source="shipping",
        target="completed",
        carrier="UPS",
        tracking_numbers=["1Z1", "1Z2"],
        notify=False,
    )

    assert text == "Mark shipped: Shipping → Completed Orders — UPS 1Z1, 1Z2; customer not notified"


def test_placed_summary():
    text = summary(
        "order_placed", source="api", stage="shipping", total="84.10", payment="approved"
    )

    assert text == "Placed via Intake API → Shipping — total 84.10; payment approved"


def test_payment_summary():
    text = summary(
        "order_payment",
        kind="charge",
        amount="84.10",
        result="declined",
        message="Insufficient funds",
    )

    assert text == "Charge of 84.10: declined (Insufficient funds)"


def test_refund_note_edit_email_delete_undelete_summaries():
    assert summary("order_refunded", amount="10", reason="damaged") == (
        "Refunded 10.00 — reason damaged"
    )
    assert summary("order_refunded", amount="5.00", external=True) == (
        "Refunded 5.00 outside the gateway"
    )
    assert summary("order_note_added", text="Called") == "Note added: “Called”"
    assert summary(
        "order_edited", changes={"shipping_city": {"before": "Ames", "after": "Boone"}}
    ) == ("Edited shipping city: Ames → Boone")
    assert summary("order_email_sent", template="receipt", to="ann@example.com") == (
        "Email “receipt” sent to ann@example.com"
    )
    assert summary("order_deleted", reason="test order") == "Deleted: test order"
    assert summary("order_undeleted") == "Undeleted"


def test_unknown_event_type_reads_as_words():
    assert summary("order_tag_added") == "Order tag added"


def test_money_has_two_decimals_and_thousands_separators():
    assert money("1234.5") == "1,234.50"
    assert money(None) == ""


def test_summaries_of_retries_replacements_and_resends():
    assert summary("order_ar_retried", attempt=2, of=3, result="declined") == (
        "Payment retry 2 of 3: declined"
    )
    assert summary(
        "order_replacement_created", replacement_order_id="DEMO-0000009", free=True, reason=""
    ) == ("Replacement order DEMO-0000009 created (free)")
    assert summary("order_email_queued", template="receipt") == ("Email “receipt” to be sent again")
