"""Page types: the fields each model declares (`graphql_fields`, the grapple way) plus privacy-aware relations.

Grapple's own page types are not used: their `parent`, `children`, foreign keys, `draftTitle` and owner fields
read drafts and private media (DESIGN.md §6). The `Page` interface here has only fields that are safe for any
caller, and every relation goes through `pages.selectors` (directly or through the request's `Loader`).
"""

import graphene
from django.utils import timezone
from graphql import GraphQLError

from cms.links import public_url
from events.calendar_links import event_feed_path, member_event_feed_path, subscribe_links
from events.models import EventIndexPage, TrainingEventPage
from integrations.graphql import selectors
from integrations.graphql.enums import DeliveryModeEnum, EventStatusEnum
from integrations.graphql.loaders import get_loader, viewer
from integrations.graphql.pagination import paginate, paginated_type, pagination_arguments
from integrations.graphql.richtext import render_rich_text
from integrations.graphql.types import (
    DocumentType,
    ImageType,
    PersonType,
    TopicType,
    declared,
    stream_field,
)
from media_library.models import PublicationIndexPage, PublicationPage, RecordingIndexPage, RecordingPage
from pages.models import CourseIndexPage, CoursePage, GuidePage, HomePage, ProgramPage
from pages.selectors import visible_pages


def related_list(item_type, relation: str):
    """A many-to-many list (topics, people: snippets, no privacy of their own), batched over the result's pages."""

    def resolve(page, info):
        get_loader(info).prefetch(type(page), relation)
        return getattr(page, relation).all()

    return graphene.List(graphene.NonNull(item_type), required=True, resolver=resolve)


def topics_field():
    return related_list(TopicType, "topics")


def people_field(relation: str):
    return related_list(PersonType, relation)


def document_field(attname: str, description: str):
    """A document foreign key: null when the caller may not see the document (private collection)."""

    def resolve(page, info):
        pk = getattr(page, attname)
        return get_loader(info).document(pk) if pk else None

    return graphene.Field(DocumentType, description=description, resolver=resolve)


def image_field(attname: str):
    def resolve(page, info):
        pk = getattr(page, attname)
        return get_loader(info).image(pk) if pk else None

    return graphene.Field(ImageType, description="Null when there is none or it is private.", resolver=resolve)


def rich_text_field(name: str):
    return graphene.String(
        required=True,
        description="HTML; internal links point at public URLs, links the caller may not follow are removed.",
        resolver=lambda page, info: render_rich_text(getattr(page, name), get_loader(info)),
    )


class PageInterface(graphene.Interface):
    """What every page has. Always the live version: drafts never reach the API (preview aside)."""

    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    slug = graphene.String(required=True)
    url = graphene.String(description="The page's public URL on the CMS's origin.")
    url_path = graphene.String(description="The page's path on the site, e.g. /events/cit-basics/.")
    page_type = graphene.String(required=True, description="The page model, e.g. TrainingEventPage.")
    seo_title = graphene.String(required=True)
    search_description = graphene.String(required=True)
    first_published_at = graphene.DateTime()
    last_published_at = graphene.DateTime()
    parent = graphene.Field(lambda: PageInterface, description="Null when the parent is not visible to the caller.")
    children = graphene.Field(
        lambda: PaginatedPages, required=True, description="The children the caller may see.", **pagination_arguments()
    )

    class Meta:
        name = "Page"

    @classmethod
    def resolve_type(cls, instance, info):
        return PAGE_TYPES[type(instance)]

    @staticmethod
    def resolve_url_path(page, info):
        return get_loader(info).path_for(page.url_path)

    @staticmethod
    def resolve_url(page, info):
        path = get_loader(info).path_for(page.url_path)
        return public_url(path) if path else None

    @staticmethod
    def resolve_page_type(page, info):
        return type(page).__name__

    @staticmethod
    def resolve_parent(page, info):
        parent = selectors.parent(page, user=viewer(info))
        return get_loader(info).register([parent])[0] if parent else None

    @staticmethod
    def resolve_children(node, info, page=1, per_page=None):
        children = selectors.children(node, user=viewer(info))
        return paginate(children, page=page, per_page=per_page, prepare=get_loader(info).register)


def page_meta(model) -> type:
    return type("Meta", (), {"name": model.__name__, "interfaces": (PageInterface,)})


class HomePageType(declared(HomePage), graphene.ObjectType):
    body = stream_field("body")
    Meta = page_meta(HomePage)


class ProgramPageType(declared(ProgramPage), graphene.ObjectType):
    body = stream_field("body")
    topics = topics_field()
    Meta = page_meta(ProgramPage)


class CourseIndexPageType(declared(CourseIndexPage), graphene.ObjectType):
    Meta = page_meta(CourseIndexPage)


class CoursePageType(declared(CoursePage), graphene.ObjectType):
    body = stream_field("body")
    topics = topics_field()
    Meta = page_meta(CoursePage)


class GuidePageType(declared(GuidePage), graphene.ObjectType):
    chapters = stream_field("chapters", "The eGuide's chapters in order (ChapterBlock).")
    topics = topics_field()
    Meta = page_meta(GuidePage)


class EventIndexPageType(declared(EventIndexPage), graphene.ObjectType):
    Meta = page_meta(EventIndexPage)


MAX_SESSIONS = 100


class EventSessionType(graphene.ObjectType):
    """One session of an event: the only one for a one-off event, each date of a repeating one."""

    starts_at = graphene.DateTime(required=True, source="start")
    ends_at = graphene.DateTime(required=True, source="end")
    status = graphene.Field(EventStatusEnum, required=True)
    changed = graphene.Boolean(required=True, source="is_override", description="Moved or cancelled individually.")
    note = graphene.String(required=True)

    class Meta:
        name = "EventSession"


def event_feed_links(event, info) -> dict[str, str] | None:
    """Links to the event's own feed that work for the caller: the public feed for a public event; for an event
    only some may see, the member's private per-event feed under their calendar link; else none."""
    loader = get_loader(info)
    if loader.is_public(event):
        return subscribe_links(event_feed_path(event.slug))
    if loader.caller_is_member():
        return subscribe_links(member_event_feed_path(loader.calendar_token().token, event.slug))
    return None


def event_feed_link(kind: str, description: str) -> graphene.String:
    def resolve(event, info):
        links = event_feed_links(event, info)
        return links and links[kind]

    return graphene.String(description=description, resolver=resolve)


class EventCalendarLinks:
    ical_url = event_feed_link(
        "https",
        "The event's iCal feed (https). For a members-only event, the member's private link; null for a caller "
        "who sees such an event without being a member.",
    )
    webcal_url = event_feed_link("webcal", "The same feed for desktop calendars (webcal://).")
    google_calendar_url = event_feed_link("google", "Subscribe in Google Calendar.")


class TrainingEventPageType(declared(TrainingEventPage), EventCalendarLinks, graphene.ObjectType):
    # In the event's own zone (the offset says which), like `sessions`, so "10:00 in Chicago" reads as such.
    starts_at = graphene.DateTime(
        required=True,
        description="Start of the (first) session, in the event's time zone.",
        resolver=lambda event, info: event.start.astimezone(event.zone),
    )
    ends_at = graphene.DateTime(required=True, resolver=lambda event, info: event.end.astimezone(event.zone))
    status = graphene.Field(EventStatusEnum, required=True)
    delivery_mode = graphene.Field(DeliveryModeEnum, required=True)
    join_url = graphene.String(description="The video-meeting link: Community of Practice members only, else null.")
    sessions = graphene.List(
        graphene.NonNull(EventSessionType),
        required=True,
        upcoming=graphene.Boolean(default_value=True, description="Only sessions that have not ended yet."),
        limit=graphene.Int(default_value=10, description=f"At most this many (1 to {MAX_SESSIONS})."),
        description="The sessions, skipped dates left out and changed sessions applied, earliest first.",
    )
    body = stream_field("body")
    topics = topics_field()
    facilitators = people_field("facilitators")
    Meta = page_meta(TrainingEventPage)

    @staticmethod
    def resolve_sessions(event, info, upcoming=True, limit=10):
        if not 1 <= limit <= MAX_SESSIONS:
            raise GraphQLError(f"limit must be between 1 and {MAX_SESSIONS}.")
        loader = get_loader(info)
        loader.prefetch(TrainingEventPage, "skipped_dates")
        loader.prefetch(TrainingEventPage, "rescheduled_occurrences")
        sessions = sorted(event.occurrences(), key=lambda session: session.start)
        if upcoming:
            now = timezone.now()
            sessions = [session for session in sessions if session.end >= now]
        return sessions[:limit]

    @staticmethod
    def resolve_join_url(event, info):
        return (event.join_url or None) if get_loader(info).caller_is_member() else None


class PublicationIndexPageType(declared(PublicationIndexPage), graphene.ObjectType):
    Meta = page_meta(PublicationIndexPage)


class PublicationPageType(declared(PublicationPage), graphene.ObjectType):
    abstract = rich_text_field("abstract")
    authors = people_field("authors")
    topics = topics_field()
    document = document_field("document_id", "The publication (PDF); null when the caller may not download it.")
    document_url = graphene.String(description="Shortcut for document.url.")
    cover_image = image_field("cover_image_id")
    Meta = page_meta(PublicationPage)

    @staticmethod
    def resolve_document_url(page, info):
        document = get_loader(info).document(page.document_id)
        return public_url(document.url) if document else None


class RecordingIndexPageType(declared(RecordingIndexPage), graphene.ObjectType):
    Meta = page_meta(RecordingIndexPage)


class RecordingPageType(declared(RecordingPage), graphene.ObjectType):
    video = document_field("video_id", "The video file, when there is one and the caller may see it.")
    video_url = graphene.String(description="The video file's URL, or the embed link.")
    captions = document_field("captions_id", "Closed captions (WebVTT).")
    captions_url = graphene.String()
    transcript = rich_text_field("transcript")
    presenters = people_field("presenters")
    topics = topics_field()
    related_event = graphene.Field(TrainingEventPageType, description="Null when the event is not visible.")
    Meta = page_meta(RecordingPage)

    @staticmethod
    def resolve_video_url(page, info):
        if page.video_id:
            video = get_loader(info).document(page.video_id)
            return public_url(video.url) if video else None
        return page.embed_url or None

    @staticmethod
    def resolve_captions_url(page, info):
        captions = get_loader(info).document(page.captions_id) if page.captions_id else None
        return public_url(captions.url) if captions else None

    @staticmethod
    def resolve_related_event(page, info):
        # Prefetched through the privacy rule by the recording selectors (None when not visible).
        if hasattr(page, "visible_related_event"):
            return page.visible_related_event
        if not page.related_event_id:
            return None
        return visible_pages(TrainingEventPage.objects.filter(pk=page.related_event_id), user=viewer(info)).first()


PAGE_TYPES = {
    HomePage: HomePageType,
    ProgramPage: ProgramPageType,
    CourseIndexPage: CourseIndexPageType,
    CoursePage: CoursePageType,
    GuidePage: GuidePageType,
    EventIndexPage: EventIndexPageType,
    TrainingEventPage: TrainingEventPageType,
    PublicationIndexPage: PublicationIndexPageType,
    PublicationPage: PublicationPageType,
    RecordingIndexPage: RecordingIndexPageType,
    RecordingPage: RecordingPageType,
}

PaginatedPages = paginated_type(PageInterface, "PaginatedPages")
PaginatedEvents = paginated_type(TrainingEventPageType, "PaginatedEvents")
PaginatedPublications = paginated_type(PublicationPageType, "PaginatedPublications")
PaginatedRecordings = paginated_type(RecordingPageType, "PaginatedRecordings")
PaginatedCourses = paginated_type(CoursePageType, "PaginatedCourses")
