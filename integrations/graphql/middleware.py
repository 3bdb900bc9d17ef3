"""The GraphQL hit path as a middleware: a stored answer (or its 304) leaves before the session, CSRF,
authentication, messages and clickjacking middleware run, none of which a stored answer needs: /graphql/ never
reads a session or a cookie (integrations/graphql/auth.py), and every header it sends is set by the view's own
`finish`. Everything that is not a hit goes on down the stack to the view, unchanged (views.stored_answer).

Placed after the request id, security and compression middleware (cms/settings/base.py), so hits are logged,
get the security headers, and are left alone by compression (a stored answer carries its own Content-Encoding).
"""

from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from integrations.graphql import views


@lru_cache(maxsize=16)
def graphql_path(urlconf: str) -> str | None:
    """Where `urlconf` serves the GraphQL view; None when it does not (a site or test without the API)."""
    try:
        return reverse("graphql", urlconf=urlconf)
    except NoReverseMatch:
        return None


class StoredAnswerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == graphql_path(getattr(request, "urlconf", None) or settings.ROOT_URLCONF):
            response = views.stored_answer(request)
            if response is not None:
                return response
        return self.get_response(request)
