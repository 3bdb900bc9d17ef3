"""Writes for events: members' private calendar links (issue, rotate, revoke)."""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from cms.links import public_url
from events.calendar_links import member_feed_path
from events.models import CalendarToken
from events.selectors import access_key, live_calendar_token


def _new_token(*, user) -> CalendarToken:
    nonce = secrets.token_urlsafe(32)
    return CalendarToken.objects.create(
        user=user, nonce=nonce, token_hash=CalendarToken.hash_token(CalendarToken.make_token(user.pk, nonce))
    )


def calendar_token_issue(*, user) -> CalendarToken:
    """The member's live calendar link, created on first use (two concurrent first uses get the same one)."""
    token = live_calendar_token(user)
    if token is not None and token.token_hash == CalendarToken.hash_token(token.token):
        return token
    if token is not None:
        # SECRET_KEY changed since it was issued: the stored hash still opens the old link but it can no longer be
        # shown, so the member gets a new one.
        return calendar_token_rotate(user=user)
    try:
        with transaction.atomic():
            return _new_token(user=user)
    except IntegrityError:  # another request issued it first (one live token per member)
        return live_calendar_token(user)


@transaction.atomic
def calendar_token_rotate(*, user) -> CalendarToken:
    """Revoke the member's live link (it then answers 410 Gone) and issue a new one."""
    calendar_token_revoke(user=user)
    return _new_token(user=user)


def calendar_token_revoke(*, user) -> int:
    """Revoke the member's live link; revoked rows stay so the old URL answers 410 Gone. Returns how many."""
    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def calendar_token_access_changed_at(row: CalendarToken):
    """When the link holder's access last changed, as seen by this link (a Last-Modified for their feeds).

    Compared on every read, so any change counts however it was made; the first read of a link counts as one.
    """
    key = access_key(row.user)
    if row.access_key != key:
        row.access_key, row.access_changed_at = key, timezone.now()
        CalendarToken.objects.filter(pk=row.pk).update(access_key=key, access_changed_at=row.access_changed_at)
    return row.access_changed_at


def member_calendar_url(user) -> str:
    """The https URL of `user`'s private feed (GraphQL `viewer.calendarUrl`), issuing the link when missing."""
    return public_url(member_feed_path(calendar_token_issue(user=user).token))
