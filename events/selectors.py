"""Reads of training events, through the one privacy rule in `pages.selectors`."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from events.models import TrainingEventPage
from pages.selectors import visible_pages


def upcoming_events(*, user=None, now=None) -> QuerySet:
    """Events that end in the future, plus repeating events (whose later sessions may still be ahead)."""
    now = now or timezone.now()
    return (
        visible_pages(TrainingEventPage, user=user)
        .filter(Q(end__gte=now) | ~Q(recurrence_frequency=""))
        .order_by("start")
        .prefetch_related("topics", "facilitators")
    )
