"""Production-safe base settings: every integration is switched on from environment variables.

`dev`, `test` and `production` import from here and only change what differs. Nothing here is a secret and
nothing defaults to an unsafe value: DEBUG is off and SECRET_KEY must come from the environment
(dev and test set their own throwaway keys).
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from environs import Env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Typed reads of the environment (environs; also used by dev.py, production.py and gunicorn.conf.py). A malformed
# value stops the process at start with an error naming the variable ('Environment variable "GRAPHQL_MAX_DEPTH"
# invalid: Not a valid integer.') instead of a bare int() ValueError, or a silent False for a mistyped boolean:
# booleans take true/false, 1/0, yes/no, on/off. No .env file is read: the process environment is the configuration.
env = Env()


@env.parser_for("comma_list")
def comma_list(value: str) -> list[str]:
    """Comma-separated items, spaces around them and empty items dropped: "a, b," is ["a", "b"]."""
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env.bool("DEBUG", False)
SECRET_KEY = env.str("SECRET_KEY", "")
ALLOWED_HOSTS = env.comma_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env.comma_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "cms",
    "pages",
    "events",
    "media_library",
    "community",
    "integrations.graphql",
    "wagtail.api.v2",
    "rest_framework",
    "integrations.webhooks",
    "community.forum",
    "demo",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # First: every later layer's log lines carry the request id, and the logged duration covers them all.
    "cms.request_log.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # gzip (Django's GZipMiddleware) or brotli for text bodies. Outside everything that makes or reads a body, so it
    # compresses the final bytes (feeds, GraphQL, REST, pages) when the client accepts gzip or br; inside WhiteNoise
    # (production inserts it above), which serves its own precompressed static files. Why BREACH is not a
    # concern here: README "Calendar feeds (iCal)", HTTP.
    "cms.compression.TextCompressionMiddleware",
    # A stored GraphQL answer or its 304 leaves here, before the layers it does not need (it reads no session).
    "integrations.graphql.middleware.StoredAnswerMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The visitor for rich text, blocks and listings on the CMS's own pages, which get no request (pages/viewer.py).
    "pages.viewer.ViewerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "media_library.middleware.StorageUnavailableMiddleware",
    "cms.middleware.DatabaseUnavailableMiddleware",
    "cms.middleware.AtomicWritesMiddleware",  # last: its transaction holds the view and nothing else
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite file by default, anything dj-database-url understands (PostgreSQL in production) otherwise.
# Health checks stop the first request after a PostgreSQL restart from returning the raw error.
DATABASES = {
    "default": dj_database_url.parse(
        env.str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env.int("CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes; the timeout rides out short write locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Ours adds a bounded wait for a restarting server (cms/db_backends/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "cms.db_backends.postgresql"
    # PostgreSQL's JIT compiles for ~0.6 s whenever the planner's (pessimistic) estimate for a privacy-filtered
    # count crosses jit_above_cost: 1.0 s instead of 0.2 s for /graphql/ events at 10,000 events. Short API
    # queries never gain from it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# How long a new PostgreSQL connection waits for a restarting server before the request fails (with a 503).
DATABASE_CONNECT_RETRY_SECONDS = env.float("DATABASE_CONNECT_RETRY_SECONDS", 5.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# Caching: local memory in one process, Redis when REDIS_URL is set (needed once there are several processes).
REDIS_URL = env.str("REDIS_URL", "")
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", 0.5)
if REDIS_URL:
    # Short socket timeouts and a local fallback: a dead or hung Redis slows nothing down (cms/cache.py; redis-py
    # would otherwise wait forever, holding every web worker on the rate limiter's first cache call).
    CACHES = {
        "default": {
            "BACKEND": "cms.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", 0.5),
                "health_check_interval": 30,  # PING a pooled connection idle this long before reusing it
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Stored GraphQL answers and feeds (cms/response_cache.py), keyed on the content version: shared by every process on
# Redis, per process in memory otherwise. Bounded: entries over RESPONSE_CACHE_MAX_ENTRY_BYTES are not stored, the
# memory cache keeps at most RESPONSE_CACHE_MAX_ENTRIES, and each entry lives RESPONSE_CACHE_SECONDS at most (what
# changes with the clock alone, like an event no longer upcoming, is at most that late; a publish is never late).
# A CDN in front (cms/cdn.py, docs/operations.md "Caching and the CDN"): after each content change commits, the feeds
# and page URLs it affects are purged through a Wagtail frontend-cache backend: "http" (a PURGE request, Varnish /
# nginx / Fastly style), "cloudflare", "cloudfront", "azure_cdn" or a dotted path; CDN_PURGE_OPTIONS is the
# backend's JSON options, e.g. {"LOCATION": "http://varnish:6081"} or {"BEARER_TOKEN": "...", "ZONEID": "..."}.
CDN_PURGE_BACKEND = env.str("CDN_PURGE_BACKEND", "")
_CDN_BACKENDS = {
    "http": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
    "cloudflare": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
    "cloudfront": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
    "azure_cdn": "wagtail.contrib.frontend_cache.backends.AzureCdnBackend",
}
WAGTAILFRONTENDCACHE = (
    {
        "default": {
            "BACKEND": _CDN_BACKENDS.get(CDN_PURGE_BACKEND, CDN_PURGE_BACKEND),
            **env.json("CDN_PURGE_OPTIONS", "{}"),
        }
    }
    if CDN_PURGE_BACKEND
    else {}
)

RESPONSE_CACHE = env.bool("RESPONSE_CACHE", True)
RESPONSE_CACHE_SECONDS = env.int("RESPONSE_CACHE_SECONDS", 60)
RESPONSE_CACHE_MAX_ENTRY_BYTES = env.int("RESPONSE_CACHE_MAX_ENTRY_BYTES", 4 * 1024 * 1024)
RESPONSE_CACHE_MAX_ENTRIES = env.int("RESPONSE_CACHE_MAX_ENTRIES", 1000)
if REDIS_URL:
    CACHES["responses"] = {**CACHES["default"], "KEY_PREFIX": "responses"}
else:
    CACHES["responses"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "responses",
        "OPTIONS": {"MAX_ENTRIES": RESPONSE_CACHE_MAX_ENTRIES},
    }

# Background work: Django Tasks on the database. Workers run `manage.py run_worker`; /healthz reports the queue
# as stalled when a ready task has waited longer than this (no worker running).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WORKER_STALL_SECONDS = env.int("WORKER_STALL_SECONDS", 300)
# A task still RUNNING after this long lost its worker (SIGKILL, OOM): run_worker marks its row failed. Far above
# any task's own bound (a webhook drain stops after a few minutes).
TASK_ABANDONED_AFTER_SECONDS = env.int("TASK_ABANDONED_AFTER_SECONDS", 3600)
# Apps' periodic tasks run_worker enqueues every --schedule-interval (besides scheduled publishing and webhooks).
WORKER_PERIODIC_TASKS = ["community.tasks.notifications_sweep", "community.tasks.ta_uploads_expire"]

# Webhooks (integrations.webhooks): delivery tasks run on the database queue drained by run_worker, or on Redis
# (the RQ backend, any number of `manage.py rqworker default --job-class django_tasks_rq.Job --with-scheduler`)
# when REDIS_URL is set. The delivery table is the source of truth; the queue only wakes workers up.
WEBHOOKS_TASK_BACKEND = "default"
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    # A connect timeout only (django-rq takes connection options in the URL): workers block on the queue for
    # longer than any sane read timeout, but an enqueue must not hang when Redis is unreachable.
    _rq_url = REDIS_URL
    if "socket_connect_timeout" not in _rq_url:
        _rq_url += ("&" if "?" in _rq_url else "?") + f"socket_connect_timeout={REDIS_CONNECT_TIMEOUT}"
    RQ_QUEUES = {"default": {"URL": _rq_url}}
    TASKS["webhooks"] = {"BACKEND": "django_tasks_rq.RQBackend"}
    WEBHOOKS_TASK_BACKEND = "webhooks"
# Private/loopback networks deliveries may reach (comma-separated CIDRs): empty in production. Link-local and cloud
# metadata addresses stay blocked whatever this says.
WEBHOOKS_ALLOWED_NETWORKS = env.comma_list("WEBHOOKS_ALLOWED_NETWORKS", "")
WEBHOOKS_CONNECT_TIMEOUT_SECONDS = 5.0
WEBHOOKS_DEADLINE_SECONDS = 15.0  # the whole attempt: connect, send, headers and body
WEBHOOKS_MAX_RESPONSE_BYTES = 64 * 1024
# Standard Webhooks' schedule: the first attempt at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h
# and 24 h (each with ±10 % jitter).
WEBHOOKS_RETRY_SCHEDULE = [0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
WEBHOOKS_DISABLE_AFTER_DAYS = 5
WEBHOOKS_SECRET_GRACE_HOURS = 24
# One worker sends up to SEND_THREADS deliveries at once. It claims up to BATCH_SIZE deliveries of one endpoint and
# sends them ENDPOINT_THREADS at a time, one batch per endpoint: an endpoint that is slow or failing holds only its
# own threads, the others' deliveries go on. A RUNNING delivery whose worker died is taken over when its lease
# ends: the batch's longest possible run (every attempt to its deadline) plus this margin.
WEBHOOKS_BATCH_SIZE = 50
WEBHOOKS_SEND_THREADS = 16
WEBHOOKS_ENDPOINT_THREADS = 4
WEBHOOKS_LEASE_MARGIN_SECONDS = 30
WEBHOOKS_DRAIN_SECONDS = 60  # one drain task hands over to a fresh one after this long
WEBHOOKS_LOG_RETENTION_DAYS = env.int("WEBHOOKS_LOG_RETENTION_DAYS", 30)

# Media: local files by default; S3 through django-storages when a bucket is named.
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", BASE_DIR / "static")
MEDIA_URL = env.str("MEDIA_URL", "/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", BASE_DIR / "media")
# Local media: Django's FileSystemStorage, minus the partial file it leaves when a disk fills up mid-write.
STORAGES = {
    "default": {"BACKEND": "media_library.storage.LocalStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Always reachable by name so `manage.py copy_media --source local --target s3` (and back) can move media.
    "local": {"BACKEND": "media_library.storage.LocalStorage"},
}

# --- media_library: S3 storage (issue 6) ------------------------------------------------------------------------
# AWS_STORAGE_BUCKET_NAME switches S3 on, with django-storages' own variable names. Every object is private; the
# custom domain (a CDN with origin access to the bucket) is used for public media only: members-only documents are
# always handed out as short-lived SigV4 pre-signed URLs by the permission-checked /documents/ view.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", "")
# Seconds a pre-signed URL for a members-only document stays valid (AWS_QUERYSTRING_EXPIRE: other files, no CDN).
MEDIA_PRIVATE_URL_EXPIRE = env.int("MEDIA_PRIVATE_URL_EXPIRE", 60)


def s3_storage() -> dict:
    """The S3 entry of STORAGES, from the environment (media_library.storage.MediaS3Storage builds botocore's
    objects from these numbers). Every option must stay JSON-able: Wagtail queues them with each file delete."""
    return {
        "BACKEND": "media_library.storage.MediaS3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", "") or None,
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", "") or None,
            "default_acl": "private",
            "file_overwrite": False,  # two "report.pdf" uploads must never share a key
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", 3600),
            "signature_version": "s3v4",
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", "auto"),
            "connect_timeout": env.float("AWS_S3_CONNECT_TIMEOUT", 3.0),
            "read_timeout": env.float("AWS_S3_READ_TIMEOUT", 6.0),
            "max_attempts": env.int("AWS_S3_MAX_ATTEMPTS", 2),
            # 8 MB multipart parts in flight (and in memory) per upload.
            "upload_concurrency": env.int("AWS_S3_UPLOAD_CONCURRENCY", 4),
            # Files read back from S3 spill to a temporary file past 8 MB instead of being held in memory.
            "max_memory_size": 8 * 1024 * 1024,
        },
    }


if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = STORAGES["s3"] = s3_storage()
# Our before_serve_document hook answers first (permission check, then a pre-signed or CDN redirect); "redirect"
# is only Wagtail's fallback. Never "direct": it hands anyone a working URL for a members-only file.
WAGTAILDOCS_SERVE_METHOD = "redirect" if AWS_STORAGE_BUCKET_NAME else "serve_view"

# Upload limits per kind of file (bytes) and the virus-scan hook: a dotted path to a callable(file, name) that
# raises django.core.exceptions.ValidationError to refuse a file (unset: no scanner).
MEDIA_UPLOAD_MAX_BYTES = {
    "document": env.int("MEDIA_MAX_DOCUMENT_BYTES", 50 * 1024 * 1024),
    "text": env.int("MEDIA_MAX_TEXT_BYTES", 5 * 1024 * 1024),
    "audio": env.int("MEDIA_MAX_AUDIO_BYTES", 500 * 1024 * 1024),
    "video": env.int("MEDIA_MAX_VIDEO_BYTES", 4 * 1024 * 1024 * 1024),
}
MEDIA_VIRUS_SCANNER = env.str("MEDIA_VIRUS_SCANNER", "")
WAGTAILDOCS_DOCUMENT_FORM_BASE = "media_library.forms.DocumentForm"
WAGTAILIMAGES_IMAGE_FORM_BASE = "media_library.forms.ImageForm"
# --- end media_library -------------------------------------------------------------------------------------------

# Uploads: bound what one request can make the web process hold in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Wagtail
WAGTAIL_SITE_NAME = "CIT ASSIST"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# The origin partners, calendars and emails are given (https in production); links never trust the Host header.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", WAGTAILADMIN_BASE_URL)
WAGTAILIMAGES_IMAGE_MODEL = "media_library.CustomImage"
WAGTAILDOCS_DOCUMENT_MODEL = "media_library.CustomDocument"
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "csv", "txt", "vtt", "mp4", "webm", "mov", "mp3"]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 15 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No Gravatar: many agencies' networks block it (a broken avatar on every screen) and it tells a third party who
# uses the admin. Wagtail shows its built-in avatar, or the one a user uploads in their account.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {
        "WIDGET": "cms.rich_text.DraftailRichTextAreaEmptyAsEmpty",  # see cms/rich_text.py
        "OPTIONS": {"features": ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]},
    }
}

# Email: console by default so invitations and notifications are visible in `make run`.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "CIT ASSIST <no-reply@localhost>")
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL
# With EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend:
EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", False)

# Logs go to stderr, one line per record: plain text for people (dev), JSON for log shippers (LOG_FORMAT=json, the
# production default). Every line carries the request id (cms/request_log.py); `cms.request` logs one line per
# request with method, path, status and duration.
LOG_FORMAT = env.str("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cms.request_log.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "cms.request_log.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "cms.request": {"level": env.str("REQUEST_LOG_LEVEL", "INFO")},
        # The database worker says "starting" and "no more tasks" every second; task results (django_tasks) stay.
        "django_tasks_db": {"level": "WARNING"},
    },
}


# --- GraphQL API (integrations/graphql) ---------------------------------------------------------------------
# Our own root query over model-declared `graphql_fields`. Grapple's registry stays empty (APPS = []): its
# generated types and root fields leak drafts and private media, so none of them is exposed.
INSTALLED_APPS += ["grapple", "graphene_django", "wagtail_headless_preview"]
GRAPHENE = {"SCHEMA": "integrations.graphql.schema.schema"}
# Image renditions the API may mint; any other spec is refused (the default allows all: 399 renditions per request).
GRAPHQL_RENDITION_SPECS = ["fill-400x300", "fill-800x450", "fill-1200x630", "width-400", "width-800", "width-1600"]
# Responsive images (Image.srcSet / Image.renditions): the widths a caller may ask for, and how many renditions one
# request may generate (renditions that already exist are free); more is a GraphQL error on the field, not a 500.
GRAPHQL_IMAGE_WIDTHS = env.list("GRAPHQL_IMAGE_WIDTHS", [320, 480, 640, 800, 1024, 1280, 1600, 1920], subcast=int)
GRAPHQL_RENDITION_BUDGET = env.int("GRAPHQL_RENDITION_BUDGET", 60)
GRAPPLE = {"APPS": [], "ALLOWED_IMAGE_FILTERS": GRAPHQL_RENDITION_SPECS, "PAGE_SIZE": 20, "MAX_PAGE_SIZE": 100}
# Pagination bounds: perPage default and maximum, and the deepest offset a list may be asked for.
GRAPHQL_PER_PAGE = 20
GRAPHQL_MAX_PER_PAGE = 100
GRAPHQL_MAX_OFFSET = env.int("GRAPHQL_MAX_OFFSET", 10000)
# Headless preview: partners' preview front ends read drafts with a signed token that expires after this long.
GRAPHQL_PREVIEW_TOKEN_MAX_AGE = env.int("GRAPHQL_PREVIEW_TOKEN_MAX_AGE", 3600)
WAGTAIL_HEADLESS_PREVIEW = {
    "CLIENT_URLS": {"default": env.str("HEADLESS_PREVIEW_URL", "http://localhost:3000/preview")},
}


def require_secret_key() -> None:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment (see .env.example).")


# Where `seed_demo` keeps the demo users' generated passwords (git-ignored, mode 600).
DEMO_CREDENTIALS_FILE = env.path("DEMO_CREDENTIALS_FILE", BASE_DIR / ".demo-credentials")

# --- GraphQL API endpoint (integrations/graphql: tokens, hardened view, limits) -------------------------------
# Every bound on what one /graphql/ request may cost; README "GraphQL endpoint" explains each. Off-by-default
# introspection and field suggestions keep the schema private in production. Its default follows DEBUG, so every
# settings module that changes DEBUG resolves it again after doing so (dev.py, test.py, production.py).
GRAPHQL_MAX_BODY_BYTES = env.int("GRAPHQL_MAX_BODY_BYTES", 65536)
GRAPHQL_MAX_TOKENS = env.int("GRAPHQL_MAX_TOKENS", 2000)
GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", 10)
GRAPHQL_MAX_ALIASES = env.int("GRAPHQL_MAX_ALIASES", 30)
GRAPHQL_MAX_COST = env.int("GRAPHQL_MAX_COST", 5000)
GRAPHQL_DEFAULT_LIST_SIZE = env.int("GRAPHQL_DEFAULT_LIST_SIZE", 10)
GRAPHQL_TIME_LIMIT_SECONDS = env.float("GRAPHQL_TIME_LIMIT_SECONDS", 5.0)
GRAPHQL_INTROSPECTION = env.bool("GRAPHQL_INTROSPECTION", DEBUG)
# Requests per window per token (token holders) or per client IP (anonymous callers and rejected tokens).
GRAPHQL_RATE_LIMIT_WINDOW_SECONDS = env.int("GRAPHQL_RATE_LIMIT_WINDOW_SECONDS", 60)
GRAPHQL_RATE_LIMIT_ANONYMOUS = env.int("GRAPHQL_RATE_LIMIT_ANONYMOUS", 120)
# Proxies in front of gunicorn that append to X-Forwarded-For (load balancer = 1, CDN + load balancer = 2); rate
# limits and sign-in lockouts count the address they saw. 0: the connection's own address (cms/client_ip.py).
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", 0)
GRAPHQL_RATE_LIMIT_TOKEN = env.int("GRAPHQL_RATE_LIMIT_TOKEN", 600)
# How long shared caches (CDN) may keep anonymous GET responses; token holders' responses are always private.
GRAPHQL_GET_MAX_AGE = env.int("GRAPHQL_GET_MAX_AGE", 60)
# Partner sites allowed to call /graphql/ from a browser (exact origins, e.g. https://www.citinternational.org).
# Our own setting, read only by integrations/graphql/views.py, hence the GRAPHQL_ prefix: the unprefixed name is
# django-cors-headers', which is not installed and whose other settings would do nothing here. The old variable
# CORS_ALLOWED_ORIGINS is still read when the new one is absent; cms/checks.py warns at startup until it is renamed.
GRAPHQL_CORS_ALLOWED_ORIGINS = env.comma_list("GRAPHQL_CORS_ALLOWED_ORIGINS", env.str("CORS_ALLOWED_ORIGINS", ""))

# Forum (community.forum): members edit their own posts for this long; each member may post (threads, replies
# and edits) this many times per window; sizes are counted on the sanitised HTML.
FORUM_EDIT_WINDOW_MINUTES = env.int("FORUM_EDIT_WINDOW_MINUTES", 30)
FORUM_POST_RATE_LIMIT = env.int("FORUM_POST_RATE_LIMIT", 10)
FORUM_POST_RATE_WINDOW_SECONDS = env.int("FORUM_POST_RATE_WINDOW_SECONDS", 60)
FORUM_REPORT_RATE_LIMIT = env.int("FORUM_REPORT_RATE_LIMIT", 20)  # reports per member per window
FORUM_MAX_TITLE_LENGTH = 200
FORUM_MAX_BODY_LENGTH = env.int("FORUM_MAX_BODY_LENGTH", 20000)
FORUM_MAX_REPORT_REASON_LENGTH = 1000

# --- Online Resource Center (community/): member accounts, invitations, sign-in, TA requests ----------------
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", 14)
MEMBER_TOKEN_DAYS = env.int("MEMBER_TOKEN_DAYS", 30)  # tokens issued by the `login` mutation
SIGN_IN_MAX_FAILURES = 5  # failed sign-ins for one account before it is locked...
SIGN_IN_LOCKOUT_SECONDS = 15 * 60  # ...for this long (the correct password is refused too while locked)
SIGN_IN_RATE_LIMIT_PER_IP = 20  # sign-in and invitation attempts per IP per window
SIGN_IN_RATE_LIMIT_WINDOW_SECONDS = 60
TA_REQUEST_NOTIFY_EMAILS = env.comma_list("TA_REQUEST_NOTIFY_EMAILS", "")  # staff told of each new TA request
# Hours a TA request may wait for its first staff reply before the triage list calls it overdue, per urgency.
TA_RESPONSE_TARGET_HOURS = {"urgent": 24, "high": 3 * 24, "normal": 7 * 24, "low": 14 * 24}
TA_ATTACHMENT_COLLECTION = "TA request attachments"  # a members-only collection, created when first needed
# Files members upload for their follow-ups (POST /members/ta-attachments/, then addTaMessage(attachmentUploadId)):
# at most this size, referenced within this long (then deleted), at most this many uploads per member per hour.
TA_ATTACHMENT_MAX_BYTES = env.int("TA_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
TA_UPLOAD_EXPIRY_SECONDS = env.int("TA_UPLOAD_EXPIRY_SECONDS", 24 * 3600)
TA_UPLOAD_RATE_LIMIT = env.int("TA_UPLOAD_RATE_LIMIT", 30)

# --- Email notifications (community/notifications.py) --------------------------------------------------------
# Links in members' emails point at the partner site that shows the members' area (MEMBERS_SITE_URL + the paths;
# empty: PUBLIC_BASE_URL).
MEMBERS_SITE_URL = env.str("MEMBERS_SITE_URL", "")
MEMBERS_TA_REQUEST_PATH = env.str("MEMBERS_TA_REQUEST_PATH", "/resource-center/ta-requests/{id}")
MEMBERS_FORUM_THREAD_PATH = env.str("MEMBERS_FORUM_THREAD_PATH", "/resource-center/forum/threads/{id}")
NOTIFICATION_RATE_LIMIT = env.int("NOTIFICATION_RATE_LIMIT", 30)  # emails per recipient per window...
NOTIFICATION_RATE_WINDOW_SECONDS = env.int("NOTIFICATION_RATE_WINDOW_SECONDS", 3600)  # ...the rest wait for the next
# Seconds before each retry of an email the mail server refused or could not take; then the row is marked failed.
NOTIFICATION_RETRY_SCHEDULE = [60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600]
NOTIFICATION_SWEEP_AFTER_SECONDS = 300  # a pending, due email this late lost its task: the sweep enqueues it again
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", 10)  # seconds; a hung mail server must not hold a worker
AGENCY_IMPORT_MAX_BYTES = 2 * 1024 * 1024
AGENCY_IMPORT_MAX_ROWS = 5000
