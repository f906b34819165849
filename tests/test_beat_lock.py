import os
import subprocess
import sys
import time

import pytest
import redis
from django.conf import settings

from backoffice.beat_lock import LOCK_KEY

pytestmark = [pytest.mark.services, pytest.mark.slow]


def _beat(tmp_path, name):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "backoffice.settings.test"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backoffice",
            "beat",
            "--loglevel=INFO",
            f"--schedule={tmp_path / name}",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_second_beat_exits_while_the_first_holds_the_lock(needs_redis, tmp_path):
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(LOCK_KEY)
    first = _beat(tmp_path, "first")
    try:
        deadline = time.monotonic() + 30
        while client.get(LOCK_KEY) is None:
            assert first.poll() is None, first.stdout.read()
            assert time.monotonic() < deadline, "the first beat never took the lock"
            time.sleep(0.2)
        second = _beat(tmp_path, "second")
        assert second.wait(timeout=30) == 1
        assert "Another celery beat holds" in second.stdout.read()
        assert first.poll() is None
    finally:
        first.terminate()
        first.wait(timeout=10)
        client.delete(LOCK_KEY)
