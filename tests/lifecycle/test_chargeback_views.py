import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orders.models import Chargeback, ChargebackEvidence, RebuttalText, Role
from orders.services.chargebacks import chargeback_evidence_add
from tests.factories import member, place
from tests.lifecycle.conftest import login, one_time
from tests.orders.disputes import open_chargeback, shipped_order

PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def messages_text(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_open_a_chargeback_from_the_order_page(manager_client, merchant):
    order = place(merchant)
    page = manager_client.get(f"/orders/{order.order_id}/").content.decode()
    assert "Open chargeback dispute" in page

    response = manager_client.post(
        f"/orders/{order.order_id}/chargebacks/new/",
        {
            **one_time(),
            "chargeback-case_number": "BANK-77",
            "chargeback-reason_code": "13.1",
            "chargeback-amount": "25.00",
            "chargeback-respond_by": "2030-01-31",
        },
    )
    chargeback = Chargeback.objects.get(case_number="BANK-77")
    assert response.url == f"/chargebacks/{chargeback.pk}/"
    page = manager_client.get(f"/orders/{order.order_id}/").content.decode()
    assert 'data-badge="chargeback"' in page


def test_list_filters_and_highlights_deadlines(manager_client, merchant):
    order = place(merchant)
    open_chargeback(order, case_number="SOON", days_left=1)
    open_chargeback(order, case_number="LATER", days_left=30, reason_code="4837")
    open_chargeback(order, case_number="PAST", days_left=-2)

    page = manager_client.get("/chargebacks/").content.decode()
    assert 'class="row-due-soon" data-chargeback="SOON"' in page
    assert 'class="row-overdue" data-chargeback="PAST"' in page
    assert 'class="" data-chargeback="LATER"' in page

    within = manager_client.get("/chargebacks/?due_within=7").content.decode()
    assert "SOON" in within
    assert "PAST" in within
    assert "LATER" not in within
    by_reason = manager_client.get("/chargebacks/?reason_code=4837").content.decode()
    assert "LATER" in by_reason
    assert "SOON" not in by_reason
    by_order = manager_client.get(f"/chargebacks/?order_id={order.order_id.lower()}")
    assert len(by_order.context["object_list"]) == 3
    assert not manager_client.get("/chargebacks/?order_id=NOPE-1").context["object_list"]


def test_import_previews_then_imports_only_a_clean_file(manager_client, merchant):
    order = place(merchant)
    bad = (
        "case_number,order_id,reason_code,amount,date,deadline\n"
        f"C1,{order.order_id},13.1,abc,2026-11-01,2026-11-30\n"
    )
    response = manager_client.post(
        "/chargebacks/import/", {"file": SimpleUploadedFile("r.csv", bad.encode())}
    )
    page = response.content.decode()
    assert 'data-row="2"' in page
    assert "not an amount" in page
    assert "Import 1" not in page
    assert not Chargeback.objects.exists()

    good = bad.replace("abc", "9.99")
    response = manager_client.post(
        "/chargebacks/import/", {"file": SimpleUploadedFile("r.csv", good.encode())}
    )
    assert "Import 1 chargeback" in response.content.decode()
    assert not Chargeback.objects.exists()
    response = manager_client.post("/chargebacks/import/", {"content": response.context["content"]})
    assert response.status_code == 302
    assert Chargeback.objects.get().case_number == "C1"


def test_rebuttal_saved_texts_and_status_actions(manager_client, merchant):
    chargeback = open_chargeback(place(merchant))
    url = f"/chargebacks/{chargeback.pk}/"
    manager_client.post(
        url + "rebuttal/",
        {"rebuttal": "Delivered.", "internal_notes": "call bank", "save_as": "Delivered"},
    )
    assert RebuttalText.objects.get(merchant=merchant).text == "Delivered."
    page = manager_client.get(url).content.decode()
    assert 'id="saved-text-' in page
    assert "Mark evidence sent" in page

    manager_client.post(url + "transition/send_evidence/", one_time())
    manager_client.post(url + "transition/mark_lost/", one_time())
    chargeback.refresh_from_db()
    assert chargeback.status == Chargeback.Status.LOST
    assert chargeback.order.chargeback_total == chargeback.amount
    fresh = open_chargeback(chargeback.order, case_number="FRESH")
    assert (
        manager_client.post(f"/chargebacks/{fresh.pk}/transition/expire/", one_time()).status_code
        == 403
    )


def test_evidence_upload_refuses_non_pdf_content_with_a_message(manager_client, merchant, media):
    chargeback = open_chargeback(place(merchant))
    response = manager_client.post(
        f"/chargebacks/{chargeback.pk}/evidence/",
        {"file": SimpleUploadedFile("receipt.pdf", b"#!/bin/sh\necho hi\n")},
        follow=True,
    )
    assert "is not a PDF or an image" in messages_text(response)
    assert not ChargebackEvidence.objects.exists()


def test_evidence_is_served_only_to_the_merchants_staff(
    client, merchant, other_merchant, manager, media
):
    theirs = open_chargeback(place(other_merchant))
    evidence = chargeback_evidence_add(chargeback=theirs, upload=SimpleUploadedFile("pod.pdf", PDF))
    url = f"/chargebacks/evidence/{evidence.pk}/"

    assert client.get(url).status_code == 302  # to the login page
    login(client, manager)
    assert client.get(url).status_code == 404
    assert client.get(f"/chargebacks/{theirs.pk}/").status_code == 404
    assert client.get(f"/chargebacks/{theirs.pk}/packet/").status_code == 404

    login(client, member(other_merchant, Role.SHIPPING_CLERK))
    assert client.get(url).status_code == 403  # the merchant's dispute staff only
    login(client, member(other_merchant, Role.ORDER_MANAGER))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"


def test_packet_page_renders_for_the_merchant(manager_client, merchant):
    chargeback = open_chargeback(shipped_order(merchant, tracking=("1ZPACKET",)))
    page = manager_client.get(f"/chargebacks/{chargeback.pk}/packet/").content.decode()
    assert "1ZPACKET" in page
    assert "AVS Y" in page


def test_clerks_see_disputes_but_cannot_open_or_import(client, merchant):
    order = place(merchant)
    login(client, member(merchant, Role.SHIPPING_CLERK))
    assert client.get("/chargebacks/").status_code == 200
    assert client.get("/chargebacks/import/").status_code == 403
    assert (
        "Open chargeback dispute" not in client.get(f"/orders/{order.order_id}/").content.decode()
    )


def timed_post(client, url: str, data: dict):
    started = time.perf_counter()
    response = client.post(url, data)
    return time.perf_counter() - started, response


REPORT_HEADER = "case_number,order_id,reason_code,amount,date,deadline\n"


def test_hostile_chargeback_reports_get_a_message_within_the_request(manager_client, merchant):
    """The report is parsed in the request (it is capped small): every hostile shape answers
    in well under 2 s with a message, never a 500, and imports nothing."""
    order = place(merchant)
    manager_client.get("/chargebacks/import/")  # the process's first request loads the URLs
    good = f"C1,{order.order_id},13.1,5.00,2026-11-01,2026-11-30\n"
    huge = REPORT_HEADER + good * (27_500_000 // len(good))
    long_field = REPORT_HEADER + f"C1,{order.order_id},{'9' * 200_000},5.00,2026-11-01,2026-11-30\n"
    latin1 = (REPORT_HEADER + good.replace("C1", "C¹")).encode("latin-1")
    cases = [
        (huge.encode(), "the limit is 1,048,576 bytes"),
        (long_field.encode(), "longer than the limit of 131,072 characters"),
        (latin1, "not UTF-8 text"),
    ]
    for content, message in cases:
        elapsed, response = timed_post(
            manager_client, "/chargebacks/import/", {"file": SimpleUploadedFile("r.csv", content)}
        )
        assert elapsed < 1.5, f"{message}: {elapsed:.2f} s"
        assert response.status_code == 200
        assert message in response.content.decode() + messages_text(response)
        assert "Import 1" not in response.content.decode()
    assert not Chargeback.objects.exists()


def test_a_report_posted_back_over_the_limit_gets_a_message(manager_client, merchant, settings):
    settings.CHARGEBACK_IMPORT_MAX_BYTES = 100
    order = place(merchant)
    content = REPORT_HEADER + f"C1,{order.order_id},13.1,5.00,2026-11-01,2026-11-30\n" * 3
    response = manager_client.post("/chargebacks/import/", {"content": content})
    assert response.status_code == 200
    assert "the limit is 100 bytes" in messages_text(response)
    assert not Chargeback.objects.exists()


def test_hostile_evidence_uploads_answer_within_the_request(manager_client, merchant, media):
    chargeback = open_chargeback(shipped_order(merchant))
    url = f"/chargebacks/{chargeback.pk}/evidence/"
    manager_client.get(f"/chargebacks/{chargeback.pk}/")
    oversized = SimpleUploadedFile("big.pdf", PDF + b"\0" * (6 * 1024 * 1024))
    elapsed, _response = timed_post(manager_client, url, {"file": oversized})
    assert elapsed < 1.5
    # Only its first bytes are looked at: a large "PDF" of anything is stored, not parsed.
    padded = SimpleUploadedFile("pod.pdf", PDF + b"A" * (4 * 1024 * 1024))
    elapsed, _response = timed_post(manager_client, url, {"file": padded})
    assert elapsed < 1.5
    assert ChargebackEvidence.objects.filter(chargeback=chargeback).count() == 1
