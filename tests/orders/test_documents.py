import json
from decimal import Decimal

from orders.models import Order
from orders.selectors.documents import order_document, order_documents_queryset
from tests.factories import place


def test_document_carries_lines_payments_and_money_as_strings(merchant):
    placed = place(merchant, price=Decimal("19.99"), quantity=2)
    order = order_documents_queryset(Order.objects.filter(pk=placed.pk)).get()

    document = order_document(order)

    assert document["order_id"] == placed.order_id
    assert document["merchant"] == merchant.code
    assert document["totals"]["subtotal"] == "39.98"
    assert document["totals"]["total"] == str(placed.total)
    assert [line["quantity"] for line in document["lines"]] == [2]
    assert document["lines"][0]["line_total"] == "39.98"
    assert document["transactions"], "the charge at placement is part of the document"
    assert json.loads(json.dumps(document)) == document


def test_documents_read_in_fixed_queries(merchant, django_assert_num_queries):
    for _ in range(3):
        place(merchant)
    with django_assert_num_queries(6):  # the merchant's carriers, for tracking links
        documents = [
            order_document(order)
            for order in order_documents_queryset(Order.objects.filter(merchant=merchant))
        ]
    assert len(documents) == 3
