"""Where the iCal feeds live, as the outside world is given them (GraphQL `icalUrl`, subscribe buttons).

The feed views in `events/` serve exactly these paths; one module so the API and the feeds never disagree.
"""

from urllib.parse import urlencode

from cms.links import public_url


def events_feed_path() -> str:
    return "/calendar/events.ics"


def topic_feed_path(topic_slug: str) -> str:
    return f"/calendar/topics/{topic_slug}.ics"


def event_feed_path(event_slug: str) -> str:
    return f"/calendar/events/{event_slug}.ics"


def member_feed_path(token: str) -> str:
    return f"/calendar/members/{token}.ics"


def member_event_feed_path(token: str, event_slug: str) -> str:
    """One event from the holder's private feed: how a member adds a members-only event to their calendar."""
    return f"/calendar/members/{token}/events/{event_slug}.ics"


def webcal_url(https_url: str) -> str:
    """The `webcal://` twin of a feed URL: opens the desktop calendar app instead of downloading the file."""
    return "webcal://" + https_url.split("://", 1)[1]


def subscribe_links(path: str) -> dict[str, str]:
    """The https URL of a feed, its `webcal://` twin and Google's subscribe form."""
    https_url = public_url(path)
    webcal = webcal_url(https_url)
    google_url = "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal})
    return {"https": https_url, "webcal": webcal, "google": google_url}
