"""The visitor of the CMS's own HTML pages, for the privacy rule (pages.access) where no request is passed.

Wagtail expands rich text (links, embedded images) and renders blocks and template filters without the request, so
the link handlers, blocks and listings cannot ask `request.user` themselves. `ViewerMiddleware` makes the request
known to them for the length of the request (a context variable, reset afterwards: nothing carries over to the next
request on the thread). Outside a request (management commands, tasks) the visitor is anonymous, so nothing
restricted is linked by default.
"""

from contextvars import ContextVar

from django.db.models import QuerySet
from wagtail.images.models import AbstractImage
from wagtail.models import CollectionViewRestriction, Page, PageViewRestriction

from pages.access import passwords_given, visible_documents, visible_images, visible_pages

_request: ContextVar = ContextVar("pages_viewer_request", default=None)


class ViewerMiddleware:
    """Remembers the request for `pages.viewer` while it is handled (templates render inside, before the return)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def _user_and_passwords(restriction_model):
    request = _request.get()
    if request is None:
        return None, ()
    return getattr(request, "user", None), passwords_given(request, restriction_model)


def viewer_pages(pages: QuerySet) -> QuerySet:
    user, passwords = _user_and_passwords(PageViewRestriction)
    return visible_pages(pages, user=user, passwords=passwords)


def viewer_documents() -> QuerySet:
    user, passwords = _user_and_passwords(CollectionViewRestriction)
    return visible_documents(user=user, passwords=passwords)


def viewer_images() -> QuerySet:
    user, passwords = _user_and_passwords(CollectionViewRestriction)
    return visible_images(user=user, passwords=passwords)


def viewer_may_see(item) -> bool:
    """Whether the visitor may see `item`, a page, document or image (None: no)."""
    if item is None:
        return False
    if isinstance(item, Page):
        return viewer_pages(Page.objects.filter(pk=item.pk)).exists()
    visible = viewer_images() if isinstance(item, AbstractImage) else viewer_documents()
    return visible.filter(pk=item.pk).exists()
