"""Evidence uploads: PDF and images only (orders.services.uploads), kept with the chargeback."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from orders.actors import Actor
from orders.events import order_chargeback_changed_event
from orders.models import Chargeback, ChargebackEvidence
from orders.services.uploads import upload_checked

from .core import _require


def chargeback_evidence_add(
    *, chargeback: Chargeback, upload: UploadedFile, by: Actor = None
) -> ChargebackEvidence:
    """Store an evidence file through the storage API. Side effect: an order event."""
    _require(by, chargeback)
    content_type, original = upload_checked(upload, default_name="evidence")
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
