"""The orders app's schema in one step: the models as they are, plus what the database keeps.

This squashes 0001_initial … 0016_form_submission_created_idx (five 0002 branches and four
empty merges among them). A database that applied those is recognised as migrated through
`replaces` and runs nothing; an empty one is built here, in this order:

- On PostgreSQL, first the unaccent and pg_trgm extensions and orders_search_fold, which the
  order's generated search column calls (unaccent is only STABLE, as its dictionary could
  change; naming the dictionary makes the wrapper safe to declare IMMUTABLE, which a generated
  column requires).
- The models, the order's STORED search columns included (orders.models.search).
- On PostgreSQL, the order table's fillfactor, the trigram and jsonb GIN indexes that search
  reads, and the statement-level triggers that keep the stage counts (StageCountDelta) and the
  day figures (DayFiguresDelta) in the transaction of each change to orders_order.
- The card networks' common chargeback reason codes.

Other databases (the SQLite demo) get the models and the reason codes only: their search
document lower-cases without unaccent, and stage counts and day figures are aggregated
directly. The old history's data moves (the `Standard` export mapping of existing merchants,
cost-import errors moved to rows) had nothing to move on an empty database and are not kept.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import django_fsm
import orders.models.case
import orders.models.chargeback
import orders.models.merchant
import orders.models.search
from decimal import Decimal
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models

FOLD = """
CREATE OR REPLACE FUNCTION orders_search_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
"""
UNFOLD = "DROP FUNCTION IF EXISTS orders_search_fold(text);"

# Room on each page for a row's new version: an update that changes no indexed column (a cost
# import, a note's timestamp) then stays on its page and skips every index, the trigram ones
# included.
ROOM = "ALTER TABLE orders_order SET (fillfactor = 85);"
NO_ROOM = "ALTER TABLE orders_order RESET (fillfactor);"

SEARCH_INDEXES = """
CREATE INDEX order_search_trgm_idx ON orders_order USING gin (search_document gin_trgm_ops);
CREATE INDEX order_phone_trgm_idx ON orders_order USING gin (phone_digits gin_trgm_ops);
CREATE INDEX shipment_tracking_idx ON orders_shipment USING gin (tracking_numbers jsonb_path_ops);
"""
NO_SEARCH_INDEXES = """
DROP INDEX IF EXISTS order_search_trgm_idx;
DROP INDEX IF EXISTS order_phone_trgm_idx;
DROP INDEX IF EXISTS shipment_tracking_idx;
"""

# Stage counts: per merchant and stage, the change a statement made to the number of live
# orders (one trigger per event, as transition tables require).
STAGE_LIVE_CHANGE = "(o.deleted_at IS NULL) <> (n.deleted_at IS NULL) OR o.stage <> n.stage OR o.merchant_id <> n.merchant_id"

STAGE_COUNTS = f"""
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
        WHERE o.deleted_at IS NULL AND ({STAGE_LIVE_CHANGE})
        UNION ALL
        SELECT n.merchant_id, n.stage, 1
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE n.deleted_at IS NULL AND ({STAGE_LIVE_CHANGE})
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

NO_STAGE_COUNTS = """
DROP TRIGGER IF EXISTS orders_stage_count_inserted ON orders_order;
DROP TRIGGER IF EXISTS orders_stage_count_deleted ON orders_order;
DROP TRIGGER IF EXISTS orders_stage_count_updated ON orders_order;
DROP FUNCTION IF EXISTS orders_stage_count_inserted();
DROP FUNCTION IF EXISTS orders_stage_count_deleted();
DROP FUNCTION IF EXISTS orders_stage_count_updated();
"""

# Day figures: per merchant and day placed (in UTC, the dashboard's day), the change a statement
# made to the number of counted orders, their revenue (total less refunds) and actual profit.
# Counted: live, not test, not rejected nor a quote (orders.selectors.dashboard).
DAY_COUNTED = "{t}.deleted_at IS NULL AND NOT {t}.is_test AND {t}.stage NOT IN ('rejected', 'quote_request', 'quote_sent')"
DAY = "({t}.placed_at AT TIME ZONE 'UTC')::date"
DAY_CHANGE = " OR ".join(
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
)

DAY_FIGURES = f"""
CREATE FUNCTION orders_day_figures_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders_dayfiguresdelta (merchant_id, day, orders, revenue, profit)
    SELECT merchant_id, {DAY.format(t="n")}, count(*), sum(total - refunded_total),
           sum(actual_profit)
    FROM new_rows n WHERE {DAY_COUNTED.format(t="n")} GROUP BY 1, 2;
    RETURN NULL;
END $$;

CREATE FUNCTION orders_day_figures_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders_dayfiguresdelta (merchant_id, day, orders, revenue, profit)
    SELECT merchant_id, {DAY.format(t="o")}, -count(*), -sum(total - refunded_total),
           -sum(actual_profit)
    FROM old_rows o WHERE {DAY_COUNTED.format(t="o")} GROUP BY 1, 2;
    RETURN NULL;
END $$;

CREATE FUNCTION orders_day_figures_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders_dayfiguresdelta (merchant_id, day, orders, revenue, profit)
    SELECT merchant_id, day, sum(orders), sum(revenue), sum(profit) FROM (
        SELECT o.merchant_id, {DAY.format(t="o")} AS day, -1 AS orders,
               -(o.total - o.refunded_total) AS revenue, -o.actual_profit AS profit
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE {DAY_COUNTED.format(t="o")} AND ({DAY_CHANGE})
        UNION ALL
        SELECT n.merchant_id, {DAY.format(t="n")}, 1, n.total - n.refunded_total,
               n.actual_profit
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE {DAY_COUNTED.format(t="n")} AND ({DAY_CHANGE})
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
"""

NO_DAY_FIGURES = """
DROP TRIGGER IF EXISTS orders_day_figures_inserted ON orders_order;
DROP TRIGGER IF EXISTS orders_day_figures_deleted ON orders_order;
DROP TRIGGER IF EXISTS orders_day_figures_updated ON orders_order;
DROP FUNCTION IF EXISTS orders_day_figures_inserted();
DROP FUNCTION IF EXISTS orders_day_figures_deleted();
DROP FUNCTION IF EXISTS orders_day_figures_updated();
"""

# The card networks' common chargeback reason codes; editable afterwards in the admin.
REASON_CODES = [
    ("10.4", "Visa", "Other fraud: card-absent environment"),
    ("10.5", "Visa", "Visa fraud monitoring program"),
    ("11.3", "Visa", "No authorization"),
    ("12.5", "Visa", "Incorrect amount"),
    ("12.6", "Visa", "Duplicate processing or paid by other means"),
    ("13.1", "Visa", "Merchandise or services not received"),
    ("13.2", "Visa", "Cancelled recurring transaction"),
    ("13.3", "Visa", "Not as described or defective merchandise"),
    ("13.6", "Visa", "Credit not processed"),
    ("13.7", "Visa", "Cancelled merchandise or services"),
    ("4837", "Mastercard", "No cardholder authorization"),
    ("4853", "Mastercard", "Cardholder dispute: not as described or defective"),
    ("4855", "Mastercard", "Goods or services not provided"),
    ("4863", "Mastercard", "Cardholder does not recognize: potential fraud"),
    ("4834", "Mastercard", "Point-of-interaction error (duplicate, amount)"),
    ("4841", "Mastercard", "Cancelled recurring or digital goods transaction"),
    ("C08", "American Express", "Goods or services not received or only partially received"),
    ("F29", "American Express", "Card not present fraud"),
    ("UA02", "Discover", "Fraud: card not present transaction"),
    ("RG", "Discover", "Non-receipt of goods, services or cash"),
]


def _on_postgresql(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(sql)


def search_fold_create(apps, schema_editor) -> None:
    _on_postgresql(schema_editor, FOLD)


def search_fold_drop(apps, schema_editor) -> None:
    _on_postgresql(schema_editor, UNFOLD)


def order_room_set(apps, schema_editor) -> None:
    _on_postgresql(schema_editor, ROOM)


def order_room_reset(apps, schema_editor) -> None:
    _on_postgresql(schema_editor, NO_ROOM)


def search_indexes_create(apps, schema_editor) -> None:
    _on_postgresql(schema_editor, SEARCH_INDEXES)


def search_indexes_drop(apps, schema_editor) -> None:
    _on_postgresql(schema_editor, NO_SEARCH_INDEXES)


def stage_counts_install(apps, schema_editor) -> None:
    _on_postgresql(schema_editor, STAGE_COUNTS)


def stage_counts_uninstall(apps, schema_editor) -> None:
    _on_postgresql(schema_editor, NO_STAGE_COUNTS)


def day_figures_install(apps, schema_editor) -> None:
    _on_postgresql(schema_editor, DAY_FIGURES)


def day_figures_uninstall(apps, schema_editor) -> None:
    _on_postgresql(schema_editor, NO_DAY_FIGURES)


def reason_codes_seed(apps, schema_editor) -> None:
    ReasonCode = apps.get_model("orders", "ChargebackReasonCode")
    for code, network, description in REASON_CODES:
        ReasonCode.objects.get_or_create(
            code=code, defaults={"network": network, "description": description}
        )


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("orders", "0001_initial"),
        ("orders", "0002_auto_orders"),
        ("orders", "0002_batch_undelete"),
        ("orders", "0002_disputes_and_cases"),
        ("orders", "0002_order_entry_quotes_intake"),
        ("orders", "0002_stage_lists"),
        ("orders", "0003_merge_0002_batch_undelete_0002_stage_lists"),
        ("orders", "0004_merge_20261127_0122"),
        ("orders", "0005_merge_0002_auto_orders_0004_merge_20261127_0122"),
        ("orders", "0006_merge_20261127_0139"),
        ("orders", "0007_merchant_events"),
        ("orders", "0008_stage_count_delta"),
        ("orders", "0009_finer_role_permissions"),
        ("orders", "0010_casemessage_email_status"),
        ("orders", "0011_form_submission"),
        ("orders", "0012_order_event_types"),
        ("orders", "0013_order_search"),
        ("orders", "0014_day_figures"),
        ("orders", "0015_line_sku_order_idx"),
        ("orders", "0016_form_submission_created_idx"),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Before the order table: its generated search column calls orders_search_fold.
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(search_fold_create, search_fold_drop),
        migrations.CreateModel(
            name='ChargebackReasonCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=20, unique=True)),
                ('network', models.CharField(blank=True, max_length=30)),
                ('description', models.CharField(max_length=200)),
            ],
            options={
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='Item',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sku', models.CharField(max_length=64)),
                ('description', models.CharField(max_length=300)),
                ('price', models.DecimalField(decimal_places=2, max_digits=12)),
                ('cost', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=12)),
                ('weight_kg', models.DecimalField(decimal_places=3, default=Decimal('0'), max_digits=8)),
                ('shippable', models.BooleanField(default=True)),
                ('pre_order', models.BooleanField(default=False, help_text='Not yet available.')),
                ('expected_date', models.DateField(blank=True, null=True)),
                ('auto_order_schedules', models.JSONField(blank=True, default=list)),
                ('active', models.BooleanField(default=True)),
            ],
            options={
                'ordering': ['sku'],
            },
        ),
        migrations.CreateModel(
            name='Merchant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(help_text='Order ID prefix: 2 to 10 upper-case letters.', max_length=10, unique=True, validators=[django.core.validators.RegexValidator('^[A-Z]{2,10}$', '2 to 10 upper-case letters.')])),
                ('name', models.CharField(max_length=200)),
                ('currency', models.CharField(default='USD', max_length=3)),
                ('time_zone', models.CharField(default='UTC', max_length=64)),
                ('gateway', models.CharField(choices=[('test', 'Test gateway'), ('test_live', 'Test gateway in live mode')], default='test', max_length=20)),
                ('capture_at_shipment', models.BooleanField(default=False, help_text='Authorize cards at placement and capture when shipped.')),
                ('fraud_review_threshold', models.PositiveSmallIntegerField(default=50, validators=[django.core.validators.MaxValueValidator(100)])),
                ('fraud_decline_threshold', models.PositiveSmallIntegerField(default=90, validators=[django.core.validators.MaxValueValidator(100)])),
                ('fraud_review_action', models.CharField(choices=[('charge_then_review', 'Charge, then hold in Fraud Review'), ('hold_without_charge', 'Do not charge; send to Accounts Receivable')], default='charge_then_review', max_length=30)),
                ('fraud_amount_multiple', models.DecimalField(decimal_places=2, default=Decimal('3.00'), help_text='An order over this many times the average order scores points.', max_digits=6)),
                ('fraud_velocity_limit', models.PositiveSmallIntegerField(default=3, help_text='Orders from one email, IP or card in 24 hours before it scores.')),
                ('fraud_free_email_domains', models.JSONField(blank=True, default=orders.models.merchant.default_free_email_domains)),
                ('ar_retry_days', models.JSONField(blank=True, default=orders.models.merchant.default_ar_retry_days)),
                ('ar_reject_at_end', models.BooleanField(default=False)),
                ('auto_order_retry_delay_days', models.PositiveSmallIntegerField(default=3)),
                ('auto_order_max_attempts', models.PositiveSmallIntegerField(default=4)),
                ('quote_expiry_days', models.PositiveSmallIntegerField(default=30)),
                ('stage_age_limits', models.JSONField(blank=True, default=dict)),
                ('custom_fields', models.JSONField(blank=True, default=dict)),
                ('refund_reason_codes', models.JSONField(blank=True, default=orders.models.merchant.default_reason_codes)),
                ('reject_reason_codes', models.JSONField(blank=True, default=orders.models.merchant.default_reason_codes)),
                ('reason_required', models.BooleanField(default=True)),
                ('customer_service_refund_limit', models.DecimalField(decimal_places=2, default=Decimal('100.00'), max_digits=12)),
                ('tax_rate', models.DecimalField(decimal_places=4, default=Decimal('0'), help_text='0.0825 for 8.25%', max_digits=6, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                ('retention_days', models.PositiveIntegerField(blank=True, help_text='Purge deleted orders after this many days; empty: never.', null=True)),
                ('chargeback_filtered_reason_codes', models.JSONField(blank=True, default=list)),
                ('chargeback_never_dispute_codes', models.JSONField(blank=True, default=list)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='AutoOrder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=40, unique=True)),
                ('status', models.CharField(choices=[('active', 'Active'), ('paused', 'Paused'), ('disabled', 'Disabled'), ('cancelled_by_customer', 'Cancelled by customer'), ('cancelled_by_merchant', 'Cancelled by merchant'), ('completed', 'Completed')], default='active', max_length=30)),
                ('paused_until', models.DateField(blank=True, null=True)),
                ('email', models.EmailField(max_length=254)),
                ('first_name', models.CharField(blank=True, max_length=100)),
                ('last_name', models.CharField(blank=True, max_length=100)),
                ('phone', models.CharField(blank=True, max_length=40)),
                ('billing_address1', models.CharField(blank=True, max_length=200)),
                ('billing_address2', models.CharField(blank=True, max_length=200)),
                ('billing_city', models.CharField(blank=True, max_length=100)),
                ('billing_region', models.CharField(blank=True, max_length=100)),
                ('billing_postal_code', models.CharField(blank=True, max_length=20)),
                ('billing_country', models.CharField(blank=True, max_length=2)),
                ('shipping_name', models.CharField(blank=True, max_length=200)),
                ('shipping_address1', models.CharField(blank=True, max_length=200)),
                ('shipping_address2', models.CharField(blank=True, max_length=200)),
                ('shipping_city', models.CharField(blank=True, max_length=100)),
                ('shipping_region', models.CharField(blank=True, max_length=100)),
                ('shipping_postal_code', models.CharField(blank=True, max_length=20)),
                ('shipping_country', models.CharField(blank=True, max_length=2)),
                ('shipping_method', models.CharField(blank=True, max_length=100)),
                ('shipping_total', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('payment_method', models.CharField(max_length=20)),
                ('gateway_token', models.CharField(blank=True, max_length=100)),
                ('card_brand', models.CharField(blank=True, max_length=20)),
                ('card_last4', models.CharField(blank=True, max_length=4)),
                ('card_exp_month', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('card_exp_year', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('next_rebill_on', models.DateField(blank=True, null=True)),
                ('next_attempt_on', models.DateField(blank=True, null=True)),
                ('failed_attempts', models.PositiveSmallIntegerField(default=0)),
                ('status_reason', models.CharField(blank=True, max_length=300)),
                ('cancelled_at', models.DateTimeField(blank=True, null=True)),
                ('lifetime_value', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('rebill_count', models.PositiveIntegerField(default=0)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('cancelled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='auto_orders', to='orders.merchant')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Case',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254)),
                ('subject', models.CharField(max_length=200)),
                ('status', django_fsm.FSMField(choices=[('new', 'New'), ('open', 'Open'), ('waiting', 'Waiting for customer'), ('reply_received', 'Reply received'), ('closed', 'Closed')], default='open', max_length=20, protected=True)),
                ('status_changed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('unread', models.BooleanField(default=False)),
                ('link_nonce', models.CharField(default=orders.models.case.case_nonce, editable=False, max_length=40)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('assigned_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='orders.merchant')),
            ],
            options={
                'ordering': ['-status_changed_at', '-id'],
            },
            bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
        ),
        migrations.CreateModel(
            name='CaseMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('customer', 'From the customer'), ('merchant', 'From the merchant'), ('internal', 'Internal note')], max_length=10)),
                ('body', models.TextField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('email_status', models.CharField(blank=True, choices=[('', 'No email'), ('queued', 'Email queued'), ('sent', 'Emailed'), ('failed', 'Email failed to send')], default='', max_length=10)),
                ('email_error', models.CharField(blank=True, max_length=300)),
                ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='orders.case')),
            ],
            options={
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Chargeback',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('case_number', models.CharField(max_length=64)),
                ('reason_code', models.CharField(max_length=20)),
                ('reason_description', models.CharField(blank=True, max_length=200)),
                ('amount', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('currency', models.CharField(default='USD', max_length=3)),
                ('received_on', models.DateField(default=django.utils.timezone.localdate)),
                ('respond_by', models.DateField()),
                ('status', django_fsm.FSMField(choices=[('open', 'Open'), ('not_disputed', 'Not disputed'), ('evidence_sent', 'Evidence sent'), ('won', 'Won'), ('lost', 'Lost'), ('expired', 'Expired')], default='open', max_length=20, protected=True)),
                ('outcome_on', models.DateField(blank=True, null=True)),
                ('rebuttal', models.TextField(blank=True)),
                ('internal_notes', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('handled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='chargebacks', to='orders.merchant')),
            ],
            options={
                'ordering': ['respond_by', 'id'],
            },
            bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
        ),
        migrations.CreateModel(
            name='ChargebackEvidence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=300, upload_to=orders.models.chargeback.evidence_upload_to)),
                ('original_name', models.CharField(max_length=200)),
                ('content_type', models.CharField(max_length=50)),
                ('size', models.PositiveIntegerField()),
                ('uploaded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('chargeback', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='orders.chargeback')),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['uploaded_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='GatewayLedgerEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('gateway', models.CharField(max_length=20)),
                ('idempotency_key', models.CharField(max_length=200)),
                ('operation', models.CharField(max_length=20)),
                ('amount', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('result', models.CharField(max_length=10)),
                ('reference', models.CharField(max_length=100)),
                ('token', models.CharField(blank=True, max_length=100)),
                ('response', models.JSONField(default=dict)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('gateway', 'idempotency_key'), name='unique_gateway_idempotency_key')],
            },
        ),
        migrations.CreateModel(
            name='AutoOrderItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('sku', models.CharField(blank=True, max_length=64)),
                ('description', models.CharField(max_length=300)),
                ('quantity', models.PositiveIntegerField(default=1)),
                ('unit_price', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('schedule', models.CharField(max_length=40)),
                ('anchor_day', models.PositiveSmallIntegerField(default=1)),
                ('next_rebill_on', models.DateField(blank=True, null=True)),
                ('no_order_after', models.DateField(blank=True, null=True)),
                ('remaining_rebills', models.PositiveIntegerField(blank=True, null=True)),
                ('finished', models.BooleanField(default=False)),
                ('auto_order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='orders.autoorder')),
                ('item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='orders.item')),
            ],
            options={
                'ordering': ['position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='OrderSequence',
            fields=[
                ('merchant', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, serialize=False, to='orders.merchant')),
                ('last_number', models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name='item',
            name='merchant',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='orders.merchant'),
        ),
        migrations.CreateModel(
            name='FormSubmission',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(max_length=64)),
                ('action', models.CharField(max_length=120)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('level', models.CharField(blank=True, choices=[('success', 'Success'), ('warning', 'Warning'), ('error', 'Error')], max_length=10)),
                ('message', models.TextField(blank=True)),
                ('redirect_to', models.CharField(blank=True, max_length=500)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orders.merchant')),
            ],
        ),
        migrations.CreateModel(
            name='DayFiguresDelta',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('orders', models.BigIntegerField(default=0)),
                ('revenue', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=16)),
                ('profit', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=16)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orders.merchant')),
            ],
        ),
        migrations.CreateModel(
            name='BlockListEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('email', 'Email'), ('address', 'Shipping address'), ('card', 'Card fingerprint'), ('ip', 'IP address')], max_length=10)),
                ('value', models.CharField(max_length=300)),
                ('reason', models.CharField(blank=True, max_length=300)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='block_list', to='orders.merchant')),
            ],
            options={
                'verbose_name_plural': 'block list entries',
            },
        ),
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('prefix', models.CharField(max_length=16)),
                ('key_hash', models.CharField(max_length=64, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_used_at', models.DateTimeField(blank=True, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to='orders.merchant')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='MerchantEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('actor_label', models.CharField(blank=True, max_length=100)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('payload', models.JSONField(blank=True, default=dict)),
                ('type', models.CharField(choices=[('orders_exported', 'Orders exported')], max_length=50)),
                ('job_id', models.PositiveBigIntegerField(blank=True, null=True)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='orders.merchant')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Order',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order_number', models.PositiveBigIntegerField()),
                ('order_id', models.CharField(editable=False, max_length=32, unique=True)),
                ('stage', django_fsm.FSMField(choices=[('quote_request', 'Quote Requests'), ('quote_sent', 'Quote Sent'), ('pre_order', 'Pre-orders'), ('accounts_receivable', 'Accounts Receivable'), ('pending_clearance', 'Pending Clearance'), ('fraud_review', 'Fraud Review'), ('hold', 'Hold'), ('shipping', 'Shipping'), ('completed', 'Completed Orders'), ('rejected', 'Rejected')], max_length=30, protected=True)),
                ('stage_entered_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('held_from_stage', models.CharField(blank=True, choices=[('quote_request', 'Quote Requests'), ('quote_sent', 'Quote Sent'), ('pre_order', 'Pre-orders'), ('accounts_receivable', 'Accounts Receivable'), ('pending_clearance', 'Pending Clearance'), ('fraud_review', 'Fraud Review'), ('hold', 'Hold'), ('shipping', 'Shipping'), ('completed', 'Completed Orders'), ('rejected', 'Rejected')], max_length=30)),
                ('hold_reason', models.CharField(blank=True, max_length=300)),
                ('hold_until', models.DateField(blank=True, null=True)),
                ('reject_reason', models.CharField(blank=True, max_length=100)),
                ('source', models.CharField(choices=[('backend', 'Back-end entry'), ('api', 'Intake API'), ('rebill', 'Auto-order rebill'), ('replacement', 'Replacement'), ('clone', 'Clone'), ('seed', 'Demo seed')], max_length=20)),
                ('requires_shipping', models.BooleanField(default=True)),
                ('is_test', models.BooleanField(default=False)),
                ('email', models.EmailField(max_length=254)),
                ('first_name', models.CharField(blank=True, max_length=100)),
                ('last_name', models.CharField(blank=True, max_length=100)),
                ('company', models.CharField(blank=True, max_length=200)),
                ('phone', models.CharField(blank=True, max_length=40)),
                ('ip_address', models.GenericIPAddressField(blank=True, null=True)),
                ('billing_address1', models.CharField(blank=True, max_length=200)),
                ('billing_address2', models.CharField(blank=True, max_length=200)),
                ('billing_city', models.CharField(blank=True, max_length=100)),
                ('billing_region', models.CharField(blank=True, max_length=100)),
                ('billing_postal_code', models.CharField(blank=True, max_length=20)),
                ('billing_country', models.CharField(blank=True, max_length=2)),
                ('shipping_name', models.CharField(blank=True, max_length=200)),
                ('shipping_address1', models.CharField(blank=True, max_length=200)),
                ('shipping_address2', models.CharField(blank=True, max_length=200)),
                ('shipping_city', models.CharField(blank=True, max_length=100)),
                ('shipping_region', models.CharField(blank=True, max_length=100)),
                ('shipping_postal_code', models.CharField(blank=True, max_length=20)),
                ('shipping_country', models.CharField(blank=True, max_length=2)),
                ('shipping_method', models.CharField(blank=True, max_length=100)),
                ('subtotal', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('shipping_total', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('tax', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('discount', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('total', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('refunded_total', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('chargeback_total', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('cost_of_goods', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('actual_shipping', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('actual_fulfillment', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('actual_payment', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('actual_profit', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('placed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('paid_at', models.DateTimeField(blank=True, null=True)),
                ('shipped_at', models.DateTimeField(blank=True, null=True)),
                ('refunded_at', models.DateTimeField(blank=True, null=True)),
                ('rejected_at', models.DateTimeField(blank=True, null=True)),
                ('quote_sent_at', models.DateTimeField(blank=True, null=True)),
                ('payment_method', models.CharField(choices=[('credit_card', 'Credit card'), ('echeck', 'E-check'), ('paypal', 'PayPal'), ('amazon_pay', 'Amazon Pay'), ('check', 'Check'), ('money_order', 'Money order'), ('purchase_order', 'Purchase order'), ('wire', 'Wire transfer'), ('cod', 'COD'), ('cash', 'Cash'), ('quote_request', 'Quote request')], max_length=20)),
                ('payment_status', models.CharField(choices=[('unprocessed', 'Unprocessed'), ('authorized', 'Authorized'), ('capture_failed', 'Capture failed'), ('processed', 'Processed'), ('declined', 'Declined'), ('pending', 'Pending clearance'), ('voided', 'Voided'), ('refunded', 'Refunded'), ('partially_refunded', 'Partially refunded'), ('skipped', 'Skipped')], default='unprocessed', max_length=20)),
                ('payment_reference', models.CharField(blank=True, max_length=100)),
                ('purchase_order_number', models.CharField(blank=True, max_length=64)),
                ('card_brand', models.CharField(blank=True, max_length=20)),
                ('card_last4', models.CharField(blank=True, max_length=4)),
                ('card_exp_month', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('card_exp_year', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('card_fingerprint', models.CharField(blank=True, max_length=64)),
                ('gateway_token', models.CharField(blank=True, max_length=100)),
                ('fraud_score', models.PositiveSmallIntegerField(default=0)),
                ('fraud_reasons', models.JSONField(blank=True, default=list)),
                ('custom_1', models.CharField(blank=True, max_length=200)),
                ('custom_2', models.CharField(blank=True, max_length=200)),
                ('custom_3', models.CharField(blank=True, max_length=200)),
                ('custom_4', models.CharField(blank=True, max_length=200)),
                ('custom_5', models.CharField(blank=True, max_length=200)),
                ('custom_6', models.CharField(blank=True, max_length=200)),
                ('custom_7', models.CharField(blank=True, max_length=200)),
                ('custom_8', models.CharField(blank=True, max_length=200)),
                ('custom_9', models.CharField(blank=True, max_length=200)),
                ('custom_10', models.CharField(blank=True, max_length=200)),
                ('auto_order_code', models.CharField(blank=True, max_length=40)),
                ('deleted_at', models.DateTimeField(blank=True, null=True)),
                ('delete_reason', models.CharField(blank=True, max_length=300)),
                ('placement_key', models.CharField(blank=True, editable=False, max_length=120, null=True)),
                ('placement_digest', models.CharField(blank=True, editable=False, max_length=64)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('search_document', models.GeneratedField(db_persist=True, expression=orders.models.search.SearchDocument(), output_field=models.TextField())),
                ('phone_digits', models.GeneratedField(db_persist=True, expression=orders.models.search.Digits(models.F('phone')), output_field=models.TextField())),
                ('deleted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='orders.merchant')),
                ('original_order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='derived_orders', to='orders.order')),
                ('rejected_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-order_number'],
                'permissions': [('view_merchant_orders', "Can view the merchant's orders"), ('send_quote', 'Can send quotes'), ('reject_order', 'Can reject orders'), ('release_preorder', 'Can release pre-orders'), ('process_payment', 'Can process payments'), ('record_payment', 'Can record payments received'), ('approve_order', 'Can approve orders in fraud review'), ('reject_fraud', 'Can reject orders as fraud'), ('hold_order', 'Can hold orders'), ('release_hold', 'Can release held orders'), ('ship_order', 'Can mark orders shipped'), ('move_back_to_shipping', 'Can move completed orders back to shipping'), ('refund_order', 'Can refund orders'), ('unreject_order', 'Can un-reject orders'), ('skip_payment', 'Can skip payment processing'), ('skip_fraud_score', 'Can skip the fraud score'), ('edit_order', 'Can edit the customer, addresses, tags and custom fields'), ('place_order', 'Can enter orders, replacements and clones'), ('add_note', 'Can add merchant notes'), ('resend_email', 'Can send customer emails again'), ('manage_auto_orders', 'Can pause, cancel and change auto orders'), ('view_order_lists', 'Can view every order list, not only shipping and completed'), ('delete_order_soft', 'Can delete orders'), ('undelete_order', 'Can undelete orders'), ('run_tools', 'Can run batch operations'), ('export_orders', 'Can export orders'), ('import_costs', 'Can import actual costs'), ('manage_merchant', 'Can change merchant settings and staff'), ('manage_chargebacks', 'Can open, import and dispute chargebacks'), ('manage_cases', 'Can open, answer and close customer cases')],
            },
            bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
        ),
        migrations.RunPython(order_room_set, order_room_reset),
        migrations.AddField(
            model_name='chargeback',
            name='order',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='chargebacks', to='orders.order'),
        ),
        migrations.AddField(
            model_name='case',
            name='order',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='orders.order'),
        ),
        migrations.AddField(
            model_name='autoorder',
            name='original_order',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='auto_orders_created', to='orders.order'),
        ),
        migrations.CreateModel(
            name='OrderEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('actor_label', models.CharField(blank=True, max_length=100)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('payload', models.JSONField(blank=True, default=dict)),
                ('type', models.CharField(choices=[('order_placed', 'Placed'), ('order_transitioned', 'Stage changed'), ('order_payment', 'Payment'), ('order_refunded', 'Refunded'), ('order_note_added', 'Note added'), ('order_edited', 'Edited'), ('order_deleted', 'Deleted'), ('order_undeleted', 'Undeleted'), ('order_email_sent', 'Email sent'), ('order_email_failed', 'Email failed'), ('order_email_queued', 'Email to be sent again'), ('order_email_not_queued', 'Email not sent'), ('order_ar_retried', 'Payment retried'), ('order_replacement_created', 'Replacement created'), ('order_costs_imported', 'Actual costs imported'), ('order_costs_import_undone', 'Actual-cost import undone'), ('auto_order_created', 'Auto order started'), ('auto_order_changed', 'Auto order changed'), ('order_rebilled', 'Auto order rebilled'), ('order_chargeback_opened', 'Chargeback opened'), ('order_chargeback_changed', 'Chargeback changed'), ('order_case_opened', 'Case opened'), ('order_case_message', 'Case message'), ('order_case_changed', 'Case changed')], max_length=50)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='orders.order')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='OrderLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('sku', models.CharField(blank=True, max_length=64)),
                ('description', models.CharField(max_length=300)),
                ('quantity', models.PositiveIntegerField(default=1)),
                ('unit_price', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('unit_cost', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('refunded_quantity', models.PositiveIntegerField(default=0)),
                ('pre_order', models.BooleanField(default=False)),
                ('shippable', models.BooleanField(default=True)),
                ('auto_order_schedule', models.CharField(blank=True, max_length=40)),
                ('item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='orders.item')),
                ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='orders.order')),
            ],
            options={
                'ordering': ['position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='OrderNote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notes', to='orders.order')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='PaymentTransaction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('authorize', 'Authorize'), ('capture', 'Capture'), ('charge', 'Charge'), ('refund', 'Refund'), ('void', 'Void'), ('external_refund', 'Refund outside the gateway'), ('recorded', 'Payment recorded'), ('settlement', 'Settlement')], max_length=20)),
                ('amount', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('result', models.CharField(choices=[('approved', 'Approved'), ('declined', 'Declined'), ('pending', 'Pending'), ('error', 'Error')], max_length=10)),
                ('gateway', models.CharField(blank=True, max_length=20)),
                ('gateway_reference', models.CharField(blank=True, max_length=100)),
                ('idempotency_key', models.CharField(blank=True, max_length=200)),
                ('avs_result', models.CharField(blank=True, max_length=10)),
                ('cvv_result', models.CharField(blank=True, max_length=10)),
                ('message', models.CharField(blank=True, max_length=300)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='transactions', to='orders.order')),
            ],
            options={
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='PurgeLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('purged_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('retention_days', models.PositiveIntegerField()),
                ('order_ids', models.JSONField(default=list)),
                ('count', models.PositiveIntegerField(default=0)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='purge_logs', to='orders.merchant')),
            ],
            options={
                'ordering': ['-purged_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='RebillAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scheduled_on', models.DateField()),
                ('try_number', models.PositiveSmallIntegerField()),
                ('idempotency_key', models.CharField(max_length=200, unique=True)),
                ('result', models.CharField(choices=[('started', 'Started'), ('approved', 'Approved'), ('declined', 'Declined'), ('error', 'Error')], default='started', max_length=10)),
                ('amount', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12)),
                ('message', models.CharField(blank=True, max_length=300)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('auto_order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts', to='orders.autoorder')),
                ('order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='rebill_attempts', to='orders.order')),
            ],
            options={
                'ordering': ['-scheduled_on', '-try_number'],
            },
        ),
        migrations.CreateModel(
            name='RebuttalText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=100)),
                ('text', models.TextField()),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rebuttals', to='orders.merchant')),
            ],
            options={
                'ordering': ['title'],
            },
        ),
        migrations.CreateModel(
            name='Shipment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('carrier', models.CharField(max_length=50)),
                ('method', models.CharField(blank=True, max_length=100)),
                ('tracking_numbers', models.JSONField(default=list)),
                ('shipped_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shipments', to='orders.order')),
            ],
            options={
                'ordering': ['shipped_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='StageCountDelta',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stage', models.CharField(max_length=30)),
                ('delta', models.BigIntegerField()),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orders.merchant')),
            ],
        ),
        migrations.CreateModel(
            name='Tag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=50)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tags', to='orders.merchant')),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.AddField(
            model_name='order',
            name='tags',
            field=models.ManyToManyField(blank=True, related_name='orders', to='orders.tag'),
        ),
        migrations.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('gateway', models.CharField(max_length=20)),
                ('event_id', models.CharField(max_length=100)),
                ('payload', models.JSONField()),
                ('received_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('gateway', 'event_id'), name='unique_webhook_event')],
            },
        ),
        migrations.CreateModel(
            name='Membership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('owner', 'Owner'), ('manager', 'Order manager'), ('shipping', 'Shipping clerk'), ('service', 'Customer service'), ('bookkeeper', 'Bookkeeper')], max_length=20)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='orders.merchant')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('user', 'merchant'), name='one_role_per_merchant')],
            },
        ),
        migrations.AddConstraint(
            model_name='item',
            constraint=models.UniqueConstraint(fields=('merchant', 'sku'), name='unique_sku_per_merchant'),
        ),
        migrations.AddIndex(
            model_name='formsubmission',
            index=models.Index(fields=['created_at'], name='form_submission_created_idx'),
        ),
        migrations.AddConstraint(
            model_name='formsubmission',
            constraint=models.UniqueConstraint(fields=('merchant', 'token'), name='unique_form_submission_token_per_merchant'),
        ),
        migrations.AddIndex(
            model_name='dayfiguresdelta',
            index=models.Index(fields=['merchant', 'day'], name='day_figures_delta_idx'),
        ),
        migrations.AddConstraint(
            model_name='blocklistentry',
            constraint=models.UniqueConstraint(fields=('merchant', 'kind', 'value'), name='unique_block'),
        ),
        migrations.AddIndex(
            model_name='merchantevent',
            index=models.Index(fields=['merchant', '-created_at'], name='merchant_event_time_idx'),
        ),
        migrations.AddConstraint(
            model_name='merchantevent',
            constraint=models.UniqueConstraint(condition=models.Q(('job_id__isnull', False)), fields=('type', 'job_id'), name='one_merchant_event_per_job'),
        ),
        migrations.AddIndex(
            model_name='chargeback',
            index=models.Index(fields=['merchant', 'status', 'respond_by'], name='cb_due_idx'),
        ),
        migrations.AddConstraint(
            model_name='chargeback',
            constraint=models.UniqueConstraint(fields=('merchant', 'case_number'), name='unique_chargeback_case_number'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['merchant', 'status'], name='case_status_idx'),
        ),
        migrations.AddIndex(
            model_name='autoorder',
            index=models.Index(fields=['status', 'next_attempt_on'], name='auto_order_due_idx'),
        ),
        migrations.AddIndex(
            model_name='autoorder',
            index=models.Index(fields=['merchant', 'status', 'next_rebill_on'], name='auto_order_list_idx'),
        ),
        migrations.AddIndex(
            model_name='autoorder',
            index=models.Index(fields=['merchant', 'email'], name='auto_order_email_idx'),
        ),
        migrations.AddIndex(
            model_name='orderevent',
            index=models.Index(fields=['order', '-created_at'], name='event_order_time_idx'),
        ),
        migrations.AddIndex(
            model_name='orderline',
            index=models.Index(fields=['sku', 'order'], name='line_sku_order_idx'),
        ),
        migrations.AddConstraint(
            model_name='rebillattempt',
            constraint=models.UniqueConstraint(fields=('auto_order', 'scheduled_on', 'try_number'), name='one_rebill_attempt'),
        ),
        migrations.AddConstraint(
            model_name='rebuttaltext',
            constraint=models.UniqueConstraint(fields=('merchant', 'title'), name='unique_rebuttal_title'),
        ),
        migrations.AddIndex(
            model_name='stagecountdelta',
            index=models.Index(fields=['merchant', 'stage'], name='stage_count_delta_idx'),
        ),
        migrations.AddConstraint(
            model_name='tag',
            constraint=models.UniqueConstraint(fields=('merchant', 'name'), name='unique_tag'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['merchant', 'stage', '-order_number'], name='order_stage_idx'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(fields=['merchant', '-placed_at'], name='order_placed_idx'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(fields=['merchant', 'email'], name='order_email_idx'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(condition=models.Q(('deleted_at__isnull', False)), fields=['merchant', 'deleted_at'], name='order_deleted_idx'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(fields=['merchant', 'paid_at'], name='order_paid_idx'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(fields=['merchant', 'shipped_at'], name='order_shipped_idx'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(fields=['merchant', 'total'], name='order_total_idx'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(fields=['merchant', 'stage_entered_at'], name='order_entered_idx'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['merchant', 'stage', 'placed_at', 'order_number'], name='order_stage_placed_idx'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['merchant', 'stage', 'total', 'order_number'], name='order_stage_total_idx'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['merchant', 'stage', 'stage_entered_at', 'order_number'], name='order_stage_entered_idx'),
        ),
        migrations.AddConstraint(
            model_name='order',
            constraint=models.UniqueConstraint(fields=('merchant', 'order_number'), name='unique_order_number_per_merchant'),
        ),
        migrations.AddConstraint(
            model_name='order',
            constraint=models.UniqueConstraint(fields=('merchant', 'placement_key'), name='unique_placement_key_per_merchant'),
        ),
        # After the tables they index and write to.
        migrations.RunPython(search_indexes_create, search_indexes_drop),
        migrations.RunPython(stage_counts_install, stage_counts_uninstall),
        migrations.RunPython(day_figures_install, day_figures_uninstall),
        migrations.RunPython(reason_codes_seed, migrations.RunPython.noop),
    ]
