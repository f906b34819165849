"""Btree indexes for the search's whole-value terms (orders.selectors.search): a postal code
(or its start), an IP address. Such a term is looked up in them first, whatever
how common its letters are, and read from the trigram index only when no order has it.

The postal codes are keyed as the search types them: upper-case, without spaces; LIKE 'X%'
can read a btree only with text_pattern_ops (the database's collation is not "C"). Built
CONCURRENTLY (outside a transaction), so that orders can be written while they are built.

The GIN indexes of 0013 keep a smaller pending list: new rows wait there, unsorted, until
it is merged into the index, and every search reads all of it. At the default 4 MB, under a
steady stream of placements, that was ~500 pages read and rechecked by each fragment search;
256 kB is 32 pages, merged more often in smaller steps.

The document keeps a 1,000-value sample for the planner (the default is 100): PostgreSQL
guesses how many orders a fragment matches by trying it on that sample. With 100, a common
name (`green`, in 21,000 of 785,000 orders) matched none of them, was guessed at 80 orders,
and the list fetched all 21,000 to sort them (750 ms) instead of walking its index for the
first 50 (under 40 ms). Set and sampled here: the ANALYZE took 16 s at 785,000 orders.

PostgreSQL only: the SQLite demo reads its few orders without them.
"""

from django.db import migrations

POSTAL_KEY = "upper(replace({column}, ' ', ''))"
INDEXES = {
    "order_ship_postal_key_idx": (
        f"(merchant_id, {POSTAL_KEY.format(column='shipping_postal_code')} text_pattern_ops)"
    ),
    "order_bill_postal_key_idx": (
        f"(merchant_id, {POSTAL_KEY.format(column='billing_postal_code')} text_pattern_ops)"
    ),
    "order_ip_idx": "(merchant_id, ip_address)",
}
GIN_INDEXES = ("order_search_trgm_idx", "order_phone_trgm_idx", "shipment_tracking_idx")
PENDING_LIST_KB = 256
DOCUMENT_SAMPLE = 1_000


def indexes_create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON orders_order {columns}"
        )
    for name in GIN_INDEXES:
        schema_editor.execute(
            f"ALTER INDEX {name} SET (gin_pending_list_limit = {PENDING_LIST_KB})"
        )
    schema_editor.execute(
        f"ALTER TABLE orders_order ALTER COLUMN search_document SET STATISTICS {DOCUMENT_SAMPLE}"
    )
    schema_editor.execute("ANALYZE orders_order (search_document)")


def indexes_drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    for name in GIN_INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} RESET (gin_pending_list_limit)")
    schema_editor.execute("ALTER TABLE orders_order ALTER COLUMN search_document SET STATISTICS -1")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orders", "0022_payment_reason_and_card"),
    ]

    operations = [
        migrations.RunPython(indexes_create, indexes_drop),
    ]
