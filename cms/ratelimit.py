"""Counters in the shared cache, for every rate limit and lockout (GraphQL requests, sign-in, invitations, forum).

Atomic increments on Redis, or on the database without it (cms/cache.py), so every process counts against one
budget; `check --deploy` fails on a cache that processes do not share (cms/checks.py). While Redis is down each
process counts on its own (cms/cache.py): the limit is then at worst limit x processes, still a bound.
"""

import math
import time

from django.core.cache import cache


def increment(key: str, timeout: int) -> int:
    """Add one to the counter at `key` (created with `timeout` seconds to live) and return its new value.

    The counter usually exists already, so it is incremented first; only the first hit of a window creates it
    (one cache call fewer per request than an add before every incr)."""
    try:
        return cache.incr(key)
    except ValueError:  # no counter yet (or it just expired)
        pass
    if cache.add(key, 1, timeout=timeout):
        return 1
    return cache.incr(key)  # another process created it in between


def window_hit(key: str, window: int) -> tuple[int, int]:
    """Count one hit on `key` in the current fixed window of `window` seconds: (hits so far in this window,
    seconds until the next window starts)."""
    now = time.time()
    bucket = int(now // window)
    count = increment(f"{key}:{bucket}", window + 1)
    return count, max(1, math.ceil((bucket + 1) * window - now))
