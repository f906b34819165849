from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orders.models import Order
from tests.factories import member, place
from tests.tools.conftest import login
from tests.tools.costfiles import csv_bytes
from tools.exports.services import export_mapping_get, export_start
from tools.imports.services import cost_import_preview
from tools.job_runner import job_run
from tools.models import CostImport, ExportMapping, Job


@pytest.fixture
def bookkeeper(merchant):
    return member(merchant, "bookkeeper")


def upload(client, content, name="costs.csv"):
    """Post the file, run its preview job as the worker would, and open the import's page."""
    response = client.post(
        reverse("tool-import-costs"), {"file": SimpleUploadedFile(name, content)}
    )
    if response.status_code != 302:
        return response
    job_run(job_id=Job.objects.filter(kind="cost_import_preview").latest("pk").pk)
    return client.get(response.url)


@pytest.mark.django_db
def test_the_export_screens_replace_the_coming_soon_pages(client, bookkeeper):
    login(client, bookkeeper)
    for name in ("tool-export", "tool-export-mappings", "tool-import-costs"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert b"coming soon" not in response.content.lower()


@pytest.mark.django_db
def test_a_shipping_clerk_may_not_export_or_import(client, merchant):
    login(client, member(merchant, "shipping"))
    assert client.get(reverse("tool-export")).status_code == 403
    assert client.get(reverse("tool-import-costs")).status_code == 403


@pytest.mark.django_db
def test_another_merchants_export_result_mapping_and_import_answer_404(
    client, merchant, other_merchant, bookkeeper
):
    theirs = member(other_merchant, "manager", username="other-manager")
    place(other_merchant, email="t@example.com")
    mapping = export_mapping_get(merchant=other_merchant)
    job = job_run(job_id=export_start(merchant=other_merchant, mapping=mapping, by=theirs).pk)
    assert job.result_file
    order = place(other_merchant, email="u@example.com")
    their_import = cost_import_preview(
        merchant=other_merchant, name="c.csv", content=csv_bytes([[order.order_id, "1", "", ""]])
    )
    login(client, bookkeeper)
    assert client.get(reverse("job-result", args=[job.pk])).status_code == 404
    assert client.get(reverse("export-mapping-edit", args=[mapping.pk])).status_code == 404
    assert client.get(reverse("cost-import-detail", args=[their_import.pk])).status_code == 404
    assert client.post(reverse("cost-import-apply", args=[their_import.pk])).status_code == 404
    their_import.refresh_from_db()
    assert their_import.status == "previewed"


@pytest.mark.django_db
def test_the_merchants_staff_download_their_export(client, merchant, bookkeeper):
    order = place(merchant, email="d@example.com")
    login(client, bookkeeper)
    mapping = export_mapping_get(merchant=merchant)
    response = client.post(
        reverse("tool-export"), {"mapping": mapping.pk, "stage": "", "format": "tsv"}
    )
    job = Job.objects.get(kind="export")
    assert response.url == reverse("job-detail", args=[job.pk])
    job_run(job_id=job.pk)
    download = client.get(reverse("job-result", args=[job.pk]))
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert order.order_id in body
    assert "\t" in body


@pytest.mark.django_db
def test_the_mapping_editor_saves_reordered_renamed_columns_and_previews_them(
    client, merchant, manager
):
    place(merchant, email="e@example.com")
    login(client, manager)
    data = {
        "name": "Accounting",
        "format": "xlsx",
        "granularity": "order",
        "columns": "total | Amount | thousands\norder_id | Reference",
    }
    preview = client.post(reverse("export-mapping-preview"), data, HTTP_HX_REQUEST="true")
    assert b"<th>Amount</th>" in preview.content
    assert b"<th>Reference</th>" in preview.content
    bad = client.post(reverse("export-mapping-preview"), {**data, "columns": "nope"})
    assert "not a known field" in bad.content.decode()
    response = client.post(reverse("export-mapping-create"), data)
    assert response.status_code == 302
    mapping = ExportMapping.objects.get(name="Accounting")
    assert [c["header"] for c in mapping.columns] == ["Amount", "Reference"]


@pytest.mark.django_db
def test_upload_preview_shows_errors_and_apply_is_refused_until_fixed(client, merchant, bookkeeper):
    order = place(merchant, email="f@example.com")
    login(client, bookkeeper)
    page = upload(client, csv_bytes([[order.order_id, "7.25", "", "12.345"]]))
    text = page.content.decode()
    assert "row 2 Actual Payment “12.345”: at most 2 decimals" in text
    cost_import = CostImport.objects.get()
    client.post(reverse("cost-import-apply", args=[cost_import.pk]))
    assert not Job.objects.filter(kind="cost_import_apply").exists()
    errors = client.get(reverse("cost-import-errors", args=[cost_import.pk]))
    assert errors.content.decode().splitlines()[1] == "2,Actual Payment,12.345,at most 2 decimals"

    fixed = upload(client, csv_bytes([[order.order_id, "7.25", "", "12.34"]]))
    assert "0.00 → 7.25" in fixed.content.decode()
    second = CostImport.objects.latest("pk")
    client.post(reverse("cost-import-apply", args=[second.pk]))
    job_run(job_id=Job.objects.get(kind="cost_import_apply").pk)
    order.refresh_from_db()
    assert (order.actual_shipping, order.actual_payment) == (Decimal("7.25"), Decimal("12.34"))

    again = upload(client, csv_bytes([[order.order_id, "7.25", "", "12.34"]]))
    assert "already applied on" in again.content.decode()
    assert "by demo-bookkeeper (import #" in again.content.decode()


@pytest.mark.django_db
def test_refused_files_are_explained_on_the_upload_form(client, bookkeeper):
    login(client, bookkeeper)
    page = upload(client, b"\xd0\xcf\x11\xe0" + b"\0" * 100, name="costs.xls")
    assert page.status_code == 400
    assert ".xls files are not supported" in page.content.decode()
    assert not CostImport.objects.exists()


@pytest.mark.django_db
def test_undo_from_the_import_page(client, merchant, bookkeeper):
    order = place(merchant, email="g@example.com")
    login(client, bookkeeper)
    upload(client, csv_bytes([[order.order_id, "", "", "2.00"]]))
    cost_import = CostImport.objects.get()
    client.post(reverse("cost-import-apply", args=[cost_import.pk]))
    job_run(job_id=Job.objects.get(kind="cost_import_apply").pk)
    asked = client.post(reverse("cost-import-undo", args=[cost_import.pk]))
    assert not Job.objects.filter(kind="cost_import_undo").exists()
    assert f"Undo import #{cost_import.pk} ({cost_import.filename})" in asked.content.decode()
    client.post(reverse("cost-import-undo", args=[cost_import.pk]), {"confirmed": "1"})
    job_run(job_id=Job.objects.get(kind="cost_import_undo").pk)
    assert Order.objects.get(pk=order.pk).actual_payment == Decimal("0.00")
