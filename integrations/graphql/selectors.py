"""Reads over every content page and the pages-level lists, on top of the one privacy rule
(`pages.access.visible_pages`). Each app's own lists live in its `selectors.py` (events, media_library).

"Content page" means a page model the API has a type for (`registry.page_models()`); any other page in the tree
(e.g. the tree root) is never returned. Like the apps' selectors these raise Django's ValidationError for a value
no query can answer; the GraphQL layer turns it into a GraphQL error (resolvers.py). Every list query here runs
a fixed number of SQL queries whatever the page size.
"""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from wagtail.models import Page

from integrations.graphql.registry import registry
from pages.access import visible_pages
from pages.models import CoursePage, GuidePage, Topic
from pages.queries import TopicMatch, by_pk_or_slug, search_hits, with_topics


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
    ranked = search_ranking(user=user, query=query)
    return specific_pages(ranked[offset : None if limit is None else offset + limit])


def search_ranking(*, user, query: str, kinds: list[str] | None = None) -> list[int]:
    """Ids of the content pages of these kinds (`content_kind`; all when None) matching `query` that `user` may
    see, best match first: what a paginated search counts and slices."""
    pages = content_pages(Page.objects.all())
    if kinds is not None:
        if not kinds:
            raise ValidationError("kinds is empty: name at least one kind, or leave kinds out.")
        pages = pages.type(*(model for model in registry.page_models() if model.content_kind in kinds))
    hits = search_hits(Page, query)
    visible = set(visible_pages(pages.filter(pk__in=hits), user=user).values_list("pk", flat=True))
    return [pk for pk in dict.fromkeys(hits) if pk in visible]


def specific_pages(ids: list[int]) -> list:
    """The pages with these ids, as their own types, in the order given (one query per page type)."""
    pages = {page.pk: page for page in Page.objects.filter(pk__in=ids).specific()}
    return [pages[pk] for pk in ids if pk in pages]


def courses(
    *, user, topic: str | None = None, topics: list[str] | None = None, topic_match: str = TopicMatch.ANY
) -> QuerySet:
    courses = with_topics(visible_pages(CoursePage, user=user), topic=topic, topics=topics, match=topic_match)
    return courses.order_by("title", "pk")


def topics(*, kind: str | None = None) -> QuerySet:
    topics = Topic.objects.order_by("name")
    return topics.filter(kind=kind) if kind is not None else topics


def guides(*, user) -> QuerySet:
    return visible_pages(GuidePage, user=user).order_by("title", "pk")


def guide(*, user, pk: int | None = None, slug: str | None = None) -> GuidePage | None:
    return by_pk_or_slug(visible_pages(GuidePage, user=user), pk=pk, slug=slug)
