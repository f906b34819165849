from django.db import models
from django.utils import timezone

from .merchant import Merchant


class PurgeLog(models.Model):
    """One run of the retention purge for one merchant: the deleted orders removed for good.

    Kept outside OrderEvent on purpose: an order's events are removed with the order.
    """

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="purge_logs")
    purged_at = models.DateTimeField(default=timezone.now)
    retention_days = models.PositiveIntegerField()
    order_ids = models.JSONField(default=list)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-purged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.count} purged at {self.purged_at:%Y-%m-%d %H:%M}"
