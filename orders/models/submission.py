from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone

from .merchant import Merchant


@dataclass(frozen=True)
class SubmissionOutcome:
    """What a submission answered: a message at a level, and where it sent the person."""

    level: str  # a FormSubmission.Level value
    message: str
    redirect_to: str


class FormSubmission(models.Model):
    """A one-time form (a form that moves money) as submitted once, found by its token.

    Written in the transaction of the change the submission made and unique per merchant and
    token, so a second post of the same rendered form, even at the same instant, waits for the
    first and then answers the first's outcome instead of doing the work again.
    """

    class Level(models.TextChoices):
        SUCCESS = "success"
        WARNING = "warning"
        ERROR = "error"

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    action = models.CharField(max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    message = models.TextField(blank=True)
    redirect_to = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "token"], name="unique_form_submission_token_per_merchant"
            )
        ]
        # The nightly purge finds old rows by age.
        indexes = [models.Index(fields=["created_at"], name="form_submission_created_idx")]

    def __str__(self) -> str:
        return f"{self.action} ({self.token})"

    @property
    def outcome(self) -> SubmissionOutcome:
        return SubmissionOutcome(self.level, self.message, self.redirect_to)
