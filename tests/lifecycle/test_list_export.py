"""Export from the list screens: the selection (chosen rows, or all matching the list's filter)
becomes one export job through a mapping; its file holds exactly those orders."""

import pytest

from orders.models import MerchantEvent, Role
from tests.factories import member, place
from tests.tools.exportfiles import exported_order_ids
from tools.exports.services import export_mapping_get, export_mapping_save
from tools.job_runner import job_run
from tools.models import Job

from .conftest import ar_order, login
from .lists import set_fields, soft_delete

pytestmark = pytest.mark.django_db

AR_LIST = "/stages/accounts-receivable/"
AR_BULK = "/stages/accounts-receivable/bulk/"


def export_post(client, url=AR_BULK, *, mapping, orders=(), **fields):
    data = {"operation": "export", "export-mapping": mapping, "query": "", **fields}
    data["order"] = [order.pk for order in orders]
    return client.post(url, data)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def ran(job: Job) -> Job:
    job = job_run(job_id=job.pk)
    assert job.status == "succeeded", job.error
    return job


def test_every_list_offers_export_with_the_default_mapping_chosen(manager_client, merchant):
    ar_order(merchant)
    place(merchant)
    export_mapping_save(
        merchant=merchant,
        name="Accounting",
        format="xlsx",
        granularity="order",
        columns=[{"field": "order_id"}],
        is_default=True,
    )
    accounting = export_mapping_get(merchant=merchant, name="Accounting")

    for url in (AR_LIST, "/stages/shipping/", "/orders/"):
        page = manager_client.get(url).content.decode()
        assert 'name="operation" value="export"' in page, url
        form_url = url.replace("/stages/", "/stages/").rstrip("/") + "/bulk/form/export/"
        assert f'hx-get="{form_url}"' in page, url
        form = manager_client.get(form_url).content.decode()
        assert f'<option value="{accounting.pk}" selected>Accounting</option>' in form, url


def test_export_of_selected_orders_writes_exactly_those_orders(manager_client, manager, merchant):
    chosen = [ar_order(merchant, email=f"pick{n}@example.com") for n in range(2)]
    ar_order(merchant, email="left@example.com")
    mapping = export_mapping_get(merchant=merchant)

    response = export_post(manager_client, mapping=mapping.pk, orders=chosen, query="sort=-total")

    job = Job.objects.get()
    assert response["Location"] == f"/tools/jobs/{job.pk}/"
    assert (job.kind, job.params["mapping_id"], job.created_by) == ("export", mapping.pk, manager)
    assert job.params["selection"] == {
        "screen": "accounts-receivable",
        "query": "sort=-total",
        "all_matching": False,
    }
    ran(job)
    assert sorted(exported_order_ids(job)) == sorted(o.order_id for o in chosen)
    event = MerchantEvent.objects.get(merchant=merchant, type="orders_exported")
    assert (event.actor, event.job_id, event.actor_label) == (manager, job.pk, f"job {job.pk}")
    assert event.payload["count"] == 2
    assert (event.payload["mapping"], event.payload["format"]) == ("Standard", "csv")


def test_export_of_all_matching_a_stage_lists_filter(manager_client, merchant):
    matching = [set_fields(ar_order(merchant), shipping_country="CA") for _ in range(3)]
    set_fields(ar_order(merchant), shipping_country="FR")  # on the list, not matching
    set_fields(place(merchant), shipping_country="CA")  # matching, but in Shipping
    deleted = set_fields(ar_order(merchant), shipping_country="CA")
    soft_delete(deleted)
    mapping = export_mapping_get(merchant=merchant)

    response = export_post(
        manager_client,
        mapping=mapping.pk,
        select_all="1",
        query="country=ca",
        orders=[deleted],  # ignored: "all matching" wins
    )

    job = Job.objects.get()
    assert response["Location"] == f"/tools/jobs/{job.pk}/"
    assert job.params["selection"]["all_matching"] is True
    ran(job)
    assert sorted(exported_order_ids(job)) == sorted(o.order_id for o in matching)


def test_export_of_all_orders_matching_a_search_on_view_all_orders(manager_client, merchant):
    matching = [
        place(merchant, email="find@example.com"),
        ar_order(merchant, email="find@example.com"),
    ]
    place(merchant, email="other@example.com")
    mapping = export_mapping_get(merchant=merchant)

    export_post(
        manager_client,
        "/orders/bulk/",
        mapping=mapping.pk,
        select_all="1",
        query="q=find%40example.com",
        **{"export-format": "tsv"},
    )

    job = ran(Job.objects.get())
    assert job.result_file.name.endswith(".tsv")
    with job.result_file.open("rb") as handle:
        lines = handle.read().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Order ID\tStage\t")
    assert sorted(line.split("\t")[0] for line in lines[1:]) == sorted(o.order_id for o in matching)


def test_deleted_and_other_merchants_orders_never_get_in(manager_client, merchant, other_merchant):
    kept = ar_order(merchant)
    deleted = ar_order(merchant)
    soft_delete(deleted)
    foreign = ar_order(other_merchant)
    mapping = export_mapping_get(merchant=merchant)

    export_post(manager_client, mapping=mapping.pk, orders=[kept, deleted, foreign])

    job = Job.objects.get()
    assert job.order_pks == [kept.pk]
    assert exported_order_ids(ran(job)) == [kept.order_id]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "another merchant's mapping",
            "Export with a mapping: Choose one of your export mappings.",
        ),
        ("no mapping", "Export with a mapping: Choose an export mapping."),
        ("nothing selected", "Select at least one order."),
        ("only other merchants' orders", "Select at least one order."),
        ("only deleted orders", "Select at least one order."),
    ],
)
def test_bad_input_gives_a_clear_message_and_creates_nothing(
    case, message, manager_client, merchant, other_merchant
):
    order = ar_order(merchant)
    foreign = ar_order(other_merchant)
    mapping = export_mapping_get(merchant=merchant).pk
    selected = [order]
    if case == "another merchant's mapping":
        mapping = export_mapping_get(merchant=other_merchant).pk
    elif case == "no mapping":
        mapping = ""
    elif case == "nothing selected":
        selected = []
    elif case == "only other merchants' orders":
        selected = [foreign]
    else:
        soft_delete(order)

    response = export_post(manager_client, mapping=mapping, orders=selected, query="q=a")

    assert response["Location"] == f"{AR_LIST}?q=a"
    assert messages_of(response) == [message]
    assert not Job.objects.exists()
    assert not MerchantEvent.objects.exists()


def test_without_the_export_permission_the_action_is_hidden_and_refused(client, merchant):
    order = ar_order(merchant)
    mapping = export_mapping_get(merchant=merchant)
    login(client, member(merchant, Role.CUSTOMER_SERVICE))
    page = client.get(AR_LIST).content.decode()

    response = export_post(client, mapping=mapping.pk, orders=[order])

    assert 'value="export"' not in page
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_a_shipping_clerk_neither_sees_the_list_nor_exports_from_it(client, merchant):
    order = ar_order(merchant)
    login(client, member(merchant, Role.SHIPPING_CLERK))

    assert client.get(AR_LIST).status_code == 403
    mapping = export_mapping_get(merchant=merchant)
    assert export_post(client, mapping=mapping.pk, orders=[order]).status_code == 403
    assert not Job.objects.exists()


def test_a_bookkeeper_exports_from_a_list_without_the_tools_permission(client, merchant):
    bookkeeper = member(merchant, Role.BOOKKEEPER)
    orders = [ar_order(merchant) for _ in range(2)]
    login(client, bookkeeper)

    page = client.get(AR_LIST).content.decode()
    response = export_post(
        client, mapping=export_mapping_get(merchant=merchant).pk, orders=orders[:1]
    )

    assert 'value="export"' in page
    assert 'value="process_payment"' not in page  # the only bulk action a bookkeeper may run
    job = Job.objects.get()
    assert response["Location"] == f"/tools/jobs/{job.pk}/"
    assert exported_order_ids(ran(job)) == [orders[0].order_id]


def test_the_job_page_names_the_mapping_and_offers_the_file(manager_client, merchant):
    order = ar_order(merchant)
    export_post(manager_client, mapping=export_mapping_get(merchant=merchant).pk, orders=[order])
    job = ran(Job.objects.get())

    page = manager_client.get(f"/tools/jobs/{job.pk}/").content.decode()

    assert "Mapping: <strong>Standard</strong> · CSV · the selected orders" in page
    assert "1 / 1" in page
    download = manager_client.get(f"/tools/jobs/{job.pk}/result/")
    assert order.order_id in b"".join(download.streaming_content).decode("utf-8-sig")
