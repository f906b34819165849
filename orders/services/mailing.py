"""The one way the project sends email, so that no header can carry a line break.

A customer writes a case's subject and the storefront sends names and addresses: a CR or LF
in any of them reaching a header makes Django refuse the message (BadHeaderError) or, worse,
would let it add a header. Every sender goes through `email_send`, which cleans the subject,
the sender and the recipients with `header_text`.
"""

import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

# C0 and C1 control characters (CR, LF, tab, NUL, ...) and the Unicode line and paragraph
# separators, which some mail clients also break lines at.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(value: str) -> str:
    """`value` fit for one email header line: every run of control characters is a space."""
    return " ".join(_CONTROL.sub(" ", value).split())


def email_send(
    *, subject: str, body: str, to: list[str], html: str = "", from_email: str = ""
) -> None:
    """Send one email (with an HTML alternative when given); raises what the backend raises."""
    message = EmailMultiAlternatives(
        header_text(subject),
        body,
        header_text(from_email or settings.DEFAULT_FROM_EMAIL),
        [header_text(address) for address in to],
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
