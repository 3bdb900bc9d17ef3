"""Our own system checks: `check --deploy` ones (CI runs it with --fail-level WARNING on the production settings),
and renamed environment variables, reported by every manage.py command as it starts (migrate, run_worker...)."""

import os

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


# Environment variables that were renamed: old name -> new name. The settings still read the old one when the new
# one is absent, so a deployment keeps working while it is told to rename.
RENAMED_ENVIRONMENT = {"CORS_ALLOWED_ORIGINS": "GRAPHQL_CORS_ALLOWED_ORIGINS"}


@register()
def check_renamed_environment(app_configs, **kwargs):
    return [
        Warning(
            f"The environment variable {old} is deprecated: rename it to {new}."
            + (f" {new} is also set and wins." if new in os.environ else ""),
            hint="See .env.example; the old name will stop being read in a later release.",
            id="cms.W002",
        )
        for old, new in RENAMED_ENVIRONMENT.items()
        if old in os.environ
    ]
