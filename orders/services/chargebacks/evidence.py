"""Evidence uploads: PDF and images only, recognised by their content, within a size limit."""

import secrets

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from orders.actors import Actor
from orders.events import order_chargeback_changed_event
from orders.exceptions import InvalidInput
from orders.models import Chargeback, ChargebackEvidence

from .core import _require

# Leading bytes of the accepted formats → (content type, extension).
SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
]


def evidence_kind_sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PDF or image judged by its first bytes, else None."""
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def chargeback_evidence_add(
    *, chargeback: Chargeback, upload: UploadedFile, by: Actor = None
) -> ChargebackEvidence:
    """Store an evidence file through the storage API. Side effect: an order event."""
    _require(by, chargeback)
    limit = settings.CHARGEBACK_EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise InvalidInput(
            f"“{upload.name}” is {upload.size:,} bytes; the limit is {limit:,} bytes."
        )
    upload.seek(0)
    kind = evidence_kind_sniff(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise InvalidInput(f"“{upload.name}” is not a PDF or an image (PNG, JPEG, GIF, WebP).")
    content_type, extension = kind
    original = (upload.name or "evidence")[-200:]
    upload.name = f"{secrets.token_hex(12)}{extension}"
    with transaction.atomic():
        evidence = ChargebackEvidence.objects.create(
            chargeback=chargeback,
            file=upload,
            original_name=original,
            content_type=content_type,
            # Django's upload handlers always set size; the stubs allow None for one made by hand.
            size=upload.size,  # type: ignore[misc]
            uploaded_by=by if by is not None and by.is_authenticated else None,
        )
        order_chargeback_changed_event(
            order=chargeback.order,
            chargeback_id=chargeback.pk,
            case_number=chargeback.case_number,
            change="evidence_added",
            file=evidence.original_name,
            by=by,
        )
    return evidence
