"""Absolute links to this CMS for the outside world (API fields, feeds, webhooks, emails)."""

from django.conf import settings


def public_url(path: str) -> str:
    """`path` on the CMS's public origin (`PUBLIC_BASE_URL`, https in production), never the request's Host."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + "/" + path.lstrip("/")
