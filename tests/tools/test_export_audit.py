"""Every export leaves an audit event: an export job (whichever screen started it) once its
file is stored, and the export_orders command; who, mapping, format, how many, which job."""

import pytest
from django.core.management import call_command

from orders.models import MerchantEvent
from tests.factories import place
from tests.tools.conftest import login
from tools.exports.services import export_mapping_get, export_start
from tools.job_runner import job_run
from tools.models import Job

pytestmark = pytest.mark.django_db


def test_a_job_delivered_twice_records_its_export_once(merchant, manager):
    order = place(merchant)
    mapping = export_mapping_get(merchant=merchant)
    job = export_start(merchant=merchant, mapping=mapping, order_pks=[order.pk], by=manager)
    job_run(job_id=job.pk)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)  # as if redelivered
    job_run(job_id=job.pk)

    assert MerchantEvent.objects.filter(job_id=job.pk).count() == 1


def test_every_export_job_and_the_command_leave_an_audit_event(client, merchant, manager, tmp_path):
    place(merchant)
    login(client, manager)
    client.post("/tools/export/", {"mapping": export_mapping_get(merchant=merchant).pk})
    job = job_run(job_id=Job.objects.get(kind="export").pk)
    call_command("export_orders", merchant="DEMO", out=str(tmp_path / "o.csv"), format="tsv")

    by_job, by_command = MerchantEvent.objects.order_by("pk")
    assert (by_job.type, by_job.merchant, by_job.actor) == ("orders_exported", merchant, manager)
    assert (by_job.job_id, by_job.actor_label) == (job.pk, f"job {job.pk}")
    assert {key: by_job.payload[key] for key in ("count", "mapping", "format")} == {
        "count": 1,
        "mapping": "Standard",
        "format": "csv",
    }
    assert (by_command.job_id, by_command.actor, by_command.actor_label) == (
        None,
        None,
        "command export_orders",
    )
    assert (by_command.payload["count"], by_command.payload["format"]) == (1, "tsv")


def test_a_failed_export_records_no_export(merchant, manager):
    order = place(merchant)
    mapping = export_mapping_get(merchant=merchant)
    job = export_start(merchant=merchant, mapping=mapping, order_pks=[order.pk], by=manager)
    mapping.delete()

    assert job_run(job_id=job.pk).status == "failed"
    assert not MerchantEvent.objects.exists()
