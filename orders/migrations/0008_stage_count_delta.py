"""Stage counts kept by the database: StageCountDelta and the triggers that write it.

On PostgreSQL, three statement-level triggers on orders_order (one per event, as transition
tables require) add a row per merchant and stage whose number of live orders a statement
changed; the counts so far are written once, under a lock that holds order writes off until
the triggers are in place. Other databases (the SQLite demo) count orders directly instead.
"""

import django.db.models.deletion
from django.db import migrations, models

LIVE_CHANGE = "(o.deleted_at IS NULL) <> (n.deleted_at IS NULL) OR o.stage <> n.stage OR o.merchant_id <> n.merchant_id"  # noqa: E501

INSTALL = f"""
LOCK TABLE orders_order IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO orders_stagecountdelta (merchant_id, stage, delta)
SELECT merchant_id, stage, count(*) FROM orders_order
WHERE deleted_at IS NULL GROUP BY merchant_id, stage;

CREATE FUNCTION orders_stage_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders_stagecountdelta (merchant_id, stage, delta)
    SELECT merchant_id, stage, count(*) FROM new_rows
    WHERE deleted_at IS NULL GROUP BY merchant_id, stage;
    RETURN NULL;
END $$;

CREATE FUNCTION orders_stage_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders_stagecountdelta (merchant_id, stage, delta)
    SELECT merchant_id, stage, -count(*) FROM old_rows
    WHERE deleted_at IS NULL GROUP BY merchant_id, stage;
    RETURN NULL;
END $$;

CREATE FUNCTION orders_stage_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders_stagecountdelta (merchant_id, stage, delta)
    SELECT merchant_id, stage, sum(delta) FROM (
        SELECT o.merchant_id, o.stage, -1 AS delta
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.deleted_at IS NULL AND ({LIVE_CHANGE})
        UNION ALL
        SELECT n.merchant_id, n.stage, 1
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE n.deleted_at IS NULL AND ({LIVE_CHANGE})
    ) AS changes
    GROUP BY merchant_id, stage HAVING sum(delta) <> 0;
    RETURN NULL;
END $$;

CREATE TRIGGER orders_stage_count_inserted AFTER INSERT ON orders_order
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION orders_stage_count_inserted();

CREATE TRIGGER orders_stage_count_deleted AFTER DELETE ON orders_order
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
EXECUTE FUNCTION orders_stage_count_deleted();

CREATE TRIGGER orders_stage_count_updated AFTER UPDATE ON orders_order
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION orders_stage_count_updated();
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS orders_stage_count_inserted ON orders_order;
DROP TRIGGER IF EXISTS orders_stage_count_deleted ON orders_order;
DROP TRIGGER IF EXISTS orders_stage_count_updated ON orders_order;
DROP FUNCTION IF EXISTS orders_stage_count_inserted();
DROP FUNCTION IF EXISTS orders_stage_count_deleted();
DROP FUNCTION IF EXISTS orders_stage_count_updated();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0007_merchant_events"),
    ]

    operations = [
        migrations.CreateModel(
            name="StageCountDelta",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("stage", models.CharField(max_length=30)),
                ("delta", models.BigIntegerField()),
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
                "indexes": [
                    models.Index(fields=["merchant", "stage"], name="stage_count_delta_idx")
                ],
            },
        ),
        migrations.RunPython(_on_postgresql(INSTALL), _on_postgresql(UNINSTALL)),
    ]
