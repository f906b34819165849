from decimal import Decimal

from django.db import models

from .merchant import Merchant


class Item(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="items")
    sku = models.CharField(max_length=64)
    description = models.CharField(max_length=300)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    cost = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    weight_kg = models.DecimalField(max_digits=8, decimal_places=3, default=Decimal("0"))
    shippable = models.BooleanField(default=True)
    pre_order = models.BooleanField(default=False, help_text="Not yet available.")
    expected_date = models.DateField(null=True, blank=True)
    # Schedules the item may be bought on, e.g. ["monthly", "every_30_days"]; auto orders use it.
    auto_order_schedules = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "sku"], name="unique_sku_per_merchant")
        ]
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} · {self.description}"
