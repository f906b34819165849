from decimal import Decimal

import pytest
from django.core.management import call_command

from orders.models import Order
from tests.factories import place
from tests.tools.costfiles import csv_bytes
from tools.models import CostImport


def run(*args):
    """The command's exit code (0 when it returns normally)."""
    try:
        call_command("import_costs", *args)
    except SystemExit as exc:
        return exc.code
    return 0


@pytest.fixture
def order(merchant):
    return place(merchant, email="cmd@example.com")


@pytest.mark.django_db
def test_import_costs_applies_a_good_file_and_exits_0(merchant, order, tmp_path, capsys):
    path = tmp_path / "costs.csv"
    path.write_bytes(csv_bytes([[order.order_id, "3.00", "", "1.00"]]))
    assert run(str(path), "--merchant", "DEMO") == 0
    assert "1 order changed" in capsys.readouterr().out
    assert Order.objects.get(pk=order.pk).actual_shipping == Decimal("3.00")


@pytest.mark.django_db
def test_import_costs_refuses_errors_with_row_and_column_and_exits_1(
    merchant, order, tmp_path, capsys
):
    path = tmp_path / "costs.csv"
    path.write_bytes(csv_bytes([[order.order_id, "-3.00", "", "1.001"], ["DEMO-9", "", "", "1"]]))
    assert run(str(path), "--merchant", "DEMO") == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "row 2 Actual Shipping “-3.00”: cannot be negative",
        "row 2 Actual Payment “1.001”: at most 2 decimals",
        "row 3 Order ID “DEMO-9”: no such order",
    ]
    assert Order.objects.get(pk=order.pk).actual_payment == Decimal("0.00")


@pytest.mark.django_db
def test_import_costs_dry_run_changes_nothing(merchant, order, tmp_path, capsys):
    path = tmp_path / "costs.csv"
    path.write_bytes(csv_bytes([[order.order_id, "3.00", "", ""]]))
    assert run(str(path), "--merchant", "DEMO", "--dry-run") == 0
    assert "1 order would change" in capsys.readouterr().out
    assert Order.objects.get(pk=order.pk).actual_shipping == Decimal("0.00")


@pytest.mark.django_db
def test_import_costs_refuses_a_file_applied_before_unless_allowed(
    merchant, order, tmp_path, capsys
):
    path = tmp_path / "costs.csv"
    path.write_bytes(csv_bytes([[order.order_id, "", "", "1.00"]]))
    assert run(str(path), "--merchant", "DEMO") == 0
    assert run(str(path), "--merchant", "DEMO") == 1
    assert "already applied" in capsys.readouterr().err
    assert Order.objects.get(pk=order.pk).actual_payment == Decimal("1.00")
    assert run(str(path), "--merchant", "DEMO", "--allow-duplicate") == 0
    assert Order.objects.get(pk=order.pk).actual_payment == Decimal("2.00")


@pytest.mark.django_db
def test_import_costs_refuses_an_unreadable_file_and_an_unknown_merchant(
    merchant, tmp_path, capsys
):
    path = tmp_path / "costs.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert run(str(path), "--merchant", "DEMO") == 1
    assert run(str(path), "--merchant", "NOPE") == 1
    err = capsys.readouterr().err
    assert ".xls files are not supported" in err
    assert "No merchant with code NOPE" in err


@pytest.mark.django_db
def test_import_costs_dry_run_lists_every_error_stores_nothing_and_exits_1(
    merchant, order, tmp_path, capsys
):
    path = tmp_path / "costs.csv"
    path.write_bytes(csv_bytes([[order.order_id, "-3.00", "", ""], ["DEMO-9", "", "", "1"]]))
    assert run(str(path), "--merchant", "DEMO", "--dry-run") == 1
    assert capsys.readouterr().err.splitlines() == [
        "row 2 Actual Shipping “-3.00”: cannot be negative",
        "row 3 Order ID “DEMO-9”: no such order",
    ]
    assert not CostImport.objects.exists()
