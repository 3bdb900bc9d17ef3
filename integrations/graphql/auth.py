"""Who is calling the API: the user behind an `Authorization: Bearer <token>` header, or anonymous.

Session cookies are never consulted (no CSRF surface, and an editor's admin session must not make drafts or
members-only content appear on a partner site). A header that is present but wrong is an error, never a silent
downgrade to anonymous: a partner would otherwise publish a members-less site without noticing.

Tokens are found by their HMAC digest through a unique index: the database compares digests of the presented
token, so response timing reveals nothing an attacker could use to guess a secret byte by byte.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from wagtail.models import APIToken

from integrations.graphql.services import api_token_mark_used

MAX_HEADER_LENGTH = 200


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


class TokenRejected(Exception):
    """The Authorization header names no usable token; the message is safe to show the caller."""


def authenticate(header: str | None) -> tuple[object, APIToken | None]:
    """(user, token) for the request's Authorization header; (AnonymousUser, None) when there is none."""
    if header is None:
        return AnonymousUser(), None
    scheme, _, key = header.strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key or len(header) > MAX_HEADER_LENGTH:
        raise TokenRejected("Malformed Authorization header: expected 'Bearer <token>'.")
    if not APIToken.validate_token_format(key):  # offline check: typos never reach the database
        raise TokenRejected("Malformed token: not an API token issued by this site (check for copy errors).")
    token = token_for_key(key)
    if token is None:
        raise TokenRejected("Unknown token.")
    now = timezone.now()
    status = token_status(token, now)
    if status == "revoked":
        raise TokenRejected("This token has been revoked.")
    if status == "expired":
        raise TokenRejected("This token has expired.")
    if not token.user.is_active:
        raise TokenRejected("This token's user account is inactive.")
    api_token_mark_used(token=token, now=now)
    return token.user, token
