from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import Case, CaseMessage, Role
from orders.services.cases import case_customer_reply, case_link_token, case_note_add
from tests.factories import member, place
from tests.lifecycle.conftest import login
from tests.orders.disputes import open_case


def test_open_a_case_from_the_order_page_and_write(manager_client, merchant, manager):
    order = place(merchant)
    response = manager_client.post(
        f"/orders/{order.order_id}/cases/new/", {"case-subject": "Late parcel"}
    )
    case = Case.objects.get()
    assert response.url == f"/cases/{case.pk}/"

    manager_client.post(f"/cases/{case.pk}/reply/", {"text": "It ships today."})
    manager_client.post(f"/cases/{case.pk}/note/", {"text": "Warehouse short-staffed"})
    manager_client.post(f"/cases/{case.pk}/assign/", {"user": ""})
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING
    assert case.assigned_to is None
    assert list(case.messages.values_list("kind", flat=True)) == ["merchant", "internal"]
    manager_client.post(f"/cases/{case.pk}/close/")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    page = manager_client.get(f"/orders/{order.order_id}/").content.decode()
    assert "Late parcel" in page


def test_case_page_marks_the_customer_reply_read_by_a_post_once_shown(
    manager_client, merchant, manager
):
    case = open_case(place(merchant), manager)
    case_customer_reply(case=case, text="Any news?")
    assert 'data-count="cases-unread">1 unread' in manager_client.get("/").content.decode()

    page = manager_client.get(f"/cases/{case.pk}/").content.decode()

    assert "Any news?" in page
    case.refresh_from_db()
    assert case.unread, "showing the page writes nothing"
    mark_read = f'hx-post="/cases/{case.pk}/read/" hx-trigger="load"'
    assert mark_read in page
    response = manager_client.post(f"/cases/{case.pk}/read/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    case.refresh_from_db()
    assert not case.unread
    assert 'data-count="cases-unread">0 unread' in manager_client.get("/").content.decode()
    assert mark_read not in manager_client.get(f"/cases/{case.pk}/").content.decode()


def test_list_filters(manager_client, merchant, manager):
    order, other_order = place(merchant), place(merchant, email="bob@example.com")
    mine = open_case(order, manager, subject="Mine")
    loose = open_case(other_order, manager, subject="Loose")
    Case.objects.filter(pk=loose.pk).update(
        assigned_to=None, status_changed_at=timezone.now() - timedelta(days=5)
    )

    def subjects(query: str) -> set[str]:
        return {c.subject for c in manager_client.get(f"/cases/?{query}").context["object_list"]}

    assert subjects("") == {"Mine", "Loose"}
    assert subjects("mine=on") == {"Mine"}
    assert subjects("unassigned=on") == {"Loose"}
    assert subjects("waiting_days=3") == {"Loose"}
    assert subjects(f"order_id={order.order_id}") == {"Mine"}
    assert subjects("email=BOB@example.com") == {"Loose"}
    assert subjects("status=open") == {"Mine", "Loose"}
    assert subjects("status=closed") == set()
    assert mine.pk


def test_another_merchants_case_is_404(client, merchant, other_merchant, manager):
    theirs = open_case(place(other_merchant), None)
    login(client, manager)
    assert client.get(f"/cases/{theirs.pk}/").status_code == 404
    assert client.post(f"/cases/{theirs.pk}/reply/", {"text": "x"}).status_code == 404


def test_clerks_may_read_but_not_write(client, merchant, manager):
    case = open_case(place(merchant), manager)
    login(client, member(merchant, Role.SHIPPING_CLERK))
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert client.post(f"/cases/{case.pk}/reply/", {"text": "x"}).status_code == 403


def test_customer_page_shows_the_thread_without_internal_notes_and_takes_a_reply(
    client, merchant, manager
):
    case = open_case(place(merchant), manager, message="We shipped it.")
    case_note_add(case=case, text="INTERNAL: refund if asked twice", by=manager)
    url = f"/c/{case_link_token(case=case)}/"

    page = client.get(url).content.decode()
    assert "We shipped it." in page
    assert "INTERNAL" not in page
    assert "refund if asked twice" not in page

    response = client.post(url, {"text": "Got it, thanks!"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.REPLY_RECEIVED
    assert case.messages.filter(kind=CaseMessage.Kind.CUSTOMER).get().body == "Got it, thanks!"
    assert "Got it, thanks!" in client.get(url).content.decode()


@pytest.mark.parametrize("kind", ["tampered", "expired", "another case"])
def test_bad_customer_links_are_404(client, merchant, manager, settings, kind):
    order = place(merchant)
    case = open_case(order, manager)
    other = open_case(order, manager, subject="Other")
    token = case_link_token(case=case)
    if kind == "tampered":
        token = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    elif kind == "expired":
        settings.CASE_LINK_MAX_AGE_DAYS = -1
    else:
        Case.objects.filter(pk=other.pk).update(link_nonce=case.link_nonce + "x")
        from django.core import signing

        from orders.services.cases.links import SALT

        token = signing.dumps({"case": other.pk, "n": case.link_nonce}, salt=SALT, compress=True)
    assert client.get(f"/c/{token}/").status_code == 404
    assert client.post(f"/c/{token}/", {"text": "hi"}).status_code == 404


def test_timeline_tells_case_and_chargeback_events_in_sentences(manager_client, merchant, manager):
    from tests.orders.disputes import open_chargeback

    order = place(merchant)
    case = open_case(order, manager, subject="Late", message="Soon.")
    open_chargeback(order, case_number="TL-1")
    page = manager_client.get(f"/orders/{order.order_id}/").content.decode()
    assert f"Case {case.pk} opened: “Late”" in page
    assert f"Case {case.pk} · Replied: “Soon.”" in page
    assert "Chargeback TL-1 opened: 25.00, reason 13.1 (open)" in page


def test_lists_use_a_fixed_number_of_queries(
    manager_client, merchant, manager, django_assert_max_num_queries
):
    from tests.orders.disputes import open_chargeback

    for number in range(6):
        order = place(merchant)
        open_case(order, manager, subject=f"Case {number}")
        open_chargeback(order, case_number=f"Q-{number}")
    with django_assert_max_num_queries(12):
        assert manager_client.get("/cases/").status_code == 200
    with django_assert_max_num_queries(12):
        assert manager_client.get("/chargebacks/").status_code == 200


def test_a_customer_opens_a_case_from_the_link_in_any_email(client, merchant, mailoutbox, settings):
    import re

    from orders.services.notifications import order_email_send

    settings.SITE_URL = "http://testserver"
    order = place(merchant, email="ann@example.com")
    order_email_send(order_pk=order.pk, template="receipt")
    link = re.search(r"http://testserver(/c/\S+/)", mailoutbox[-1].body).group(1)

    assert "write to us" in client.get(link).content.decode()
    response = client.post(link, {"subject": "Gift wrap?", "text": "Can you wrap it?"})

    case = Case.objects.get()
    assert (case.status, case.unread, case.order, case.email) == (
        Case.Status.NEW,
        True,
        order,
        "ann@example.com",
    )
    assert response.url == f"/c/{case_link_token(case=case)}/?sent=1"
    case_customer_reply(case=case, text="And a card, please.")
    case.refresh_from_db()
    assert case.status == Case.Status.NEW  # nobody answered yet
    assert client.get(link.replace("/c/", "/c/x")).status_code == 404


def test_staff_answer_a_new_case_and_it_waits(manager_client, merchant):
    from orders.services.cases import case_customer_open

    case = case_customer_open(order=place(merchant), subject="Hi", text="Question")
    manager_client.post(f"/cases/{case.pk}/reply/", {"text": "Answer"})
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING
