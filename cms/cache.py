"""Django's Redis cache, kept working while Redis is down.

Everything that uses the cache (the GraphQL rate limiter, Wagtail's site-root and rendition caches) is an
optimisation or a guard, never the record of anything, so a dead Redis must not take the API down with it
(Django's RedisCache raises ConnectionError from every call). Each operation that fails on Redis is served by a
per-process local-memory cache instead, and Redis is left alone for BREAK_SECONDS before it is tried again, so an
outage costs one refused connection per process every few seconds rather than a timeout per call.

While Redis is down the rate limiter counts per process (the limit is then, at worst, limit x processes: still a
bound, where failing open would be none) and cached values can be a process's own; deletes made meanwhile do not
reach Redis, which a restarted Redis (it keeps nothing on disk) does not mind. /healthz reports the cache as
degraded through `ping()`.
"""

import functools
import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

BREAK_SECONDS = 5.0


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._local = LocMemCache(f"tolerant-{id(self)}", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self._down_until = 0.0
        self._lock = threading.Lock()

    def ping(self) -> None:
        """Raise when Redis does not answer (for /healthz; the other methods never raise for an outage)."""
        self._cache.get_client(write=True).ping()

    def redis_down(self, exc: Exception) -> None:
        with self._lock:
            first = self._down_until < time.monotonic()
            self._down_until = time.monotonic() + BREAK_SECONDS
        if first:
            logger.warning("Redis cache unavailable, using a local cache for %.0fs: %s", BREAK_SECONDS, exc)

    def redis_up(self) -> bool:
        return self._down_until < time.monotonic()


def _tolerant(name: str):
    on_redis = getattr(RedisCache, name)
    on_local = getattr(LocMemCache, name)

    @functools.wraps(on_redis)
    def method(self, *args, **kwargs):
        if self.redis_up():
            try:
                return on_redis(self, *args, **kwargs)
            except RedisError as exc:
                self.redis_down(exc)
        return on_local(self._local, *args, **kwargs)

    return method


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(TolerantRedisCache, _name, _tolerant(_name))
