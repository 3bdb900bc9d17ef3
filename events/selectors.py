"""Reads of training events. Privacy is decided here, once, for every channel that lists events."""

from django.db.models import Q, QuerySet
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from events.models import TrainingEventPage

MEMBERS_GROUP = "CoP Members"


def user_is_member(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.groups.filter(name=MEMBERS_GROUP).exists())
    )


def visible_pages(model: type[Page], *, user=None) -> QuerySet:
    """Live pages of `model` the caller may see: everyone sees public pages; members also see pages restricted
    to the CoP Members group (or to login). Password-restricted pages are never listed."""
    pages = model.objects.live()
    restrictions = PageViewRestriction.objects.all()
    if user_is_member(user):
        restrictions = restrictions.exclude(restriction_type=PageViewRestriction.LOGIN).exclude(
            restriction_type=PageViewRestriction.GROUPS, groups__name=MEMBERS_GROUP
        )
    for restriction in restrictions.select_related("page"):
        pages = pages.exclude(path__startswith=restriction.page.path)
    return pages


def upcoming_events(*, user=None, now=None) -> QuerySet:
    """Events that end in the future, plus repeating events (whose later sessions may still be ahead)."""
    now = now or timezone.now()
    return (
        visible_pages(TrainingEventPage, user=user)
        .filter(Q(end__gte=now) | ~Q(recurrence_frequency=""))
        .order_by("start")
        .prefetch_related("topics", "facilitators")
    )
