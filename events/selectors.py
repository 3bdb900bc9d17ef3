"""Reads of training events, through the one privacy rule in `pages.access`: for the pages, the calendar
feeds and the partner API alike (events/graphql.py adds ordering and batch loading on top of `events`/`event`)."""

import hashlib
import hmac
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry

from events.models import CalendarToken, TrainingEventPage
from pages.access import visible_pages
from pages.models import Topic
from pages.queries import TopicMatch, by_pk_or_slug, with_topics

# Feeds keep recent history so a member still sees last month's session (and its recording) in their calendar.
FEED_HISTORY = timedelta(days=90)
# Admin actions that can change a feed without re-publishing one of its events (a parent unpublished, a page
# moved under a members-only section, a view restriction added, a topic renamed).
FEED_AFFECTING_PAGE_ACTIONS = (
    "wagtail.publish",
    "wagtail.publish.scheduled",
    "wagtail.unpublish",
    "wagtail.unpublish.scheduled",
    "wagtail.move",
    "wagtail.delete",
    "wagtail.rename",
    "wagtail.view_restriction.create",
    "wagtail.view_restriction.edit",
    "wagtail.view_restriction.delete",
)


def upcoming_q(now=None) -> Q:
    """Events that end in the future, plus repeating events (whose later sessions may still be ahead)."""
    return Q(end__gte=now or timezone.now()) | ~Q(recurrence_frequency="")


def upcoming_events(*, user=None, now=None) -> QuerySet:
    return (
        visible_pages(TrainingEventPage, user=user)
        .filter(upcoming_q(now))
        .order_by("start")
        .prefetch_related("topics", "facilitators")
    )


def events(
    *,
    user,
    upcoming: bool | None = None,
    topic: str | None = None,
    topics: list[str] | None = None,
    topic_match: str = TopicMatch.ANY,
    from_: date | None = None,
    to: date | None = None,
    delivery_mode: str | None = None,
    status: str | None = None,
) -> QuerySet:
    """Events `user` may see, filtered: `upcoming` (True: not over yet, and repeating ones; False: the others), a
    topic slug (or any/all of several), first-session dates in the event's own zone, delivery mode and status; by
    start."""
    events = with_topics(visible_pages(TrainingEventPage, user=user), topic=topic, topics=topics, match=topic_match)
    if upcoming is not None:
        events = events.filter(upcoming_q()) if upcoming else events.exclude(upcoming_q())
    if from_ is not None:
        events = events.filter(start_date__gte=from_)
    if to is not None:
        events = events.filter(start_date__lte=to)
    if delivery_mode is not None:
        events = events.filter(delivery_mode=delivery_mode)
    if status is not None:
        events = events.filter(status=status)
    return events.order_by("start", "pk")


def event(*, user, pk: int | None = None, slug: str | None = None) -> TrainingEventPage | None:
    """The event with this id, or else the first with this slug, if `user` may see it."""
    return by_pk_or_slug(visible_pages(TrainingEventPage, user=user), pk=pk, slug=slug)


def feed_events(*, user=None, topic: Topic | None = None, now: datetime | None = None) -> QuerySet:
    """Events a calendar feed lists for `user`: the last FEED_HISTORY days onward, repeating ones while they run."""
    cutoff = (now or timezone.now()) - FEED_HISTORY
    still_repeating = ~Q(recurrence_frequency="") & (
        Q(recurrence_until__isnull=True) | Q(recurrence_until__gte=cutoff.date())
    )
    events = visible_pages(TrainingEventPage, user=user).filter(Q(end__gte=cutoff) | still_repeating)
    if topic is not None:
        events = events.filter(topics=topic)
    return events


def with_feed_relations(events: QuerySet) -> QuerySet:
    """`events` with everything the feed builder reads, in a constant number of queries."""
    return events.order_by("start", "pk").prefetch_related(
        Prefetch("topics", queryset=Topic.objects.only("pk", "name")),
        "skipped_dates",
        "session_changes",
    )


def feed_validator(events: QuerySet) -> dict:
    """What a feed's bytes depend on, in one aggregate query: cheap enough to answer 304s without building it.

    Which events (count and id sum: an event entering or leaving the window or the viewer's privacy scope), their
    last publish and SEQUENCE, the last admin action that may change a feed without publishing its events, and the
    last expiry that has passed (an expired event leaves feeds at once, before the worker unpublishes it).
    """
    page_actions = (
        PageLogEntry.objects.filter(action__in=FEED_AFFECTING_PAGE_ACTIONS)
        .order_by()
        .values("content_type")
        .annotate(latest=Max("timestamp"))
        .values("latest")[:1]
    )
    topic_edits = (
        ModelLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Topic))
        .order_by()
        .values("content_type")
        .annotate(latest=Max("timestamp"))
        .values("latest")[:1]
    )
    last_expiry = (
        TrainingEventPage.objects.filter(expire_at__isnull=False, expire_at__lte=timezone.now())
        .order_by("-expire_at")
        .values("expire_at")[:1]
    )
    return events.order_by().aggregate(
        count=Count("pk"),
        id_sum=Sum("pk"),
        sequence_sum=Sum("ical_sequence"),
        published=Max("last_published_at"),
        page_actions=Max(Subquery(page_actions)),
        topic_edits=Max(Subquery(topic_edits)),
        expired=Max(Subquery(last_expiry)),
    )


def visible_event(*, slug: str, user=None) -> TrainingEventPage | None:
    events = visible_pages(TrainingEventPage, user=user).filter(slug=slug).order_by("pk")
    return events.first()


def calendar_token_lookup(token: str) -> CalendarToken | None:
    """The calendar link row for `token`, live or revoked, or None.

    Every input (malformed, 10 KB, non-ASCII) takes the same path: hash, one indexed query on the hash, a
    constant-time comparison. The hash hides the token from the database and from timing.
    """
    token_hash = CalendarToken.hash_token(token)
    row = CalendarToken.objects.select_related("user").filter(token_hash=token_hash).first()
    if row is None or not hmac.compare_digest(row.token_hash, token_hash):
        return None
    return row


def live_calendar_token(user) -> CalendarToken | None:
    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).first()


def access_key(user) -> str:
    """A digest of what the privacy rule reads about `user` (`pages.access`: superuser or not, their groups).

    Equal keys mean the user may see the same pages; a changed key means their view of the site may have changed.
    """
    groups = sorted(user.groups.values_list("pk", flat=True))
    return hashlib.sha256(repr((user.is_superuser, groups)).encode()).hexdigest()
