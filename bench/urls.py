"""The site's URLs plus the benchmark's floor: a plain Django view running the same optimised ORM query as the
GraphQL `events` field and returning hand-built JSON. It lives here, never in the app."""

from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from wagtail.models import Site

from cms.links import public_url
from events import selectors
from events.calendar_links import event_feed_path


def floor_events(request):
    events = selectors.events(user=None, upcoming=True).prefetch_related("topics", "facilitators")
    rows = list(events[:20])
    root = Site.objects.get(is_default_site=True).root_page.url_path
    items = [
        {
            "id": str(event.pk),
            "title": event.title,
            "slug": event.slug,
            "url": public_url(event.url_path[len(root) - 1 :]),
            "summary": event.summary,
            "startsAt": event.start.isoformat(),
            "endsAt": event.end.isoformat(),
            "timeZone": event.time_zone,
            "status": event.status.upper(),
            "deliveryMode": event.delivery_mode.upper(),
            "registrationUrl": event.registration_url,
            "icalUrl": public_url(event_feed_path(event.slug)),
            "topics": [{"name": topic.name, "slug": topic.slug} for topic in event.topics.all()],
            "facilitators": [
                {"name": person.name, "role": person.role, "organization": person.organization}
                for person in event.facilitators.all()
            ],
        }
        for event in rows
    ]
    return JsonResponse({"data": {"events": {"items": items, "pagination": {"total": events.count()}}}})


_bytes: dict[str, bytes] = {}


def bytes_events(request):
    """The limit of this stack: the floor's answer built once, then the same bytes from memory on every request."""
    if "events" not in _bytes:
        _bytes["events"] = floor_events(request).content
    return HttpResponse(_bytes["events"], content_type="application/json")


urlpatterns = [
    path("bench/floor/events/", floor_events),
    path("bench/bytes/events/", bytes_events),
    path("", include("cms.urls")),
]
