import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from orders.exceptions import InvalidInput
from orders.models import ChargebackEvidence, PaymentTransaction
from orders.selectors.chargebacks import chargeback_packet_get
from orders.services.cases import case_customer_reply, case_note_add
from orders.services.chargebacks import chargeback_evidence_add, chargeback_rebuttal_save
from orders.services.uploads import upload_kind_sniff
from tests.orders.disputes import open_case, open_chargeback, shipped_order

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def test_formats_are_recognised_by_content_not_name():
    assert upload_kind_sniff(PDF) == ("application/pdf", ".pdf")
    assert upload_kind_sniff(PNG) == ("image/png", ".png")
    assert upload_kind_sniff(b"\xff\xd8\xff\xe0rest") == ("image/jpeg", ".jpg")
    assert upload_kind_sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == ("image/webp", ".webp")
    assert upload_kind_sniff(b"MZ\x90\x00 an exe") is None
    assert upload_kind_sniff(b"<html>%PDF-") is None


@pytest.mark.django_db
def test_a_pdf_is_stored_under_a_random_name(merchant, manager, media):
    chargeback = open_chargeback(shipped_order(merchant))
    upload = SimpleUploadedFile("proof of delivery.pdf", PDF, content_type="text/plain")

    evidence = chargeback_evidence_add(chargeback=chargeback, upload=upload, by=manager)

    assert evidence.original_name == "proof of delivery.pdf"
    assert evidence.content_type == "application/pdf"
    assert "proof" not in evidence.file.name
    assert evidence.file.name.startswith(f"evidence/{merchant.pk}/{chargeback.pk}/")
    assert (media / evidence.file.name).read_bytes() == PDF


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invoice.pdf", b"MZ\x90\x00 not really a pdf", "is not a PDF or an image"),
        ("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "is not a PDF or an image"),
        ("big.pdf", PDF + b"x" * 200, "the limit is 100 bytes"),
    ],
)
def test_other_content_or_too_large_files_are_refused(
    merchant, manager, media, settings, name, content, message
):
    settings.UPLOAD_MAX_BYTES = 100
    chargeback = open_chargeback(shipped_order(merchant))
    with pytest.raises(InvalidInput, match=message):
        chargeback_evidence_add(
            chargeback=chargeback, upload=SimpleUploadedFile(name, content), by=manager
        )
    assert not ChargebackEvidence.objects.exists()


@pytest.mark.django_db
def test_the_packet_holds_tracking_avs_cvv_and_customer_messages_not_internal_notes(
    merchant, manager, media
):
    order = shipped_order(merchant, tracking=("1ZTRACK0001", "1ZTRACK0002"))
    charge = order.transactions.get(kind=PaymentTransaction.Kind.CHARGE)
    assert (charge.avs_result, charge.cvv_result) == ("Y", "M")
    case = open_case(order, manager, message="Your parcel left on Monday.")
    case_customer_reply(case=case, text="I never received the parcel, says the customer.")
    case_note_add(case=case, text="SECRET: customer has filed three of these before", by=manager)
    chargeback = open_chargeback(order)
    chargeback_rebuttal_save(
        chargeback=chargeback,
        rebuttal="The parcel was delivered and signed for.",
        internal_notes="SECRET internal chargeback note",
        by=manager,
    )
    chargeback_evidence_add(
        chargeback=chargeback, upload=SimpleUploadedFile("pod.pdf", PDF), by=manager
    )
    chargeback.refresh_from_db()

    html = render_to_string(
        "lifecycle/chargebacks/packet.html",
        {"packet": chargeback_packet_get(chargeback=chargeback)},
    )

    assert "1ZTRACK0001" in html
    assert "1ZTRACK0002" in html
    assert "AVS Y" in html
    assert "CVV M" in html
    assert "I never received the parcel, says the customer." in html
    assert "Your parcel left on Monday." in html
    assert "The parcel was delivered and signed for." in html
    assert "pod.pdf" in html
    assert order.order_id in html
    assert "SECRET" not in html
