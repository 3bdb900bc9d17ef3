"""iCal feeds and the member's calendar-link page. Thin: selectors decide what is visible, `events.ical` builds.

Every feed answers with an ETag and Last-Modified computed from one aggregate query (`feed_validator`), so a
client's conditional request gets its 304, and a HEAD its headers, without the feed being built. A built feed is
stored with its validators and gzip/brotli twins per content version (cms/response_cache.py): the next poller of
the same feed, in any process on Redis, gets the stored bytes; a publish changes the version and so the key.
The ETag is weak: the same calendar goes out plain or compressed (gzip or brotli), and a weak ETag names every
encoding, so a 304 carries the very validator the client's cache holds. Public feeds may be cached by anyone; a
member's feed is `private, no-store` and its URL is the credential. Feeds take no writes: other methods get 405
(not CSRF's 403).
"""

import hashlib
import time
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from cms import response_cache
from events import services
from events.calendar_links import member_feed_path, subscribe_links
from events.ical import FeedOptions, build_calendar
from events.selectors import (
    calendar_token_lookup,
    feed_events,
    feed_validator,
    live_calendar_token,
    visible_event,
    with_feed_relations,
)
from pages.access import user_is_member, visible_pages
from pages.models import Topic

# RFC 5545 §3.2 / RFC 2445 media type parameter: the METHOD the body carries (METHOD:PUBLISH).
CONTENT_TYPE = "text/calendar; charset=utf-8; method=PUBLISH"
PUBLIC = FeedOptions(include_join_url=False)
# Bump when the builder's output changes for the same data, so cached copies are not kept as current.
FEED_FORMAT_VERSION = 2
# How long a stored feed is kept while its validators keep agreeing (checked every RESPONSE_CACHE_SECONDS): a
# publish retires it at once whatever this says (the content version is in its key).
FEED_KEPT_SECONDS = 3600
# Shared caches (a CDN) may keep a public feed this long; clients re-read hourly (REFRESH-INTERVAL).
PUBLIC_MAX_AGE = 900
SITE_NAME = "CIT ASSIST"
# The same bytes for an unknown and a revoked link (only the status differs), so the body tells nothing more.
BAD_LINK_BODY = b"This calendar link does not work. Get your current link from your calendar subscription page.\n"


def _validators(key: tuple, events, changed_at: datetime | None = None) -> tuple[str, datetime | None]:
    """(weak ETag, Last-Modified) of a feed; `changed_at` is a change outside the events (the viewer's access)."""
    state = feed_validator(events)
    fingerprint = repr((FEED_FORMAT_VERSION, settings.PUBLIC_BASE_URL, key, sorted(state.items())))
    etag = 'W/"' + hashlib.sha256(fingerprint.encode()).hexdigest()[:40] + '"'
    changes = [value for value in (*state.values(), changed_at) if isinstance(value, datetime)]
    return etag, max(changes, default=None)


def _feed_response(
    request,
    *,
    key: tuple,
    select_events,
    name: str,
    description: str = "",
    private: bool = False,
    options: FeedOptions = PUBLIC,
    changed_at: datetime | None = None,
):
    # Built once per content version (cms/response_cache.py): a hit costs the version read and one cache get, and
    # its validators come with it; the events are selected (`select_events()`) only when the entry is missing or
    # due for a check, since even building that queryset costs half a hit. A member's feed is keyed by their id
    # and options.
    stored_as = entry = events = validators = None
    if settings.RESPONSE_CACHE:
        fingerprint = response_cache.digest(FEED_FORMAT_VERSION, settings.PUBLIC_BASE_URL, key, changed_at)
        stored_as = f"feed:{response_cache.content_version()}:{fingerprint}"
        entry = response_cache.get(stored_as)
        # (getattr: an entry stored before `checked_at` existed counts as due.)
        if entry is not None and time.time() - getattr(entry, "checked_at", 0) >= settings.RESPONSE_CACHE_SECONDS:
            # The clock alone can change a feed (an event leaving its 90-day window), so a stored feed is checked
            # every RESPONSE_CACHE_SECONDS against its validators (one aggregate query) and kept while they agree,
            # instead of being built again (0.3-0.5 s at 1,000 events) every time it expires.
            events = select_events()
            validators = _validators(key, events, changed_at)
            if validators[0] == entry.etag:
                entry.checked_at = time.time()
                response_cache.store(stored_as, entry, FEED_KEPT_SECONDS)
            else:
                entry = None
    if entry is not None:
        etag, timestamp = entry.etag, entry.last_modified
    else:
        if events is None:
            events = select_events()
            validators = _validators(key, events, changed_at)
        etag, last_modified = validators
        timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is None and request.method == "HEAD":
        # The GET's headers without building its body. Streaming, so that no "Content-Length: 0" is added
        # (CommonMiddleware does for plain responses): a HEAD may only state the GET's length (RFC 9110 §8.6).
        response = StreamingHttpResponse((), content_type=CONTENT_TYPE)
    elif response is None:
        if entry is None:
            body = build_calendar(with_feed_relations(events), name=name, description=description, options=options)
            entry = response_cache.entry_for(body, etag=etag, content_type=CONTENT_TYPE, last_modified=timestamp)
            if stored_as:
                response_cache.store(stored_as, entry, FEED_KEPT_SECONDS)
        response = response_cache.respond(request, entry)
    if response.status_code == 200:
        response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["ETag"] = etag
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    # Also on 304s, which GZipMiddleware leaves alone: every answer here has a gzip twin.
    patch_vary_headers(response, ["Accept-Encoding"])
    if private:
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
    else:
        response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    return response


def feed_view(view):
    """A feed: GET and HEAD only (405 with `Allow` otherwise). Exempt from CSRF, which would answer a POST with a
    403 before the method check: a feed takes no writes, so there is nothing to protect."""
    return csrf_exempt(require_safe(view))


@feed_view
def events_feed(request):
    return _feed_response(
        request,
        key=("events",),
        select_events=lambda: feed_events(user=None),
        name=f"{SITE_NAME} training events",
        description="Live training and Community of Practice sessions of the CIT ASSIST program.",
    )


@feed_view
def topic_feed(request, slug: str):
    topic = get_object_or_404(Topic, slug=slug)
    return _feed_response(
        request,
        key=("topic", topic.pk, topic.name),
        select_events=lambda: feed_events(user=None, topic=topic),
        name=f"{SITE_NAME}: {topic.name}",
        description=topic.description,
    )


@feed_view
def event_feed(request, slug: str):
    event = visible_event(slug=slug, user=None)
    if event is None:
        raise Http404("No such event.")
    return _feed_response(
        request,
        key=("event", event.pk),
        select_events=lambda: visible_pages(type(event).objects.filter(pk=event.pk), user=None),
        name=event.title,
    )


def _bad_link(status: int) -> HttpResponse:
    response = HttpResponse(BAD_LINK_BODY, content_type="text/plain; charset=utf-8", status=status)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _link_holder(token: str):
    """(the calendar link's row, None) for a working link, else (None, the answer: 404 unknown, 410 turned off)."""
    row = calendar_token_lookup(token)
    if row is None:
        return None, _bad_link(404)
    if row.is_revoked or not row.user.is_active:
        return None, _bad_link(410)
    return row, None


def _holder_options(row) -> FeedOptions:
    # Join links are for Community of Practice members; any other account with a link sees public details only.
    return FeedOptions(include_join_url=user_is_member(row.user))


@feed_view
def member_feed(request, token: str):
    row, refusal = _link_holder(token)
    if refusal:
        return refusal
    options = _holder_options(row)
    return _feed_response(
        request,
        key=("member", row.user_id, options),
        options=options,
        select_events=lambda: feed_events(user=row.user),
        name=f"{SITE_NAME} training events (members)",
        description="Your private calendar: public and members-only sessions, with join links. Do not share it.",
        private=True,
        changed_at=services.calendar_token_access_changed_at(row),
    )


@feed_view
def member_event_feed(request, token: str, slug: str):
    """One event the link's holder may see (members-only ones included): GraphQL's `icalUrl` for such an event."""
    row, refusal = _link_holder(token)
    if refusal:
        return refusal
    event = visible_event(slug=slug, user=row.user)
    if event is None:
        raise Http404("No such event.")
    options = _holder_options(row)
    return _feed_response(
        request,
        key=("member-event", row.user_id, event.pk, options),
        options=options,
        select_events=lambda: visible_pages(type(event).objects.filter(pk=event.pk), user=row.user),
        name=event.title,
        private=True,
        changed_at=services.calendar_token_access_changed_at(row),
    )


# --- the member's own calendar-link page ------------------------------------------------------------------------


@login_required(login_url="events:calendar_sign_in")
@require_http_methods(["GET", "POST"])
def subscription(request):
    """Shows the member's private feed URL and lets them create, replace (rotate) or turn off (revoke) it."""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "issue":
            services.calendar_token_issue(user=request.user)
            messages.success(request, "Your calendar link is ready.")
        elif action == "rotate":
            services.calendar_token_rotate(user=request.user)
            messages.success(request, "You have a new calendar link. The old one no longer works.")
        elif action == "revoke":
            services.calendar_token_revoke(user=request.user)
            messages.success(request, "Your calendar link is turned off.")
        else:
            return HttpResponseBadRequest("Unknown action.", content_type="text/plain; charset=utf-8")
        return redirect("events:subscription")
    token = live_calendar_token(request.user)
    links = subscribe_links(member_feed_path(token.token)) if token else None
    response = render(request, "events/calendar_subscription.html", {"links": links})
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
