"""Keep an event's iCal SEQUENCE in step with what calendar clients must re-read.

Wagtail sends `page_published` for every publish, including a future scheduled go-live where the page is not yet
live; only a publish that puts the new schedule live counts.
"""

from wagtail.signals import page_published

from cms import cdn
from cms.links import public_url
from events.calendar_links import event_feed_path, events_feed_path, topic_feed_path
from events.models import TrainingEventPage
from pages.models import Topic


def bump_sequence_on_schedule_change(sender, instance, **kwargs) -> None:
    if not instance.live:
        return
    fingerprint = instance.compute_schedule_fingerprint()
    if fingerprint == instance.schedule_fingerprint:
        return
    if instance.schedule_fingerprint:  # the first publish is SEQUENCE 0
        instance.ical_sequence += 1
    instance.schedule_fingerprint = fingerprint
    # A queryset update: saving the page here would start another publish cycle and a new revision.
    TrainingEventPage.objects.filter(pk=instance.pk).update(
        ical_sequence=instance.ical_sequence, schedule_fingerprint=fingerprint
    )


def connect() -> None:
    page_published.connect(
        bump_sequence_on_schedule_change, sender=TrainingEventPage, dispatch_uid="events_bump_sequence"
    )
    cdn.purge_urls_on_change(feed_urls)


def feed_urls(instance) -> list[str]:
    """The public feeds a change can reach, for the CDN to drop (cms/cdn.py): the events feed and every topic's
    feed (any change may move an event in or out of them), and a changed event's own feed. Members' feeds are
    `private, no-store`: no CDN holds them."""
    urls = [public_url(events_feed_path())]
    urls += [public_url(topic_feed_path(slug)) for slug in Topic.objects.values_list("slug", flat=True)]
    if isinstance(instance, TrainingEventPage):
        urls.append(public_url(event_feed_path(instance.slug)))
    return urls
