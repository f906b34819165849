import os

import pytest
from django.conf import settings
from django.db import connection

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def require_service(available: bool, what: str) -> None:
    """Skip a test whose service is missing, except in CI (REQUIRE_SERVICES=1): fail there."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but not available.")
    pytest.skip(f"{what} not available")


@pytest.fixture
def needs_postgres():
    require_service(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def needs_redis():
    ok = False
    if settings.REDIS_URL:
        import redis

        try:
            ok = bool(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping())
        except redis.RedisError:
            ok = False
    require_service(ok, "Redis (set REDIS_URL)")


@pytest.fixture
def merchant(db):
    from tests.factories import MerchantFactory

    return MerchantFactory(code="DEMO", name="Demo Store")


@pytest.fixture
def other_merchant(db):
    from tests.factories import MerchantFactory

    return MerchantFactory(code="OTHER", name="Other Store")


@pytest.fixture
def manager(merchant):
    from tests.factories import member

    return member(merchant, "manager")


@pytest.fixture
def eager_tasks(monkeypatch, settings):
    """Run Celery tasks in-process: the suite may run with a broker and no worker."""
    from backoffice.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    monkeypatch.setitem(app.conf, "task_always_eager", True)
