"""The Batch Order Operation screen: preview first, run only what was previewed."""

import pytest

from orders.models import Order
from tests.factories import member, place
from tests.orders.builders import walk
from tests.tools.conftest import login, soft_delete
from tools.models import Job

pytestmark = pytest.mark.django_db
URL = "/tools/batch/"


def _post(client, action, orders, **fields):
    data = {
        "kind": "ids",
        "order_ids": " ".join(orders),
        "operation": "set_custom_field",
        "op-number": "3",
        "op-value": "rush",
        "action": action,
        **fields,
    }
    return client.post(URL, data)


def test_preview_lists_each_order_and_the_ids_not_found(client, merchant, manager, other_merchant):
    orders = [place(merchant) for _ in range(2)]
    shipped = walk(place(merchant), "mark_shipped", carrier="UPS")
    gone = place(merchant)
    soft_delete(gone)
    login(client, manager)

    ids = [o.order_id for o in [*orders, shipped, gone]] + ["NOPE-1"]
    response = _post(client, "preview", ids, operation="hold", **{"op-reason": "Check"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-preview="count">3<' in page
    assert 'data-preview="applies">2<' in page
    assert "will skip: not possible in Completed Orders" in page
    assert f"Deleted (1): {gone.order_id}" in page
    assert "Not found (1): NOPE-1" in page
    assert not Job.objects.exists()


def test_run_needs_a_preview_of_the_same_selection_and_inputs(client, merchant, manager):
    orders = [place(merchant) for _ in range(3)]
    ids = [o.order_id for o in orders]
    login(client, manager)

    refused = _post(client, "run", ids)
    assert "Preview first" in refused.content.decode()
    assert not Job.objects.exists()

    _post(client, "preview", ids)
    changed = _post(client, "run", ids, **{"op-value": "other"})
    assert "Preview first" in changed.content.decode()
    assert not Job.objects.exists()

    response = _post(client, "run", ids)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tools/jobs/{job.pk}/"
    assert (job.kind, job.params["operation"], job.total) == ("operation", "set_custom_field", 3)
    assert job.params["inputs"] == {"number": 3, "value": "rush"}

    again = _post(client, "run", ids)  # one run per preview
    assert "Preview first" in again.content.decode()
    assert Job.objects.count() == 1


def test_full_refund_refuses_a_range(client, merchant, manager):
    orders = [place(merchant) for _ in range(2)]
    login(client, manager)
    response = client.post(
        URL,
        {
            "kind": "range",
            "range_from": orders[0].order_id,
            "range_to": orders[1].order_id,
            "operation": "full_refund",
            "op-reason": "other",
            "action": "preview",
        },
    )
    assert "takes a list of order IDs only" in response.content.decode()


def test_a_custom_field_with_a_list_takes_only_its_values(client, merchant, manager):
    merchant.custom_fields = {"3": {"label": "Priority", "values": ["rush", "normal"]}}
    merchant.save()
    order = place(merchant)
    login(client, manager)
    response = _post(client, "preview", [order.order_id], **{"op-value": "later"})
    assert "is not one of the values of Priority: rush, normal" in response.content.decode()


def test_arriving_from_a_list_with_selected_rows(client, merchant, manager):
    orders = [place(merchant) for _ in range(2)]
    login(client, manager)
    response = client.get(URL, {"ids": ",".join(o.order_id for o in orders), "operation": "hold"})
    page = response.content.decode()
    assert f"{orders[0].order_id}\n{orders[1].order_id}" in page
    assert 'name="op-reason"' in page


def test_people_without_tools_permission_are_refused(client, merchant):
    login(client, member(merchant, "shipping"))
    assert client.get(URL).status_code == 403


def test_another_merchants_orders_are_never_selected(client, merchant, other_merchant, manager):
    foreign = place(other_merchant)
    login(client, manager)
    response = _post(client, "preview", [foreign.order_id])
    assert "No live order of this merchant matches" in response.content.decode()
    assert Order.objects.get(pk=foreign.pk).custom_3 == ""
