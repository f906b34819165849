"""Only one celery beat may run: the first takes a Redis lock and keeps renewing it; a second
beat that finds the lock held exits instead of scheduling every task twice."""

import logging
import os
import socket
import sys
import threading

from celery.signals import beat_init

logger = logging.getLogger(__name__)
LOCK_KEY = "backoffice:beat-lock"
LOCK_SECONDS = 60
RENEW_EVERY = 20


def _holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@beat_init.connect
def _take_beat_lock(sender=None, **kwargs) -> None:
    redis_url = sender.app.conf.broker_url if sender is not None else ""
    if not redis_url or not redis_url.startswith("redis"):
        return
    import redis

    client = redis.Redis.from_url(redis_url)
    me = _holder_id()
    if not client.set(LOCK_KEY, me, nx=True, ex=LOCK_SECONDS):
        logger.error("Another celery beat holds %s (%s); exiting.", LOCK_KEY, client.get(LOCK_KEY))
        sys.exit(1)

    def renew() -> None:
        while True:
            threading.Event().wait(RENEW_EVERY)
            if client.get(LOCK_KEY) not in {me.encode(), None}:
                logger.error("Lost the beat lock to another beat; exiting.")
                os._exit(1)
            client.set(LOCK_KEY, me, ex=LOCK_SECONDS)

    threading.Thread(target=renew, name="beat-lock", daemon=True).start()
