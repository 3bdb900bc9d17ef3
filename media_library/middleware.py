"""A clear answer when the media store is unreachable (S3) or full (local disk), instead of a 500 with internals.

Uploads store the file before the database row is inserted (FileField.pre_save), so when this answers nothing was
saved: the editor is told to retry. botocore's timeouts and retries are bounded by media_library.storage.MediaS3Storage.
"""

import errno
import logging

from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.exceptions import HTTPClientError
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

# Refused, unresolvable, timed out (connect or read) or dropped connections.
STORAGE_DOWN = (BotoConnectionError, HTTPClientError)
MESSAGE = "The media store is not responding, so the file was not saved. Please try again in a few minutes."
# Local media on a full (or quota-bound, or read-only) disk: LocalStorage has removed the partial file already.
DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}
MESSAGE_FULL = "The media store is full, so the file was not saved. Please tell the site administrator."


class StorageUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, STORAGE_DOWN):
            logger.error("media store unreachable: %s", exception)
            message = MESSAGE
        elif isinstance(exception, OSError) and exception.errno in DISK_FULL:
            logger.error("media store full or read-only: %s", exception)
            message = MESSAGE_FULL
        else:
            return None
        if request.headers.get("x-requested-with") == "XMLHttpRequest" or "json" in request.headers.get("accept", ""):
            # The shape Wagtail's multiple-upload page shows next to the failed file.
            return JsonResponse({"success": False, "error_message": message}, status=503)
        return HttpResponse(
            message, status=503, content_type="text/plain; charset=utf-8", headers={"Retry-After": "60"}
        )
