import os
from collections.abc import Iterator
from contextlib import contextmanager

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
def eager_tasks(settings):
    """Run Celery tasks in-process: the suite may run with a broker and no worker."""
    from backoffice.celery import app

    # Restored by hand, read before anything changes: Celery's settings read Django's, so
    # monkeypatch.setitem recorded the eager value as the one to restore and left every
    # later test eager.
    before = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


# Nothing listens here: Redis "down" without touching the shared Redis server.
CLOSED_REDIS_URL = "redis://127.0.0.1:6390/0"


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Point the Celery app's broker at `url` for the block (e.g. CLOSED_REDIS_URL), with
    fresh connection pools so that nothing reuses a connection to the real one."""
    from backoffice.celery import app

    saved = (app.conf.broker_url, app._pool, app.amqp._producer_pool)
    app.conf.broker_url, app._pool, app.amqp._producer_pool = url, None, None
    try:
        yield
    finally:
        app.conf.broker_url, app._pool, app.amqp._producer_pool = saved


@pytest.fixture
def redis_unreachable(settings):
    """Django's cache and the Celery broker both at a closed port for the whole test."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_REDIS_URL,
        }
    }
    with broker_at(CLOSED_REDIS_URL):
        yield
