"""One-time forms: the same rendered form posted twice does its work once.

Every form that moves money carries a token made when it was rendered. The first post of a
token inserts its FormSubmission row, does the work and stores its outcome, all in one
transaction. The row is unique per (merchant, token): a second post inserting the same token
at the same instant waits on PostgreSQL's unique index until the first commits, then fails
and answers the outcome the first stored; a later post finds the row and does the same. If
the first rolls back (an unexpected error, a refusal of permission), nothing of it is kept
and the token may be used again.
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from orders.actors import Actor
from orders.models import FormSubmission, Merchant, SubmissionOutcome


def submission_run_once(
    *,
    merchant: Merchant,
    token: str,
    action: str,
    by: Actor = None,
    run: Callable[[], SubmissionOutcome],
) -> tuple[SubmissionOutcome, bool]:
    """Run `run` unless this token already ran; the outcome and whether it is a replay.

    Side effects: whatever `run` does, plus the FormSubmission row, in one transaction.
    `run` returns refusals it has turned into messages as outcomes (they are kept, so that a
    replay answers the same); whatever it raises undoes the row with the rest.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = FormSubmission.objects.create(
                    merchant=merchant,
                    token=token,
                    action=action[:120],
                    created_by=by if by is not None and by.is_authenticated else None,
                )
        except IntegrityError:
            earlier = FormSubmission.objects.get(merchant=merchant, token=token)
            return earlier.outcome, True
        outcome = run()
        row.level, row.message = outcome.level, outcome.message
        row.redirect_to = outcome.redirect_to
        row.save(update_fields=["level", "message", "redirect_to"])
    return outcome, False


def form_submissions_purge() -> int:
    """Forget one-time submissions older than FORM_SUBMISSION_KEEP_DAYS; the number deleted.

    A token guards against the same rendered form posted twice (a double click, a retried
    request), which happens within seconds; the money the form moved has its own records.
    """
    before = timezone.now() - timedelta(days=settings.FORM_SUBMISSION_KEEP_DAYS)
    deleted, _ = FormSubmission.objects.filter(created_at__lt=before).delete()
    return deleted
