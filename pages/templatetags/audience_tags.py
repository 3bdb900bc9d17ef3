"""The page listings' badge (explorer, "Training events", choosers, dashboard panels): who can see each page, from
its view restrictions (the one source of truth), read once per request whatever the number of rows."""

from django import template
from wagtail.models import PageViewRestriction

from pages.audience import lets_in_members_only

register = template.Library()


def _restrictions(request) -> list[tuple[str, bool]]:
    """(page path, lets in exactly the members) of every page view restriction, cached on the request."""
    if not hasattr(request, "page_restrictions_by_path"):
        rows = PageViewRestriction.objects.select_related("page").prefetch_related("groups")
        request.page_restrictions_by_path = [
            (restriction.page.path, lets_in_members_only(restriction)) for restriction in rows
        ]
    return request.page_restrictions_by_path


@register.simple_tag(takes_context=True)
def page_audience_badge(context, page) -> str:
    """The badge for `page`: "Members only" when every restriction covering it lets in the members only, "Private"
    for any other restriction (a password, other groups), "" when it is public."""
    request = context.get("request")
    if request is None or not getattr(page, "path", None):
        return ""
    covering = [members for path, members in _restrictions(request) if page.path.startswith(path)]
    if not covering:
        return ""
    return "Members only" if all(covering) else "Private"
