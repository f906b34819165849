"""Each merchant's orders, revenue and profit per day, kept up to date by the database."""

from django.db import models

from .merchant import Merchant
from .order import MONEY


class DayFiguresDelta(models.Model):
    """A change to one merchant's figures of one day (the day an order was placed, in the
    merchant's time zone).

    Written only by PostgreSQL triggers on the order table (migrations 0001_squashed_0016 and
    0024_day_figures_merchant_zone), in the transaction of the change itself, as the stage
    counts are (StageCountDelta): the sum per merchant and day is always what the home
    dashboard would aggregate from the orders (orders.selectors.dashboard), whoever changed
    them. Insert-only; beat folds each
    counts are (StageCountDelta): the sum per merchant and day is always what the home
    dashboard would aggregate from the orders (orders.selectors.dashboard), whoever changed
    them. Insert-only; beat folds each
    merchant's rows per day into one (orders.services.stage_counts).
    """

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    orders = models.BigIntegerField(default=0)
    revenue = models.DecimalField(**{**MONEY, "max_digits": 16})
    profit = models.DecimalField(**{**MONEY, "max_digits": 16})

    class Meta:
        indexes = [models.Index(fields=["merchant", "day"], name="day_figures_delta_idx")]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.day} {self.orders:+d}"
