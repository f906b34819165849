"""How many live orders each merchant has in each stage, kept up to date by the database."""

from django.db import models

from .merchant import Merchant


class StageCountDelta(models.Model):
    """A change to the number of a merchant's live orders in one stage.

    Rows are written only by PostgreSQL triggers on the order table (migration
    0001_squashed_0016), in the transaction of the change itself, so the sum per merchant
    and stage is always the count of live orders there, whoever changed them (a service, a
    bulk COPY, an UPDATE of many rows). Insert-only, so concurrent changes never wait on a
    shared counter row; beat folds each merchant's rows per stage into one
    (orders.services.stage_counts).
    """

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=30)
    delta = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["merchant", "stage"], name="stage_count_delta_idx")]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.stage} {self.delta:+d}"
