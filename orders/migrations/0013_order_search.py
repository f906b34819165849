"""The order's search columns and their indexes (orders.models.search).

On PostgreSQL: the unaccent and pg_trgm extensions, orders_search_fold (unaccent is only
STABLE, as its dictionary could change; naming the dictionary makes the wrapper safe to declare
IMMUTABLE, which a generated column requires), and trigram GIN indexes on the document and the
phone's digits, plus a jsonb GIN index for exact tracking numbers. Adding the STORED columns
rewrites the order table once. Other databases (the SQLite demo) get the columns only.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models

import orders.models.search

FOLD = """
CREATE OR REPLACE FUNCTION orders_search_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
"""
UNFOLD = "DROP FUNCTION IF EXISTS orders_search_fold(text);"

# Room on each page for a row's new version: an update that changes no indexed column (a cost
# import, a note's timestamp) then stays on its page and skips every index, the trigram ones
# included. Set before the columns are added, so that the table's rewrite leaves the room.
ROOM = "ALTER TABLE orders_order SET (fillfactor = 85);"
NO_ROOM = "ALTER TABLE orders_order RESET (fillfactor);"

INDEXES = """
CREATE INDEX order_search_trgm_idx ON orders_order USING gin (search_document gin_trgm_ops);
CREATE INDEX order_phone_trgm_idx ON orders_order USING gin (phone_digits gin_trgm_ops);
CREATE INDEX shipment_tracking_idx ON orders_shipment USING gin (tracking_numbers jsonb_path_ops);
"""
UNINDEX = """
DROP INDEX IF EXISTS order_search_trgm_idx;
DROP INDEX IF EXISTS order_phone_trgm_idx;
DROP INDEX IF EXISTS shipment_tracking_idx;
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0012_order_event_types"),
    ]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(_on_postgresql(FOLD), _on_postgresql(UNFOLD)),
        migrations.RunPython(_on_postgresql(ROOM), _on_postgresql(NO_ROOM)),
        migrations.AddField(
            model_name="order",
            name="phone_digits",
            field=models.GeneratedField(
                db_persist=True,
                expression=orders.models.search.Digits(models.F("phone")),
                output_field=models.TextField(),
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=orders.models.search.SearchDocument(),
                output_field=models.TextField(),
            ),
        ),
        migrations.RunPython(_on_postgresql(INDEXES), _on_postgresql(UNINDEX)),
    ]
