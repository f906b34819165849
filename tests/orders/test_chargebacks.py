from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.exceptions import InvalidInput, TransitionNotAvailable, TransitionNotPermitted
from orders.models import Chargeback, OrderEvent, Role
from orders.services.chargebacks import (
    chargeback_expire_due,
    chargeback_rebuttal_save,
    chargeback_transition,
)
from orders.tasks import chargeback_expire_due_task
from tests.factories import member, place
from tests.orders.disputes import open_chargeback

S = Chargeback.Status


def with_rebuttal(chargeback, manager):
    return chargeback_rebuttal_save(
        chargeback=chargeback, rebuttal="Delivered, signed for.", internal_notes="", by=manager
    )


def in_status(order, manager, status, **kwargs):
    chargeback = open_chargeback(order, **kwargs)
    if status == S.OPEN:
        return chargeback
    if status == S.NOT_DISPUTED:
        return chargeback_transition(chargeback=chargeback, name="accept", by=manager)
    if status == S.EXPIRED:
        return chargeback_transition(chargeback=chargeback, name="expire")
    with_rebuttal(chargeback, manager)
    sent = chargeback_transition(chargeback=chargeback, name="send_evidence", by=manager)
    if status == S.EVIDENCE_SENT:
        return sent
    name = "mark_won" if status == S.WON else "mark_lost"
    return chargeback_transition(chargeback=sent, name=name, by=manager)


ALLOWED = {
    S.OPEN: {"accept", "send_evidence", "mark_lost", "expire"},
    S.NOT_DISPUTED: {"mark_lost"},
    S.EVIDENCE_SENT: {"mark_won", "mark_lost"},
    S.WON: set(),
    S.LOST: {"mark_won"},
    S.EXPIRED: {"mark_lost"},
}
NAMES = ["accept", "send_evidence", "mark_won", "mark_lost", "expire"]


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(ALLOWED))
def test_status_flow_allows_and_refuses_each_move(merchant, manager, status):
    order = place(merchant)
    for index, name in enumerate(NAMES):
        chargeback = in_status(order, manager, status, case_number=f"{status}-{index}")
        if status == S.OPEN and name == "send_evidence":
            with_rebuttal(chargeback, manager)
        by = None if name == "expire" else manager
        if name in ALLOWED[status]:
            moved = chargeback_transition(chargeback=chargeback, name=name, by=by)
            assert moved.status != status
        else:
            with pytest.raises(TransitionNotAvailable):
                chargeback_transition(chargeback=chargeback, name=name, by=by)
            chargeback.refresh_from_db()
            assert chargeback.status == status


@pytest.mark.django_db
def test_evidence_cannot_be_sent_without_a_rebuttal(merchant, manager):
    chargeback = open_chargeback(place(merchant))
    with pytest.raises(TransitionNotAvailable, match="rebuttal"):
        chargeback_transition(chargeback=chargeback, name="send_evidence", by=manager)


@pytest.mark.django_db
def test_staff_cannot_expire_and_roles_without_the_permission_cannot_act(merchant, manager):
    chargeback = open_chargeback(place(merchant))
    with pytest.raises(TransitionNotPermitted):
        chargeback_transition(chargeback=chargeback, name="expire", by=manager)
    clerk = member(merchant, Role.SHIPPING_CLERK)
    with pytest.raises(TransitionNotPermitted):
        chargeback_transition(chargeback=chargeback, name="accept", by=clerk)
    chargeback.refresh_from_db()
    assert chargeback.status == S.OPEN


@pytest.mark.django_db
def test_lost_adds_to_the_order_chargeback_total_and_won_clears_it(merchant, manager):
    order = place(merchant, price=Decimal("40.00"))
    first = in_status(order, manager, S.EVIDENCE_SENT, case_number="A", amount="30.00")
    open_chargeback(order, case_number="B", amount="12.50")

    chargeback_transition(chargeback=first, name="mark_lost", by=manager)
    order.refresh_from_db()
    assert order.chargeback_total == Decimal("30.00")

    chargeback_transition(chargeback=first, name="mark_won", by=manager)
    order.refresh_from_db()
    assert order.chargeback_total == Decimal("0.00")
    event = OrderEvent.objects.filter(order=order, type="order_chargeback_changed").first()
    assert event.payload["change"] == "mark_won"
    assert event.payload["chargeback_total"] == "0.00"


@pytest.mark.django_db
def test_beat_expires_overdue_open_chargebacks_only(merchant, manager):
    order = place(merchant)
    overdue = open_chargeback(order, case_number="OLD", days_left=-1)
    due_today = open_chargeback(order, case_number="TODAY", days_left=0)
    answered = in_status(order, manager, S.EVIDENCE_SENT, case_number="SENT", days_left=-3)

    assert chargeback_expire_due_task.apply().get() == 1

    statuses = dict(Chargeback.objects.values_list("case_number", "status"))
    assert statuses == {"OLD": S.EXPIRED, "TODAY": S.OPEN, "SENT": S.EVIDENCE_SENT}
    event = OrderEvent.objects.filter(type="order_chargeback_changed").first()
    assert event.actor_label == "beat"
    assert event.payload["chargeback_id"] == overdue.pk
    assert chargeback_expire_due(today=timezone.localdate() + timedelta(days=1)) == 1
    assert Chargeback.objects.get(pk=due_today.pk).status == S.EXPIRED
    assert Chargeback.objects.get(pk=answered.pk).status == S.EVIDENCE_SENT


@pytest.mark.django_db
def test_never_dispute_reason_codes_open_as_not_disputed(merchant, manager):
    merchant.chargeback_never_dispute_codes = ["12.6"]
    merchant.save()
    chargeback = open_chargeback(place(merchant), reason_code="12.6", by=manager)
    assert chargeback.status == S.NOT_DISPUTED
    assert chargeback.reason_description.startswith("Duplicate processing")


@pytest.mark.django_db
def test_opening_writes_an_order_event_and_refuses_a_known_case_number(merchant, manager):
    order = place(merchant)
    chargeback = open_chargeback(order, case_number="X1", by=manager)
    event = OrderEvent.objects.get(order=order, type="order_chargeback_opened")
    assert event.payload["case_number"] == "X1"
    assert event.actor == manager
    assert chargeback.handled_by == manager
    with pytest.raises(InvalidInput, match="already recorded"):
        open_chargeback(order, case_number="X1", by=manager)


@pytest.mark.django_db
def test_support_admin_lists_disputes_and_edits_reason_codes(admin_client, merchant, manager):
    from tests.orders.disputes import open_case

    order = place(merchant)
    chargeback = open_chargeback(order)
    case = open_case(order, manager, message="hello")
    for url in [
        "/admin/orders/chargebackreasoncode/",
        "/admin/orders/chargeback/",
        f"/admin/orders/chargeback/{chargeback.pk}/change/",
        "/admin/orders/case/",
        f"/admin/orders/case/{case.pk}/change/",
        "/admin/orders/rebuttaltext/",
        f"/admin/orders/merchant/{merchant.pk}/change/",
    ]:
        assert admin_client.get(url).status_code == 200, url
    assert (
        "link_nonce"
        not in admin_client.get(f"/admin/orders/case/{case.pk}/change/").content.decode()
    )
