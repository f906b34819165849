"""The owner's staff: invite by email (a new account gets a set-password link), change role,
remove; never oneself, never the last owner; every change audited."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import TestCase

from orders.exceptions import InvalidInput, TransitionNotPermitted
from orders.models import Membership, MerchantEvent, MerchantEventType, Role
from orders.services.staff import staff_invite, staff_remove, staff_role_change
from tests.factories import member

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def owner(merchant):
    return member(merchant, "owner")


def _event_types(merchant) -> list[str]:
    return list(
        MerchantEvent.objects.filter(merchant=merchant)
        .order_by("id")
        .values_list("type", flat=True)
    )


def test_inviting_a_new_email_makes_an_account_without_password_and_emails_a_set_password_link(
    client, merchant, owner
):
    with TestCase.captureOnCommitCallbacks(execute=True):
        membership = staff_invite(
            merchant=merchant, email=" Kim@Example.com ", role="service", by=owner
        )

    user = membership.user
    assert (user.username, user.email, membership.role) == (
        "kim@example.com",
        "kim@example.com",
        Role.CUSTOMER_SERVICE,
    )
    assert not user.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["kim@example.com"]
    link = re.search(r"http://\S+/password/set/\S+/", message.body).group(0)
    assert _event_types(merchant) == [MerchantEventType.STAFF_INVITED]
    assert MerchantEvent.objects.get().payload == {"email": "kim@example.com", "role": "service"}

    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.status_code == 200
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-Long-pass-2026", "new_password2": "a-Long-pass-2026"},
    )
    user.refresh_from_db()
    assert user.check_password("a-Long-pass-2026")
    # The link works once.
    assert "has been used or has expired" in client.get("/" + path, follow=True).content.decode()


def test_inviting_someone_with_an_account_adds_the_membership_and_says_sign_in(
    merchant, other_merchant, owner
):
    existing = member(other_merchant, "manager", username="lee")
    existing.email = "lee@example.com"
    existing.save()

    with TestCase.captureOnCommitCallbacks(execute=True):
        membership = staff_invite(
            merchant=merchant, email="lee@example.com", role="bookkeeper", by=owner
        )

    assert membership.user == existing
    assert "password/set" not in mail.outbox[0].body
    assert "Sign in as lee" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("not-an-email", "service", "is not an email address"),
        ("a@example.com", "boss", "Choose one of the roles"),
    ],
)
def test_a_bad_invitation_is_refused_and_makes_nothing(merchant, owner, email, role, message):
    users = User.objects.count()

    with pytest.raises(InvalidInput, match=message):
        staff_invite(merchant=merchant, email=email, role=role, by=owner)

    assert User.objects.count() == users
    assert _event_types(merchant) == []
    assert mail.outbox == []


def test_inviting_someone_who_already_works_here_is_refused(merchant, owner):
    owner.email = "owner@example.com"
    owner.save()

    with pytest.raises(InvalidInput, match="already works here as Owner"):
        staff_invite(merchant=merchant, email=owner.email, role="service", by=owner)


def test_the_owner_changes_a_role_and_it_is_audited(merchant, owner):
    clerk = member(merchant, "shipping")
    membership = Membership.objects.get(user=clerk)

    staff_role_change(membership=membership, role="manager", by=owner)

    assert Membership.objects.get(user=clerk).role == Role.ORDER_MANAGER
    assert MerchantEvent.objects.get().payload == {
        "username": clerk.username,
        "old": "shipping",
        "new": "manager",
    }


def test_the_owner_removes_someone_and_it_is_audited(merchant, owner):
    clerk = member(merchant, "shipping")

    staff_remove(membership=Membership.objects.get(user=clerk), by=owner)

    assert not Membership.objects.filter(user=clerk).exists()
    assert User.objects.filter(pk=clerk.pk).exists()
    assert _event_types(merchant) == [MerchantEventType.STAFF_REMOVED]


def test_nobody_removes_or_demotes_themselves(merchant, owner):
    mine = Membership.objects.get(user=owner)
    member(merchant, "owner", username="second-owner")

    with pytest.raises(InvalidInput, match="cannot remove yourself"):
        staff_remove(membership=mine, by=owner)
    with pytest.raises(InvalidInput, match="cannot change the role of yourself"):
        staff_role_change(membership=mine, role="manager", by=owner)

    assert Membership.objects.get(pk=mine.pk).role == Role.OWNER
    assert _event_types(merchant) == []


def test_the_last_owner_is_never_removed_or_demoted(merchant, owner):
    # Only the system (no person) could try: a person would be removing themselves.
    mine = Membership.objects.get(user=owner)

    with pytest.raises(InvalidInput, match="last owner"):
        staff_remove(membership=mine, by=None)
    with pytest.raises(InvalidInput, match="last owner"):
        staff_role_change(membership=mine, role="manager", by=None)

    assert Membership.objects.get(pk=mine.pk).role == Role.OWNER


def test_a_manager_manages_no_staff(merchant, manager, owner):
    clerk = member(merchant, "shipping")

    with pytest.raises(TransitionNotPermitted):
        staff_invite(merchant=merchant, email="x@example.com", role="owner", by=manager)
    with pytest.raises(TransitionNotPermitted):
        staff_role_change(membership=Membership.objects.get(user=clerk), role="owner", by=manager)
    with pytest.raises(TransitionNotPermitted):
        staff_remove(membership=Membership.objects.get(user=clerk), by=manager)

    assert Membership.objects.get(user=clerk).role == Role.SHIPPING_CLERK
