import csv
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from orders.models import OrderNote
from tests.factories import member, place
from tests.tools.conftest import login, soft_delete
from tools.job_runner import job_run
from tools.models import Job, JobItemOutcome
from tools.operations.registry import operation_get, operation_job_create

pytestmark = pytest.mark.django_db


def job_result_attach(*, job: Job, name: str, content: bytes) -> None:
    """Give a job a result file, as a whole-job runner does when it finishes."""
    job.result_file.save(name, ContentFile(content), save=False)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)


def note_job(merchant, orders, text: str, by=None) -> Job:
    return operation_job_create(
        merchant=merchant,
        operation=operation_get("append_note"),
        inputs={"text": text},
        order_pks=[order.pk for order in orders],
        by=by,
    )


@pytest.fixture
def job(merchant, manager, orders):
    return note_job(merchant, orders, "Checked stock", by=manager)


@pytest.fixture
def outsider(other_merchant):
    """A manager of the other merchant: may do everything there, nothing here."""
    return member(other_merchant, "manager")


def htmx_get(client, url):
    return client.get(url, HTTP_HX_REQUEST="true")


def test_job_page_shows_progress_counts_and_first_problems(client, manager, job, orders):
    soft_delete(orders[0])
    job_run(job_id=job.pk)
    login(client, manager)

    response = client.get(reverse("job-detail", args=[job.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    assert "Append a merchant note" in body
    assert "Checked stock" in body
    assert "3 / 3" in body
    assert "applied 2 · skipped 1 · failed 0" in body
    assert f"{orders[0].order_id} skipped: deleted" in body
    assert reverse("job-report", args=[job.pk]) in body


def test_htmx_request_gets_only_the_polling_partial_while_the_job_runs(client, manager, job):
    login(client, manager)

    response = htmx_get(client, reverse("job-detail", args=[job.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.strip().startswith('<section id="job-progress"')
    assert 'hx-trigger="every 1s"' in body
    assert reverse("job-cancel", args=[job.pk]) in body


def test_the_partial_stops_polling_once_the_job_has_ended(client, manager, job):
    job_run(job_id=job.pk)
    login(client, manager)

    body = htmx_get(client, reverse("job-detail", args=[job.pk])).content.decode()

    assert 'id="job-progress"' in body
    assert "hx-trigger" not in body
    assert "hx-get" not in body
    assert reverse("job-cancel", args=[job.pk]) not in body
    assert "Succeeded" in body


@pytest.mark.parametrize("name", ["job-detail", "job-report", "job-result"])
def test_another_merchants_member_gets_404_for_a_jobs_pages(client, outsider, job, name):
    job_result_attach(job=job, name="result.csv", content=b"a,b\n")
    login(client, outsider)

    assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert htmx_get(client, reverse(name, args=[job.pk])).status_code == 404


def test_another_merchants_member_cannot_cancel_a_job(client, outsider, job):
    login(client, outsider)

    response = client.post(reverse("job-cancel", args=[job.pk]))

    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING


def test_job_list_shows_only_the_current_merchants_jobs_newest_first(
    client, merchant, other_merchant, manager, job, orders, django_assert_max_num_queries
):
    newer = note_job(merchant, [orders[0]], "b")
    foreign = note_job(other_merchant, [place(other_merchant)], "c")
    login(client, manager)

    with django_assert_max_num_queries(20):
        response = client.get(reverse("job-list"))

    assert response.status_code == 200
    listed = [row.record.pk for row in response.context["table"].page.object_list]
    assert listed == [newer.pk, job.pk]
    assert foreign.pk not in listed
    body = response.content.decode()
    operations = [row.get_cell("operation") for row in response.context["table"].rows]
    assert operations == ["Append a merchant note"] * 2
    assert manager.username in body
    assert "(0 of 3)" in body


def test_a_bookkeeper_can_view_jobs_but_not_create_or_cancel_them(client, merchant, job, orders):
    bookkeeper = member(merchant, "bookkeeper")
    login(client, bookkeeper)

    assert client.get(reverse("job-detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("job-list")).status_code == 200
    assert client.get(reverse("job-append-note")).status_code == 403
    create = client.post(
        reverse("job-append-note"), {"order_ids": orders[0].order_id, "text": "Hello"}
    )
    assert create.status_code == 403
    assert client.post(reverse("job-cancel", args=[job.pk])).status_code == 403
    assert Job.objects.count() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING
    assert (
        reverse("job-cancel", args=[job.pk])
        not in htmx_get(client, reverse("job-detail", args=[job.pk])).content.decode()
    )


def test_cancel_button_cancels_a_running_job(client, manager, job):
    login(client, manager)

    response = client.post(reverse("job-cancel", args=[job.pk]))

    assert response.status_code == 302
    assert response.url == reverse("job-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.cancelled_by == manager


def test_job_pages_need_a_signed_in_member(client, job):
    response = client.get(reverse("job-detail", args=[job.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_append_note_form_starts_a_job_and_lists_ids_it_could_not_use(
    client, merchant, other_merchant, manager, orders, django_capture_on_commit_callbacks
):
    foreign = place(other_merchant)
    soft_delete(orders[2])
    pasted = f"{orders[0].order_id}, {orders[1].order_id.lower()}\n{orders[2].order_id} "
    pasted += f"{foreign.order_id} DEMO-9999999"
    login(client, manager)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("job-append-note"), {"order_ids": pasted, "text": "Sent a sample"}
        )

    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("job-detail", args=[job.pk])
    assert len(callbacks) == 1  # the task is queued once the job row is committed
    assert (job.kind, job.params["operation"]) == ("operation", "append_note")
    assert job.params["inputs"] == {"text": "Sent a sample"}
    assert job.order_pks == [orders[0].pk, orders[1].pk]
    assert job.params["selection"]["not_found"] == [foreign.order_id, "DEMO-9999999"]
    assert job.params["selection"]["deleted"] == [orders[2].order_id]

    job_run(job_id=job.pk)
    page = client.get(response.url).content.decode()
    assert "applied 2 · skipped 0 · failed 0" in page
    assert f"Not found (2): {foreign.order_id}, DEMO-9999999" in page
    assert f"Deleted (1): {orders[2].order_id}" in page
    assert OrderNote.objects.filter(text="Sent a sample").count() == 2


def test_append_note_form_refuses_a_list_with_no_order_of_this_merchant(
    client, other_merchant, manager
):
    foreign = place(other_merchant)
    login(client, manager)

    response = client.post(
        reverse("job-append-note"), {"order_ids": f"{foreign.order_id} NOPE-1", "text": "Hi"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "None of these IDs is a live order of this merchant." in body
    assert f"Not found (2): {foreign.order_id}, NOPE-1" in body
    assert not Job.objects.exists()


def test_report_download_is_a_csv_of_every_outcome(client, manager, job, orders):
    job_run(job_id=job.pk)
    login(client, manager)

    response = client.get(reverse("job-report", args=[job.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert f'filename="job-{job.pk}-report.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["order_id", "outcome", "message"]
    assert [row[0] for row in rows[1:]] == [order.order_id for order in orders]


def test_result_file_downloads_through_storage_for_the_merchants_staff(
    client, manager, job, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login(client, manager)
    assert client.get(reverse("job-result", args=[job.pk])).status_code == 404

    job_result_attach(job=job, name="export.csv", content=b"order_id\nDEMO-1\n")
    response = client.get(reverse("job-result", args=[job.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"order_id\nDEMO-1\n"
    assert "attachment" in response["Content-Disposition"]
    assert "export" in response["Content-Disposition"]
    page = client.get(reverse("job-detail", args=[job.pk])).content.decode()
    assert reverse("job-result", args=[job.pk]) in page


def test_a_job_of_a_retired_kind_still_shows_under_its_name(client, merchant, manager, orders):
    """Postponing auto orders is an operation now; the jobs run before keep their name."""
    old = Job.objects.create(
        merchant=merchant,
        kind="auto_order_postpone",
        order_pks=[orders[0].pk],
        total=1,
        status=Job.Status.SUCCEEDED,
        params={"item": 1, "before": "2026-01-01", "until": "2026-02-01", "order_ids": []},
    )
    login(client, manager)

    page = client.get(reverse("job-detail", args=[old.pk]))
    listed = client.get(reverse("job-list"))

    assert "Postpone auto orders" in page.content.decode()
    assert [row.get_cell("operation") for row in listed.context["table"].rows] == [
        "Postpone auto orders"
    ]


def test_job_list_names_the_operation_and_its_counts_and_links_the_changed_orders(
    client, merchant, manager, job, orders
):
    soft_delete(orders[0])
    job_run(job_id=job.pk)
    login(client, manager)

    response = client.get(reverse("job-list"))

    body = response.content.decode()
    row = next(iter(response.context["table"].rows))
    assert row.get_cell("operation") == "Append a merchant note"
    assert "applied 2 · skipped 1 · failed 0" in body
    changed = reverse("job-detail", args=[job.pk]) + "?outcome=succeeded#job-orders"
    assert f'href="{changed}"' in body
    assert "2 orders changed" in body
    assert manager.username in body


def test_job_page_lists_failed_orders_first_then_skipped_then_applied(
    client, merchant, manager, orders
):
    job = note_job(merchant, orders, "Checked", by=manager)
    JobItemOutcome.objects.bulk_create(
        [
            JobItemOutcome(
                job=job, order_pk=orders[0].pk, order_id=orders[0].order_id, outcome="succeeded"
            ),
            JobItemOutcome(
                job=job,
                order_pk=orders[1].pk,
                order_id=orders[1].order_id,
                outcome="skipped",
                message="Already noted",
            ),
            JobItemOutcome(
                job=job,
                order_pk=orders[2].pk,
                order_id=orders[2].order_id,
                outcome="failed",
                message="Gateway down",
            ),
        ]
    )
    login(client, manager)

    response = client.get(reverse("job-detail", args=[job.pk]))
    applied_only = client.get(reverse("job-detail", args=[job.pk]), {"outcome": "succeeded"})

    listed = [outcome.order_id for outcome in response.context["outcome_page"]]
    assert listed == [orders[2].order_id, orders[1].order_id, orders[0].order_id]
    body = response.content.decode()
    assert f'href="{reverse("order-detail", args=[orders[2].order_id])}"' in body
    assert body.index("Gateway down") < body.index("Already noted")
    assert [o.order_id for o in applied_only.context["outcome_page"]] == [orders[0].order_id]
