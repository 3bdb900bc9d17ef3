"""Reads for API tokens."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from wagtail.models import APIToken


def token_expires_at(token: APIToken):
    try:
        return token.expiry.expires_at
    except ObjectDoesNotExist:
        return None


def token_status(token: APIToken, now=None) -> str:
    if token.revoked_at is not None:
        return "revoked"
    expires_at = token_expires_at(token)
    if expires_at is not None and expires_at <= (now or timezone.now()):
        return "expired"
    return "active"


def token_for_key(key: str) -> APIToken | None:
    """The token whose digest matches `key` (revoked and expired ones included, so callers can say which)."""
    return (
        APIToken.objects.select_related("user", "expiry")
        .filter(key_hash__in=APIToken.candidate_key_hashes(key))
        .first()
    )
