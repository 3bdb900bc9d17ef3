"""Limits and lockouts for sign-in and invitations (counters: cms/ratelimit.py).

The GraphQL view limits requests as a whole (integrations/graphql/views.py); these limits are tighter and about
guessing secrets: passwords per account, invitation tokens and passwords per IP.
"""

from django.conf import settings
from django.core.cache import cache

from cms.hashing import secret_digest
from cms.ratelimit import increment, window_hit

TOO_MANY_INVITATION_ATTEMPTS = "Too many invitation attempts from your network. Wait a minute and try again."


def attempt_allowed(scope: str, identity: str) -> bool:
    """Count one attempt from `identity` (an IP) in `scope`; False once it is over the per-window limit."""
    count, _ = window_hit(f"community:rate:{scope}:{identity}", settings.SIGN_IN_RATE_LIMIT_WINDOW_SECONDS)
    return count <= settings.SIGN_IN_RATE_LIMIT_PER_IP


# Keys hold the account's SHA-256: short and safe for any cache whatever was typed, and no email address.
def _failures_key(account: str) -> str:
    return f"community:sign-in-failures:{secret_digest(account)}"


def _lock_key(account: str) -> str:
    return f"community:sign-in-locked:{secret_digest(account)}"


def account_locked(account: str) -> bool:
    return cache.get(_lock_key(account)) is not None


def failure_record(account: str) -> bool:
    """Count a failed sign-in for `account`; True when this failure locks it."""
    lockout = settings.SIGN_IN_LOCKOUT_SECONDS
    failures = increment(_failures_key(account), lockout)
    if failures < settings.SIGN_IN_MAX_FAILURES:
        return False
    cache.set(_lock_key(account), 1, timeout=lockout)
    # The count is atomic, so exactly one failure (in whichever process) reaches the limit itself: that one locks.
    # Another process may count past it before the reset below; it locks again (harmlessly) but did not lock first.
    if failures == settings.SIGN_IN_MAX_FAILURES:
        cache.delete(_failures_key(account))
        return True
    return False


def failures_clear(account: str) -> None:
    cache.delete(_failures_key(account))
