"""Mark shipped from a pasted list with a third column of line:quantity pairs: the Shipping
list's screen and the Batch Order Operation tool ship the part each row names."""

from decimal import Decimal

import pytest

from orders.services.placement import LineDraft
from orders.states import Stage
from tests.factories import place
from tests.tools.conftest import login
from tools.job_runner import job_run
from tools.models import Job
from tools.operations.shipping import ship_list_parse

pytestmark = pytest.mark.django_db


def three_line_order(merchant):
    return place(
        merchant,
        lines=[
            LineDraft(description="Kettle", sku="KET", quantity=1, unit_price=Decimal("30.00")),
            LineDraft(description="Mug", sku="MUG", quantity=3, unit_price=Decimal("10.00")),
            LineDraft(description="Tea", sku="TEA", quantity=2, unit_price=Decimal("5.00")),
        ],
    )


def shipped(order) -> dict[str, int]:
    return {
        row.line.sku: row.quantity
        for shipment in order.shipments.all()
        for row in shipment.lines.select_related("line")
    }


def test_the_parser_reads_line_quantity_pairs_by_the_lines_number():
    parsed = ship_list_parse("ord-1\t1Z999\t2:1,3:2\nORD-2 1Z1 1Z2\nORD-3 1Z3 2:x\nORD-1 1Z4 2:1")

    assert parsed.tracking == {"ORD-1": ["1Z999", "1Z4"], "ORD-2": ["1Z1", "1Z2"], "ORD-3": ["1Z3"]}
    assert parsed.lines == {"ORD-1": {"2": 2, "3": 2}}
    assert "“2:x” is not line:quantity" in parsed.problems["ORD-3"]


def test_the_shipping_lists_pasted_rows_ship_parts_and_bad_rows_change_nothing(
    client, merchant, manager, django_capture_on_commit_callbacks
):
    part, whole, too_many, no_line, unreadable = (three_line_order(merchant) for _ in range(5))
    rows = (
        f"{part.order_id}\t1ZPART\t1:1,2:2\n"
        f"{whole.order_id}\t1ZWHOLE\n"
        f"{too_many.order_id}\t1ZMANY\t2:4\n"
        f"{no_line.order_id}\t1ZNOLINE\t9:1\n"
        f"{unreadable.order_id}\t1ZBAD\t2:0\n"
    )
    login(client, manager)

    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            "/stages/shipping/mark-shipped/",
            {"carrier": "UPS", "rows": rows, "do_not_notify": "on"},
        )
    job = Job.objects.get()
    job_run(job_id=job.pk)

    for order in (part, whole, too_many, no_line, unreadable):
        order.refresh_from_db()
    assert part.stage == Stage.SHIPPING
    assert shipped(part) == {"KET": 1, "MUG": 2}
    assert part.shipments.get().tracking_numbers == ["1ZPART"]
    assert whole.stage == Stage.COMPLETED
    assert shipped(whole) == {"KET": 1, "MUG": 3, "TEA": 2}
    outcomes = {o.order_id: (o.outcome, o.message) for o in job.outcomes.all()}
    assert outcomes[part.order_id][0] == "succeeded"
    assert outcomes[too_many.order_id] == ("skipped", "MUG: only 3 left to ship, not 4.")
    assert outcomes[no_line.order_id] == (
        "skipped",
        f"{no_line.order_id} has no line 9 (it has 3).",
    )
    assert "“2:0” is not line:quantity" in outcomes[unreadable.order_id][1]
    for untouched in (too_many, no_line, unreadable):
        assert untouched.stage == Stage.SHIPPING
        assert not untouched.shipments.exists()


def test_the_last_part_from_a_list_completes_the_order(client, merchant, manager):
    order = three_line_order(merchant)
    login(client, manager)
    for rows in (f"{order.order_id} 1ZA 1:1,2:3", f"{order.order_id} 1ZB 3:2"):
        client.post("/stages/shipping/mark-shipped/", {"carrier": "UPS", "rows": rows})
        job_run(job_id=Job.objects.order_by("-pk").first().pk)

    order.refresh_from_db()
    assert order.stage == Stage.COMPLETED
    assert order.shipments.count() == 2


def test_the_batch_tool_ships_the_part_a_row_names(client, merchant, manager):
    order = three_line_order(merchant)
    login(client, manager)
    data = {
        "kind": "ids",
        "order_ids": order.order_id,
        "operation": "mark_shipped_from_list",
        "op-carrier": "UPS",
        "op-tracking_list": f"{order.order_id}\t1Z999\t2:1,3:2",
        "op-do_not_notify": "on",
    }

    preview = client.post("/tools/batch/", {**data, "action": "preview"})
    assert 'data-preview="applies">1<' in preview.content.decode()
    client.post("/tools/batch/", {**data, "action": "run"})
    job = Job.objects.get()
    job_run(job_id=job.pk)

    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING
    assert shipped(order) == {"MUG": 1, "TEA": 2}
    assert job.outcomes.get().outcome == "succeeded"


def test_the_batch_tool_previews_a_bad_row_as_a_skip(client, merchant, manager):
    order = three_line_order(merchant)
    login(client, manager)

    preview = client.post(
        "/tools/batch/",
        {
            "kind": "ids",
            "order_ids": order.order_id,
            "operation": "mark_shipped_from_list",
            "op-carrier": "UPS",
            "op-tracking_list": f"{order.order_id} 1Z9 3:5",
            "action": "preview",
        },
    )

    assert "TEA: only 2 left to ship, not 5." in preview.content.decode()
    assert not Job.objects.exists()
