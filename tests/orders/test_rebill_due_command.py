from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orders.models import Order
from tests.orders.auto_orders import subscribe

pytestmark = pytest.mark.django_db


def test_rebill_due_bills_what_is_due_on_the_given_day(merchant):
    auto_order = subscribe(merchant, on=date(2025, 1, 31))
    out = StringIO()
    call_command("rebill_due", "--date", "2025-02-28", stdout=out)
    assert "approved 1" in out.getvalue()
    assert Order.objects.filter(auto_order_code=auto_order.code, source="rebill").count() == 1


def test_rebill_due_refuses_a_bad_date_and_changes_nothing(merchant):
    subscribe(merchant, on=date(2025, 1, 31))
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("rebill_due", "--date", "28/02/2025")
    assert Order.objects.filter(source="rebill").count() == 0


def test_rebill_due_with_several_workers_bills_each_due_auto_order_once(merchant):
    auto_orders = [
        subscribe(merchant, on=date(2025, 1, 31), email=f"w{n}@example.com") for n in range(5)
    ]
    out = StringIO()
    call_command("rebill_due", "--date", "2025-02-28", "--workers", "1", stdout=out)
    assert "approved 5" in out.getvalue()
    for auto_order in auto_orders:
        assert Order.objects.filter(auto_order_code=auto_order.code, source="rebill").count() == 1
