"""The migration history: one squashed migration per app, from which every database is built.

The test database itself is built from it (pytest-django runs `migrate`), so the whole suite
exercises the squash on PostgreSQL; these tests add what the suite would not notice: the
database-kept pieces PostgreSQL gets besides the tables, a database migrated with the old,
replaced history being recognised as up to date, and an empty SQLite database (the demo's).
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

ROOT = Path(__file__).resolve().parent.parent
SQUASHES = {
    "orders": ("0001_squashed_0016", 20),
    "tools": ("0001_squashed_0005", 5),
}
OUR_APPS = ("orders", "tools", "lifecycle")


def test_each_app_has_one_linear_history_starting_from_its_squash():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    graph = loader.graph
    for app in OUR_APPS:
        nodes = {node for node in graph.nodes if node[0] == app}
        roots = [node for node in nodes if not graph.node_map[node].parents & nodes]
        assert len(roots) == 1, f"{app} starts at {sorted(roots)}: one start expected"
        for node in nodes:
            children = graph.node_map[node].children & nodes
            assert len(children) <= 1, f"{app} branches after {node}: {sorted(children)}"
    for app, (name, replaced) in SQUASHES.items():
        assert graph.root_nodes(app) == [(app, name)]
        squash = loader.get_migration(app, name)
        assert squash.initial
        assert len(squash.replaces) == replaced
        assert {app_label for app_label, _ in squash.replaces} == {app}
    saved_views = loader.get_migration("lifecycle", "0001_saved_views")
    assert ("orders", "0001_squashed_0016") in saved_views.dependencies
    tools = loader.get_migration("tools", SQUASHES["tools"][0])
    assert ("orders", "0001_squashed_0016") in tools.dependencies


def _plan_after_recording_only(kept: set[tuple[str, str]], dropped: set[tuple[str, str]]):
    """The migrate plan for a database whose record holds `kept` and not `dropped`."""
    recorder = MigrationRecorder(connection)
    for app, name in dropped:
        recorder.migration_qs.filter(app=app, name=name).delete()
    for app, name in kept:
        recorder.record_applied(app, name)
    executor = MigrationExecutor(connection)
    return executor, executor.migration_plan(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_database_migrated_with_the_replaced_history_runs_nothing():
    # As a database built before the squash records it: the old names, not the squashes'.
    loader = MigrationLoader(None, ignore_no_migrations=True)
    squashes = {(app, name) for app, (name, _) in SQUASHES.items()}
    replaced = {key for app, name in squashes for key in loader.get_migration(app, name).replaces}
    executor, plan = _plan_after_recording_only(kept=replaced, dropped=squashes)
    assert plan == []
    applied = executor.loader.applied_migrations
    assert squashes <= set(applied)
    assert ("lifecycle", "0001_saved_views") in applied


def _scalar(sql: str, params: tuple = ()) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_postgresql_gets_the_search_functions_indexes_and_triggers(needs_postgres):
    extensions = _scalar("SELECT array_agg(extname ORDER BY extname) FROM pg_extension")
    assert {"pg_trgm", "unaccent"} <= set(extensions)
    assert _scalar("SELECT provolatile FROM pg_proc WHERE proname = 'orders_search_fold'") == "i"
    assert _scalar("SELECT orders_search_fold('Émilie Müller')") == "emilie muller"
    generated = _scalar(
        "SELECT array_agg(column_name::text ORDER BY column_name) FROM information_schema.columns"
        " WHERE table_name = 'orders_order' AND is_generated = 'ALWAYS'"
    )
    assert generated == ["phone_digits", "search_document"]
    gin_indexes = _scalar(
        "SELECT array_agg(indexname::text ORDER BY indexname) FROM pg_indexes"
        " WHERE indexdef LIKE '%%USING gin%%'"
    )
    assert gin_indexes == ["order_phone_trgm_idx", "order_search_trgm_idx", "shipment_tracking_idx"]
    reloptions = _scalar("SELECT reloptions FROM pg_class WHERE relname = 'orders_order'")
    assert reloptions == ["fillfactor=85"]
    triggers = _scalar(
        "SELECT array_agg(tgname::text ORDER BY tgname) FROM pg_trigger"
        " WHERE tgrelid = 'orders_order'::regclass AND NOT tgisinternal"
    )
    assert triggers == [
        f"orders_{kind}_{event}"
        for kind in ("day_figures", "stage_count")
        for event in ("deleted", "inserted", "updated")
    ]


@pytest.mark.django_db
def test_chargeback_reason_codes_are_seeded():
    from orders.models import ChargebackReasonCode

    assert ChargebackReasonCode.objects.count() == 20
    assert ChargebackReasonCode.objects.get(code="13.1").network == "Visa"


def _manage(database_url: str, *args: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "backoffice.settings.test",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_empty_sqlite_database_migrates_and_matches_the_models(tmp_path):
    database = tmp_path / "demo.sqlite3"
    url = f"sqlite:///{database}"
    _manage(url, "migrate", "--no-input", "--verbosity", "0")
    assert "No changes detected" in _manage(url, "makemigrations", "--check", "--dry-run")
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM orders_chargebackreasoncode").fetchone() == (20,)
        # Make it a demo database migrated before the squash: only the old names recorded.
        db.execute("DELETE FROM django_migrations WHERE name LIKE '%squashed%'")
    assert "No migrations to apply." in _manage(url, "migrate", "--no-input")
    shown = _manage(url, "showmigrations", *OUR_APPS)
    assert "[ ]" not in shown
    assert "[X] 0001_squashed_0016" in shown
