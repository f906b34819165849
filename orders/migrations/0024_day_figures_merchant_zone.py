"""Day figures by the merchant's day: the day an order was placed in the merchant's time zone
(Merchant.time_zone), as the merchant's dates are everywhere else, instead of the UTC day
(0014_day_figures, now part of 0001_squashed_0016).

The triggers look each merchant's zone up once per statement (orders_merchant_zone: a zone
PostgreSQL does not know counts as UTC, so a typo in a merchant's settings never refuses an
order write). Changing a merchant's time zone re-counts that merchant's days (one aggregate
of its orders, in the same transaction). The figures so far are written again, under the
lock that 0014 took. Other databases (the SQLite demo) aggregate directly, in the same zone.
"""

from django.db import migrations

COUNTED = "{t}.deleted_at IS NULL AND NOT {t}.is_test AND {t}.stage NOT IN ('rejected', 'quote_request', 'quote_sent')"  # noqa: E501
DAY = "({t}.placed_at AT TIME ZONE z.zone)::date"
# The zone of each merchant a statement touched, looked up once.
ZONES = (
    "zones AS (SELECT m.id, orders_merchant_zone(m.time_zone) AS zone FROM orders_merchant m "
    "WHERE m.id IN (SELECT DISTINCT merchant_id FROM {rows}))"
)
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


def _aggregate(rows: str, sign: str) -> str:
    """INSERT of the counted rows of `rows` (alias o), per merchant and day, signed."""
    return f"""
    INSERT INTO orders_dayfiguresdelta (merchant_id, day, orders, revenue, profit)
    WITH {ZONES.format(rows=rows)}
    SELECT o.merchant_id, {DAY.format(t="o")}, {sign}count(*),
           {sign}sum(o.total - o.refunded_total), {sign}sum(o.actual_profit)
    FROM {rows} o JOIN zones z ON z.id = o.merchant_id
    WHERE {COUNTED.format(t="o")} GROUP BY 1, 2;"""  # noqa: S608 (constants only)


INSTALL = f"""
CREATE FUNCTION orders_merchant_zone(zone text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    PERFORM now() AT TIME ZONE zone;
    RETURN zone;
EXCEPTION WHEN invalid_parameter_value OR null_value_not_allowed THEN
    RETURN 'UTC';
END $$;

LOCK TABLE orders_order IN SHARE ROW EXCLUSIVE MODE;
DELETE FROM orders_dayfiguresdelta;
{_aggregate("orders_order", "")}

CREATE OR REPLACE FUNCTION orders_day_figures_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {_aggregate("new_rows", "")}
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION orders_day_figures_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {_aggregate("old_rows", "-")}
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION orders_day_figures_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders_dayfiguresdelta (merchant_id, day, orders, revenue, profit)
    WITH zones AS (
        SELECT m.id, orders_merchant_zone(m.time_zone) AS zone FROM orders_merchant m
        WHERE m.id IN (SELECT merchant_id FROM old_rows UNION SELECT merchant_id FROM new_rows)
    )
    SELECT merchant_id, day, sum(orders), sum(revenue), sum(profit) FROM (
        SELECT o.merchant_id, {DAY.format(t="o")} AS day, -1 AS orders,
               -(o.total - o.refunded_total) AS revenue, -o.actual_profit AS profit
        FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN zones z ON z.id = o.merchant_id
        WHERE {COUNTED.format(t="o")} AND ({CHANGE})
        UNION ALL
        SELECT n.merchant_id, {DAY.format(t="n")}, 1, n.total - n.refunded_total,
               n.actual_profit
        FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN zones z ON z.id = n.merchant_id
        WHERE {COUNTED.format(t="n")} AND ({CHANGE})
    ) AS changes
    GROUP BY merchant_id, day
    HAVING sum(orders) <> 0 OR sum(revenue) <> 0 OR sum(profit) <> 0;
    RETURN NULL;
END $$;

CREATE FUNCTION orders_day_figures_zone_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM orders_dayfiguresdelta WHERE merchant_id = NEW.id;
    INSERT INTO orders_dayfiguresdelta (merchant_id, day, orders, revenue, profit)
    SELECT o.merchant_id, (o.placed_at AT TIME ZONE orders_merchant_zone(NEW.time_zone))::date,
           count(*), sum(o.total - o.refunded_total), sum(o.actual_profit)
    FROM orders_order o WHERE o.merchant_id = NEW.id AND {COUNTED.format(t="o")}
    GROUP BY 1, 2;
    RETURN NULL;
END $$;

CREATE TRIGGER orders_day_figures_zone_changed AFTER UPDATE OF time_zone ON orders_merchant
FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone)
EXECUTE FUNCTION orders_day_figures_zone_changed();
"""  # noqa: S608 (constants only)

UTC_DAY = "({t}.placed_at AT TIME ZONE 'UTC')::date"

UNINSTALL = f"""
DROP TRIGGER IF EXISTS orders_day_figures_zone_changed ON orders_merchant;
DROP FUNCTION IF EXISTS orders_day_figures_zone_changed();
LOCK TABLE orders_order IN SHARE ROW EXCLUSIVE MODE;
DELETE FROM orders_dayfiguresdelta;
INSERT INTO orders_dayfiguresdelta (merchant_id, day, orders, revenue, profit)
SELECT merchant_id, {UTC_DAY.format(t="o")}, count(*), sum(total - refunded_total),
       sum(actual_profit)
FROM orders_order o WHERE {COUNTED.format(t="o")} GROUP BY 1, 2;
"""  # noqa: S608 (constants only)


def _on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


def _restore_utc_triggers(apps, schema_editor) -> None:
    """Back to 0014's triggers (their functions, replaced), then the figures by UTC day."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from importlib import import_module

    utc = import_module("orders.migrations.0001_squashed_0016")
    functions = utc.DAY_FIGURES[
        utc.DAY_FIGURES.index("CREATE FUNCTION") : utc.DAY_FIGURES.index("CREATE TRIGGER")
    ]
    schema_editor.execute(UNINSTALL)
    schema_editor.execute(functions.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
    schema_editor.execute("DROP FUNCTION IF EXISTS orders_merchant_zone(text);")


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0023_order_search_keys"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(INSTALL), _restore_utc_triggers),
    ]
