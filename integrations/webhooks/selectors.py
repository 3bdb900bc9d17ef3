"""Reads for webhooks: what a page's message says, what a delivery's body is, which deliveries may run now.

Page models speak for themselves, as they declare `search_fields` or `graphql_fields` for Wagtail: a class
attribute `webhook_kind` (the payload `type`'s prefix; "page" when absent) and a method `webhook_data()` (what
the payload adds to the common fields). So this app names no content model, and a new page type touches its own app.
"""

import json

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from wagtail.models import Page

from cms.links import public_url
from integrations.webhooks.models import Audience, Delivery, DeliveryStatus, OutboxMessage

UNFINISHED = (DeliveryStatus.PENDING, DeliveryStatus.RUNNING)


def page_kind(page: Page) -> str:
    """The event-type prefix for a page: its class's `webhook_kind` (event, publication, recording), else "page".

    For a base Page row (a deletion) the specific class answers, so a deleted event is still an "event".
    """
    return getattr(page.specific_class or type(page), "webhook_kind", "page")


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def page_message_data(page: Page) -> dict:
    """What a partner needs to decide whether to re-fetch through GraphQL; a few hundred bytes, never the content.

    The fields every page has, then what the page's own `webhook_data()` adds (the content app decides). `page`
    may be the specific page or, for deletions, the base Page row: then only the common fields are known.
    """
    model = page.specific_class or type(page)
    url_parts = page.get_url_parts()
    data = {
        "id": page.pk,
        "typename": model.__name__,
        "slug": page.slug,
        "title": page.title,
        "url": public_url(url_parts[2]) if url_parts else None,
        "lastPublishedAt": _iso(page.last_published_at),
    }
    if hasattr(page, "webhook_data"):
        data |= page.webhook_data()
    return data


def delivery_body(message: OutboxMessage, audience: str) -> str:
    """The exact bytes signed and sent: the same on every retry of the same message to the same audience."""
    data = message.data
    if not message.public and audience != Audience.TRUSTED:
        data = {"id": data.get("id"), "typename": data.get("typename")}
    payload = {"type": message.type, "timestamp": message.created_at.isoformat(), "data": data}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def runnable_deliveries() -> QuerySet:
    """Pending deliveries that are due and have no earlier unfinished delivery of the same object to the same
    endpoint: per-endpoint, per-object order is kept even when retries back off."""
    earlier = Delivery.objects.filter(
        endpoint=OuterRef("endpoint"),
        object_key=OuterRef("object_key"),
        pk__lt=OuterRef("pk"),
        status__in=UNFINISHED,
    )
    return Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()).exclude(
        Exists(earlier)
    )
