"""The list's rows drawn by OrderTable.rows_html are django-tables2's own cells, every column."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import conditional_escape

from lifecycle.tables import OrderTable
from orders.models import Order
from orders.states import Stage
from tests.factories import place
from tests.orders.builders import order_in_stage, walk

pytestmark = pytest.mark.django_db

EVERY_COLUMN = [name for name in OrderTable.base_columns if name != "select"]


def tables2_rows(table: OrderTable) -> list[tuple[str, list[tuple[str, str]]]]:
    """What the list template drew before: row.attrs, then each column's td attrs and cell."""
    return [
        (
            row.attrs.as_html(),
            [
                (column.attrs.get("td").as_html(), conditional_escape(cell))
                for column, cell in row.items()
            ],
        )
        for row in table.rows
    ]


def test_every_column_of_every_kind_of_row_matches_django_tables2(merchant, manager):
    merchant.stage_age_limits = {"shipping": 2}
    merchant.save()
    rejected = order_in_stage(merchant, Stage.REJECTED)
    Order.objects.filter(pk=rejected.pk).update(rejected_by=manager)
    held = walk(place(merchant, email="held@example.com"), "hold", reason="Ask <b>first</b>")
    Order.objects.filter(pk=held.pk).update(hold_until=timezone.now().date() + timedelta(days=3))
    overdue = place(merchant, company="Smith & Sons")
    Order.objects.filter(pk=overdue.pk).update(stage_entered_at=timezone.now() - timedelta(days=9))
    order_in_stage(merchant, Stage.QUOTE_SENT)
    order_in_stage(merchant, Stage.FRAUD_REVIEW)
    order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE)
    orders = list(Order.objects.filter(merchant=merchant).select_related("rejected_by"))

    table = OrderTable(orders, merchant=merchant, columns=EVERY_COLUMN)
    renderers_rows = [
        table.row_cells(record, index, table._cell_renderers())
        for index, record in enumerate(table.data)
    ]

    assert renderers_rows == tables2_rows(table)
    assert len(table.rows_html()) == len(orders) == 6
    page = "".join(table.rows_html())
    for shown in ["row-overdue", "&lt;b&gt;first&lt;/b&gt;", manager.username, "Smith &amp; Sons"]:
        assert shown in page
