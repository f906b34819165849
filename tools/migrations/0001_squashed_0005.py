"""The tools app's schema in one step, squashing 0001_initial … 0005_job_heartbeat_and_queue.

A database that applied those is recognised as migrated through `replaces` and runs nothing.
The old history's data moves are not kept: 0002 gave each existing merchant a `Standard` export
mapping (a new merchant gets it on demand) and 0003 moved earlier imports' errors to rows; on an
empty database neither has anything to do.
"""

import django.db.models.deletion
import django.utils.timezone
import tools.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("tools", "0001_initial"),
        ("tools", "0002_export_mappings_and_cost_imports"),
        ("tools", "0003_cost_import_staged_rows"),
        ("tools", "0004_cost_import_reading_refused"),
        ("tools", "0005_job_heartbeat_and_queue"),
    ]

    dependencies = [
        ('orders', '0001_squashed_0016'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CostImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('filename', models.CharField(max_length=255)),
                ('file', models.FileField(max_length=300, upload_to=tools.models.cost_import_path)),
                ('content_hash', models.CharField(db_index=True, max_length=64)),
                ('rows_hash', models.CharField(db_index=True, max_length=64)),
                ('status', models.CharField(choices=[('reading', 'Reading'), ('refused', 'Refused'), ('previewed', 'Previewed'), ('applying', 'Applying'), ('applied', 'Applied'), ('undoing', 'Undoing'), ('undone', 'Undone')], default='previewed', max_length=20)),
                ('rows_read', models.PositiveIntegerField(default=0)),
                ('orders_matched', models.PositiveIntegerField(default=0)),
                ('errors', models.JSONField(blank=True, default=list)),
                ('error_count', models.PositiveIntegerField(default=0)),
                ('summary', models.JSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('applied_at', models.DateTimeField(blank=True, null=True)),
                ('undone_at', models.DateTimeField(blank=True, null=True)),
                ('undo_skipped', models.JSONField(blank=True, default=list)),
                ('applied_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cost_imports', to='orders.merchant')),
                ('undone_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='CostImportError',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file_row', models.PositiveIntegerField()),
                ('column', models.CharField(blank=True, max_length=50)),
                ('value', models.CharField(blank=True, max_length=100)),
                ('message', models.CharField(max_length=200)),
                ('cost_import', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='error_rows', to='tools.costimport')),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='Job',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=tools.models.job_kind_choices, max_length=50)),
                ('params', models.JSONField(blank=True, default=dict)),
                ('order_pks', models.JSONField(blank=True, default=list)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='pending', max_length=20)),
                ('total', models.PositiveIntegerField(default=0)),
                ('done', models.PositiveIntegerField(default=0)),
                ('succeeded_count', models.PositiveIntegerField(default=0)),
                ('skipped_count', models.PositiveIntegerField(default=0)),
                ('failed_count', models.PositiveIntegerField(default=0)),
                ('result_file', models.FileField(blank=True, max_length=300, upload_to=tools.models.job_result_path)),
                ('error', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('heartbeat_at', models.DateTimeField(blank=True, null=True)),
                ('queue', models.CharField(blank=True, default='', max_length=100)),
                ('cancelled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='jobs', to='orders.merchant')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='costimport',
            name='job',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tools.job'),
        ),
        migrations.CreateModel(
            name='JobItemOutcome',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order_pk', models.PositiveBigIntegerField()),
                ('order_id', models.CharField(blank=True, max_length=32)),
                ('outcome', models.CharField(choices=[('succeeded', 'Succeeded'), ('skipped', 'Skipped'), ('failed', 'Failed')], max_length=20)),
                ('message', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outcomes', to='tools.job')),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='CostImportChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('shipping_before', models.DecimalField(decimal_places=2, max_digits=12, null=True)),
                ('shipping_after', models.DecimalField(decimal_places=2, max_digits=12, null=True)),
                ('fulfillment_before', models.DecimalField(decimal_places=2, max_digits=12, null=True)),
                ('fulfillment_after', models.DecimalField(decimal_places=2, max_digits=12, null=True)),
                ('payment_before', models.DecimalField(decimal_places=2, max_digits=12)),
                ('payment_added', models.DecimalField(decimal_places=2, max_digits=12, null=True)),
                ('cost_import', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='tools.costimport')),
                ('order', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orders.order')),
            ],
            options={
                'ordering': ['id'],
                'constraints': [models.UniqueConstraint(fields=('cost_import', 'order'), name='one_change_per_order')],
            },
        ),
        migrations.CreateModel(
            name='CostImportOrder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order_pk', models.BigIntegerField()),
                ('order_id', models.CharField(max_length=32)),
                ('first_row', models.PositiveIntegerField()),
                ('row_count', models.PositiveIntegerField()),
                ('shipping', models.DecimalField(decimal_places=2, max_digits=12, null=True)),
                ('fulfillment', models.DecimalField(decimal_places=2, max_digits=12, null=True)),
                ('payment', models.DecimalField(decimal_places=2, max_digits=12, null=True)),
                ('cost_import', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='plan_orders', to='tools.costimport')),
            ],
            options={
                'ordering': ['cost_import', 'first_row'],
                'constraints': [models.UniqueConstraint(fields=('cost_import', 'order_pk'), name='one_plan_per_import_order')],
            },
        ),
        migrations.CreateModel(
            name='CostImportRow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file_row', models.PositiveIntegerField()),
                ('order_pk', models.BigIntegerField()),
                ('order_id', models.CharField(max_length=32)),
                ('shipping', models.DecimalField(decimal_places=2, max_digits=12, null=True)),
                ('fulfillment', models.DecimalField(decimal_places=2, max_digits=12, null=True)),
                ('payment', models.DecimalField(decimal_places=2, max_digits=12, null=True)),
                ('cost_import', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='rows', to='tools.costimport')),
            ],
            options={
                'ordering': ['cost_import', 'file_row'],
                'constraints': [models.UniqueConstraint(fields=('cost_import', 'file_row'), name='one_row_per_line')],
            },
        ),
        migrations.CreateModel(
            name='ExportMapping',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('format', models.CharField(choices=[('csv', 'CSV'), ('tsv', 'Tab-separated text'), ('xlsx', 'Excel workbook (.xlsx)'), ('xml', 'XML (lines nested)')], default='csv', max_length=10)),
                ('granularity', models.CharField(choices=[('order', 'One row per order'), ('line', 'One row per line')], default='order', max_length=10)),
                ('columns', models.JSONField(default=list)),
                ('is_default', models.BooleanField(default=False)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='export_mappings', to='orders.merchant')),
            ],
            options={
                'ordering': ['name'],
                'constraints': [models.UniqueConstraint(fields=('merchant', 'name'), name='unique_mapping_name'), models.UniqueConstraint(condition=models.Q(('is_default', True)), fields=('merchant',), name='one_default_mapping')],
            },
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['merchant', '-created_at'], name='job_merchant_created_idx'),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['merchant', 'status'], name='job_merchant_status_idx'),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(condition=models.Q(('status__in', ['pending', 'running'])), fields=['status', 'created_at'], name='job_unfinished_idx'),
        ),
        migrations.AddIndex(
            model_name='jobitemoutcome',
            index=models.Index(fields=['job', 'outcome'], name='job_outcome_idx'),
        ),
        migrations.AddConstraint(
            model_name='jobitemoutcome',
            constraint=models.UniqueConstraint(fields=('job', 'order_pk'), name='one_outcome_per_job_item'),
        ),
    ]
