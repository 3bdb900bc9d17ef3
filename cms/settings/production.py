"""Production: everything from the environment, secure cookies and HSTS, no defaults for secrets.

Passes `manage.py check --deploy --fail-level WARNING` (CI runs it, and tests/cms/test_production_config.py). README
"Deploying to production" describes the processes and every variable.
"""

import copy

from .base import *  # noqa: F403
from .base import LOGGING, MIDDLEWARE, REDIS_URL, STORAGES, env, require_secret_key

require_secret_key()
DEBUG = False
# Off unless asked for by name: a DEBUG=true left in the environment (read by base.py) must not open the schema.
GRAPHQL_INTROSPECTION = env.bool("GRAPHQL_INTROSPECTION", False)
# TLS ends at the load balancer, which must set X-Forwarded-Proto (and overwrite any such header from clients).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Only `make serve-prod` (plain HTTP on 127.0.0.1) turns this off; behind a TLS proxy it stays on.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Persistent database connections (health-checked before reuse, base.py): one per gunicorn worker and task worker,
# so size PostgreSQL's max_connections for WEB_CONCURRENCY x web instances + workers.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", 60)  # noqa: F405

# The cache holds the rate-limit and sign-in lockout counters, which every process must share (a per-process count
# multiplies each limit by the number of gunicorn workers): Redis when REDIS_URL is set (base.py), else the
# database (cms/cache.py; its table comes with `migrate`). `check --deploy` refuses any cache processes do not share.
if not REDIS_URL:
    CACHES = {
        **CACHES,  # noqa: F405
        "default": {
            "BACKEND": "cms.cache.AtomicDatabaseCache",
            "LOCATION": "cms_cache",
            # When expired entries are swept (live ones never are): a small table keeps every write cheap.
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        },
    }

# Static files: served by the web process itself (WhiteNoise), right after SecurityMiddleware, from hashed names
# (`app.3f2a9c.css`) with pre-compressed gzip/brotli copies, so a CDN or browser may keep them for a year. No
# nginx or bucket is needed for the admin's assets; `collectstatic` runs on each deploy.
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "whitenoise.middleware.WhiteNoiseMiddleware"
)
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

# One JSON object per log line unless LOG_FORMAT says otherwise (cms/request_log.py).
LOG_FORMAT = env.str("LOG_FORMAT", "json")
LOGGING = copy.deepcopy(LOGGING)
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "plain"
