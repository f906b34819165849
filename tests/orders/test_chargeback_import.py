from decimal import Decimal

import pytest

from orders.exceptions import InvalidInput
from orders.models import Chargeback, OrderEvent
from orders.services.chargebacks import chargeback_import_apply, chargeback_import_preview
from tests.factories import place
from tests.orders.disputes import open_chargeback

HEADER = "case_number,order_id,reason_code,amount,date,deadline\n"


@pytest.fixture
def orders(merchant):
    merchant.chargeback_filtered_reason_codes = ["10.5"]
    merchant.chargeback_never_dispute_codes = ["12.6"]
    merchant.save()
    return [place(merchant), place(merchant)]


def report(rows: list[str]) -> str:
    return HEADER + "\n".join(rows) + "\n"


def problems_of(preview) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.message) for p in preview.problems]


@pytest.mark.django_db
def test_a_bad_file_gets_a_precise_preview_and_imports_nothing(merchant, manager, orders):
    first, second = (order.order_id for order in orders)
    open_chargeback(orders[0], case_number="OLD-1")
    content = report(
        [
            f"CB-100,{first},13.1,25.00,2026-11-01,2026-11-30",  # row 2: good
            "CB-101,DEMO-9999999,13.1,10.00,2026-11-01,2026-11-30",  # row 3: unknown order
            f"CB-102,{second},10.5,10.00,2026-11-01,2026-11-30",  # row 4: filtered code
            f"CB-103,{second},13.1,12.3.4,2026-11-01,2026-11-30",  # row 5: bad amount
            f"CB-100,{second},13.1,5.00,2026-11-01,2026-11-30",  # row 6: duplicate of row 2
            f"OLD-1,{second},13.1,5.00,2026-11-01,2026-11-30",  # row 7: already recorded
            f"CB-104,{second},12.6,7.50,2026-11-01,2026-11-30",  # row 8: good, never disputed
        ]
    )

    preview = chargeback_import_preview(merchant=merchant, content=content)

    assert problems_of(preview) == [
        (3, "order_id", "unknown order ID “DEMO-9999999”"),
        (4, "reason_code", "reason code 10.5 is filtered out for this merchant"),
        (5, "amount", "“12.3.4” is not an amount above zero"),
        (6, "case_number", "duplicate of row 2"),
        (7, "case_number", "case OLD-1 is already recorded"),
    ]
    assert [row.row for row in preview.rows] == [2, 8]
    assert not preview.is_clean
    with pytest.raises(InvalidInput, match="5 problem"):
        chargeback_import_apply(merchant=merchant, content=content, by=manager)
    assert list(Chargeback.objects.values_list("case_number", flat=True)) == ["OLD-1"]


@pytest.mark.django_db
def test_a_clean_file_imports_every_row_with_events(merchant, manager, orders):
    first, second = (order.order_id for order in orders)
    content = report(
        [
            f'CB-1,{first.lower()},13.1,"1,025.00",2026-11-01,2026-11-30',
            f"CB-2,{second},12.6,7.50,2026-11-02,2026-12-01",
        ]
    )
    assert chargeback_import_preview(merchant=merchant, content=content).is_clean

    created = chargeback_import_apply(merchant=merchant, content=content, by=manager)

    assert [(c.case_number, c.amount, c.status) for c in created] == [
        ("CB-1", Decimal("1025.00"), Chargeback.Status.OPEN),
        ("CB-2", Decimal("7.50"), Chargeback.Status.NOT_DISPUTED),
    ]
    assert str(created[0].respond_by) == "2026-11-30"
    events = OrderEvent.objects.filter(type="order_chargeback_opened")
    assert events.count() == 2
    assert {e.actor_label for e in events} == {"chargeback import"}


@pytest.mark.django_db
def test_missing_columns_and_bad_dates_are_reported(merchant, orders):
    preview = chargeback_import_preview(merchant=merchant, content="case_number,order_id\nA,B\n")
    assert problems_of(preview) == [
        (1, "reason_code, amount, date, deadline", "column missing in the header")
    ]
    content = report([f"CB-9,{orders[0].order_id},13.1,-4,yesterday,2026-13-01"])
    columns = [
        p.column for p in chargeback_import_preview(merchant=merchant, content=content).problems
    ]
    assert columns == ["amount", "date", "deadline"]


@pytest.mark.django_db
def test_another_merchants_order_is_unknown(merchant, other_merchant, orders):
    theirs = place(other_merchant)
    content = report([f"CB-5,{theirs.order_id},13.1,5.00,2026-11-01,2026-11-30"])
    preview = chargeback_import_preview(merchant=merchant, content=content)
    assert [p.column for p in preview.problems] == ["order_id"]
