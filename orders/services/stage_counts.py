"""Folding the stage counts the database keeps (orders.models.StageCountDelta)."""

from django.db import connection

from orders.selectors.home import stage_counts_kept

FOLD_SQL = """
WITH folded AS (
    DELETE FROM orders_stagecountdelta
    WHERE (merchant_id, stage) IN (
        SELECT merchant_id, stage FROM orders_stagecountdelta
        GROUP BY merchant_id, stage HAVING count(*) > 1
    )
    RETURNING merchant_id, stage, delta
)
INSERT INTO orders_stagecountdelta (merchant_id, stage, delta)
SELECT merchant_id, stage, sum(delta) FROM folded
GROUP BY merchant_id, stage HAVING sum(delta) <> 0
"""


def stage_counts_fold() -> int:
    """Fold each merchant's rows per stage into one, in one statement. Safe beside the
    triggers and another fold: rows written after the statement began are left for the next.
    Returns the number of rows afterwards for the folded stages."""
    if not stage_counts_kept():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(FOLD_SQL)
        return cursor.rowcount
