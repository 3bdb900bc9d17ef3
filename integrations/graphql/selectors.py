"""Reads behind the GraphQL root fields: filters, allow-listed ordering and prefetching, on top of the one
privacy rule (`pages.selectors.visible_pages`). Every list query here runs a fixed number of SQL queries whatever
the page size: relations are prefetched, and what StreamField and rich text point at is batch-loaded by `Loader`.
"""

from datetime import date

from django.db.models import Prefetch, QuerySet
from graphql import GraphQLError
from wagtail.models import Page

from cms.search import MAX_SEARCH_LENGTH, search_words
from events.models import EventIndexPage, TrainingEventPage
from events.selectors import upcoming as upcoming_q
from integrations.graphql.loaders import Loader, parse_id
from media_library.models import PublicationIndexPage, PublicationPage, RecordingIndexPage, RecordingPage
from pages.models import CourseIndexPage, CoursePage, GuidePage, HomePage, ProgramPage, Topic
from pages.selectors import visible_pages

# The page models the API has types for; any other page in the tree (e.g. the tree root) is never returned.
CONTENT_PAGE_MODELS = (
    HomePage,
    ProgramPage,
    CourseIndexPage,
    CoursePage,
    GuidePage,
    EventIndexPage,
    TrainingEventPage,
    PublicationIndexPage,
    PublicationPage,
    RecordingIndexPage,
    RecordingPage,
)
# Ordering keys partners may ask for, each mapped to fixed columns (never passed to order_by as given).
EVENT_ORDERS = {
    "start": ("start", "pk"),
    "-start": ("-start", "-pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
}
PUBLICATION_ORDERS = {
    "-publishedOn": ("-publication_date", "-pk"),
    "publishedOn": ("publication_date", "pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
}
RECORDING_ORDERS = {
    "-recordedOn": ("-recorded_on", "-pk"),
    "recordedOn": ("recorded_on", "pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
}
COURSE_ORDERS = {"title": ("title", "pk"), "-title": ("-title", "-pk")}
# A search is answered from at most this many hits (ranked); deeper pages of a search are not useful.
MAX_SEARCH_HITS = 1000


def ordered(queryset: QuerySet, order: str | None, allowed: dict[str, tuple[str, ...]]) -> QuerySet:
    """`queryset` in the allow-listed `order` (the first key is the default); anything else is a clear error."""
    key = next(iter(allowed)) if order is None else order
    if key not in allowed:
        raise GraphQLError(f"Unknown order “{str(order)[:40]}”. Use one of: {', '.join(allowed)}.")
    return queryset.order_by(*allowed[key])


def search_hits(model: type[Page], query: str) -> list[int]:
    """Ids of `model` pages matching `query`, best first (Wagtail search; privacy is applied by the caller)."""
    if len(query or "") > MAX_SEARCH_LENGTH:
        raise GraphQLError(f"The search query is too long ({MAX_SEARCH_LENGTH} characters at most).")
    query = search_words(query)
    if not query:
        raise GraphQLError("Give a search query.")
    return [page.pk for page in model.objects.live().search(query)[:MAX_SEARCH_HITS]]


def in_year(queryset: QuerySet, field: str, year: int | None) -> QuerySet:
    if year is None:
        return queryset
    if not 1 <= year <= 9999:  # what a date can hold; Django's year lookup raises for anything else
        raise GraphQLError("year must be between 1 and 9999.")
    return queryset.filter(**{f"{field}__year": year})


def by_slug_or_id(queryset: QuerySet, *, id=None, slug=None):
    """The one row of `queryset` with this id or slug (exactly one of them must be given)."""
    if (id is None) == (slug is None):
        raise GraphQLError("Give either id or slug.")
    if id is not None:
        pk = parse_id(id)
        return queryset.filter(pk=pk).first() if pk is not None else None
    return queryset.filter(slug=slug).order_by("path").first()


# --- events ------------------------------------------------------------------------------------------------


def events(
    *,
    user,
    upcoming: bool | None = None,
    topic: str | None = None,
    from_: date | None = None,
    to: date | None = None,
    delivery_mode: str | None = None,
    status: str | None = None,
    order: str | None = None,
) -> QuerySet:
    events = visible_pages(TrainingEventPage, user=user)
    if upcoming is not None:
        events = events.filter(upcoming_q()) if upcoming else events.exclude(upcoming_q())
    if topic is not None:
        events = events.filter(topics__slug=topic)
    if from_ is not None:
        events = events.filter(start_date__gte=from_)
    if to is not None:
        events = events.filter(start_date__lte=to)
    if delivery_mode is not None:
        events = events.filter(delivery_mode=delivery_mode)
    if status is not None:
        events = events.filter(status=status)
    return ordered(events.prefetch_related(None), order, EVENT_ORDERS).prefetch_related("topics", "facilitators")


def event(*, user, id=None, slug=None):
    events = visible_pages(TrainingEventPage, user=user).prefetch_related("topics", "facilitators")
    return by_slug_or_id(events, id=id, slug=slug)


def prepare_events(rows: list, loader: Loader) -> list:
    """Batch what a page of events points at: facilitators' photos and the bodies' blocks."""
    loader.load_images(person.photo_id for event in rows for person in event.facilitators.all() if person.photo_id)
    return loader.register(rows)


# --- topics ------------------------------------------------------------------------------------------------


def topics(*, kind: str | None = None) -> QuerySet:
    topics = Topic.objects.order_by("name")
    return topics.filter(kind=kind) if kind is not None else topics


# --- publications ------------------------------------------------------------------------------------------


def publications(
    *, user, topic: str | None = None, search: str | None = None, year: int | None = None, order: str | None = None
) -> QuerySet:
    publications = visible_pages(PublicationPage, user=user)
    if topic is not None:
        publications = publications.filter(topics__slug=topic)
    publications = in_year(publications, "publication_date", year)
    if search is not None:
        publications = publications.filter(pk__in=search_hits(PublicationPage, search))
    return ordered(publications, order, PUBLICATION_ORDERS).prefetch_related("authors", "topics")


def publication(*, user, id=None, slug=None):
    publications = visible_pages(PublicationPage, user=user).prefetch_related("authors", "topics")
    return by_slug_or_id(publications, id=id, slug=slug)


def prepare_publications(rows: list, loader: Loader) -> list:
    loader.load_documents(row.document_id for row in rows)
    loader.load_images(
        [row.cover_image_id for row in rows if row.cover_image_id]
        + [person.photo_id for row in rows for person in row.authors.all() if person.photo_id]
    )
    return loader.register(rows)


# --- recordings --------------------------------------------------------------------------------------------


def recordings(*, user, topic: str | None = None, year: int | None = None, order: str | None = None) -> QuerySet:
    recordings = visible_pages(RecordingPage, user=user)
    if topic is not None:
        recordings = recordings.filter(topics__slug=topic)
    recordings = in_year(recordings, "recorded_on", year)
    return with_recording_relations(ordered(recordings, order, RECORDING_ORDERS), user=user)


def recording(*, user, id=None, slug=None):
    return by_slug_or_id(with_recording_relations(visible_pages(RecordingPage, user=user), user=user), id=id, slug=slug)


def with_recording_relations(recordings: QuerySet, *, user) -> QuerySet:
    # The related event goes through the privacy rule: a members-only or draft event comes back as None.
    return recordings.prefetch_related(
        "presenters",
        "topics",
        Prefetch(
            "related_event",
            queryset=visible_pages(TrainingEventPage, user=user).prefetch_related("topics", "facilitators"),
            to_attr="visible_related_event",
        ),
    )


def prepare_recordings(rows: list, loader: Loader) -> list:
    loader.load_documents(pk for row in rows for pk in (row.video_id, row.captions_id) if pk)
    loader.load_images(person.photo_id for row in rows for person in row.presenters.all() if person.photo_id)
    return loader.register(rows)


# --- courses and pages -------------------------------------------------------------------------------------


def courses(*, user, topic: str | None = None, order: str | None = None) -> QuerySet:
    courses = visible_pages(CoursePage, user=user)
    if topic is not None:
        courses = courses.filter(topics__slug=topic)
    return ordered(courses, order, COURSE_ORDERS).prefetch_related("topics")


def page(*, user, loader: Loader, id=None, url_path: str | None = None):
    """Any content page by id or by its path on the site ("/program/community-of-practice/")."""
    if (id is None) == (url_path is None):
        raise GraphQLError("Give either id or urlPath.")
    pages = visible_pages(Page.objects.type(*CONTENT_PAGE_MODELS), user=user)
    if id is not None:
        pk = parse_id(id)
        if pk is None:
            return None
        pages = pages.filter(pk=pk)
    else:
        if len(url_path) > 500:
            raise GraphQLError("urlPath is too long.")
        pages = pages.filter(url_path=loader.tree_url_path(url_path))
    found = pages.specific().first()
    return loader.register([found])[0] if found else None


def children(page: Page, *, user) -> QuerySet:
    return visible_pages(page.get_children().type(*CONTENT_PAGE_MODELS), user=user).specific().order_by("path")


def parent(page: Page, *, user) -> Page | None:
    parents = Page.objects.type(*CONTENT_PAGE_MODELS).filter(path=page.path[: -page.steplen], depth__gt=1)
    return visible_pages(parents, user=user).specific().first()


def search(*, user, query: str, offset: int = 0, limit: int | None = None) -> list:
    """Every content type, best match first, narrowed to what `user` may see; only the hits in
    [offset, offset + limit) are loaded as specific pages (a search may match up to MAX_SEARCH_HITS pages)."""
    hits = search_hits(Page, query)
    visible = set(
        visible_pages(Page.objects.type(*CONTENT_PAGE_MODELS).filter(pk__in=hits), user=user).values_list(
            "pk", flat=True
        )
    )
    ranked = [pk for pk in dict.fromkeys(hits) if pk in visible]
    wanted = ranked[offset : None if limit is None else offset + limit]
    pages = {page.pk: page for page in Page.objects.filter(pk__in=wanted).specific()}
    return [pages[pk] for pk in wanted if pk in pages]
