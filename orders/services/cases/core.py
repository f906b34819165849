"""Cases: open, reply, note, assign, close; the customer's reply through the case link."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from orders.actors import Actor
from orders.events import (
    order_case_changed_event,
    order_case_message_event,
    order_case_opened_event,
)
from orders.exceptions import InvalidInput, TransitionNotAvailable, TransitionNotPermitted
from orders.fsm import RefusalKind, transition_refusal
from orders.models import Case, CaseAttachment, CaseMessage, Membership, Order
from orders.services.mailing import header_text
from orders.services.uploads import upload_checked

PERMISSION = "orders.manage_cases"
MAX_MESSAGE_LENGTH = 10_000
Kind = CaseMessage.Kind


def _require(by, obj) -> None:
    if by is not None and not by.has_perm(PERMISSION, obj):
        raise TransitionNotPermitted("You may not work on cases.")


def _clean(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("The message is empty.")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidInput(f"A message has at most {MAX_MESSAGE_LENGTH} characters.")
    return text


def _user(by):
    return by if by is not None and by.is_authenticated else None


def _move(case: Case, name: str, by, via: str) -> None:
    refusal = transition_refusal(case, name, by)
    if refusal is not None and refusal.kind == RefusalKind.PERMISSION:
        raise TransitionNotPermitted("You may not do that to this case.")
    if refusal is not None:
        status = case.get_status_display().lower()
        raise TransitionNotAvailable(
            f"Case {case.pk} is {status}: cannot {name.replace('_', ' ')}."
        )
    source = case.status
    getattr(case, name)()
    case.save()
    order_case_changed_event(
        order=case.order,
        case_id=case.pk,
        change=name,
        source=source,
        target=case.status,
        by=by,
        via=via,
    )


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile
    content_type: str
    original_name: str


def attachments_checked(uploads: Sequence[UploadedFile]) -> list[CheckedUpload]:
    """Every upload checked before anything is written: one bad file refuses the message."""
    limit = settings.CASE_MESSAGE_MAX_ATTACHMENTS
    if len(uploads) > limit:
        raise InvalidInput(f"A message carries at most {limit} files; {len(uploads)} were sent.")
    checked = []
    for upload in uploads:
        content_type, original = upload_checked(upload, default_name="attachment")
        checked.append(CheckedUpload(upload, content_type, original))
    return checked


def _add_message(
    case: Case,
    kind: str,
    text: str,
    by,
    via: str,
    *,
    emailed: bool = False,
    attachments: Sequence[CheckedUpload] = (),
) -> CaseMessage:
    email_status = CaseMessage.EmailStatus.QUEUED if emailed else CaseMessage.EmailStatus.NONE
    message = CaseMessage.objects.create(
        case=case, kind=kind, body=text, author=_user(by), email_status=email_status
    )
    for checked in attachments:
        CaseAttachment.objects.create(
            message=message,
            file=checked.upload,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.upload.size or 0,
        )
    files = {"files": [checked.original_name for checked in attachments]} if attachments else {}
    order_case_message_event(
        order=case.order, case_id=case.pk, kind=kind, text=text, by=by, via=via, **files
    )
    return message


def _locked(case: Case | int) -> Case:
    pk = case.pk if isinstance(case, Case) else case
    return Case.objects.select_for_update().select_related("order", "merchant").get(pk=pk)


def case_open(
    *, order: Order, subject: str, message: str = "", by: Actor = None, via: str = ""
) -> Case:
    """Open a case on an order; a first message is a reply to the customer (emailed).

    Side effects: order events; with a message, the reply email after commit.
    """
    _require(by, order)
    subject = header_text(subject or "")[:200]
    if not subject:
        raise InvalidInput("The case needs a subject.")
    with transaction.atomic():
        case = Case.objects.create(
            merchant=order.merchant,
            order=order,
            email=order.email,
            subject=subject,
            assigned_to=_user(by),
        )
        order_case_opened_event(order=order, case_id=case.pk, subject=subject, by=by, via=via)
        if message.strip():
            case_reply(case=case, text=message, by=by, via=via)
    return Case.objects.get(pk=case.pk)


def case_reply(
    *,
    case: Case | int,
    text: str,
    by: Actor = None,
    via: str = "",
    send_email: bool = True,
    attachments: Sequence[UploadedFile] = (),
) -> CaseMessage:
    """The merchant's answer: status waiting, emailed to the customer after commit."""
    from .notify import case_email_later

    text = _clean(text)
    checked = attachments_checked(attachments)
    with transaction.atomic():
        locked = _locked(case)
        _require(by, locked)
        _move(locked, "reply", by, via)
        message = _add_message(
            locked, Kind.MERCHANT, text, by, via, emailed=send_email, attachments=checked
        )
        if send_email:
            transaction.on_commit(case_email_later("customer", message.pk))
    return message


def case_note_add(
    *,
    case: Case | int,
    text: str,
    by: Actor = None,
    via: str = "",
    attachments: Sequence[UploadedFile] = (),
) -> CaseMessage:
    """An internal note: never shown to the customer (nor its files). Side effect: an event."""
    text = _clean(text)
    checked = attachments_checked(attachments)
    with transaction.atomic():
        locked = _locked(case)
        _require(by, locked)
        return _add_message(locked, Kind.INTERNAL, text, by, via, attachments=checked)


def case_transition(*, case: Case | int, name: str, by: Actor = None, via: str = "") -> Case:
    """Close or reopen a case. Side effect: an order_case_changed event."""
    if name not in ("close", "reopen"):
        raise TransitionNotAvailable(f"Unknown action “{name}”.")
    with transaction.atomic():
        locked = _locked(case)
        _require(by, locked)
        _move(locked, name, by, via)
    return locked


def case_assign(*, case: Case | int, user_id: int | None, by: Actor = None, via: str = "") -> Case:
    """Assign the case to a member of its merchant (None: unassign). Side effect: an event."""
    with transaction.atomic():
        locked = _locked(case)
        _require(by, locked)
        assignee = None
        if user_id is not None:
            if not Membership.objects.filter(merchant=locked.merchant, user_id=user_id).exists():
                raise InvalidInput("Cases are assigned to the merchant's staff only.")
            assignee = get_user_model().objects.get(pk=user_id)
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to", "updated_at"])
        order_case_changed_event(
            order=locked.order,
            case_id=locked.pk,
            change="assigned",
            assignee=assignee.get_username() if assignee else "",
            by=by,
            via=via,
        )
    return locked


def case_mark_read(*, case: Case) -> None:
    """The merchant has seen the customer's latest message."""
    if case.unread:
        Case.objects.filter(pk=case.pk).update(unread=False)
        case.unread = False


def case_customer_open(
    *, order: Order, subject: str, text: str, attachments: Sequence[UploadedFile] = ()
) -> Case:
    """A customer writes from the link in an email: a new, unread case on the order."""
    subject = header_text(subject or "")[:200]
    if not subject:
        raise InvalidInput("Please give your message a subject.")
    text = _clean(text)
    checked = attachments_checked(attachments)
    with transaction.atomic():
        case = Case.objects.create(
            merchant=order.merchant,
            order=order,
            email=order.email,
            subject=subject,
            status=Case.Status.NEW,
            unread=True,
        )
        order_case_opened_event(
            order=order, case_id=case.pk, subject=subject, via="customer", status=case.status
        )
        _add_message(case, Kind.CUSTOMER, text, None, "customer", attachments=checked)
    return case


def case_customer_reply(
    *,
    case: Case | int,
    text: str,
    notify: bool = True,
    attachments: Sequence[UploadedFile] = (),
) -> CaseMessage:
    """The customer's answer through the case link: reply_received, the assignee is told."""
    from .notify import case_email_later

    text = _clean(text)
    checked = attachments_checked(attachments)
    with transaction.atomic():
        locked = _locked(case)
        if locked.status != Case.Status.NEW:  # nobody has answered yet: it stays new
            _move(locked, "receive_reply", None, "customer")
        notify = notify and locked.assigned_to_id is not None
        message = _add_message(
            locked, Kind.CUSTOMER, text, None, "customer", emailed=notify, attachments=checked
        )
        if notify:
            transaction.on_commit(case_email_later("assignee", message.pk))
    return message
