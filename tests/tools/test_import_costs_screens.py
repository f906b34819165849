"""Import Actual Costs as people use it: a refused second apply says why, and past imports
are listed with who, when, the file, its totals and undo."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import Order
from tests.factories import place
from tests.tools.conftest import login
from tests.tools.costfiles import csv_bytes
from tests.tools.test_export_import_views import bookkeeper, upload  # noqa: F401
from tools.job_runner import job_run
from tools.models import CostImport, Job

pytestmark = pytest.mark.django_db


def applied(client, content) -> CostImport:
    upload(client, content)
    cost_import = CostImport.objects.latest("pk")
    client.post(reverse("cost-import-apply", args=[cost_import.pk]))
    job_run(job_id=Job.objects.filter(kind="cost_import_apply").latest("pk").pk)
    cost_import.refresh_from_db()
    return cost_import


def test_applying_a_duplicate_without_the_tick_says_nothing_was_applied_and_why(
    client,
    merchant,
    bookkeeper,  # noqa: F811
):
    order = place(merchant)
    login(client, bookkeeper)
    content = csv_bytes([[order.order_id, "", "", "2.00"]])
    first = applied(client, content)
    upload(client, content)
    second = CostImport.objects.latest("pk")

    page = client.post(reverse("cost-import-apply", args=[second.pk]), follow=True)

    body = page.content.decode()
    assert "Nothing was applied: This file&#x27;s content was already applied on" in body
    assert f"(import #{first.pk})" in body
    assert "tick “apply it again”" in body
    checkbox = body.split('name="confirm_duplicate"')[1].split(">")[0]
    assert " required" not in checkbox  # the server answers, rather than a silent browser
    second.refresh_from_db()
    assert second.status == CostImport.Status.PREVIEWED
    assert Order.objects.get(pk=order.pk).actual_payment == Decimal("2.00")


def test_past_imports_show_who_when_the_file_its_totals_and_undo(
    client,
    merchant,
    bookkeeper,  # noqa: F811
):
    orders = [place(merchant, email=f"p{n}@example.com") for n in range(2)]
    login(client, bookkeeper)
    cost_import = applied(
        client,
        csv_bytes(
            [[orders[0].order_id, "5.00", "1.50", "2.25"], [orders[1].order_id, "", "", "1,000.00"]]
        ),
    )

    page = client.get(reverse("tool-import-costs"))

    body = page.content.decode()
    row = body.split(f'data-import="{cost_import.pk}"')[1].split("</tr>")[0]
    assert "costs.csv" in row
    assert "Applied" in row
    assert f"by {bookkeeper.get_username()}" in row
    assert cost_import.applied_at.strftime("%Y-%m-%d") in row
    for total in ("5.00", "1.50", "1,002.25"):
        assert total in row
    assert reverse("cost-import-undo", args=[cost_import.pk]) in row

    client.post(reverse("cost-import-undo", args=[cost_import.pk]), {"confirmed": "1"})
    job_run(job_id=Job.objects.get(kind="cost_import_undo").pk)
    undone = client.get(reverse("tool-import-costs")).content.decode()
    row = undone.split(f'data-import="{cost_import.pk}"')[1].split("</tr>")[0]
    assert "Undone" in row
    assert reverse("cost-import-undo", args=[cost_import.pk]) not in row
