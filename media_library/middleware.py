"""A clear answer when the media store (S3) is unreachable, instead of a 500 with botocore internals.

Uploads store the file before the database row is inserted (FileField.pre_save), so when this answers nothing was
saved: the editor is told to retry. botocore's timeouts and retries are bounded in settings (s3_storage_options).
"""

import logging

from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.exceptions import HTTPClientError
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

# Refused, unresolvable, timed out (connect or read) or dropped connections.
STORAGE_DOWN = (BotoConnectionError, HTTPClientError)
MESSAGE = "The media store is not responding, so the file was not saved. Please try again in a few minutes."


class StorageUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, STORAGE_DOWN):
            return None
        logger.error("media store unreachable: %s", exception)
        if request.headers.get("x-requested-with") == "XMLHttpRequest" or "json" in request.headers.get("accept", ""):
            # The shape Wagtail's multiple-upload page shows next to the failed file.
            return JsonResponse({"success": False, "error_message": MESSAGE}, status=503)
        return HttpResponse(
            MESSAGE, status=503, content_type="text/plain; charset=utf-8", headers={"Retry-After": "60"}
        )
