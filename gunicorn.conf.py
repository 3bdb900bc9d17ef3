"""gunicorn settings for the web process: `gunicorn -c gunicorn.conf.py cms.wsgi` (README "Deploying to production").

Every value can be changed from the environment without editing this file. gunicorn reads this file itself;
it is not imported by Django.
"""

import json
import multiprocessing
from datetime import UTC, datetime

from environs import Env
from gunicorn import glogging

# Typed reads as in cms/settings/base.py: a malformed value stops gunicorn at start with an error naming the variable.
env = Env()

bind = env.str("GUNICORN_BIND", f"0.0.0.0:{env.int('PORT', 8000)}")

# Sync workers, one request each: the CMS is CPU-bound (GraphQL, feeds) and its database calls are short. gunicorn's
# rule of thumb is 2 x cores + 1; capped because each worker holds a database connection and ~150 MB, and more
# workers than that on a small machine only queue for the CPU.
workers = env.int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 12))
worker_class = "sync"

# A request longer than GRAPHQL_TIME_LIMIT_SECONDS (5 s) or an S3 round trip is a bug; 30 s kills a stuck worker
# (the master restarts it). A deploy or scale-down lets in-flight requests finish for up to graceful_timeout.
timeout = env.int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env.int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = env.int("GUNICORN_KEEPALIVE", 5)  # seconds; keep above 0 behind a load balancer

# Recycle workers now and then so slow memory growth (caches, fragmentation) never accumulates; the jitter keeps
# them from restarting all at once.
max_requests = env.int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = env.int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Load the app in the master so workers start fast and share memory; each worker opens its own database connection.
preload_app = True

# X-Forwarded-* headers (gunicorn's wsgi.url_scheme, and Django's SECURE_PROXY_SSL_HEADER through it) are believed
# only from these addresses (exact IPs, no subnets): set it to the load balancer's addresses. "*" is safe only when
# nothing but the load balancer can reach gunicorn (a private network). The default trusts the local machine only.
forwarded_allow_ips = env.str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Rate limits count the client address: behind a load balancer either set TRUSTED_PROXY_HOPS (the app reads the
# X-Forwarded-For entries its own proxies appended, cms/client_ip.py) or, with a load balancer that speaks the PROXY
# protocol (AWS NLB, HAProxy), set GUNICORN_PROXY_PROTOCOL=true so REMOTE_ADDR itself is the real client.
proxy_protocol = env.bool("GUNICORN_PROXY_PROTOCOL", False)
proxy_allow_ips = forwarded_allow_ips

# Logs: the access log is one JSON object per line on stdout, with the request id the app echoes (cms/request_log.py),
# so a line here joins the app's lines on stderr. GUNICORN_ACCESS_LOG="" turns it off (the app's `cms.request`
# lines carry method, path, status and duration too).
accesslog = env.str("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = env.str("GUNICORN_LOG_LEVEL", "info")


class JsonAccessLogger(glogging.Logger):
    """gunicorn's logger with the access line written by json.dumps.

    `access_log_format` is %-substitution without escaping: a quote or backslash in a path or User-Agent would break
    a JSON template. Only the access line changes; gunicorn's own messages keep its format.
    """

    def access(self, resp, req, environ, request_time):
        if not self.cfg.accesslog:
            return
        from cms.request_log import loggable_path  # stdlib only; imported late, from the app's directory

        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = {name.lower(): value for name, value in resp.headers}
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "request_id": headers.get("x-request-id"),
            "method": environ.get("REQUEST_METHOD"),
            "path": loggable_path(environ.get("PATH_INFO")),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 2),
            "remote": environ.get("REMOTE_ADDR"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
        }
        try:
            self.access_log.info(json.dumps(entry, ensure_ascii=False))
        except Exception:  # a log line must never fail a request
            self.exception("access log")


logger_class = JsonAccessLogger
