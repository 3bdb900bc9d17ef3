"""The address a request came from, for rate limits and lockouts.

X-Forwarded-For is written by whoever sends the request, so only the entries our own proxies appended can be
believed: with TRUSTED_PROXY_HOPS = N (the number of proxies in front of gunicorn that append to the header, e.g.
1 for a load balancer, 2 for a CDN in front of it) the client is the N-th address from the right. Anything a
caller wrote further left is ignored, so a forged header can't pick someone else's rate-limit budget.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

MAX_FORWARDED_LENGTH = 2000


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    hops = settings.TRUSTED_PROXY_HOPS
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops <= 0 or not forwarded or len(forwarded) > MAX_FORWARDED_LENGTH:
        return remote
    entries = [entry.strip() for entry in forwarded.split(",")]
    if len(entries) < hops:  # the request skipped one of our proxies: only the connection can be believed
        return remote
    try:
        return str(ipaddress.ip_address(entries[-hops]))
    except ValueError:  # our proxy wrote it, so this is misconfiguration; don't let it merge callers into one key
        return remote
