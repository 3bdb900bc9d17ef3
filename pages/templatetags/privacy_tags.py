"""Template filters that put listings and file links on the CMS's own pages through the privacy rule, for the
request's visitor (pages.viewer): the same pages and files the APIs would give them."""

from django import template

from pages.viewer import viewer_may_see, viewer_pages

register = template.Library()


@register.filter
def visible_children(page):
    """`page`'s children the visitor may see (live, unexpired, not restricted to others), as their specific types."""
    return viewer_pages(page.get_children()).specific()


@register.filter
def if_visible(item):
    """`item` (a document or image) when the visitor may see it, else None."""
    return item if viewer_may_see(item) else None
