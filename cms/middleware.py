"""Database faults at the request level: all-or-nothing writes, and a clear 503 when the database is unreachable.

DatabaseUnavailableMiddleware: a clear 503 instead of a 500 (or, worse, the driver's own words).

Only connection-level failures are caught (OperationalError, InterfaceError: refused, cut, restarting); a bad query
is a bug and stays a 500. Partners and calendar clients get the API's error shape; they retry after Retry-After.
"""

import logging

from django.db import InterfaceError, OperationalError, transaction
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)
MESSAGE = "The database is not available right now. Please retry in a few seconds."
RETRY_AFTER = "5"


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_DOWN):
            return None
        logger.error("database unavailable during %s %s: %s", request.method, request.path, exception)
        headers = {"Retry-After": RETRY_AFTER, "Cache-Control": "no-store"}
        if request.path.startswith("/admin/"):
            return HttpResponse(MESSAGE, status=503, content_type="text/plain; charset=utf-8", headers=headers)
        return JsonResponse({"errors": [{"message": MESSAGE}]}, status=503, headers=headers)


class AtomicWritesMiddleware:
    """Each writing request (POST, PUT, PATCH, DELETE) commits all of its writes or none of them.

    Wagtail's admin actions write in autocommit steps (unpublish: the page, the log entry, then our webhook outbox
    through a signal): a web worker killed between two of them left a page unpublished with no webhook message for
    partners (the fault suite). Not ATOMIC_REQUESTS: on SQLite (transaction_mode IMMEDIATE) that would take the
    write lock for every read. /graphql/ is left out: most of its POSTs are reads, and each mutation's service
    (community/) is atomic itself. A 5xx answer (an exception turned into a response below this middleware) rolls
    back too.
    """

    SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in self.SAFE_METHODS or request.path.startswith("/graphql/"):
            return self.get_response(request)
        with transaction.atomic():
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        return response
