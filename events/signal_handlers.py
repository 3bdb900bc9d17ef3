"""Keep an event's iCal SEQUENCE in step with what calendar clients must re-read.

Wagtail sends `page_published` for every publish, including a future scheduled go-live where the page is not yet
live; only a publish that puts the new schedule live counts.
"""

from wagtail.signals import page_published

from events.models import TrainingEventPage


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
