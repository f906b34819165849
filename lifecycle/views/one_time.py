"""The screens' side of one-time forms (orders.services.submissions)."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from lifecycle.forms import OneTimeTokenForm, form_errors_text
from orders.models import FormSubmission, SubmissionOutcome
from orders.selectors.submissions import submission_outcome_get
from orders.services.submissions import submission_run_once

LEVELS = {
    str(FormSubmission.Level.SUCCESS.value): messages.SUCCESS,
    str(FormSubmission.Level.WARNING.value): messages.WARNING,
    str(FormSubmission.Level.ERROR.value): messages.ERROR,
}


class OneTimeSubmissionMixin:
    """For a view whose form moves money: a post of a form already submitted answers that
    submission's message and redirect again, doing nothing; a post without a valid one-time
    token is refused and changes nothing.

    The view calls submission_check() once it has found its object and before it validates
    the form (after the first post the form may no longer validate: a refunded quantity is
    gone), then submission_run() with the work, which returns the outcome to show.
    """

    one_time = True
    form_token = ""

    def submission_check(self, *, fallback_url: str) -> HttpResponse | None:
        """The answer when the token is missing, malformed or already used; else None."""
        if not self.one_time:
            return None
        form = OneTimeTokenForm(self.request.POST)
        if not form.is_valid():
            messages.error(self.request, form_errors_text(form))
            return redirect(fallback_url)
        self.form_token = form.cleaned_data["form_token"]
        earlier = submission_outcome_get(merchant=self.request.merchant, token=self.form_token)
        return None if earlier is None else self.submission_answer(earlier)

    def submission_run(self, run: Callable[[], SubmissionOutcome]) -> HttpResponse:
        """Do `run` once for this token; answer its outcome (or the first post's)."""
        return self.submission_answer(self.submission_outcome(run))

    def submission_outcome(self, run: Callable[[], SubmissionOutcome]) -> SubmissionOutcome:
        """Do `run` once for this token; its outcome (or the first post's), for a view that
        answers a refusal itself (the form again, as typed) instead of redirecting."""
        if not self.one_time:
            return run()
        outcome, _ = submission_run_once(
            merchant=self.request.merchant,
            token=self.form_token,
            action=self.request.path,
            by=self.request.user,
            run=run,
        )
        return outcome

    def submission_message(self, outcome: SubmissionOutcome) -> None:
        messages.add_message(self.request, LEVELS[str(outcome.level)], outcome.message)

    def submission_answer(self, outcome: SubmissionOutcome) -> HttpResponse:
        self.submission_message(outcome)
        return redirect(outcome.redirect_to)


def outcome_success(message: str, redirect_to: str) -> SubmissionOutcome:
    return SubmissionOutcome(FormSubmission.Level.SUCCESS, message, redirect_to)


def outcome_warning(message: str, redirect_to: str) -> SubmissionOutcome:
    return SubmissionOutcome(FormSubmission.Level.WARNING, message, redirect_to)


def outcome_error(message: str, redirect_to: str) -> SubmissionOutcome:
    return SubmissionOutcome(FormSubmission.Level.ERROR, message, redirect_to)
