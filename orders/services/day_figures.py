"""Folding the day figures the database keeps (orders.models.DayFiguresDelta)."""

from django.db import connection

from orders.selectors.dashboard import day_figures_kept

FOLD_SQL = """
WITH folded AS (
    DELETE FROM orders_dayfiguresdelta
    WHERE (merchant_id, day) IN (
        SELECT merchant_id, day FROM orders_dayfiguresdelta
        GROUP BY merchant_id, day HAVING count(*) > 1
    )
    RETURNING merchant_id, day, orders, revenue, profit
)
INSERT INTO orders_dayfiguresdelta (merchant_id, day, orders, revenue, profit)
SELECT merchant_id, day, sum(orders), sum(revenue), sum(profit) FROM folded
GROUP BY merchant_id, day
HAVING sum(orders) <> 0 OR sum(revenue) <> 0 OR sum(profit) <> 0
"""


def day_figures_fold() -> int:
    """Fold each merchant's rows per day into one, in one statement; safe beside the
    triggers and another fold, as stage_counts_fold is. Returns the rows written."""
    if not day_figures_kept():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(FOLD_SQL)
        return cursor.rowcount
