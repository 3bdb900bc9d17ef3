"""A clear 503 when the database is unreachable, instead of a 500 (or, worse, the driver's own words).

Only connection-level failures are caught (OperationalError, InterfaceError: refused, cut, restarting); a bad query
is a bug and stays a 500. Partners and calendar clients get the API's error shape; they retry after Retry-After.
"""

import logging

from django.db import InterfaceError, OperationalError
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
