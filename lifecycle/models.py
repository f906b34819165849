"""What the screens remember per user: saved list views ("my filters")."""

from django.conf import settings
from django.db import models

from orders.models import Merchant


class SavedView(models.Model):
    """A user's named filter, sort and columns on one list screen of one merchant."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    screen = models.CharField(max_length=40)  # a stage screen's slug, or "all"
    name = models.CharField(max_length=80)
    query = models.TextField(blank=True)  # the list's query string, paging removed
    columns = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "merchant", "screen", "name"], name="unique_saved_view_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.screen})"


class ColumnChoice(models.Model):
    """The columns a user chose for one list screen of one merchant (the column chooser)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="column_choices"
    )
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    screen = models.CharField(max_length=40)  # a stage screen's slug, or "all"
    columns = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "merchant", "screen"], name="one_column_choice_per_screen"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.screen}: {', '.join(self.columns)}"
