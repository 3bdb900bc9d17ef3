"""Our own `check --deploy` checks (CI runs it with --fail-level WARNING on the production settings)."""

from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.memcached import BaseMemcachedCache
from django.core.cache.backends.redis import RedisCache
from django.core.checks import Tags, Warning, register
from django.utils.module_loading import import_string

from cms.cache import AtomicDatabaseCache

# Caches every web process (and instance) reads and writes alike, with an atomic increment.
SHARED_COUNTER_CACHES = (RedisCache, BaseMemcachedCache, AtomicDatabaseCache)


@register(Tags.caches, deploy=True)
def check_counters_are_shared(app_configs, **kwargs):
    """The rate limits and sign-in lockouts count in the default cache (cms/ratelimit.py): with a cache of each
    process's own, a deployment of N processes allows N times every limit and N times the failures before a lockout."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    try:
        backend_class = import_string(backend)
    except ImportError:
        backend_class = None
    if backend_class is not None and issubclass(backend_class, SHARED_COUNTER_CACHES):
        return []
    if backend_class is not None and issubclass(backend_class, DatabaseCache):
        why = "Django's database cache loses increments made at the same time"
    else:
        why = "each process keeps that cache for itself"
    return [
        Warning(
            f"Rate limits and sign-in lockouts would not be shared between processes: CACHES['default'] is "
            f"{backend.rpartition('.')[2] or 'not set'}, and {why}.",
            hint="Set REDIS_URL, or use cms.cache.AtomicDatabaseCache (what cms.settings.production does without "
            "REDIS_URL).",
            id="cms.W001",
        )
    ]
