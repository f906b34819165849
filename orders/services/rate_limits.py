"""How often an API token may call: a token bucket per token.

Each token has a bucket of API_RATE_BURST requests that refills at API_RATE_PER_SECOND; a
request takes one, and a request that finds the bucket empty is refused with the seconds
until one is back. With Redis the bucket is one hash updated by one Lua script (atomic across
every web process, timed by Redis's own clock); without Redis (the embedded demo) it lives in
Django's cache. A cache or Redis that fails lets the request through: rate limiting protects
the site and must never be the reason it is down.
"""

import logging
import math
import time
from dataclasses import dataclass
from functools import cache

import redis
from django.conf import settings
from django.core.cache import cache as django_cache

logger = logging.getLogger(__name__)

# KEYS[1] the bucket; ARGV rate per second, burst. Returns {allowed 0/1, seconds to wait}.
BUCKET_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return {allowed, tostring(wait)}
"""


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int  # whole seconds, at least 1 when refused


def _decision(allowed: bool, wait: float) -> RateDecision:
    return RateDecision(allowed, 0 if allowed else max(1, math.ceil(wait)))


@cache
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def _take_in_redis(key: str, rate: float, burst: int) -> RateDecision:
    client = _redis_client(settings.REDIS_URL)
    allowed, wait = client.eval(BUCKET_SCRIPT, 1, key, rate, burst)
    return _decision(bool(allowed), float(wait))


def _take_in_cache(key: str, rate: float, burst: int) -> RateDecision:
    """The same bucket in Django's cache (not atomic across processes: the demo has one)."""
    now = time.monotonic()
    tokens, at = django_cache.get(key) or (float(burst), now)
    tokens = min(burst, tokens + max(0.0, now - at) * rate)
    allowed = tokens >= 1
    wait = 0.0 if allowed else (1 - tokens) / rate
    django_cache.set(key, (tokens - 1 if allowed else tokens, now), math.ceil(burst / rate) + 1)
    return _decision(allowed, wait)


def api_rate_take(*, bucket: str) -> RateDecision:
    """Take one request from the bucket (a token's own name for it, e.g. its hash)."""
    rate = float(settings.API_RATE_PER_SECOND)
    burst = int(settings.API_RATE_BURST)
    key = f"api-rate:{bucket}"
    try:
        if settings.REDIS_URL:
            return _take_in_redis(key, rate, burst)
        return _take_in_cache(key, rate, burst)
    except Exception:  # any cache or Redis failure: let the request through
        logger.warning("API rate limit not checked: the rate store failed", exc_info=True)
        return RateDecision(True, 0)
