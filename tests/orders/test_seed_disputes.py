import pytest
from django.core.management import call_command

from orders.models import Case, Chargeback, Order

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_chargebacks_and_cases_without_emails(mailoutbox):
    call_command("seed_demo", "--orders", "120", "--seed", "3", verbosity=0)

    statuses = set(Chargeback.objects.values_list("status", flat=True))
    assert {"open", "evidence_sent", "lost"} <= statuses
    lost = Chargeback.objects.get(status="lost")
    assert Order.objects.get(pk=lost.order_id).chargeback_total == lost.amount
    assert {"waiting", "reply_received", "closed", "open"} <= set(
        Case.objects.values_list("status", flat=True)
    )
    assert Case.objects.filter(unread=True).exists()
    assert mailoutbox == []

    call_command("seed_demo", "--orders", "60", "--seed", "3", "--add", verbosity=0)
    assert Chargeback.objects.count() > 5  # a second run adds to the new orders only
