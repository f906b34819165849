import re

import pytest
from django.core import signing

from orders.exceptions import InvalidInput, TransitionNotAvailable, TransitionNotPermitted
from orders.models import Case, OrderEvent, Role
from orders.selectors.cases import case_unread_count
from orders.services.cases import (
    case_assign,
    case_customer_reply,
    case_from_token,
    case_link_token,
    case_note_add,
    case_reply,
    case_transition,
)
from orders.services.cases.links import SALT
from tests.factories import member, place
from tests.orders.disputes import open_case

S = Case.Status


@pytest.mark.django_db
def test_opening_with_a_message_replies_and_waits(merchant, manager):
    order = place(merchant)
    case = open_case(order, manager, message="We are checking with the carrier.")
    assert case.status == S.WAITING
    assert case.assigned_to == manager
    types = list(OrderEvent.objects.filter(order=order).values_list("type", flat=True))
    assert types[:3] == ["order_case_message", "order_case_changed", "order_case_opened"]


@pytest.mark.django_db
def test_status_flow_both_ways(merchant, manager):
    case = open_case(place(merchant), manager)
    assert case.status == S.OPEN
    case_customer_reply(case=case, text="Hello?")
    case.refresh_from_db()
    assert (case.status, case.unread) == (S.REPLY_RECEIVED, True)
    case_reply(case=case, text="On its way.", by=manager)
    case_transition(case=case, name="close", by=manager)
    case.refresh_from_db()
    assert (case.status, case.unread) == (S.CLOSED, False)

    with pytest.raises(TransitionNotAvailable):
        case_transition(case=case, name="close", by=manager)
    with pytest.raises(TransitionNotAvailable):
        case_reply(case=case, text="after closing", by=manager)
    case_customer_reply(case=case, text="Still nothing.")  # a customer reply reopens
    case.refresh_from_db()
    assert case.status == S.REPLY_RECEIVED
    with pytest.raises(TransitionNotAvailable):
        case_transition(case=case, name="reopen", by=manager)


@pytest.mark.django_db
def test_roles_without_the_permission_cannot_work_on_cases(merchant, manager):
    case = open_case(place(merchant), manager)
    clerk = member(merchant, Role.SHIPPING_CLERK)
    with pytest.raises(TransitionNotPermitted):
        case_reply(case=case, text="hi", by=clerk)
    with pytest.raises(TransitionNotPermitted):
        case_note_add(case=case, text="hi", by=clerk)
    service = member(merchant, Role.CUSTOMER_SERVICE)
    case_reply(case=case, text="hi", by=service)


@pytest.mark.django_db
def test_assign_only_to_the_merchants_staff(merchant, other_merchant, manager):
    case = open_case(place(merchant), manager)
    outsider = member(other_merchant, Role.ORDER_MANAGER)
    with pytest.raises(InvalidInput):
        case_assign(case=case, user_id=outsider.pk, by=manager)
    case_assign(case=case, user_id=None, by=manager)
    case.refresh_from_db()
    assert case.assigned_to is None
    assert OrderEvent.objects.filter(type="order_case_changed", payload__change="assigned").exists()


@pytest.mark.django_db
def test_every_message_is_an_order_event(merchant, manager):
    order = place(merchant)
    case = open_case(order, manager)
    case_reply(case=case, text="one", by=manager)
    case_note_add(case=case, text="two", by=manager)
    case_customer_reply(case=case, text="three")
    events = OrderEvent.objects.filter(order=order, type="order_case_message").order_by("id")
    assert [(e.payload["kind"], e.payload["text"]) for e in events] == [
        ("merchant", "one"),
        ("internal", "two"),
        ("customer", "three"),
    ]
    assert events.last().actor_label == "customer"


@pytest.mark.django_db
def test_unread_count_counts_customer_replies_not_yet_read(merchant, manager):
    order = place(merchant)
    first, second = open_case(order, manager), open_case(order, manager, subject="Refund")
    case_customer_reply(case=first, text="a")
    case_customer_reply(case=second, text="b")
    case_transition(case=second, name="close", by=manager)
    assert case_unread_count(merchant=merchant) == 1


@pytest.mark.django_db(transaction=True)
def test_reply_email_holds_the_link_and_a_customer_reply_notifies_the_assignee(
    merchant,
    manager,
    mailoutbox,
    eager_tasks,
    settings,
):
    settings.SITE_URL = "https://shop.example"
    manager.email = "manager@example.com"
    manager.save()
    order = place(merchant, email="ann@example.com")
    case = open_case(order, manager, message="Your parcel is delayed.")

    reply_mail = next(m for m in mailoutbox if m.to == ["ann@example.com"] and "delayed" in m.body)
    link = re.search(r"https://shop\.example/c/([^/\s]+)/", reply_mail.body)
    assert link is not None
    assert case_from_token(token=link.group(1)).pk == case.pk

    case_customer_reply(case=case, text="Thanks, I will wait.")

    notice = mailoutbox[-1]
    assert notice.to == ["manager@example.com"]
    assert "Thanks, I will wait." in notice.body
    assert f"/cases/{case.pk}/" in notice.body
    sent = OrderEvent.objects.filter(order=order, type="order_email_sent")
    assert {e.payload["template"] for e in sent} == {"case_reply", "case_reply_received"}


@pytest.mark.django_db
def test_tampered_expired_and_foreign_tokens_name_no_case(merchant, manager, settings):
    order = place(merchant)
    mine, other = open_case(order, manager), open_case(order, manager, subject="Other")
    token = case_link_token(case=mine)
    assert case_from_token(token=token) == mine

    assert case_from_token(token=token[:-2] + ("AA" if token[-2:] != "AA" else "BB")) is None
    forged = signing.dumps({"case": other.pk, "n": mine.link_nonce}, salt=SALT, compress=True)
    assert case_from_token(token=forged) is None
    unsigned = signing.dumps({"case": mine.pk, "n": mine.link_nonce}, salt="elsewhere")
    assert case_from_token(token=unsigned) is None
    settings.CASE_LINK_MAX_AGE_DAYS = -1
    assert case_from_token(token=token) is None
