"""One-time form submissions: a token runs its work once, whoever posts it and when."""

import threading
import time

import pytest

from orders.exceptions import InvalidInput
from orders.models import FormSubmission, SubmissionOutcome
from orders.services.submissions import submission_run_once
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
