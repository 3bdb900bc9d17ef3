"""Request ids and JSON log lines: one object per line, every line of a request carrying the same id.

`RequestIdMiddleware` takes the caller's `X-Request-ID` when it looks like an id (a load balancer or partner
tracing a request), otherwise makes one, echoes it on the response and logs one `cms.request` line per request
(method, path, status, duration). `RequestIdFilter` stamps the id on every record logged while the request runs
(resolver errors, webhook enqueues...), and `JsonFormatter` writes records as JSON. The standard library is enough
for this; a log shipper parses one object per line.
"""

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

REQUEST_ID_HEADER = "X-Request-ID"
# What an incoming id may look like: UUIDs, hex, AWS/Heroku/nginx ids. Anything else (long, multi-line, non-ASCII,
# quotes that break log parsers) is replaced rather than cleaned, so a log line never carries caller-made text.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{7,127}")

# Paths that carry a credential: a member's private calendar link is its own secret, so it never reaches a log
# (their whole feed, or one event of it).
SECRET_PATHS = re.compile(r"^(/calendar/members/)[^/]+(\.ics|/events/[^/]+\.ics)$")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
request_logger = logging.getLogger("cms.request")


def loggable_path(path: str | None) -> str | None:
    """`path` with any credential in it replaced (also used by gunicorn.conf.py's access log)."""
    return SECRET_PATHS.sub(r"\1<redacted>\2", path) if path else path


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(value: str | None) -> str:
    """The caller's id when it is sane, else a fresh one."""
    if value and SANE_REQUEST_ID.fullmatch(value):
        return value
    return new_request_id()


class RequestIdMiddleware:
    """First in the chain, so the id is set before anything logs and the timing covers every other layer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accepted_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            path = loggable_path(request.path)
            request_logger.info(
                "%s %s %s",
                request.method,
                path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (None outside a request: worker tasks, management commands) to every record, and redacts
    credentials from paths passed as arguments (Django logs "Not Found: <path>" for a revoked calendar link)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(loggable_path(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


# Attributes every LogRecord has; anything else on a record was passed with `extra=` and is written out. Except
# `request`: Django attaches the HttpRequest to django.request/django.security records, and its repr carries the
# full path and query string (credentials included); the request id already ties the line to its request.
_STANDARD_ATTRS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id", "request"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, any `extra` fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: an unexpected object in `extra` must not lose the line; json escapes newlines, so a
        # traceback or hostile text stays inside one line.
        return json.dumps(entry, default=str, ensure_ascii=False)
