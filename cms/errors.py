"""Error responses (handler400/403/404/500): short, fixed text; never a traceback or an exception's message.

Machine channels (the partner API, REST v2, calendar feeds) get JSON in the GraphQL error shape, so a partner's
client parses every answer the same way; people get a plain page. The message of the exception that led here is
ignored on purpose: `Http404("No such event.")` or a database error's text stays in the logs. Each body carries
the request id, so an operator can find the log lines a user reports.
"""

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.views.decorators.csrf import requires_csrf_token

from cms.request_log import request_id_var

API_PREFIXES = ("/graphql/", "/api/", "/calendar/")

MESSAGES = {
    400: "Bad request.",
    403: "Forbidden.",
    404: "Not found.",
    500: "Server error. It has been logged; please try again later.",
}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{status} · CIT ASSIST</title></head>
<body><h1>{message}</h1><p>Request id: <code>{request_id}</code></p></body></html>
"""


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def error_response(request: HttpRequest, status: int) -> HttpResponse:
    message = MESSAGES[status]
    request_id = getattr(request, "request_id", None) or request_id_var.get() or ""
    if is_api_path(request.path):
        from integrations.graphql.views import json_response  # one JSON shape for every API error

        payload = {"errors": [{"message": message}]}
        if request_id:
            payload["requestId"] = request_id
        response = json_response(payload, status)
    else:
        body = PAGE.format(status=status, message=escape(message), request_id=escape(request_id))
        response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    # An error is never something a CDN should keep in place of the real answer.
    response["Cache-Control"] = "no-store"
    return response


@requires_csrf_token
def bad_request(request, exception=None):
    return error_response(request, 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return error_response(request, 403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return error_response(request, 404)


@requires_csrf_token
def server_error(request):
    return error_response(request, 500)
