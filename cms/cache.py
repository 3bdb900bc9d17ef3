"""The caches production runs on: Django's Redis cache kept working while Redis is down, and, without Redis, a
database cache fit for counters. Either way every process shares the rate-limit and lockout counters.

Everything that uses the cache (the GraphQL rate limiter, Wagtail's site-root and rendition caches) is an
optimisation or a guard, never the record of anything, so a dead Redis must not take the API down with it
(Django's RedisCache raises ConnectionError from every call). Each operation that fails on Redis is served by a
per-process local-memory cache instead, and Redis is left alone for BREAK_SECONDS before it is tried again, so an
outage costs one refused connection per process every few seconds rather than a timeout per call.

While Redis is down the rate limiter counts per process (the limit is then, at worst, limit x processes: still a
bound, where failing open would be none) and cached values can be a process's own; deletes made meanwhile do not
reach Redis, which a restarted Redis (it keeps nothing on disk) does not mind. /healthz reports the cache as
degraded through `ping()`.

Without REDIS_URL, production counts in the database instead (`AtomicDatabaseCache`, cms/settings/production.py),
so every process still shares one budget; `check --deploy` refuses a cache processes do not share (cms/checks.py).
"""

import base64
import functools
import logging
import pickle
import threading
import time

from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now
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


class AtomicDatabaseCache(DatabaseCache):
    """Django's database cache, made fit for counters shared by every process (rate limits, sign-in lockouts).

    - `incr` is atomic and keeps the entry's expiry, as Redis's INCR does. Django's reads the value, then `set`s it
      again: two processes counting at once both write the same number (hits lost), and the expiry starts over
      at the default 5 minutes (a 15-minute failure count shortened). Here the row is locked from read to write:
      SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions (cms/settings/base.py) already hold
      the write lock.
    - Culling drops expired entries only, never live ones: Django's drops a third of the table (by key order) once
      it holds MAX_ENTRIES, and a dropped lockout would unlock an account.

    The table (`cms_cache`) is made by the cms app's migration, so `migrate` creates it whatever cache the
    settings named at the time.
    """

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table, value, cache_key, expires = map(
            connection.ops.quote_name, (self._table, "value", "cache_key", "expires")
        )
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0, tzinfo=None))
        # Quoted names from the settings; every value is a query parameter.
        select = f"SELECT {value} FROM {table} WHERE {cache_key} = %s AND {expires} > %s{lock}"  # noqa: S608
        update = f"UPDATE {table} SET {value} = %s WHERE {cache_key} = %s"  # noqa: S608
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(select, [key, now])
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            # The cache's own rows, stored as Django's DatabaseCache stores them.
            number = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode())) + delta  # noqa: S301
            cursor.execute(update, [base64.b64encode(pickle.dumps(number, self.pickle_protocol)).decode("latin1"), key])
        return number

    def _cull(self, db, cursor, now, num):
        quote_name = connections[db].ops.quote_name
        delete = f"DELETE FROM {quote_name(self._table)} WHERE {quote_name('expires')} < %s"  # noqa: S608
        cursor.execute(delete, [connections[db].ops.adapt_datetimefield_value(now)])
