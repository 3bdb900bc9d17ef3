"""Writes for API tokens: create with an optional expiry (the plain token is returned once), revoke, record use."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import APIToken

from integrations.graphql.models import ApiTokenExpiry

MAX_EXPIRES_DAYS = 3650  # the longest expiry the admin and the command accept


@transaction.atomic
def api_token_create(
    *, user, name: str, expires_at: datetime | None = None, by_user=None, source: str = "admin"
) -> tuple[APIToken, str]:
    """A new token for `user`; returns the row and the plain token, which is never stored nor shown again."""
    token, plaintext = APIToken.create_token(user=user, name=name)
    if expires_at is not None:
        ApiTokenExpiry.objects.create(token=token, expires_at=expires_at)
    log(token, "wagtail.apitoken.create", user=by_user, data={"source": source})
    return token, plaintext


def api_token_revoke(*, token: APIToken, by_user=None, source: str = "admin") -> bool:
    """Revoke `token`; False when it already was (the first revocation time is kept)."""
    if token.revoked_at is not None:
        return False
    token.revoke()
    log(token, "wagtail.apitoken.revoke", user=by_user, data={"source": source})
    return True


def api_token_mark_used(*, token: APIToken, now: datetime | None = None) -> None:
    """Record use at most once per WAGTAILAPI_TOKEN_LAST_USED_INTERVAL seconds (read only here, not a Wagtail
    setting; unset, 60): last_used_at is informational, and writing it on every request would turn each API read
    into a write."""
    interval = getattr(settings, "WAGTAILAPI_TOKEN_LAST_USED_INTERVAL", 60)
    now = now or timezone.now()
    if interval is None or (token.last_used_at is not None and now - token.last_used_at < timedelta(seconds=interval)):
        return
    api_token_mark_used_at(token_pk=token.pk, now=now)
    token.last_used_at = now


def api_token_mark_used_at(*, token_pk: int, now: datetime | float) -> None:
    """Record the token's use at `now` (a datetime or epoch seconds); the caller decides when it is due. An update,
    not a save: no signal, so the access counter (cms/content_version.py) stays as it is."""
    if not isinstance(now, datetime):
        now = datetime.fromtimestamp(now, tz=UTC)
    APIToken.objects.filter(pk=token_pk).update(last_used_at=now)
