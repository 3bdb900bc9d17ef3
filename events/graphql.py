"""The training events' partner API: the event page type, its sessions, the `events` and `event` root fields
with their orderings, and what events add to types other apps own (calendar links on `Topic`, the member's
calendar on `Viewer`).

An event's API fields are declared on the model (`graphql_fields`, read by integrations/graphql/fields.py); the
type here adds only what a declaration cannot say: times in the event's own zone, the sessions of a repeating
event, its calendar links, and the join URL that only members see. The event index page has no computed field:
its type is built from its declarations alone.
"""

import graphene
from django.utils import timezone
from graphql import GraphQLError

from events import selectors
from events.calendar_links import (
    event_feed_path,
    member_event_feed_path,
    subscribe_links,
    topic_feed_path,
    webcal_url,
)
from events.models import DeliveryMode, EventStatus, TrainingEventPage
from events.services import calendar_token_issue, member_calendar_url
from integrations.graphql import cache
from integrations.graphql.fields import ModelType, after, choices_enum
from integrations.graphql.loaders import get_loader
from integrations.graphql.pagination import paginated_type, pagination_arguments
from integrations.graphql.registry import registry
from integrations.graphql.resolvers import (
    list_resolver,
    lookup_arguments,
    lookup_resolver,
    order_argument,
    topic_arguments,
)
from pages.models import Topic

EventStatusEnum = choices_enum(EventStatus)
DeliveryModeEnum = choices_enum(DeliveryMode)
# Ordering keys partners may ask for, each mapped to fixed columns (the first is the default).
EVENT_ORDERS = {
    "start": ("start", "pk"),
    "-start": ("-start", "-pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
}
MAX_SESSIONS_PER_QUERY = 100


def calendar_links(links) -> type:
    """A mixin with `icalUrl`, `webcalUrl`, `googleCalendarUrl` from `links(instance, info)` (`subscribe_links`)."""

    def link(kind):
        return lambda instance, info: links(instance, info)[kind]

    return type(
        "CalendarLinks",
        (),
        {
            "ical_url": graphene.String(required=True, description="The iCal feed (https).", resolver=link("https")),
            "webcal_url": graphene.String(
                required=True, description="The same feed for desktop calendars (webcal://).", resolver=link("webcal")
            ),
            "google_calendar_url": graphene.String(
                required=True, description="Subscribe in Google Calendar.", resolver=link("google")
            ),
        },
    )


class EventSessionType(graphene.ObjectType):
    """One session of an event: the only one for a one-off event, each date of a repeating one."""

    starts_at = graphene.DateTime(
        required=True, source="start", description="Start, in the event's time zone (ISO 8601 with its offset)."
    )
    ends_at = graphene.DateTime(
        required=True, source="end", description="End, in the event's time zone (ISO 8601 with its offset)."
    )
    status = graphene.Field(
        EventStatusEnum, required=True, description="The session's own status: a single date may be cancelled."
    )
    changed = graphene.Boolean(required=True, source="is_changed", description="Moved or cancelled individually.")
    note = graphene.String(
        required=True, description="The editors' note on a changed session, e.g. why it moved; usually empty."
    )

    class Meta:
        name = "EventSession"


def event_feed_links(event, info) -> dict[str, str]:
    """Links to the event's own feed that work for the caller. Only members see non-public events (the privacy
    rule), and for them such an event's links are its feed under their private calendar link; everyone else, and
    every public event, gets the public per-event feed."""
    loader = get_loader(info)
    if loader.caller_is_member() and not loader.is_public(event):
        token = loader.once("calendar_token", lambda: calendar_token_issue(user=loader.user))
        return subscribe_links(member_event_feed_path(token.token, event.slug))
    return subscribe_links(event_feed_path(event.slug))


class TrainingEventPageType(calendar_links(event_feed_links), ModelType):
    # In the event's own zone (the offset says which), like `sessions`, so "10:00 in Chicago" reads as such.
    starts_at = after(
        "is_recurring",
        graphene.DateTime(
            required=True,
            description="Start of the (first) session, in the event's time zone.",
            resolver=lambda event, info: event.start.astimezone(event.zone),
        ),
    )
    ends_at = after(
        "is_recurring",
        graphene.DateTime(
            required=True,
            description="End of the (first) session, in the event's time zone.",
            resolver=lambda event, info: event.end.astimezone(event.zone),
        ),
    )
    join_url = after(
        "delivery_mode",
        graphene.String(description="The video-meeting link: Community of Practice members only, else null."),
    )
    sessions = after(
        "delivery_mode",
        graphene.List(
            graphene.NonNull(EventSessionType),
            required=True,
            upcoming=graphene.Boolean(default_value=True, description="Only sessions that have not ended yet."),
            limit=graphene.Int(default_value=10, description=f"At most this many (1 to {MAX_SESSIONS_PER_QUERY})."),
            description="The sessions, skipped dates left out and changed sessions applied, earliest first.",
        ),
    )

    class Meta:
        model = TrainingEventPage

    @staticmethod
    def resolve_sessions(event, info, upcoming=True, limit=10):
        if not 1 <= limit <= MAX_SESSIONS_PER_QUERY:
            raise GraphQLError(f"limit must be between 1 and {MAX_SESSIONS_PER_QUERY}.")
        loader = get_loader(info)
        loader.prefetch(TrainingEventPage, "skipped_dates")
        loader.prefetch(TrainingEventPage, "session_changes")
        sessions = sorted(event.sessions(), key=lambda session: session.start)
        if upcoming:
            now = timezone.now()
            sessions = [session for session in sessions if session.end >= now]
        return sessions[:limit]

    @staticmethod
    def resolve_join_url(event, info):
        return (event.join_url or None) if get_loader(info).caller_is_member() else None


PaginatedEventsType = paginated_type(TrainingEventPageType, "PaginatedEvents", "One page of training events.")


class EventsQuery(graphene.ObjectType):
    events = graphene.Field(
        PaginatedEventsType,
        required=True,
        upcoming=graphene.Boolean(
            description="true: events not yet over (and repeating ones); false: past ones, for an archive (newest "
            'first with order: "-start"); both when left out.'
        ),
        **topic_arguments(),
        from_=graphene.Date(name="from", description="Events starting on or after this date (event's own zone)."),
        to=graphene.Date(description="Events starting on or before this date (event's own zone)."),
        delivery_mode=DeliveryModeEnum(description="Only events delivered this way."),
        status=EventStatusEnum(description="Only events with this status (default: every status)."),
        order=order_argument(EVENT_ORDERS),
        description="Training events the caller may see (public ones; members also members-only ones), earliest "
        "first by default.",
        resolver=list_resolver(selectors.events, orders=EVENT_ORDERS),
        **pagination_arguments(),
    )
    event = graphene.Field(
        TrainingEventPageType,
        description="One event by id or slug; null when there is none or the caller may not see it.",
        resolver=lookup_resolver(selectors.event),
        **lookup_arguments(),
    )


class ViewerCalendarFields:
    """`Viewer`: the member's private calendar feed."""

    calendar_url = graphene.String(
        description="Members: the https URL of their private calendar feed (public and members-only events). "
        "Null for non-members. Revoke or replace it at /calendar/subscription/."
    )
    calendar_webcal_url = graphene.String(description="The same feed as a webcal:// link (opens the calendar app).")

    @staticmethod
    def resolve_calendar_url(user, info):
        return member_calendar_url(user) if get_loader(info).caller_is_member() else None

    @staticmethod
    def resolve_calendar_webcal_url(user, info):
        url = ViewerCalendarFields.resolve_calendar_url(user, info)
        return url and webcal_url(url)


# After the member directory's fields, before the topics (registry.py explains `order`).
registry.register_query(EventsQuery, order=30)
# Events are content (stored per caller class); an event's calendar links are a member's own for a members-only event.
cache.declare_roots(shared=["events", "event"])
cache.declare_per_user("TrainingEventPage", "icalUrl", "webcalUrl", "googleCalendarUrl")
registry.extend(Topic, calendar_links(lambda topic, info: subscribe_links(topic_feed_path(topic.slug))))
registry.extend("Viewer", ViewerCalendarFields)
