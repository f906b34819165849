"""Export with a mapping in the Batch Order Operation tool: the same selections and preview as
every operation, and a run that is one export job over exactly the orders that apply."""

import re

import pytest

from orders.exceptions import InvalidInput, OrderError
from orders.models import MerchantEvent
from tests.factories import member, place
from tests.tools.conftest import login, soft_delete
from tests.tools.exportfiles import exported_order_ids
from tools.exports.services import export_mapping_get, export_selection_start
from tools.job_runner import job_run
from tools.models import Job
from tools.operations.registry import operation_get, operation_job_create, operation_preview

pytestmark = pytest.mark.django_db
URL = "/tools/batch/"


def _post(client, action, mapping, **fields):
    data = {"operation": "export", "op-mapping": mapping, "op-format": "", "action": action}
    return client.post(URL, {**data, **fields})


def _ids(client, action, mapping, order_ids, **fields):
    return _post(client, action, mapping, kind="ids", order_ids=" ".join(order_ids), **fields)


def preview_rows(page: str) -> dict[str, str]:
    """Order ID → "will apply" / "will skip: why", as the preview table shows them."""
    return dict(re.findall(r'<tr data-order="([^"]+)"><td>[^<]*</td><td>([^<]*)</td>', page))


def test_export_is_offered_and_no_operation_is_marked_unavailable(client, manager):
    login(client, manager)
    page = client.get(URL).content.decode()
    assert '<option value="export">Export with a mapping</option>' in page
    assert "Not yet available" not in page


def test_preview_then_run_exports_exactly_the_orders_that_apply(
    client, merchant, other_merchant, manager
):
    live = [place(merchant, email=f"b{n}@example.com") for n in range(3)]
    gone = place(merchant)
    soft_delete(gone)
    foreign = place(other_merchant)
    place(merchant)  # not listed
    mapping = export_mapping_get(merchant=merchant).pk
    ids = [o.order_id for o in [*live, gone, foreign]] + ["JUNK-1"]
    login(client, manager)

    page = _ids(client, "preview", mapping, ids).content.decode()

    assert 'data-preview="count">3<' in page
    assert 'data-preview="applies">3<' in page
    assert f"Deleted (1): {gone.order_id}" in page
    assert f"Not found (2): {foreign.order_id}, JUNK-1" in page
    will = preview_rows(page)
    assert will == {o.order_id: "will apply" for o in live}
    assert not Job.objects.exists()

    response = _ids(client, "run", mapping, ids)

    job = Job.objects.get()
    assert response["Location"] == f"/tools/jobs/{job.pk}/"
    assert job.kind == "export"
    assert job.params["selection"]["not_found"] == [foreign.order_id, "JUNK-1"]
    assert job.params["selection"]["deleted"] == [gone.order_id]
    job = job_run(job_id=job.pk)
    exported = exported_order_ids(job)
    assert sorted(exported) == sorted(i for i, what in will.items() if what == "will apply")
    event = MerchantEvent.objects.get(job_id=job.pk)
    assert (event.type, event.actor, event.payload["count"]) == ("orders_exported", manager, 3)
    assert event.payload["selection"] == {"kind": "ids", "description": "3 order IDs listed"}
    page = client.get(f"/tools/jobs/{job.pk}/").content.decode()
    assert f"Not found (2): {foreign.order_id}, JUNK-1" in page
    assert "Download result file" in page


def test_preview_and_run_agree_order_by_order_with_skips(merchant, manager):
    orders = [place(merchant) for _ in range(4)]
    soft_delete(orders[1])
    operation = operation_get("export")
    inputs = {"mapping": export_mapping_get(merchant=merchant).pk, "format": ""}
    pks = [o.pk for o in orders]

    preview = operation_preview(
        merchant=merchant, operation=operation, inputs=inputs, order_pks=pks, by=manager
    )
    job = operation_job_create(
        merchant=merchant, operation=operation, inputs=inputs, order_pks=pks, by=manager
    )
    job = job_run(job_id=job.pk)

    assert [(r.order_id, r.will_apply, r.reason) for r in preview.rows] == [
        (o.order_id, o is not orders[1], "" if o is not orders[1] else "deleted") for o in orders
    ]
    assert exported_order_ids(job) == [r.order_id for r in preview.rows if r.will_apply]
    assert list(job.outcomes.values_list("order_id", "outcome", "message")) == [
        (orders[1].order_id, "skipped", "deleted")
    ]
    page_counts = (job.total, job.done, job.succeeded_count, job.skipped_count, job.failed_count)
    assert page_counts == (3, 3, 3, 1, 0)


def test_the_run_rechecks_an_order_deleted_since_the_preview(merchant, manager):
    orders = [place(merchant) for _ in range(3)]
    operation = operation_get("export")
    inputs = {"mapping": export_mapping_get(merchant=merchant).pk, "format": ""}
    pks = [o.pk for o in orders]
    preview = operation_preview(
        merchant=merchant, operation=operation, inputs=inputs, order_pks=pks, by=manager
    )
    assert preview.applies == 3

    soft_delete(orders[0])  # between the preview and the run
    job = operation_job_create(
        merchant=merchant, operation=operation, inputs=inputs, order_pks=pks, by=manager
    )
    soft_delete(orders[1])  # between the run and the worker reaching the job
    job = job_run(job_id=job.pk)

    assert exported_order_ids(job) == [orders[2].order_id]
    assert dict(job.outcomes.values_list("order_id", "message")) == {orders[0].order_id: "deleted"}
    assert MerchantEvent.objects.get(job_id=job.pk).payload["count"] == 1


def test_a_run_where_no_order_applies_creates_nothing(merchant, manager):
    order = place(merchant)
    soft_delete(order)
    with pytest.raises(InvalidInput, match="None of the selected orders can be exported"):
        operation_job_create(
            merchant=merchant,
            operation=operation_get("export"),
            inputs={"mapping": export_mapping_get(merchant=merchant).pk},
            order_pks=[order.pk],
            by=manager,
        )
    assert not Job.objects.exists()


def test_all_matching_a_lists_filter_and_a_range(client, merchant, manager):
    found = [place(merchant, email="m@example.com") for _ in range(2)]
    others = [place(merchant, email="x@example.com") for _ in range(2)]
    mapping = export_mapping_get(merchant=merchant).pk
    login(client, manager)

    arrived = client.get(URL, {"filter": "q=m%40example.com", "operation": "export"})
    assert 'name="op-mapping"' in arrived.content.decode()
    fields = {"kind": "filter", "filter": "q=m%40example.com"}
    _post(client, "preview", mapping, **fields)
    _post(client, "run", mapping, **fields)
    by_filter = job_run(job_id=Job.objects.get().pk)

    fields = {"kind": "range", "range_from": others[0].order_id, "range_to": others[1].order_id}
    _post(client, "preview", mapping, **fields)
    _post(client, "run", mapping, **fields)
    by_range = job_run(job_id=Job.objects.latest("pk").pk)

    assert sorted(exported_order_ids(by_filter)) == sorted(o.order_id for o in found)
    assert sorted(exported_order_ids(by_range)) == sorted(o.order_id for o in others)


def test_another_merchants_mapping_is_refused_in_the_batch_form(
    client, merchant, other_merchant, manager
):
    order = place(merchant)
    login(client, manager)

    response = _ids(
        client, "preview", export_mapping_get(merchant=other_merchant).pk, [order.order_id]
    )

    assert "Choose one of your export mappings." in response.content.decode()
    assert 'data-preview="count"' not in response.content.decode()
    with pytest.raises(InvalidInput, match="Choose one of your export mappings"):
        export_selection_start(
            merchant=merchant,
            mapping_pk=export_mapping_get(merchant=other_merchant).pk,
            order_pks=[order.pk],
            by=manager,
        )
    assert not Job.objects.exists()


def test_people_without_the_export_permission_may_not_export_through_a_batch(merchant):
    clerk = member(merchant, "service")
    order = place(merchant)
    with pytest.raises(OrderError):
        operation_job_create(
            merchant=merchant,
            operation=operation_get("export"),
            inputs={"mapping": export_mapping_get(merchant=merchant).pk},
            order_pks=[order.pk],
            by=clerk,
        )
    assert not Job.objects.exists()
