"""Email backends for tests, chosen through settings.EMAIL_BACKEND like any other backend."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that hangs up on every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
