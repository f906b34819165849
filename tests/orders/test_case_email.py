"""Case emails: headers a customer wrote cannot break a reply, and a failed send is shown as
failed, never as sent."""

import pytest
from django.urls import reverse

from orders.models import Case, CaseMessage, OrderEvent
from orders.services.cases import case_customer_open, case_reply
from orders.services.mailing import header_text
from tests.factories import place
from tests.lifecycle.conftest import login

HOSTILE_SUBJECT = "Hi\r\nBcc: x@evil"


def assert_one_line(value: str) -> None:
    assert "\r" not in value
    assert "\n" not in value


@pytest.mark.django_db(transaction=True)
def test_a_subject_with_line_breaks_replies_once_to_the_customer_only(
    needs_postgres, merchant, manager, mailoutbox, eager_tasks
):
    order = place(merchant, email="ann@example.com")
    case = case_customer_open(order=order, subject=HOSTILE_SUBJECT, text="Where is it?")
    assert_one_line(Case.objects.get(pk=case.pk).subject)

    message = case_reply(case=case, text="On its way.", by=manager)

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert_one_line(email.subject)
    assert "Hi Bcc: x@evil" in email.subject
    assert email.recipients() == ["ann@example.com"]
    assert email.bcc == []
    assert_one_line(email.message()["Subject"])
    assert CaseMessage.objects.get(pk=message.pk).email_status == "sent"


@pytest.mark.django_db(transaction=True)
def test_a_stored_subject_with_line_breaks_is_still_emailed_on_one_line(
    needs_postgres, merchant, manager, mailoutbox, eager_tasks
):
    order = place(merchant, email="ann@example.com")
    case = case_customer_open(order=order, subject="Hi", text="Where is it?")
    Case.objects.filter(pk=case.pk).update(subject=HOSTILE_SUBJECT)  # written before the fix

    case_reply(case=case, text="On its way.", by=manager)

    assert len(mailoutbox) == 1
    assert_one_line(mailoutbox[0].subject)
    assert mailoutbox[0].recipients() == ["ann@example.com"]


def test_header_text_turns_every_control_character_into_one_space():
    assert header_text("a\r\nb\tc\x00d\u2028e\x85f  g") == "a b c d e f g"


@pytest.mark.django_db(transaction=True)
def test_a_reply_whose_email_fails_shows_as_failed_on_the_case_page(
    needs_postgres, client, merchant, manager, eager_tasks, settings
):
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingEmailBackend"
    order = place(merchant, email="ann@example.com")
    case = case_customer_open(order=order, subject="Late parcel", text="Where is it?")
    login(client, manager)

    response = client.post(
        reverse("case-action", args=[case.pk, "reply"]), {"text": "On its way."}, follow=True
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Email failed to send" in page
    assert "Reply sent" not in page
    assert 'data-email-status="sent"' not in page
    reply = CaseMessage.objects.get(case=case, kind="merchant")
    assert reply.email_status == "failed"
    assert "SMTPServerDisconnected" in reply.email_error
    failed = OrderEvent.objects.get(order=order, type="order_email_failed")
    assert failed.payload["template"] == "case_reply"
    assert not OrderEvent.objects.filter(order=order, type="order_email_sent").exists()
