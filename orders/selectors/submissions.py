"""Reading one-time form submissions: what an earlier post of a form answered."""

from orders.models import FormSubmission, Merchant, SubmissionOutcome


def submission_outcome_get(*, merchant: Merchant, token: str) -> SubmissionOutcome | None:
    """The outcome of the committed submission with this token, if there is one."""
    row = FormSubmission.objects.filter(merchant=merchant, token=token).first()
    return None if row is None else row.outcome
