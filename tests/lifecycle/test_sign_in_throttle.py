"""Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT (5) failures a username is locked,
and separately the address they came from, on the staff sign-in and the admin's, until the
cool-off (15 minutes) has passed; support staff unlock in the admin."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-ins; try again in 15 minutes."


def sign_in(client, username: str, password: str, *, ip: str = "10.1.1.1", url="/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_five_times(username: str, *, ip: str = "10.1.1.1", url="/login/") -> None:
    attacker = Client()
    for attempt in range(1, 6):
        response = sign_in(attacker, username, "wrong", ip=ip, url=url)
        # The form again with its error, and the lockout page from the fifth failure on.
        assert response.status_code == (429 if attempt == 5 else 200)
        assert not signed_in(attacker)


def test_five_wrong_passwords_then_the_right_one_is_refused_with_the_lockout_page(client, manager):
    fail_five_times(manager.username)

    response = sign_in(client, manager.username, "pw")

    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert "Back to sign in" in page
    assert not signed_in(client)


def test_the_username_is_locked_from_any_address(client, manager):
    fail_five_times(manager.username, ip="10.1.1.1")

    response = sign_in(client, manager.username, "pw", ip="10.9.9.9")

    assert response.status_code == 429
    assert not signed_in(client)


def test_other_usernames_from_the_same_address_are_refused_too(client, merchant, manager):
    colleague = member(merchant, "bookkeeper")
    fail_five_times(manager.username, ip="10.1.1.1")

    refused = sign_in(client, colleague.username, "pw", ip="10.1.1.1")
    assert refused.status_code == 429
    assert LOCKED in refused.content.decode()

    elsewhere = Client()
    assert sign_in(elsewhere, colleague.username, "pw", ip="10.2.2.2").status_code == 302
    assert signed_in(elsewhere)


def test_four_failures_still_let_the_right_password_in(client, manager):
    attacker = Client()
    for _ in range(4):
        sign_in(attacker, manager.username, "wrong")

    assert sign_in(client, manager.username, "pw").status_code == 302
    assert signed_in(client)


def test_the_admin_sign_in_is_locked_likewise(client):
    support = UserFactory(username="support", is_staff=True, is_superuser=True)
    fail_five_times(support.username, url="/admin/login/")

    response = sign_in(client, support.username, "pw", url="/admin/login/")

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)
    # The lock is the user's, not the page's: the staff sign-in refuses them as well.
    assert sign_in(Client(), support.username, "pw", ip="10.3.3.3").status_code == 429


def test_after_the_cool_off_the_right_password_signs_in(client, manager):
    fail_five_times(manager.username)
    # Sixteen minutes later: the failures are older than the cool-off.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    response = sign_in(client, manager.username, "pw")

    assert response.status_code == 302
    assert signed_in(client)


def test_the_cool_off_and_the_limit_come_from_the_settings(client, manager, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=3)
    attacker = Client()
    for _ in range(2):
        sign_in(attacker, manager.username, "wrong")

    response = sign_in(client, manager.username, "pw")

    assert response.status_code == 429
    assert "Too many failed sign-ins; try again in 3 minutes." in response.content.decode()


def test_support_staff_unlock_a_user_in_the_admin(client, manager):
    fail_five_times(manager.username)
    support = UserFactory(username="support", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(support)
    attempts = AccessAttempt.objects.all()
    assert attempts.exists()

    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert manager.username in listing.content.decode()
    response = admin.post(
        "/admin/axes/accessattempt/",
        {
            "action": "delete_selected",
            "_selected_action": [str(pk) for pk in attempts.values_list("pk", flat=True)],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, manager.username, "pw").status_code == 302
    assert signed_in(client)


def test_each_failed_sign_in_is_kept_with_who_when_and_where(manager):
    sign_in(Client(), manager.username, "wrong", ip="10.4.4.4")
    sign_in(Client(), manager.username, "still wrong", ip="10.5.5.5")

    rows = AccessFailureLog.objects.order_by("attempt_time")
    assert [(row.username, row.ip_address) for row in rows] == [
        (manager.username, "10.4.4.4"),
        (manager.username, "10.5.5.5"),
    ]
    assert all(row.attempt_time is not None for row in rows)
