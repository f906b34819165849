"""Bulk actions from a list: the selection (chosen rows, or all matching the filter) becomes a
job of the operations registry, and the job's run gives each order its outcome."""

import pytest
from django.test import Client

from orders.models import Order, OrderEvent
from orders.services.transitions import order_transition
from orders.states import PaymentStatus, Stage
from tests.factories import member, place
from tools.job_runner import job_run
from tools.models import Job

from .conftest import ar_order
from .lists import soft_delete

pytestmark = pytest.mark.django_db

AR_BULK = "/stages/accounts-receivable/bulk/"


def outcomes(job: Job) -> dict[str, tuple[str, str]]:
    return {o.order_id: (o.outcome, o.message) for o in job.outcomes.all()}


def test_list_offers_the_screens_bulk_actions_the_user_may_run(manager_client, merchant):
    ar_order(merchant)

    body = manager_client.get("/stages/accounts-receivable/").content.decode()

    assert 'name="operation" value="process_payment"' in body
    assert 'name="operation" value="record_payment"' in body
    assert 'value="approve"' not in body  # a fraud-review action
    assert body.index('value="process_payment"') < body.index('value="append_note"')


def test_bulk_action_on_selected_orders_runs_as_a_job_with_per_order_outcomes(
    manager_client, manager, merchant, other_merchant
):
    first, second, changed = (ar_order(merchant, email=f"s{n}@example.com") for n in range(3))
    unchosen = ar_order(merchant)
    shipping = place(merchant)
    foreign = ar_order(other_merchant)
    deleted = ar_order(merchant)
    soft_delete(deleted)
    chosen = [first, second, changed, shipping, foreign, deleted]

    response = manager_client.post(
        AR_BULK,
        {
            "operation": "process_payment",
            "order": [o.pk for o in chosen],
            "query": "q=x",
            "confirmed": "1",
        },
    )

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tools/jobs/{job.pk}/"
    # Off-screen, foreign and deleted orders never enter the job.
    assert sorted(job.order_pks) == sorted([first.pk, second.pk, changed.pk])
    assert (job.kind, job.params["operation"], job.created_by) == (
        "operation",
        "process_payment",
        manager,
    )
    assert job.params["selection"] == {
        "screen": "accounts-receivable",
        "query": "q=x",
        "all_matching": False,
    }

    order_transition(order=changed, name="process_payment", by=manager)  # before the job runs
    job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.succeeded_count, job.skipped_count) == ("succeeded", 2, 1)
    assert outcomes(job)[first.order_id][0] == "succeeded"
    assert outcomes(job)[changed.order_id] == ("skipped", "not possible in Shipping")
    for order in (first, second):
        order.refresh_from_db()
        assert (order.stage, order.payment_status) == (Stage.SHIPPING, PaymentStatus.PROCESSED)
        event = OrderEvent.objects.get(order=order, type="order_transitioned")
        assert event.payload["job_id"] == job.pk
    unchosen.refresh_from_db()
    assert unchosen.stage == Stage.ACCOUNTS_RECEIVABLE


def test_select_all_matching_resolves_the_same_filter_on_the_server(manager_client, merchant):
    matching = [ar_order(merchant, email="bulk@example.com") for _ in range(3)]
    other = ar_order(merchant, email="someone@example.com")
    place(merchant, email="bulk@example.com")  # matches the search, but in Shipping

    response = manager_client.post(
        AR_BULK,
        {
            "operation": "hold",
            "hold-reason": "Stock count",
            "select_all": "1",
            "query": "q=bulk%40example.com&sort=-total",
            "order": [other.pk],  # ignored: "all matching" wins
        },
    )

    job = Job.objects.get()
    assert response["Location"] == f"/tools/jobs/{job.pk}/"
    assert sorted(job.order_pks) == sorted(o.pk for o in matching)
    assert job.params["inputs"]["reason"] == "Stock count"
    job_run(job_id=job.pk)
    assert {outcome for outcome, _ in outcomes(job).values()} == {"succeeded"}
    assert set(Order.objects.filter(stage=Stage.HOLD).values_list("pk", flat=True)) == {
        o.pk for o in matching
    }


def test_an_action_with_missing_input_starts_nothing(manager_client, merchant):
    order = ar_order(merchant)

    response = manager_client.post(
        AR_BULK, {"operation": "record_payment", "order": [order.pk], "query": "q=a"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/stages/accounts-receivable/?q=a"
    assert not Job.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Record payment received: A payment reference is required."]


def test_an_action_the_screen_does_not_offer_starts_nothing(manager_client, merchant):
    order = ar_order(merchant)

    manager_client.post(AR_BULK, {"operation": "approve", "order": [order.pk]})

    assert not Job.objects.exists()


def test_nothing_selected_starts_nothing(manager_client, merchant, other_merchant):
    foreign = ar_order(other_merchant)

    response = manager_client.post(AR_BULK, {"operation": "process_payment", "order": [foreign.pk]})

    assert not Job.objects.exists()
    assert [str(m) for m in response.wsgi_request._messages] == ["Select at least one order."]


def test_a_role_without_the_permission_cannot_start_the_action(client, merchant):
    order = ar_order(merchant)
    client.force_login(member(merchant, "shipping"))

    page = client.get("/stages/accounts-receivable/").content.decode()
    client.post(AR_BULK, {"operation": "process_payment", "order": [order.pk]})

    assert 'value="process_payment"' not in page
    assert not Job.objects.exists()
    order.refresh_from_db()
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE


def test_bulk_action_from_view_all_orders(manager_client, merchant):
    orders = [place(merchant), ar_order(merchant)]

    response = manager_client.post(
        "/orders/bulk/",
        {"operation": "append_note", "append_note-text": "Checked", "select_all": "1", "query": ""},
    )

    job = Job.objects.get()
    assert response["Location"] == f"/tools/jobs/{job.pk}/"
    job_run(job_id=job.pk)
    assert {o.order_id for o in orders} == set(outcomes(job))
    assert job.outcomes.filter(outcome="succeeded").count() == 2


def test_a_bulk_actions_form_is_fetched_when_opened_and_only_for_actions_offered(
    manager_client, merchant
):
    ar_order(merchant)
    page = manager_client.get("/stages/accounts-receivable/").content.decode()

    assert 'hx-get="/stages/accounts-receivable/bulk/form/reject/"' in page
    assert 'name="reject-reason"' not in page  # not rendered until the action is opened
    form = manager_client.get("/stages/accounts-receivable/bulk/form/reject/")
    assert form.status_code == 200
    assert 'name="reject-reason"' in form.content.decode()
    assert manager_client.get("/orders/bulk/form/append_note/").status_code == 200
    # An action of another stage, one without inputs, and one that does not exist: 404.
    for name in ("approve", "process_payment", "nothing"):
        response = manager_client.get(f"/stages/accounts-receivable/bulk/form/{name}/")
        assert response.status_code == 404, name
    anonymous = Client().get("/stages/accounts-receivable/bulk/form/reject/")
    assert anonymous.status_code == 302


@pytest.mark.parametrize("all_matching", [True, False])
def test_a_selection_over_the_cap_starts_nothing_and_says_to_narrow_it(
    manager_client, merchant, monkeypatch, all_matching
):
    orders = [ar_order(merchant, email="bulk@example.com") for _ in range(3)]
    monkeypatch.setattr("orders.selectors.selection.MAX_SELECTION_ORDERS", 2)
    chosen = {"select_all": "1"} if all_matching else {"order": [o.pk for o in orders]}

    response = manager_client.post(
        AR_BULK,
        {"operation": "hold", "hold-reason": "Stock", "query": "q=bulk%40example.com", **chosen},
    )

    assert response["Location"] == "/stages/accounts-receivable/?q=bulk%40example.com"
    assert [str(m) for m in response.wsgi_request._messages] == [
        "At most 2 orders at a time: narrow the selection."
    ]
    assert not Job.objects.exists()
    assert set(Order.objects.values_list("stage", flat=True)) == {Stage.ACCOUNTS_RECEIVABLE}
