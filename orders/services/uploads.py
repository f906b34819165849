"""Files people upload (chargeback evidence, case attachments): PDF and images only, judged by
their content rather than their name or the browser's claim, within a size limit."""

import secrets

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from orders.exceptions import InvalidInput

# Leading bytes of the accepted formats → (content type, extension).
SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
]
MAX_ORIGINAL_NAME = 200


def upload_kind_sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PDF or image judged by its first bytes, else None."""
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def upload_checked(upload: UploadedFile, *, default_name: str) -> tuple[str, str]:
    """(content type, original name) of an acceptable upload, which is renamed to a random
    stored name; InvalidInput naming the file and the reason otherwise."""
    limit = settings.UPLOAD_MAX_BYTES
    shown = upload.name or default_name
    if (upload.size or 0) > limit:
        raise InvalidInput(f"“{shown}” is {upload.size:,} bytes; the limit is {limit:,} bytes.")
    upload.seek(0)
    kind = upload_kind_sniff(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise InvalidInput(f"“{shown}” is not a PDF or an image (PNG, JPEG, GIF, WebP).")
    content_type, extension = kind
    upload.name = f"{secrets.token_hex(12)}{extension}"
    return content_type, shown[-MAX_ORIGINAL_NAME:]
