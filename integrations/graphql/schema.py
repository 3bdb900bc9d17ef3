"""The partner API's root query (DESIGN.md §4). The HTTP view (auth, limits) executes `schema` with
`request.user` set to the bearer token's user or AnonymousUser; every field decides visibility for that caller
through `pages.selectors`. None of grapple's root fields (`pages`, `search`, `documents`, `images`, `snippets`,
`redirects`...) is exposed: they leak drafts and private media (DESIGN.md §6).
"""

import graphene

from community.forum.schema import ForumMutation, ForumQuery
from community.schema import AgencyNode, CommunityMutation, CommunityQuery, resolve_viewer_agency
from events.calendar_links import webcal_url
from events.services import member_calendar_url
from integrations.graphql import selectors
from integrations.graphql.enums import DeliveryModeEnum, EventStatusEnum, TopicKindEnum
from integrations.graphql.loaders import get_loader, viewer
from integrations.graphql.page_types import (
    PAGE_TYPES,
    PageInterface,
    PaginatedCourses,
    PaginatedEvents,
    PaginatedPublications,
    PaginatedRecordings,
    PublicationPageType,
    RecordingPageType,
    TrainingEventPageType,
)
from integrations.graphql.pagination import page_bounds, paginate, pagination_arguments
from integrations.graphql.preview import preview_page
from integrations.graphql.types import BLOCK_TYPES, TopicType


def registered(rows, loader):
    return loader.register(rows)


def list_resolver(select, prepare=registered):
    """Resolve a paginated list: `select` (a selector taking the caller and the filters), then `prepare` the page
    of rows (batch-load what they point at) before their fields resolve."""

    def resolve(root, info, page=1, per_page=None, **filters):
        loader = get_loader(info)
        rows = select(user=loader.user, **filters)
        return paginate(rows, page=page, per_page=per_page, prepare=lambda rows: prepare(rows, loader))

    return resolve


def lookup_resolver(select, prepare):
    """Resolve a single lookup by id or slug, prepared like a list of one."""

    def resolve(root, info, id=None, slug=None):
        loader = get_loader(info)
        found = select(user=loader.user, id=id, slug=slug)
        return prepare([found], loader)[0] if found else None

    return resolve


def order_argument(keys) -> graphene.String:
    return graphene.String(description=f"One of: {', '.join(keys)} (default {next(iter(keys))}).")


def lookup_arguments() -> dict:
    return {"id": graphene.ID(), "slug": graphene.String()}


class ViewerType(graphene.ObjectType):
    """The token holder making the request (null for anonymous callers)."""

    name = graphene.String(required=True)
    is_member = graphene.Boolean(required=True, description="Whether members-only content is visible.")
    calendar_url = graphene.String(
        description="Members: the https URL of their private calendar feed (public and members-only events). "
        "Null for non-members. Revoke or replace it at /calendar/subscription/."
    )
    calendar_webcal_url = graphene.String(description="The same feed as a webcal:// link (opens the calendar app).")
    agency = graphene.Field(
        AgencyNode, description="Members: their own agency in the member directory.", resolver=resolve_viewer_agency
    )

    class Meta:
        name = "Viewer"

    @staticmethod
    def resolve_name(user, info):
        return user.get_full_name() or user.get_username()

    @staticmethod
    def resolve_is_member(user, info):
        return get_loader(info).caller_is_member()

    @staticmethod
    def resolve_calendar_url(user, info):
        return member_calendar_url(user) if get_loader(info).caller_is_member() else None

    @staticmethod
    def resolve_calendar_webcal_url(user, info):
        url = ViewerType.resolve_calendar_url(user, info)
        return url and webcal_url(url)


class Query(CommunityQuery, ForumQuery, graphene.ObjectType):
    events = graphene.Field(
        PaginatedEvents,
        required=True,
        upcoming=graphene.Boolean(description="true: events not yet over (and repeating ones); false: past ones."),
        topic=graphene.String(description="A topic slug, e.g. 988-crisis-hotline."),
        from_=graphene.Date(name="from", description="Events starting on or after this date (event's own zone)."),
        to=graphene.Date(description="Events starting on or before this date (event's own zone)."),
        delivery_mode=DeliveryModeEnum(),
        status=EventStatusEnum(),
        order=order_argument(selectors.EVENT_ORDERS),
        resolver=list_resolver(selectors.events, selectors.prepare_events),
        **pagination_arguments(),
    )
    event = graphene.Field(
        TrainingEventPageType,
        resolver=lookup_resolver(selectors.event, selectors.prepare_events),
        **lookup_arguments(),
    )
    topics = graphene.List(graphene.NonNull(TopicType), required=True, kind=TopicKindEnum())
    topic = graphene.Field(TopicType, slug=graphene.String(required=True))
    publications = graphene.Field(
        PaginatedPublications,
        required=True,
        topic=graphene.String(),
        search=graphene.String(description="Words to look for in titles, abstracts and authors."),
        year=graphene.Int(),
        order=order_argument(selectors.PUBLICATION_ORDERS),
        resolver=list_resolver(selectors.publications, selectors.prepare_publications),
        **pagination_arguments(),
    )
    publication = graphene.Field(
        PublicationPageType,
        resolver=lookup_resolver(selectors.publication, selectors.prepare_publications),
        **lookup_arguments(),
    )
    recordings = graphene.Field(
        PaginatedRecordings,
        required=True,
        topic=graphene.String(),
        year=graphene.Int(),
        order=order_argument(selectors.RECORDING_ORDERS),
        resolver=list_resolver(selectors.recordings, selectors.prepare_recordings),
        **pagination_arguments(),
    )
    recording = graphene.Field(
        RecordingPageType,
        resolver=lookup_resolver(selectors.recording, selectors.prepare_recordings),
        **lookup_arguments(),
    )
    courses = graphene.Field(
        PaginatedCourses,
        required=True,
        topic=graphene.String(),
        order=order_argument(selectors.COURSE_ORDERS),
        resolver=list_resolver(selectors.courses),
        **pagination_arguments(),
    )
    page = graphene.Field(
        PageInterface,
        id=graphene.ID(),
        url_path=graphene.String(description="The page's path on the site, e.g. /program/community-of-practice/."),
    )
    search = graphene.List(
        graphene.NonNull(PageInterface),
        required=True,
        query=graphene.String(required=True),
        description="Every content type, best match first.",
        **pagination_arguments(),
    )
    viewer = graphene.Field(ViewerType)
    preview = graphene.Field(
        PageInterface,
        token=graphene.String(required=True),
        description="A draft shown in the admin's 'Partner site' preview mode; the token expires.",
    )

    @staticmethod
    def resolve_topics(root, info, kind=None):
        return selectors.topics(kind=kind)

    @staticmethod
    def resolve_topic(root, info, slug):
        return selectors.topics().filter(slug=slug).first()

    @staticmethod
    def resolve_page(root, info, id=None, url_path=None):
        loader = get_loader(info)
        return selectors.page(user=loader.user, loader=loader, id=id, url_path=url_path)

    @staticmethod
    def resolve_search(root, info, query, page=1, per_page=None):
        offset, per_page = page_bounds(page, per_page)
        hits = selectors.search(user=viewer(info), query=query, offset=offset, limit=per_page)
        return get_loader(info).register(hits)

    @staticmethod
    def resolve_preview(root, info, token):
        page = preview_page(token)
        return get_loader(info).register([page])[0] if type(page) in PAGE_TYPES else None

    @staticmethod
    def resolve_viewer(root, info):
        user = viewer(info)
        return user if user.is_authenticated else None


class Mutation(CommunityMutation, ForumMutation, graphene.ObjectType):
    """The apps' mutations (community/), each returning its object or a list of field errors."""


schema = graphene.Schema(
    query=Query,
    mutation=Mutation if Mutation._meta.fields else None,
    types=[*PAGE_TYPES.values(), *BLOCK_TYPES.values()],
)
