"""People read labels on the timeline, never stored codes or Python lists."""

from orders.timeline import event_sentence, value_display


def sentence(type_: str, **payload) -> str:
    return event_sentence(type=type_, payload=payload)


def test_edited_tags_read_as_a_comma_separated_list():
    tags = {"before": [], "after": ["audit-2026", "vip"]}
    text = sentence("order_edited", changes={"tags": tags})

    assert text == "Edited tags: — → audit-2026, vip"


def test_edited_codes_read_as_their_labels():
    text = sentence(
        "order_edited",
        changes={"payment_method": {"before": "credit_card", "after": "wire"}},
    )

    assert text == "Edited payment method: Credit card → Wire transfer"


def test_undeleted_names_the_stage_by_its_label():
    assert sentence("order_undeleted", stage="accounts_receivable") == (
        "Undeleted (back in Accounts Receivable)"
    )


def test_gateway_results_read_as_words():
    assert sentence("order_ar_retried", attempt=1, of=3, result="declined") == (
        "Payment retry 1 of 3: declined"
    )
    placed = sentence("order_placed", source="api", stage="shipping", payment="approved")
    assert "payment approved" in placed


def test_chargeback_amounts_are_money_and_statuses_labels():
    text = sentence(
        "order_chargeback_opened",
        case_number="CB-1",
        amount="2165.9",
        reason_code="10.4",
        status="evidence_sent",
    )

    assert text == "Chargeback CB-1 opened: 2,165.90, reason 10.4 (evidence sent)"


def test_export_count_is_pluralized():
    assert sentence("orders_exported", count=1, mapping="Standard", format="csv") == (
        "Exported 1 order with “Standard” — CSV"
    )
    assert sentence("orders_exported", count=2, mapping="Standard").startswith("Exported 2 orders")


def test_card_brands_and_unknown_values_read_sensibly():
    assert value_display("card_brand", "amex") == "American Express"
    assert value_display("stage", "no_such_stage") == "no_such_stage"
    assert value_display("note", None) == "—"
