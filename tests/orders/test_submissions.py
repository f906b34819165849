"""One-time form submissions: a token runs its work once, whoever posts it and when."""

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from orders.exceptions import InvalidInput
from orders.models import FormSubmission, SubmissionOutcome
from orders.services.submissions import form_submissions_purge, submission_run_once
from tests.orders.test_concurrency import run_threads

DONE = SubmissionOutcome("success", "Refunded 10.00.", "/orders/DEMO-0000001/")


def test_a_token_runs_once_and_answers_its_first_outcome_again(merchant):
    runs: list[int] = []

    def run() -> SubmissionOutcome:
        runs.append(1)
        return DONE

    first = submission_run_once(merchant=merchant, token="a" * 32, action="refund", run=run)
    again = submission_run_once(merchant=merchant, token="a" * 32, action="refund", run=run)

    assert (first, again) == ((DONE, False), (DONE, True))
    assert runs == [1]


def test_work_that_raises_keeps_nothing_and_the_token_may_be_used_again(merchant):
    def refused() -> SubmissionOutcome:
        raise InvalidInput("no")

    with pytest.raises(InvalidInput):
        submission_run_once(merchant=merchant, token="b" * 32, action="refund", run=refused)
    assert not FormSubmission.objects.exists()

    outcome, replayed = submission_run_once(
        merchant=merchant, token="b" * 32, action="refund", run=lambda: DONE
    )
    assert (outcome, replayed) == (DONE, False)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("needs_postgres")
def test_a_second_post_while_the_first_runs_waits_and_answers_the_first_outcome(merchant):
    first_running = threading.Event()
    runs: list[int] = []
    answers: dict[int, tuple[SubmissionOutcome, bool]] = {}

    def run() -> SubmissionOutcome:
        runs.append(1)
        first_running.set()
        time.sleep(0.5)  # the second post inserts the same token meanwhile, and waits
        return DONE

    def post(index: int) -> None:
        if index == 1:
            assert first_running.wait(timeout=10)
        answers[index] = submission_run_once(
            merchant=merchant, token="c" * 32, action="refund", run=run
        )

    assert run_threads(2, post) == []

    assert runs == [1]
    assert answers == {0: (DONE, False), 1: (DONE, True)}
    assert FormSubmission.objects.get().message == DONE.message


def test_the_purge_forgets_only_tokens_older_than_the_kept_days(merchant, settings):
    settings.FORM_SUBMISSION_KEEP_DAYS = 30
    for token in ("old", "recent"):
        submission_run_once(merchant=merchant, token=token * 8, action="refund", run=lambda: DONE)
    FormSubmission.objects.filter(token="old" * 8).update(
        created_at=timezone.now() - timedelta(days=31)
    )

    assert form_submissions_purge() == 1

    assert list(FormSubmission.objects.values_list("token", flat=True)) == ["recent" * 8]
    # The recent token still answers its first outcome; the forgotten one would run anew.
    runs: list[int] = []
    replay = submission_run_once(
        merchant=merchant, token="recent" * 8, action="refund", run=lambda: runs.append(1) or DONE
    )
    assert replay == (DONE, True)
    assert runs == []
