"""Files on case messages: staff and customers attach PDFs and images, each side sees the
files it may, and the evidence packet lists the customer-visible ones."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orders.exceptions import InvalidInput
from orders.models import CaseAttachment, CaseMessage, Role
from orders.selectors.chargebacks import chargeback_packet_get
from orders.services.cases import case_link_token, case_note_add, case_reply
from tests.factories import member, place
from tests.orders.disputes import open_case, open_chargeback

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name="receipt.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def case(merchant, manager):
    return open_case(place(merchant), manager)


def test_a_reply_carries_its_files_and_the_event_names_them(case, manager):
    message = case_reply(
        case=case,
        text="Here is your invoice",
        by=manager,
        attachments=[pdf("invoice.pdf"), SimpleUploadedFile("photo.png", PNG)],
    )

    files = list(message.attachments.all())
    assert [(f.original_name, f.content_type) for f in files] == [
        ("invoice.pdf", "application/pdf"),
        ("photo.png", "image/png"),
    ]
    assert files[0].file.read() == PDF
    assert "invoice" not in files[0].file.name, "stored under a random name"
    event = case.order.events.filter(type="order_case_message").latest("id")
    assert event.payload["files"] == ["invoice.pdf", "photo.png"]


@pytest.mark.parametrize(
    ("uploads", "reason"),
    [
        ([SimpleUploadedFile("tool.exe", b"MZ\x90\x00 an exe")], "is not a PDF or an image"),
        ([pdf(f"{n}.pdf") for n in range(6)], "at most 5 files"),
    ],
)
def test_a_bad_file_refuses_the_whole_message(case, manager, uploads, reason):
    before = CaseMessage.objects.count()

    with pytest.raises(InvalidInput, match=reason):
        case_reply(case=case, text="See attached", by=manager, attachments=uploads)

    assert CaseMessage.objects.count() == before
    assert not CaseAttachment.objects.exists()


def test_a_file_over_the_limit_is_refused(case, manager, settings):
    settings.UPLOAD_MAX_BYTES = 20

    with pytest.raises(InvalidInput, match="the limit is 20 bytes"):
        case_reply(case=case, text="Big", by=manager, attachments=[pdf()])


def test_staff_attach_from_the_case_page_and_open_the_file(manager_client, case):
    response = manager_client.post(
        f"/cases/{case.pk}/reply/",
        {"text": "Your label", "attachments": [pdf("label.pdf")]},
        follow=True,
    )

    attachment = CaseAttachment.objects.get()
    page = response.content.decode()
    assert "label.pdf" in page
    download = manager_client.get(f"/cases/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert 'attachment; filename="label.pdf"' in download["Content-Disposition"]


def test_the_case_page_says_why_a_file_was_refused(manager_client, case):
    response = manager_client.post(
        f"/cases/{case.pk}/reply/",
        {"text": "Here", "attachments": [SimpleUploadedFile("notes.txt", b"plain text")]},
        follow=True,
    )

    assert "“notes.txt” is not a PDF or an image" in response.content.decode()
    assert not CaseMessage.objects.filter(body="Here").exists()


def test_the_customer_attaches_and_sees_only_files_they_may(client, case, manager):
    note = case_note_add(case=case, text="internal", by=manager, attachments=[pdf("secret.pdf")])
    reply = case_reply(case=case, text="hello", by=manager, attachments=[pdf("for-you.pdf")])
    url = f"/c/{case_link_token(case=case)}/"

    client.post(url, {"text": "my photo", "attachments": [SimpleUploadedFile("p.png", PNG)]})
    page = client.get(url).content.decode()

    assert "for-you.pdf" in page
    assert "p.png" in page
    assert "secret.pdf" not in page
    hidden = note.attachments.get()
    shown = reply.attachments.get()
    assert client.get(f"{url}files/{shown.pk}/").status_code == 200
    assert client.get(f"{url}files/{hidden.pk}/").status_code == 404


def test_another_merchants_attachment_is_not_found(client, merchant, other_merchant):
    theirs = open_case(place(other_merchant), None)
    case_reply(case=theirs, text="x", by=None, attachments=[pdf()])
    client.force_login(member(merchant, Role.OWNER))

    assert client.get(f"/cases/attachments/{CaseAttachment.objects.get().pk}/").status_code == 404


def test_the_evidence_packet_lists_the_customer_visible_files(merchant, manager, case):
    case_reply(case=case, text="Proof of delivery", by=manager, attachments=[pdf("pod.pdf")])
    case_note_add(case=case, text="internal", by=manager, attachments=[pdf("internal.pdf")])
    chargeback = open_chargeback(case.order)

    packet = chargeback_packet_get(chargeback=chargeback)

    names = [f.original_name for message in packet.messages for f in message.attachments.all()]
    assert names == ["pod.pdf"]
