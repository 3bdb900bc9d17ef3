"""Who is calling the API: the user behind an `Authorization: Bearer <token>` header, or anonymous.

Session cookies are never consulted (no CSRF surface, and an editor's admin session must not make drafts or
members-only content appear on a partner site). A header that is present but wrong is an error, never a silent
downgrade to anonymous: a partner would otherwise publish a members-less site without noticing.

Tokens are found by their HMAC digest through a unique index: the database compares digests of the presented
token, so response timing reveals nothing an attacker could use to guess a secret byte by byte.
"""

import time
from dataclasses import replace

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from wagtail.models import APIToken

from cms import response_cache
from integrations.graphql import cache
from integrations.graphql.services import api_token_mark_used, api_token_mark_used_at

CALLER_KEY = "token-caller:{access}:{digest}"

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


def presented_key(header: str) -> str:
    """The token in a `Bearer <token>` header, checked offline (typos never reach the database)."""
    scheme, _, key = header.strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key or len(header) > MAX_HEADER_LENGTH:
        raise TokenRejected("Malformed Authorization header: expected 'Bearer <token>'.")
    if not APIToken.validate_token_format(key):
        raise TokenRejected("Malformed token: not an API token issued by this site (check for copy errors).")
    return key


def authenticate(header: str | None) -> tuple[object, APIToken | None]:
    """(user, token) for the request's Authorization header; (AnonymousUser, None) when there is none."""
    if header is None:
        return AnonymousUser(), None
    key = presented_key(header)
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


# --- the hit path's token cache -----------------------------------------------------------------------------------
#
# A stored answer needs only the caller's class, not their user: the hit path (views.stored_answer) keeps each
# token's cache.Caller in the response cache, keyed on the token's digest (HMAC with SECRET_KEY, as the database
# stores it: the cache never holds anything a token can be rebuilt from) and on the access counter
# (cms/content_version.py), which goes up in the same transaction as every change to a token, its expiry, its user
# or their groups. The counter is read with the content version, once per request, so a revoked token is refused
# on the very next request in every process; an expiry passing needs no write and is checked here.


def _caller_key(header: str, access: int) -> str | None:
    try:
        key = presented_key(header)
    except TokenRejected:
        return None
    return CALLER_KEY.format(access=access, digest=APIToken.hash_token(key))


def cached_caller(header: str | None, access: int) -> cache.Caller | None:
    """The caller behind `header` without the database, or None when this cache cannot tell (a token not seen
    since the last access change, or one that has just expired, or a malformed header: authenticate() decides)."""
    if header is None:
        return cache.ANONYMOUS
    key = _caller_key(header, access)
    caller = response_cache.cache().get(key) if key else None
    if not isinstance(caller, cache.Caller):
        return None
    now = time.time()
    if caller.expires_at is not None and caller.expires_at <= now:
        return None
    interval = getattr(settings, "WAGTAILAPI_TOKEN_LAST_USED_INTERVAL", 60)
    if interval is not None and (caller.last_used_at is None or now - caller.last_used_at >= interval):
        # Use is still recorded at most once per interval (services.api_token_mark_used), per process at worst.
        api_token_mark_used_at(token_pk=caller.token_pk, now=now)
        caller = replace(caller, last_used_at=now)
        response_cache.cache().set(key, caller, settings.RESPONSE_CACHE_SECONDS)
    return caller


def remember(header: str | None, access: int, caller: cache.Caller) -> None:
    """Keep a token's caller for cached_caller: `access` must have been read before the token was (a change
    committed in between then files it under a counter nobody reads any more)."""
    key = _caller_key(header, access) if header is not None else None
    if key is not None:
        response_cache.cache().set(key, caller, settings.RESPONSE_CACHE_SECONDS)
