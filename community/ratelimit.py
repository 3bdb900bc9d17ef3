"""Fixed-window counters and lockouts in the shared cache (atomic INCR on Redis), for sign-in and invitations.

The GraphQL view limits requests as a whole (integrations/graphql/views.py); these limits are tighter and about
guessing secrets: passwords per account, invitation tokens and passwords per IP.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

TOO_MANY_INVITATION_ATTEMPTS = "Too many invitation attempts from your network. Wait a minute and try again."


def _incr(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)
        return 1


def attempt_allowed(scope: str, identity: str) -> bool:
    """Count one attempt from `identity` (an IP) in `scope`; False once it is over the per-window limit."""
    window = settings.LOGIN_RATE_LIMIT_WINDOW_SECONDS
    bucket = int(time.time() // window)
    count = _incr(f"community:rate:{scope}:{identity}:{bucket}", window + 1)
    return count <= settings.LOGIN_RATE_LIMIT_PER_IP


def _account_id(account: str) -> str:
    # Hashed: keys stay short and safe for any cache whatever was typed, and hold no email address.
    return hashlib.sha256(account.encode("utf-8", "surrogatepass")).hexdigest()


def _failures_key(account: str) -> str:
    return f"community:login-failures:{_account_id(account)}"


def _lock_key(account: str) -> str:
    return f"community:login-locked:{_account_id(account)}"


def account_locked(account: str) -> bool:
    return cache.get(_lock_key(account)) is not None


def failure_record(account: str) -> bool:
    """Count a failed sign-in for `account`; True when this failure locks it."""
    lockout = settings.LOGIN_LOCKOUT_SECONDS
    failures = _incr(_failures_key(account), lockout)
    if failures >= settings.LOGIN_MAX_FAILURES:
        cache.set(_lock_key(account), 1, timeout=lockout)
        cache.delete(_failures_key(account))
        return True
    return False


def failures_clear(account: str) -> None:
    cache.delete(_failures_key(account))
