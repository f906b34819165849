"""The carriers a merchant adds beside the built-in ones (orders.selectors.carriers), each with
the address of its tracking page. `Shipment.carrier` stays free text: a shipment names its
carrier, and the name is matched here only to link its tracking numbers."""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .merchant import Merchant

TRACKING_PLACEHOLDER = "{tracking}"


class Carrier(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="carriers")
    # As long as Shipment.carrier, so that any carrier a shipment can name can be added.
    name = models.CharField(max_length=50)
    # An https:// address with TRACKING_PLACEHOLDER once, after the host.
    tracking_url_pattern = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                "merchant", Lower("name"), name="carrier_name_unique_per_merchant"
            )
        ]

    def __str__(self) -> str:
        return self.name
