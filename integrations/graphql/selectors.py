"""Reads over every content page and the pages-level lists, on top of the one privacy rule
(`pages.access.visible_pages`). Each app's own lists live in its `selectors.py` (events, media_library).

"Content page" means a page model the API has a type for (`registry.page_models()`); any other page in the tree
(e.g. the tree root) is never returned. Like the apps' selectors these raise Django's ValidationError for a value
no query can answer; the GraphQL layer turns it into a GraphQL error (resolvers.py). Every list query here runs
a fixed number of SQL queries whatever the page size.
"""

from django.db.models import QuerySet
from wagtail.models import Page

from integrations.graphql.registry import registry
from pages.access import visible_pages
from pages.models import CoursePage, Topic
from pages.queries import search_hits


def content_pages(pages: QuerySet) -> QuerySet:
    return pages.type(*registry.page_models())


def page(*, user, pk: int | None = None, url_path: str | None = None) -> Page | None:
    """Any content page by id or by its url_path in the page tree."""
    pages = visible_pages(content_pages(Page.objects.all()), user=user)
    pages = pages.filter(pk=pk) if pk is not None else pages.filter(url_path=url_path)
    return pages.specific().first()


def children(page: Page, *, user) -> QuerySet:
    return visible_pages(content_pages(page.get_children()), user=user).specific().order_by("path")


def parent(page: Page, *, user) -> Page | None:
    parents = content_pages(Page.objects.all()).filter(path=page.path[: -page.steplen], depth__gt=1)
    return visible_pages(parents, user=user).specific().first()


def search(*, user, query: str, offset: int = 0, limit: int | None = None) -> list:
    """Every content type, best match first, narrowed to what `user` may see; only the hits in
    [offset, offset + limit) are loaded as specific pages (a search may match up to MAX_SEARCH_HITS pages)."""
    hits = search_hits(Page, query)
    visible = set(
        visible_pages(content_pages(Page.objects.all()).filter(pk__in=hits), user=user).values_list("pk", flat=True)
    )
    ranked = [pk for pk in dict.fromkeys(hits) if pk in visible]
    wanted = ranked[offset : None if limit is None else offset + limit]
    pages = {page.pk: page for page in Page.objects.filter(pk__in=wanted).specific()}
    return [pages[pk] for pk in wanted if pk in pages]


def courses(*, user, topic: str | None = None) -> QuerySet:
    courses = visible_pages(CoursePage, user=user)
    if topic is not None:
        courses = courses.filter(topics__slug=topic)
    return courses.order_by("title", "pk").prefetch_related("topics")


def topics(*, kind: str | None = None) -> QuerySet:
    topics = Topic.objects.order_by("name")
    return topics.filter(kind=kind) if kind is not None else topics
