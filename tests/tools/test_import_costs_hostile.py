"""Hostile cost files: no web request reads an upload, and the preview job that does refuses
them in seconds with a message (a declared dimension of the whole sheet, a huge cell, a huge
shared-string table, too many rows or columns)."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from tests.factories import member, place
from tests.tools.conftest import login
from tests.tools.costfiles import (
    SHEET_NS,
    csv_bytes,
    xlsx_big_cell_bytes,
    xlsx_big_strings_bytes,
    xlsx_far_cell_bytes,
    xlsx_with_parts,
)
from tests.tools.test_worker import celery_worker_process, wait_for_job_end  # noqa: F401 (fixture)
from tools.imports.reading import CostFileRefused
from tools.imports.services import cost_import_preview, cost_import_upload_start
from tools.job_runner import job_run
from tools.models import CostImport, CostImportError, CostImportRow, Job

HOSTILE = {
    "far_cell": (xlsx_far_cell_bytes, "goes past row 200,000 (row 1,048,576"),
    "big_cell": (xlsx_big_cell_bytes, "more than 1 MB of data in one place (after row 1)"),
    "big_strings": (xlsx_big_strings_bytes, "text would expand to more than 16 MB"),
}


@pytest.fixture(scope="module")
def hostile_files():
    return {name: make() for name, (make, _message) in HOSTILE.items()}


@pytest.fixture
def bookkeeper(merchant):
    return member(merchant, "bookkeeper")


def post_file(client, content: bytes, name: str = "costs.xlsx") -> tuple[float, object]:
    upload = SimpleUploadedFile(name, content)
    started = time.perf_counter()
    response = client.post(reverse("tool-import-costs"), {"file": upload})
    return time.perf_counter() - started, response


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(HOSTILE))
def test_posting_a_hostile_workbook_only_stores_it_and_answers_at_once(
    client, bookkeeper, hostile_files, kind
):
    login(client, bookkeeper)
    client.get(reverse("tool-import-costs"))  # the process's first request loads the URLs
    elapsed, response = post_file(client, hostile_files[kind])

    assert elapsed < 1.0, f"the upload took {elapsed:.2f} s"
    cost_import = CostImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cost-import-detail", args=[cost_import.pk])
    assert cost_import.status == CostImport.Status.READING
    assert cost_import.job.kind == "cost_import_preview"
    assert cost_import.job.status == Job.Status.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(HOSTILE))
def test_the_preview_job_refuses_a_hostile_workbook_in_seconds_with_a_message(
    client, bookkeeper, hostile_files, kind
):
    login(client, bookkeeper)
    post_file(client, hostile_files[kind])
    cost_import = CostImport.objects.get()

    started = time.perf_counter()
    job = job_run(job_id=cost_import.job_id)
    elapsed = time.perf_counter() - started

    assert elapsed < 5, f"the preview job took {elapsed:.2f} s"
    assert job.status == Job.Status.FAILED
    assert HOSTILE[kind][1] in job.error
    cost_import.refresh_from_db()
    assert cost_import.status == CostImport.Status.REFUSED
    assert not cost_import.file
    assert not CostImportRow.objects.exists()
    assert not CostImportError.objects.exists()
    page = client.get(reverse("cost-import-detail", args=[cost_import.pk])).content.decode()
    assert "was refused: " + escape(job.error) in page
    assert "hx-trigger" not in page


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_refuses_the_whole_sheet_dimension_file_in_seconds(
    request, merchant, bookkeeper
):
    worker = request.getfixturevalue("celery_worker_process")
    upload = SimpleUploadedFile("costs.xlsx", xlsx_far_cell_bytes())
    cost_import = cost_import_upload_start(
        merchant=merchant, upload=upload, by=bookkeeper, queue=worker.queue
    )
    job = wait_for_job_end(cost_import.job, worker)

    assert job.status == Job.Status.FAILED, worker.output()
    assert "goes past row 200,000" in job.error
    assert (job.finished_at - job.started_at).total_seconds() < 5
    cost_import.refresh_from_db()
    assert cost_import.status == CostImport.Status.REFUSED


@pytest.mark.django_db
def test_the_page_shows_the_reading_progress_then_the_preview(client, merchant, bookkeeper):
    order = place(merchant, email="progress@example.com")
    login(client, bookkeeper)
    post_file(client, csv_bytes([[order.order_id, "7.25", "", ""]]), name="costs.csv")
    cost_import = CostImport.objects.get()
    url = reverse("cost-import-detail", args=[cost_import.pk])

    reading = client.get(url).content.decode()
    assert "Reading costs.csv" in reading
    assert 'hx-trigger="every 1s"' in reading
    assert "<progress" in reading
    assert "Apply" not in reading

    job = job_run(job_id=cost_import.job_id)
    assert (job.status, job.done, job.total) == (Job.Status.SUCCEEDED, 100, 100)
    polled = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert polled.lstrip().startswith('<div id="cost-import"')
    assert "0.00 → 7.25" in polled
    assert "hx-trigger" not in polled
    assert "Apply" in polled


@pytest.mark.django_db
def test_a_second_run_of_the_preview_job_reads_the_file_again_from_nothing(
    client, merchant, bookkeeper
):
    order = place(merchant, email="twice@example.com")
    login(client, bookkeeper)
    post_file(
        client, csv_bytes([[order.order_id, "1.00", "", ""], ["DEMO-9", "", "", "1"]]), "c.csv"
    )
    cost_import = CostImport.objects.get()
    job_run(job_id=cost_import.job_id)
    # A redelivery after a crash finds the import still being read.
    CostImport.objects.filter(pk=cost_import.pk).update(status=CostImport.Status.READING)
    Job.objects.filter(pk=cost_import.job_id).update(status=Job.Status.RUNNING, heartbeat_at=None)
    job_run(job_id=cost_import.job_id)

    cost_import.refresh_from_db()
    assert (cost_import.status, cost_import.rows_read, cost_import.error_count) == (
        CostImport.Status.PREVIEWED,
        2,
        1,
    )
    assert CostImportError.objects.filter(cost_import=cost_import).count() == 1


# ---- reading ---------------------------------------------------------------------------------


def sheet_xml(rows: str, dimension: str = "A1:XFD1048576") -> list[bytes]:
    return [
        f'<worksheet xmlns="{SHEET_NS}"><dimension ref="{dimension}"/><sheetData>{rows}'
        "</sheetData></worksheet>".encode()
    ]


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


@pytest.mark.django_db
def test_a_sheet_is_read_by_its_cells_whatever_dimension_it_declares(merchant):
    order = place(merchant, email="dim@example.com")
    rows = (
        f'<row r="1">{inline("A1", "Order ID")}{inline("B1", "Actual Payment")}</row>'
        f'<row r="5">{inline("A5", order.order_id)}<c r="B5"><v>2.5</v></c></row>'
    )
    content = xlsx_with_parts({"xl/worksheets/sheet1.xml": sheet_xml(rows)})
    started = time.perf_counter()
    cost_import = cost_import_preview(merchant=merchant, name="c.xlsx", content=content)
    assert time.perf_counter() - started < 2
    assert (cost_import.rows_read, cost_import.orders_matched, cost_import.errors) == (1, 1, [])
    assert cost_import.summary["changes"][0]["rows"] == [5]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (inline("GS1", "Order ID"), "Row 1 has cells beyond column 200"),  # GS = column 201
        (inline("A1", "Order ID") + inline("XFD1", ""), "Row 1 has cells beyond column 200"),
    ],
)
def test_a_cell_beyond_column_200_refuses_the_workbook(merchant, cells, message):
    content = xlsx_with_parts({"xl/worksheets/sheet1.xml": sheet_xml(f'<row r="1">{cells}</row>')})
    with pytest.raises(CostFileRefused, match=message):
        cost_import_preview(merchant=merchant, name="c.xlsx", content=content)
    assert not CostImport.objects.exists()


@pytest.mark.django_db
def test_a_csv_past_the_row_limit_or_too_wide_is_refused_with_a_message(merchant, settings):
    settings.COST_IMPORT_MAX_ROWS = 3
    with pytest.raises(CostFileRefused, match=r"goes past row 3 \(row 4 has"):
        cost_import_preview(merchant=merchant, name="c.csv", content=csv_bytes([["X-1"]] * 3))
    wide = csv_bytes([["X-1"]], header=["Order ID"] + [""] * 200)
    with pytest.raises(CostFileRefused, match="beyond column 200"):
        cost_import_preview(merchant=merchant, name="c.csv", content=wide)
    assert not CostImport.objects.exists()


@pytest.mark.django_db
def test_an_oversized_or_old_excel_upload_is_refused_on_the_form_at_once(client, bookkeeper):
    login(client, bookkeeper)
    client.get(reverse("tool-import-costs"))
    oversized = b"Order ID\r\n" + b"X-1\r\n" * (21 * 1024 * 1024 // 5)
    for name, content, message in [
        ("costs.csv", oversized, "larger than the limit of 20 MB"),
        ("costs.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100, ".xls files are not supported"),
    ]:
        elapsed, response = post_file(client, content, name=name)
        assert elapsed < 1.5
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not CostImport.objects.exists()
    assert not Job.objects.exists()
