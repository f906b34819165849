"""Day figures kept by the database: DayFiguresDelta and the triggers that write it.

As for the stage counts (0008_stage_count_delta): three statement-level triggers on
orders_order add, per merchant and day, the change a statement made to the number of counted
orders, their revenue (total less refunds) and their actual profit. Counted: live, not test,
not rejected nor a quote (orders.selectors.dashboard). The day is the day placed in UTC, the
dashboard's day. The figures so far are written once, under a lock that holds order writes
off until the triggers are in place. Other databases (the SQLite demo) aggregate directly.
"""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

COUNTED = "{t}.deleted_at IS NULL AND NOT {t}.is_test AND {t}.stage NOT IN ('rejected', 'quote_request', 'quote_sent')"  # noqa: E501
DAY = "({t}.placed_at AT TIME ZONE 'UTC')::date"
CHANGE = " OR ".join(
    [
        "(o.deleted_at IS NULL) <> (n.deleted_at IS NULL)",
        *(
            f"o.{column} IS DISTINCT FROM n.{column}"
            for column in (
                "is_test", "stage", "merchant_id", "placed_at", "total", "refunded_total",
                "actual_profit",
            )
        ),
    ]
)  # fmt: skip

INSTALL = f"""
LOCK TABLE orders_order IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO orders_dayfiguresdelta (merchant_id, day, orders, revenue, profit)
SELECT merchant_id, {DAY.format(t="o")}, count(*), sum(total - refunded_total),
       sum(actual_profit)
FROM orders_order o WHERE {COUNTED.format(t="o")} GROUP BY 1, 2;

CREATE FUNCTION orders_day_figures_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders_dayfiguresdelta (merchant_id, day, orders, revenue, profit)
    SELECT merchant_id, {DAY.format(t="n")}, count(*), sum(total - refunded_total),
           sum(actual_profit)
    FROM new_rows n WHERE {COUNTED.format(t="n")} GROUP BY 1, 2;
    RETURN NULL;
END $$;

CREATE FUNCTION orders_day_figures_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders_dayfiguresdelta (merchant_id, day, orders, revenue, profit)
    SELECT merchant_id, {DAY.format(t="o")}, -count(*), -sum(total - refunded_total),
           -sum(actual_profit)
    FROM old_rows o WHERE {COUNTED.format(t="o")} GROUP BY 1, 2;
    RETURN NULL;
END $$;

CREATE FUNCTION orders_day_figures_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders_dayfiguresdelta (merchant_id, day, orders, revenue, profit)
    SELECT merchant_id, day, sum(orders), sum(revenue), sum(profit) FROM (
        SELECT o.merchant_id, {DAY.format(t="o")} AS day, -1 AS orders,
               -(o.total - o.refunded_total) AS revenue, -o.actual_profit AS profit
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE {COUNTED.format(t="o")} AND ({CHANGE})
        UNION ALL
        SELECT n.merchant_id, {DAY.format(t="n")}, 1, n.total - n.refunded_total,
               n.actual_profit
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE {COUNTED.format(t="n")} AND ({CHANGE})
    ) AS changes
    GROUP BY merchant_id, day
    HAVING sum(orders) <> 0 OR sum(revenue) <> 0 OR sum(profit) <> 0;
    RETURN NULL;
END $$;

CREATE TRIGGER orders_day_figures_inserted AFTER INSERT ON orders_order
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION orders_day_figures_inserted();

CREATE TRIGGER orders_day_figures_deleted AFTER DELETE ON orders_order
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
EXECUTE FUNCTION orders_day_figures_deleted();

CREATE TRIGGER orders_day_figures_updated AFTER UPDATE ON orders_order
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION orders_day_figures_updated();
"""  # noqa: S608 (constants only)

UNINSTALL = """
DROP TRIGGER IF EXISTS orders_day_figures_inserted ON orders_order;
DROP TRIGGER IF EXISTS orders_day_figures_deleted ON orders_order;
DROP TRIGGER IF EXISTS orders_day_figures_updated ON orders_order;
DROP FUNCTION IF EXISTS orders_day_figures_inserted();
DROP FUNCTION IF EXISTS orders_day_figures_deleted();
DROP FUNCTION IF EXISTS orders_day_figures_updated();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0013_order_search"),
    ]

    operations = [
        migrations.CreateModel(
            name="DayFiguresDelta",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("orders", models.BigIntegerField(default=0)),
                (
                    "revenue",
                    models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=16),
                ),
                (
                    "profit",
                    models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=16),
                ),
                (
                    "merchant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="orders.merchant",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["merchant", "day"], name="day_figures_delta_idx")],
            },
        ),
        migrations.RunPython(_on_postgresql(INSTALL), _on_postgresql(UNINSTALL)),
    ]
